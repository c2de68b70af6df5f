// Asking again when the kernel resolver reports a rename race instead of an answer.
import Glibc

/// `attempt()`, asked again while `isRace` says its result is the kernel's `EAGAIN`.
///
/// openat2 answers `EAGAIN` when any rename on the system races with a `..` it walks, and the
/// kernel-only resolver reports it after its retries. Suites running in parallel (the rename
/// stress test) can keep that up for a while; a comparison of answers waits for them, up to 5 s.
public func askingAgainWhileRenamesRace<Outcome>(_ isRace: (Outcome) -> Bool, _ attempt: () -> Outcome) -> Outcome {
    var outcome = attempt()
    let deadline = ContinuousClock.now + .seconds(5)
    while isRace(outcome), ContinuousClock.now < deadline {
        usleep(1000)
        outcome = attempt()
    }
    return outcome
}
