// Runs a probe executable built beside the test bundle and reads the key=value figures it prints.
import Foundation
import Testing

/// What a probe printed: its `key=value` figures (integers), and the whole text for messages.
struct ChildProbe {
    let figures: [String: Int]
    let text: String

    /// Runs `executable` (a product built beside this test bundle) with `arguments`, and expects
    /// it to exit 0.
    init(_ executable: String, _ arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let process = Process()
        process.executableURL = bundle.appendingPathComponent(executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(executable) exited \(process.terminationStatus): \(text)", sourceLocation: sourceLocation)
        var figures: [String: Int] = [:]
        for field in text.split(whereSeparator: \.isWhitespace) {
            let parts = field.split(separator: "=")
            if parts.count == 2, let value = Int(parts[1]) { figures[String(parts[0])] = value }
        }
        self.figures = figures
    }
}
