// The second pass over one file: every ambient access, with the allowance markers around it.
import SwiftSyntax

/// An allowance written in the source: `// capsule-audit: allow ambient — reason` in the
/// comments just before a declaration approves every ambient access inside that declaration.
struct SourceMarker: Hashable {
    static let keyword = "capsule-audit: allow ambient"
    let file: String
    let line: Int
    let reason: String
    var source: String { "\(file):\(line)" }
}

final class AmbientCallFinder: SyntaxAnyVisitor {
    private let file: String
    private let facts: SourceFacts
    private let imports: Set<String>
    private let extraFunctions: Set<String>
    private let converter: SourceLocationConverter

    private(set) var findings: [AuditFinding] = []
    /// Every marker in the file, and whether it approved something.
    private(set) var markers: [SourceMarker: Bool] = [:]
    /// Markers of the declarations being visited, innermost last, with the node that opened each.
    private var activeMarkers: [(marker: SourceMarker, node: SyntaxIdentifier)] = []

    init(file: String, tree: SourceFileSyntax, facts: SourceFacts, extraFunctions: Set<String>) {
        self.file = file
        self.facts = facts
        self.extraFunctions = extraFunctions
        converter = SourceLocationConverter(fileName: file, tree: tree)
        imports = Set(
            tree.statements.compactMap { $0.item.as(ImportDeclSyntax.self)?.path.first?.name.text })
        super.init(viewMode: .sourceAccurate)
    }

    // MARK: Allowance markers

    override func visitAny(_ node: Syntax) -> SyntaxVisitorContinueKind {
        if node.is(DeclSyntax.self), let marker = marker(in: node) {
            markers[marker] = markers[marker] ?? false
            activeMarkers.append((marker, node.id))
        }
        return .visitChildren
    }

    override func visitAnyPost(_ node: Syntax) {
        if activeMarkers.last?.node == node.id { activeMarkers.removeLast() }
    }

    private func marker(in node: Syntax) -> SourceMarker? {
        for piece in node.leadingTrivia {
            // Only a plain `//` comment that starts with the keyword: prose that mentions it
            // (like this) approves nothing.
            guard case .lineComment(let comment) = piece else { continue }
            let text = comment.dropFirst(2).drop { $0 == " " }
            guard text.hasPrefix(SourceMarker.keyword) else { continue }
            let reason = text.dropFirst(SourceMarker.keyword.count).drop { " —-:–".contains($0) }.trimmingCharacters(in: " ")
            let line = converter.location(for: node.positionAfterSkippingLeadingTrivia).line
            return SourceMarker(file: file, line: line, reason: reason)
        }
        return nil
    }

    // MARK: Calls

    override func visit(_ node: FunctionCallExprSyntax) -> SyntaxVisitorContinueKind {
        let labels = node.arguments.map { $0.label?.text }
        let unlabeled = labels.allSatisfy { $0 == nil }
        let callee = node.calledExpression
        var name: String?
        var qualifiedByCModule = false
        var typeBase: String?

        if let reference = callee.as(DeclReferenceExprSyntax.self) {
            name = reference.baseName.text
        } else if let member = callee.as(MemberAccessExprSyntax.self), let base = member.base {
            let memberName = member.declName.baseName.text
            // Only a plain (qualified) name can be a C module or a type; printing any other base
            // would copy whole call chains, over and over for nested ones.
            let baseName = base.qualifiedName
            if let baseName, AmbientCatalogue.cModules.contains(baseName) {
                name = memberName
                qualifiedByCModule = true
            } else if memberName == "init", let baseName {
                typeBase = baseName
            } else {
                checkMemberCall(node, member: member, memberName: memberName, labels: labels)
                return .visitChildren
            }
        }

        if let name {
            if name == "ambientAuthority" && labels.isEmpty {
                record(.ambientAuthority, at: callee, api: "ambientAuthority()", detail: "")
            }
            if extraFunctions.contains(name) {
                record(.configured, at: callee, api: signature(name, labels), detail: "")
            }
            let ownFunction = !qualifiedByCModule && facts.ownFunctions.contains("\(name)/\(labels.count)")
            if unlabeled && !ownFunction {
                if let arity = AmbientCatalogue.libcPathFunctions[name], arity.contains(labels.count) {
                    record(.libcPath, at: callee, api: signature(callee.trimmedDescription, labels), detail: "")
                } else if let arity = AmbientCatalogue.libcAtFunctions[name], arity.contains(labels.count) {
                    record(.libcAt, at: callee, api: signature(callee.trimmedDescription, labels), detail: "")
                }
            }
            typeBase = typeBase ?? name
        }
        if let typeBase, let type = facts.canonicalType(typeBase), let first = labels.first ?? nil {
            let api = signature(callee.trimmedDescription, labels)
            if type == "FileHandle" && AmbientCatalogue.fileHandleLabels.contains(first) {
                record(.fileHandle, at: callee, api: api, detail: "")
            } else if AmbientCatalogue.contentsTypes.contains(type) && AmbientCatalogue.contentsLabels.contains(first) {
                record(.contentsOf, at: callee, api: api, detail: "")
            } else if let streamLabels = AmbientCatalogue.streamInitializers[type], streamLabels.contains(first) {
                record(.stream, at: callee, api: api, detail: "")
            }
        }
        return .visitChildren
    }

