// Timing helpers: every suite interleaves its contenders round by round and reports the median
// round, so noise on this shared machine hits each contender alike.
import Glibc

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

/// Runs each contender once per round, in the same order every round, and returns each one's
/// samples (what its closure returned), indexed like `contenders`.
func interleave(rounds: Int, _ contenders: [() throws -> Double]) throws -> [[Double]] {
    var samples = Array(repeating: [Double](), count: contenders.count)
    for _ in 0..<rounds {
        for (index, contender) in contenders.enumerated() { samples[index].append(try contender()) }
    }
    return samples
}

/// Nanoseconds one call of `body` took.
func timed(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    return nanoseconds(clock.now - start)
}
