// A log handler that keeps what it is given, so a test can check what was logged: denials, escaped paths.
import Logging
import Synchronization

/// Collects each level, message and metadata from every logger made with ``logger(label:)``.
public final class LogRecord: Sendable {
    let entries = Mutex<[(level: Logger.Level, message: String, metadata: String)]>([])

    public init() {}

    public func logger(label: String = "capsule.serve.test") -> Logger {
        var logger = Logger(label: label) { _ in RecordingLogHandler(record: self) }
        logger.logLevel = .debug
        return logger
    }

    /// Every message, at every level.
    public var messages: [String] { entries.withLock { $0.map(\.message) } }

    /// Every entry as one line: the message, then each metadata `key=value`, sorted by key.
    public var lines: [String] { entries.withLock { $0.map { $0.metadata.isEmpty ? $0.message : $0.message + " " + $0.metadata } } }

    /// The messages logged at `warning`.
    public var warnings: [String] { entries.withLock { $0.filter { $0.level == .warning }.map(\.message) } }

    func append(_ event: LogEvent) {
        let metadata = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        entries.withLock { $0.append((event.level, "\(event.message)", metadata)) }
    }
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
        record.append(event)
    }
}
