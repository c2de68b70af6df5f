// Runs a table of requests against a server and says which answers were wrong.
#if Hummingbird || Vapor

/// What is wrong with `response` as an answer to `row`, or nil if nothing is.
///
/// - Parameter refusalStatus: the status this adapter refuses `row` with (404, or the 400 that
///   Hummingbird's own middleware answers for a path holding `..` before any provider sees it).
public func mismatch(_ row: ServeCase, _ response: ServedResponse, refusalStatus: Int) -> String? {
    var problems: [String] = []
    if response.body.containsOutsideMarker { problems.append("body holds a file from outside") }
    func expect(_ condition: Bool, _ problem: @autoclosure () -> String) { if !condition { problems.append(problem()) } }
    switch row.expectation {
    case .file(let bytes, let contentType):
        expect(response.status == 200, "status \(response.status), expected 200")
        expect(response.body == bytes, "body of \(response.body.count) B differs from the file's \(bytes.count) B")
        if let contentType { expect(response.mediaType == contentType, "content-type \(response.header("content-type") ?? "none")") }
        if let length = response.header("content-length") { expect(length == "\(bytes.count)", "content-length \(length)") }
    case .partial(let bytes, let contentRange):
        expect(response.status == 206, "status \(response.status), expected 206")
        expect(response.body == bytes, "body of \(response.body.count) B differs from the range's \(bytes.count) B")
        expect(response.header("content-range") == contentRange, "content-range \(response.header("content-range") ?? "none")")
    case .status(let status):
        expect(response.status == status, "status \(response.status), expected \(status)")
    case .empty(let status):
        expect(response.status == status, "status \(response.status), expected \(status)")
        expect(response.body.isEmpty, "a body of \(response.body.count) B")
    case .head(let contentLength):
        expect(response.status == 200, "status \(response.status), expected 200")
        expect(response.body.isEmpty, "a body of \(response.body.count) B")
        expect(response.header("content-length") == "\(contentLength)", "content-length \(response.header("content-length") ?? "none")")
    case .redirect(let location):
        expect(response.status == 301, "status \(response.status), expected 301")
        expect(response.header("location") == location, "location \(response.header("location") ?? "none")")
    case .refused:
        expect(response.status == refusalStatus, "status \(response.status), expected \(refusalStatus)")
    }
    return problems.isEmpty ? nil : "\(row): \(response): " + problems.joined(separator: "; ")
}

/// Sends every row and returns one line per wrong answer.
public func failures(of rows: [ServeCase], on client: LoopbackClient, refusalStatus: (ServeCase) -> Int = { _ in 404 }) async -> [String] {
    var failures: [String] = []
    for row in rows {
        do {
            if let problem = mismatch(row, try await client.send(row), refusalStatus: refusalStatus(row)) { failures.append(problem) }
        } catch {
            failures.append("\(row): \(error)")
        }
    }
    return failures
}

/// `rows`, then the conditional requests built from the validators `/note.txt` is served with:
/// one line per wrong answer.
public func tableFailures(of rows: [ServeCase], on client: LoopbackClient, refusalStatus: (ServeCase) -> Int = { _ in 404 }) async throws
    -> [String]
{
    let first = try await client.send("/note.txt")
    let conditionals = ServeCase.conditionals(entityTag: first.header("etag") ?? "", lastModified: first.header("last-modified") ?? "")
    return await failures(of: rows, on: client, refusalStatus: refusalStatus) + failures(of: conditionals, on: client)
}

/// The paths among `paths` for which `warnings` holds no `denied: <path>:` line.
public func undeniedPaths(_ paths: [String], in warnings: [String]) -> [String] {
    paths.filter { path in !warnings.contains { $0.hasPrefix("denied: \(path):") } }
}

/// Asks for `swap.txt`, replaces it with a symlink out as an attacker with write access to the
/// folder might, and asks again: one line per wrong answer (the second must be the 404).
public func swapFailures(_ site: HostileSite, on client: LoopbackClient) async throws -> [String] {
    let before = try await client.send("/swap.txt")
    try site.swapFileForSymlinkOut()
    let after = try await client.send("/swap.txt")
    var failures: [String] = []
    if before.status != 200 || before.body != Array("before the swap".utf8) { failures.append("before the swap: \(before)") }
    if after.status != 404 || after.body.containsOutsideMarker { failures.append("after the swap: \(after)") }
    return failures
}

/// Sends every row and returns what was answered, one line each: the record of what a stock
/// provider does with the same table, kept as a control and not asserted.
public func record(of rows: [ServeCase], on client: LoopbackClient, label: String) async -> [String] {
    var lines: [String] = []
    for row in rows {
        let answer: String
        do {
            let response = try await client.send(row)
            answer = "\(response)\(response.body.containsOutsideMarker ? "  ← served a file from outside" : "")"
        } catch {
            answer = "no answer: \(error)"
        }
        lines.append("[\(label)] \(row) → \(answer)")
    }
    return lines
}

extension [UInt8] {
    var containsOutsideMarker: Bool {
        let marker = Array(HostileSite.secretMarker.utf8)
        guard count >= marker.count else { return false }
        return (0...(count - marker.count)).contains { self[$0..<($0 + marker.count)].elementsEqual(marker) }
    }
}
#endif
