// Awaited plugin runs leave Swift's cooperative pool to the caller's other tasks.
// Measured in a child process (Tests/PoolProbe), where no other test keeps the pool busy.
import Foundation
import Testing

@Suite("The cooperative pool beside spinning plugins")
struct CooperativePoolTests {
    @Test("while 8 spinning runs are awaited, 100 sleeps of 10 ms on the cooperative pool finish within 2 s")
    func sleepsWhileSpinning() throws {
        let probe = try ChildProbe("pool-probe")
        let (figures, text) = (probe.figures, probe.text)
        // If guest code held the cooperative pool's threads, the sleeps could not resume until
        // the runs' 30 s timeout.
        let milliseconds = try #require(figures["probe_ms"], "\(text)")
        #expect(milliseconds >= 1000 && milliseconds < 2000, "100 sleeps of 10 ms took \(milliseconds) ms")
        // The runs were still spinning (or waiting for a thread) when the probe ended: all
        // eight end cancelled.
        #expect(figures["cancelled"] == 8, "\(text)")
    }
}
