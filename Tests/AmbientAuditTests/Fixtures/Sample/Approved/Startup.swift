import Foundation

enum Startup {
    static func home() -> String? {
        FileManager.default.currentDirectoryPath
    }
}
