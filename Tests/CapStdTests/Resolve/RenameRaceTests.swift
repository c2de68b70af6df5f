// A bounded rename race: a directory is swapped with a symlink to the outside while reads go through it.
import CapStd
import Foundation
import Synchronization
import SystemPackage
import Testing

@Suite("Concurrent renames")
struct RenameRaceTests {
    static let readsPerReader = 1500

    /// One thread keeps swapping `a` (a real directory holding `secret` = "inside") with a symlink
    /// to `<tmp>/outside` (whose `secret` = "SECRET") until three reader threads have each read
    /// `a/secret` (spelled three ways) a fixed number of times. Every successful read must give
    /// "inside"; the outside file is never read. Threads, not tasks: a spinning renamer must not
    /// starve readers of the cooperative pool.
    @Test("swapping a directory for an escaping symlink never lets a read out", arguments: bothResolvers)
    func swapRace(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["a/", "a/secret=inside", "b -> ../outside"])
        let root = sandbox.root
        let tally = StressTally()
        let readersDone = Atomic<Int>(0)
        let group = DispatchGroup()
        let paths = ["a/secret", "a/../a/secret", "./a/./secret"]
        group.enter()
        Thread.detachNewThread {
            while readersDone.load(ordering: .acquiring) < paths.count {
                try? root.rename("a", to: "parked")
                try? root.rename("b", to: "a")
                try? root.rename("a", to: "b")
                try? root.rename("parked", to: "a")
                tally.mutations.add(1, ordering: .relaxed)
            }
            group.leave()
        }
        for path in paths {
            group.enter()
            Thread.detachNewThread {
                // Past the fixed count, on until some read has succeeded (the control: a race in
                // which every read failed would show nothing); under a loaded machine's scheduling
                // all 4,500 once failed.
                var reads = 0
                while reads < Self.readsPerReader
                    || (tally.successes.load(ordering: .relaxed) == 0 && reads < 20 * Self.readsPerReader)
                {
                    tally.check("read \(path)") { () throws(CapStdError) -> Bool in try root.readString(RawPath(path)) == "inside" }
                    reads += 1
                }
                readersDone.add(1, ordering: .releasing)
                group.leave()
            }
        }
        group.wait()
        for escape in tally.escapeLog.withLock({ $0 }) { Issue.record("escape: \(escape)") }
        #expect(tally.escapes.load(ordering: .relaxed) == 0)
        #expect(tally.successes.load(ordering: .relaxed) > 0)
        #expect(tally.mutations.load(ordering: .relaxed) > 0)
        try sandbox.expectOutsideUntouched()
    }
}
