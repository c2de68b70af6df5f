// The borrows handed into one lifted call, which must all be dropped before it returns.

/// The `num_borrows` of a canonical ABI task: how many `borrow` handles lent into one lifted
/// call are still in the callee's table. The call traps at return if any are.
final class BorrowScope {
    var outstanding = 0
}
