// A bounded rename race: a directory is swapped with a symlink to the outside while reads go through it.
import CapStd
import Synchronization
import SystemPackage
import Testing

@Suite("Concurrent renames")
struct RenameRaceTests {
    /// One task keeps swapping `a` (a real directory holding `secret` = "inside") with a symlink
    /// to `<tmp>/outside` (whose `secret` = "SECRET"); others read `a/secret` and `a/../a/secret`.
    /// Every read must give "inside" or fail — never the outside file.
    @Test("swapping a directory for an escaping symlink never lets a read out", arguments: bothResolvers)
    func swapRace(_ resolver: Resolver) async throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["a/", "a/secret=inside", "b -> ../outside"])
        let root = sandbox.root
        let counters = RaceCounters()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<1500 {
                    try? root.rename("a", to: "parked")
                    try? root.rename("b", to: "a")
                    try? root.rename("a", to: "b")
                    try? root.rename("parked", to: "a")
                }
                counters.done.store(true, ordering: .releasing)
            }
            for path in ["a/secret", "a/../a/secret", "./a/./secret"] {
                group.addTask {
                    while !counters.done.load(ordering: .acquiring) {
                        if let text = try? root.readString(RawPath(path)) {
                            counters.reads.add(1, ordering: .relaxed)
                            if text != "inside" { counters.escapes.add(1, ordering: .relaxed) }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(counters.escapes.load(ordering: .relaxed) == 0)
        #expect(counters.reads.load(ordering: .relaxed) > 0)
        try sandbox.expectOutsideUntouched()
    }
}

final class RaceCounters: Sendable {
    let done = Atomic<Bool>(false)
    let reads = Atomic<Int>(0)
    let escapes = Atomic<Int>(0)
}
