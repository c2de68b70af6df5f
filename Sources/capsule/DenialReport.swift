// `capsule run --log-denials`: where refused operations are reported, apart from the guest's own standard error by default.
import CapStd
import CapWASI
import Logging
import Synchronization

/// The denials of one `capsule run`, reported where `--log-denials` says: by default one line
/// at exit, so the guest's standard error stays the guest's (a program writing to a descriptor
/// it opened read-only would otherwise get a notice per write among its own output).
final class DenialReport: Sendable {
    private enum Destination {
        case summary, standardError, off
        case file(File)
    }

    private let destination: Destination
    private let seen = Mutex<(count: Int, first: Denial?)>((0, nil))
    private let log = Denial.logging(to: Logger(label: "capsule.wasi"))

    /// - Parameter choice: `summary`, `stderr`, `off`, or the path of a file to append to.
    init(_ choice: String) throws(CapStdError) {
        switch choice {
        case "summary": destination = .summary
        case "stderr": destination = .standardError
        case "off": destination = .off
        default: destination = .file(try AmbientStartup.appendFile(choice))
        }
    }

    /// Receives each denial as the guest's operation is refused.
    var sink: DenialSink {
        { denial in
            self.seen.withLock { seen in
                seen.count += 1
                if seen.first == nil { seen.first = denial }
            }
            switch self.destination {
            case .standardError: self.log(denial)
            case .file(let file): try? file.writeAll(Array((denial.description + "\n").utf8))
            case .summary, .off: break
            }
        }
    }

    /// Prints the summary line, if that is where denials go and there were any.
    func summarize() {
        guard case .summary = destination else { return }
        let (count, first) = seen.withLock { ($0.count, $0.first) }
        guard count > 0, let first else { return }
        let more = count == 1 ? "" : " and \(count - 1) more"
        printError("capsule run: refused \(first)\(more) (--log-denials stderr shows each as it happens)")
    }
}
