// The first pass over all sources: names that alias ambient types, values and C functions.
import SwiftSyntax

/// What the whole package declares that can hide an ambient call behind another name.
struct SourceFacts: Sendable {
    /// `typealias FM = FileManager`: alias → the ambient type it names (after following aliases).
    var typeAliases: [String: String] = [:]
    /// Variables and parameters holding an ambient instance (`let fm = FileManager.default`,
    /// `fm: FileManager`), by name → type.
    var instanceNames: [String: String] = [:]
    /// Functions declared in the package, as `name/arity` for all-unlabeled parameter lists, so
    /// a call to the package's own `rename(a, b)` is not taken for the C function.
    var ownFunctions: Set<String> = []

    /// Types whose instances are ambient authorities (any member call on them is ambient).
    static let ambientInstanceTypes: Set<String> = ["FileManager", "FileSystem", "NonBlockingFileIO"]
    /// Types the rules know by name.
    static let knownTypes: Set<String> = ambientInstanceTypes.union([
        "FileHandle", "InputStream", "OutputStream", "FileDescriptor", "Data", "NSData", "String", "NSString",
    ])

    /// The known type a written type name stands for, following aliases and dropping a module
    /// qualifier (`Foundation.FileManager`).
    func canonicalType(_ name: String) -> String? {
        var current = name.split(separator: ".").last.map(String.init) ?? name
        var seen: Set<String> = []
        while let next = typeAliases[current], !seen.contains(current) {
            seen.insert(current)
            current = next
        }
        return SourceFacts.knownTypes.contains(current) ? current : nil
    }

    /// Collects facts from every file; runs to a fixed point so aliases of aliases resolve.
    static func collect(from trees: [SourceFileSyntax]) -> SourceFacts {
        var facts = SourceFacts()
        while true {
            let before = (facts.typeAliases.count, facts.instanceNames.count)
            for tree in trees {
                let collector = FactCollector(facts: facts)
                collector.walk(tree)
                facts = collector.facts
            }
            if (facts.typeAliases.count, facts.instanceNames.count) == before { return facts }
        }
    }
}

private final class FactCollector: SyntaxVisitor {
    var facts: SourceFacts

    init(facts: SourceFacts) {
        self.facts = facts
        super.init(viewMode: .sourceAccurate)
    }

    override func visit(_ node: TypeAliasDeclSyntax) -> SyntaxVisitorContinueKind {
        if let target = facts.canonicalType(node.initializer.value.trimmedDescription) {
            facts.typeAliases[node.name.text] = target
        }
        return .visitChildren
    }

    override func visit(_ node: PatternBindingSyntax) -> SyntaxVisitorContinueKind {
        guard let name = node.pattern.as(IdentifierPatternSyntax.self)?.identifier.text else { return .visitChildren }
        if let type = node.typeAnnotation?.type, let canonical = instanceType(of: type) {
            facts.instanceNames[name] = canonical
        } else if let value = node.initializer?.value, let canonical = instanceType(of: value) {
            facts.instanceNames[name] = canonical
        }
        return .visitChildren
    }

    override func visit(_ node: FunctionParameterSyntax) -> SyntaxVisitorContinueKind {
        if let canonical = instanceType(of: node.type) {
            facts.instanceNames[(node.secondName ?? node.firstName).text] = canonical
        }
        return .visitChildren
    }

    override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind {
        let parameters = node.signature.parameterClause.parameters
        if parameters.allSatisfy({ $0.firstName.tokenKind == .wildcard }) {
            facts.ownFunctions.insert("\(node.name.text)/\(parameters.count)")
        }
        return .visitChildren
    }

    /// The ambient instance type a type annotation names (`FileManager`, `FM?`, `FileManager!`).
    private func instanceType(of type: TypeSyntax) -> String? {
        var text = type.trimmedDescription
        while text.hasSuffix("?") || text.hasSuffix("!") { text.removeLast() }
        guard let canonical = facts.canonicalType(text) else { return nil }
        return SourceFacts.ambientInstanceTypes.contains(canonical) ? canonical : nil
    }

    /// The ambient instance type an initial value produces: `FileManager.default`, `FM()`,
    /// `FileSystem.shared`, `NonBlockingFileIO(threadPool:)`, or another name holding one.
    private func instanceType(of value: ExprSyntax) -> String? {
        var expression = value
        if let forced = expression.as(ForceUnwrapExprSyntax.self) { expression = forced.expression }
        if let reference = expression.as(DeclReferenceExprSyntax.self) {
            return facts.instanceNames[reference.baseName.text]
        }
        let typeName: String?
        if let call = expression.as(FunctionCallExprSyntax.self) {
            if let member = call.calledExpression.as(MemberAccessExprSyntax.self), member.declName.baseName.text == "init" {
                typeName = member.base?.qualifiedName
            } else {
                typeName = call.calledExpression.qualifiedName
            }
        } else if let member = expression.as(MemberAccessExprSyntax.self),
            ["default", "shared"].contains(member.declName.baseName.text)
        {
            typeName = member.base?.qualifiedName
        } else {
            typeName = nil
        }
        guard let typeName, let canonical = facts.canonicalType(typeName) else { return nil }
        return SourceFacts.ambientInstanceTypes.contains(canonical) ? canonical : nil
    }
}

extension ExprSyntax {
    /// `A.B.C` for an expression made only of names, nil for anything else. Cheap, unlike
    /// printing the expression, which copies whole call chains (and nested chains again).
    var qualifiedName: String? {
        if let reference = self.as(DeclReferenceExprSyntax.self) { return reference.baseName.text }
        guard let member = self.as(MemberAccessExprSyntax.self), let prefix = member.base?.qualifiedName else { return nil }
        return prefix + "." + member.declName.baseName.text
    }
}
