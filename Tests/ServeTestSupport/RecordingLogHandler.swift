// A log handler that keeps what it is given, so a test can check what was logged as a denial.
import Logging
import Synchronization

/// Collects `(level, message)` pairs from every logger made with ``logger(label:)``.
public final class LogRecord: Sendable {
    let entries = Mutex<[(Logger.Level, String)]>([])

    public init() {}

    public func logger(label: String = "capsule.serve.test") -> Logger {
        var logger = Logger(label: label) { _ in RecordingLogHandler(record: self) }
        logger.logLevel = .debug
        return logger
    }

    /// The messages logged at `warning`.
    public var warnings: [String] { entries.withLock { $0.filter { $0.0 == .warning }.map(\.1) } }

    func append(_ level: Logger.Level, _ message: String) { entries.withLock { $0.append((level, message)) } }
}

struct RecordingLogHandler: LogHandler {
    let record: LogRecord
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        record.append(event.level, "\(event.message)")
    }
}
