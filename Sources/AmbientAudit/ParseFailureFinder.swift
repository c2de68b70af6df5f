// Locating the first place a file fails to parse, so the report can point at it.
import SwiftSyntax

final class ParseFailureFinder: SyntaxAnyVisitor {
    private(set) var first: (position: AbsolutePosition, message: String)?

    init() {
        super.init(viewMode: .all)
    }

    override func visitAny(_ node: Syntax) -> SyntaxVisitorContinueKind {
        if first != nil || !node.hasError { return .skipChildren }
        if let unexpected = node.as(UnexpectedNodesSyntax.self) {
            first = (unexpected.positionAfterSkippingLeadingTrivia, "unexpected code '\(unexpected.trimmedDescription.prefix(40))'")
            return .skipChildren
        }
        return .visitChildren
    }

    override func visit(_ token: TokenSyntax) -> SyntaxVisitorContinueKind {
        if first == nil && token.presence == .missing {
            first = (token.position, "expected '\(token.text.isEmpty ? token.tokenKind.description : token.text)'")
        }
        return .skipChildren
    }
}

extension TokenKind {
    fileprivate var description: String { "\(self)" }
}