    /// `x.write(to:)`, `FileDescriptor.open(...)`, NIO path methods.
    private func checkMemberCall(
        _ node: FunctionCallExprSyntax, member: MemberAccessExprSyntax, memberName: String, labels: [String?]
    ) {
        var api: String { signature(member.trimmedDescription, labels) }
        let first = labels.first ?? nil
        if memberName == "write" {
            let target = node.arguments.first?.expression
            if first == "toFile" || (first == "to" && target?.is(InOutExprSyntax.self) == false) {
                record(.writeTo, at: member.declName, api: api, detail: "")
            }
        } else if memberName == "open", let base = member.base,
            facts.canonicalType(base.trimmedDescription) == "FileDescriptor",
            !imports.isDisjoint(with: AmbientCatalogue.systemModules)
        {
            record(.systemOpen, at: member, api: api, detail: "")
        } else if AmbientCatalogue.nioPathMethods.contains(memberName),
            labels.contains("path") || labels.contains("_path"),
            imports.contains("NIOPosix") || imports.contains("NIO"),
            let base = member.base, isInstance(base)
        {
            record(.nioFileSystem, at: member.declName, api: api, detail: "")
        }
    }

    /// Whether an expression names a value rather than a type: `fileIO`, `self.fileIO`, but not
    /// `FileSystemError` (whose static `remove(errno:path:)` builds an error, touching nothing).
    private func isInstance(_ base: ExprSyntax) -> Bool {
        let last = base.as(MemberAccessExprSyntax.self)?.declName.baseName.text
            ?? base.as(DeclReferenceExprSyntax.self)?.baseName.text ?? ""
        return !(last.first?.isUppercase ?? false)
    }

    // MARK: References

    override func visit(_ node: DeclReferenceExprSyntax) -> SyntaxVisitorContinueKind {
        if let parent = node.parent?.as(MemberAccessExprSyntax.self), parent.declName.id == node.id {
            return .visitChildren
        }
        let name = node.baseName.text
        if name == "AT_FDCWD" {
            record(.workingDirectory, at: node, api: "AT_FDCWD", detail: "")
            return .visitChildren
        }
        if let type = facts.canonicalType(name), isAmbientInstanceType(type) {
            record(rule(forInstanceType: type), at: node, api: chainDescription(from: node), detail: "")
        } else if let type = facts.instanceNames[name], isAmbientInstanceType(type),
            let member = node.parent?.as(MemberAccessExprSyntax.self), member.base?.id == node.id
        {
            record(rule(forInstanceType: type), at: node, api: chainDescription(from: node), detail: " (through \(name), a \(type))")
        } else if isUncalledCFunction(node, name: name) {
            record(
                AmbientCatalogue.libcAtFunctions[name] != nil ? .libcAt : .libcPath, at: node, api: name,
                detail: " (taken as a value)")
        }
        return .visitChildren
    }

    /// FileManager always; NIO's FileSystem only where NIO's file system module is imported.
    /// (NonBlockingFileIO is ambient only through its path methods, checked at the call.)
    private func isAmbientInstanceType(_ type: String) -> Bool {
        switch type {
        case "FileManager": true
        case "FileSystem": !imports.isDisjoint(with: AmbientCatalogue.nioModules)
        default: false
        }
    }

    private func rule(forInstanceType type: String) -> AuditRule {
        type == "FileManager" ? .fileManager : .nioFileSystem
    }

    /// `let f = fopen` or `apply(unlink)`: a C function passed around, then called elsewhere.
    /// Only names no Swift code would use for anything else count (`open`, `stat` and `access`
    /// are common property and method names).
    private func isUncalledCFunction(_ node: DeclReferenceExprSyntax, name: String) -> Bool {
        guard AmbientCatalogue.distinctiveCFunctions.contains(name) else { return false }
        if let call = node.parent?.as(FunctionCallExprSyntax.self), call.calledExpression.id == node.id { return false }
        if facts.ownFunctions.contains(where: { $0.hasPrefix(name + "/") }) { return false }
        // Only as a value: an initial value, an argument, or an assignment's right-hand side.
        return node.parent?.is(InitializerClauseSyntax.self) == true || node.parent?.is(LabeledExprSyntax.self) == true
    }

    // MARK: Recording

    private func record(_ rule: AuditRule, at node: some SyntaxProtocol, api: String, detail: String) {
        let location = converter.location(for: node.positionAfterSkippingLeadingTrivia)
        var approval: Allowance?
        if let active = activeMarkers.last {
            approval = Allowance(kind: "marker", source: active.marker.source, reason: active.marker.reason)
            markers[active.marker] = true
        }
        findings.append(
            AuditFinding(
                file: file, line: location.line, column: location.column, rule: rule.id, api: api,
                reason: rule.summary + detail, approval: approval))
    }

    private func signature(_ callee: String, _ labels: [String?]) -> String {
        compact(callee) + "(" + labels.map { ($0 ?? "_") + ":" }.joined() + ")"
    }

    /// The member chain a reference starts, up to and including its first call:
    /// `FileManager.default.removeItem(atPath:)`.
    private func chainDescription(from node: DeclReferenceExprSyntax) -> String {
        var current = Syntax(node)
        while let parent = current.parent {
            if let member = parent.as(MemberAccessExprSyntax.self), member.base?.id == current.id {
                current = parent
            } else if let call = parent.as(FunctionCallExprSyntax.self), call.calledExpression.id == current.id {
                return signature(call.calledExpression.trimmedDescription, call.arguments.map { $0.label?.text })
            } else {
                break
            }
        }
        return compact(current.trimmedDescription)
    }

    private func compact(_ text: String) -> String {
        String(text.filter { !$0.isWhitespace })
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var text = self
        while let last = text.last, set.contains(last) || last.isWhitespace { text.removeLast() }
        while let first = text.first, set.contains(first) || first.isWhitespace { text.removeFirst() }
        return String(text)
    }
}
