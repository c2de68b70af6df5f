// The single place in the `capsule` executable that uses the process's ambient authority.
import CapStd
import SystemPackage

/// Opens directories named on the command line. Everything the executable does afterwards goes
/// through the `Dir` values returned here.
enum AmbientStartup {
    /// Opens a directory the user named, relative to the working directory or absolute.
    static func openDirectory(_ path: String) throws(CapStdError) -> Dir {
        try Dir.openAmbient(FilePath(path), ambientAuthority())
    }
}
