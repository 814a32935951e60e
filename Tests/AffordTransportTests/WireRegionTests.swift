import AffordCore
import Foundation
import Testing
@testable import AffordTransport

/// `region` travels only with zoom: without it a centroid's JSON is what it always was.
@Suite struct WireRegionTests {
    static func json(_ component: AffordanceComponent) throws -> String {
        let encoder = WireFormat.encoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(WireCentroid(component: component)), as: UTF8.self)
    }

    @Test func aCentroidCarriesItsRegionOnlyWithZoom() throws {
        var component = AffordanceComponent(u: 10.5, v: 20, area: 3, peak: 1, mean: 0.5)
        let plain = try Self.json(component)
        #expect(plain == #"{"area":3,"mean":0.5,"peak":1,"ray_base":null,"ray_camera":null,"table_point":null,"u":10.5,"v":20}"#)
        component.region = RegionBox(x: 4, y: 8, width: 120, height: 120)
        #expect(try Self.json(component)
            == #"{"area":3,"mean":0.5,"peak":1,"ray_base":null,"ray_camera":null,"region":[4,8,120,120],"table_point":null,"u":10.5,"v":20}"#)
    }
}
