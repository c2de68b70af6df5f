// The resources a component's instantiation made, made again for each later run at the same representations.
import CapStd
@testable import CapWASI
import Testing
import TestSupport

@Suite("Host resources remade for a reused component instance")
struct HostResourceTableTests {
    @Test("preopens by name, standard streams by kind, free slots kept free; a missing preopen refuses the table")
    func remaking() throws {
        let tree = try TenantTree()
        let recipes: [HostResource.Recipe?] = [.preopen("/config"), nil, .standardInput, .standardOutput(.error, guestPath: "<stderr>")]
        let configuration = WASIConfiguration(preopens: [try Preopen(guestPath: "/config", dir: tree.config, access: .readOnly)])
        let table = try #require(HostResourceTable(limit: 8, remaking: recipes, for: configuration))
        #expect(table.count == 3)
        guard case .descriptor(let descriptor)? = table.get(0) else {
            Issue.record("no preopen at 0")
            return
        }
        #expect(descriptor.guestPath == "/config" && descriptor.isPreopen && descriptor.flags == .read)
        #expect(table.get(1) == nil)
        guard case .inputStream(let input)? = table.get(2), case .outputStream(let output)? = table.get(3) else {
            Issue.record("no standard streams at 2 and 3")
            return
        }
        #expect(input.isStandardInput && output.standardOutput == .error)
        // The free slot is taken first.
        #expect(try table.insert(.network) == 1)
        // Each recipe is what the resource it was taken from is made from again.
        #expect(table.instantiationResources == [.preopen("/config"), .network, .standardInput, .standardOutput(.error, guestPath: "<stderr>")])

        #expect(HostResourceTable(limit: 8, remaking: recipes, for: WASIConfiguration()) == nil)
    }
}
