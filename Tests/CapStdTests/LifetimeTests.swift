// Descriptor ownership: close, clone, deinit, and no descriptor left behind.
import CapStd
import SystemPackage
import Testing
import TestSupport

@Suite("Descriptor lifetime")
struct LifetimeTests {
    @Test("a closed Dir refuses operations; clones and views have their own descriptor", arguments: bothResolvers)
    func closeAndClone(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f=x"])
        let dir = try sandbox.openRoot(resolver: resolver)
        let clone = try dir.tryClone()
        let view = try dir.readOnly()
        #expect(clone.resolver == resolver)
        dir.close()
        dir.close()
        #expect(dir.isClosed)
        let error = capStdError { _ = try dir.read("f") }
        #expect(error?.code == .closed)
        #expect(error?.errno == .badFileDescriptor)
        #expect(capStdError { try dir.createDir("x") }?.code == .closed)
        #expect(capStdError { _ = try dir.tryClone() }?.code == .closed)
        #expect(try clone.readString("f") == "x")
        #expect(try view.readString("f") == "x")
    }

    /// Regression: an operation on a closed Dir used to release a reference it never held and
    /// close the descriptor number a second time — by then, someone else's descriptor.
    @Test("an operation on a closed Dir never closes a reused descriptor number")
    func closedDirNeverClosesTwice() throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: ["f=x"])
        for _ in 0..<200 {
            let dir = try sandbox.openRoot(resolver: .kernel)
            dir.close()
            // The lowest free number, very likely the one `dir` just released.
            let file = try sandbox.root.open("f")
            #expect(capStdError { _ = try dir.metadata("f") }?.code == .closed)
            #expect(try file.readToEnd() == Array("x".utf8))
        }
    }

    @Test("closing a Dir while other tasks use it never breaks confinement")
    func closeDuringUse() async throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: ["f=x"])
        for _ in 0..<20 {
            let dir = try sandbox.openRoot(resolver: .automatic)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<50 {
                            do {
                                #expect(try dir.readString("f") == "x")
                            } catch {
                                #expect((error as? CapStdError)?.code == .closed)
                            }
                        }
                    }
                }
                group.addTask { dir.close() }
                try await group.waitForAll()
            }
        }
        try sandbox.expectOutsideUntouched()
    }

    /// Counts only descriptors into this test's tree (the sandbox holds `root` throughout), so
    /// tests running in parallel cannot move the figure.
    @Test("thousands of open and drop cycles leave no descriptor behind")
    func noLeaks() throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: ["d/", "d/f=x", "link -> d/f"])
        let before = try openDescriptors(beneath: sandbox.path)
        #expect(before.count == 1)
        for _ in 0..<1000 {
            for resolver in bothResolvers {
                let dir = try sandbox.openRoot(resolver: resolver)
                _ = try dir.openDir("d").open("f").readToEnd()
                _ = try dir.read("link")
                _ = try dir.readOnly().tryClone().metadata("d")
                _ = capStdError { _ = try dir.read("../canary") }
                _ = capStdError { _ = try dir.read("d/f/x") }
            }
        }
        #expect(try openDescriptors(beneath: sandbox.path) == before)
    }
}
