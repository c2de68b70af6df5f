// The process's own resident memory and descriptor count, from /proc/self.
import CapStd
import SystemPackage

enum ProcessFigures {
    private static let procSelf = try? Dir.openAmbient("/proc/self", ambientAuthority())

    /// VmRSS and VmHWM (peak) in KiB.
    static func memory() -> (residentKiB: Int, peakKiB: Int) {
        guard let status = try? procSelf?.readString("status") else { return (0, 0) }
        func field(_ name: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// Resets the peak (VmHWM) to the current resident size (Linux ≥ 4.0: "5" to clear_refs).
    static func resetPeakMemory() -> Bool {
        guard let file = try? procSelf?.open("clear_refs", options: OpenOptions(write: true)) else { return false }
        return (try? file.writeAll(Array("5".utf8))) != nil
    }

    /// Open descriptors, not counting the one that lists them.
    static func openDescriptors() -> Int {
        ((try? procSelf?.entries("fd"))?.count ?? 1) - 1
    }
}
