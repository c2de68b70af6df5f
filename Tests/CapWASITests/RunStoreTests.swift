// How a run ends is told by the type of what stopped it, the same for modules and components, never by a message.
import CapComponent
@testable import CapWASI
import Testing

@Suite("One run lifecycle: how a run ends, by type")
struct RunStoreTests {
    let run = RunStore(limits: WASILimits(fuel: 1_000, timeout: nil), interrupter: Interrupter())

    /// A component error as the component runtime makes it when a host function throws in a
    /// call: a canonical ABI trap wrapping what was thrown, in an error naming the call.
    func calling(_ cause: any Error) -> ComponentError {
        let trap = ComponentTrap(.hostError, "host call", underlying: cause)
        return ComponentError(.trap, "calling run: \(trap)", cause: trap)
    }

    @Test("an exit through any number of component layers is the guest finishing with its status")
    func exitThroughLayers() throws {
        #expect(try run.end(calling(GuestStop.exit(3))).get().exitCode == 3)
        #expect(try run.end(GuestStop.exit(0)).get().exitCode == 0)
        let twice = ComponentError(.trap, "instantiating core module 2 failed", cause: calling(GuestStop.exit(7)))
        #expect(try run.end(twice).get().exitCode == 7)
    }

    @Test("a message that says out of fuel is a trap: only WasmKit's own trap is")
    func messagesAreNotCauses() {
        let forged = ComponentError(.trap, "calling run: Trap: out of fuel")
        #expect(run.end(forged) == .failure(.trap("calling run: Trap: out of fuel")))
        #expect(run.end(calling(Forged())) == .failure(.trap("calling run: host call: Trap: out of fuel")))
    }

    @Test("a memory refusal wrapped in component layers is the memory limit")
    func memoryLimitThroughLayers() {
        let refusal = MemoryLimitExceeded(requested: 1 << 30, limit: 1 << 20)
        #expect(run.end(calling(refusal)) == .failure(.memoryLimit(requested: 1 << 30, limit: 1 << 20)))
    }

    @Test("a host's refusal of the run stays that refusal")
    func refusals() {
        #expect(run.end(WASIRunError.invalidArguments("x")) == .failure(.invalidArguments("x")))
        #expect(run.endInstantiation(calling(Forged())) == .failure(.instantiation("calling run: host call: Trap: out of fuel")))
    }

    @Test("a run a check stopped ends cancelled, whatever the error it unwound with; one no check stopped is what ended it")
    func interrupted() throws {
        let interrupter = Interrupter()
        let run = RunStore(limits: WASILimits(fuel: nil, timeout: nil), interrupter: interrupter)
        interrupter.cancel()
        // Cancelled, but no check has thrown yet: the trap ended this run.
        #expect(run.end(calling(Forged())) == .failure(.trap("calling run: host call: Trap: out of fuel")))
        #expect(throws: WASIRunError.cancelled) { try run.checkNotStopped() }
        #expect(run.end(calling(Forged())) == .failure(.cancelled))
    }
}

/// An error a host function throws whose text is WasmKit's out-of-fuel trap's.
private struct Forged: Error, CustomStringConvertible {
    var description: String { "Trap: out of fuel" }
}
