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
        let counters = RaceCounters()
        let group = DispatchGroup()
        let paths = ["a/secret", "a/../a/secret", "./a/./secret"]
        group.enter()
        Thread.detachNewThread {
            while counters.readersDone.load(ordering: .acquiring) < paths.count {
                try? root.rename("a", to: "parked")
                try? root.rename("b", to: "a")
                try? root.rename("a", to: "b")
                try? root.rename("parked", to: "a")
                counters.swaps.add(1, ordering: .relaxed)
            }
            group.leave()
        }
        for path in paths {
            group.enter()
            Thread.detachNewThread {
                for _ in 0..<Self.readsPerReader {
                    do {
                        let text = try root.readString(RawPath(path))
                        counters.reads.add(1, ordering: .relaxed)
                        if text != "inside" { counters.escapes.add(1, ordering: .relaxed) }
                    } catch {
                        if (error as? CapStdError)?.isEscape == true { counters.refusals.add(1, ordering: .relaxed) }
                    }
                }
                counters.readersDone.add(1, ordering: .releasing)
                group.leave()
            }
        }
        group.wait()
        #expect(counters.escapes.load(ordering: .relaxed) == 0)
        #expect(counters.reads.load(ordering: .relaxed) > 0)
        #expect(counters.swaps.load(ordering: .relaxed) > 0)
        try sandbox.expectOutsideUntouched()
    }
}

final class RaceCounters: Sendable {
    let readersDone = Atomic<Int>(0)
    let swaps = Atomic<Int>(0)
    let reads = Atomic<Int>(0)
    let refusals = Atomic<Int>(0)
    let escapes = Atomic<Int>(0)
}
