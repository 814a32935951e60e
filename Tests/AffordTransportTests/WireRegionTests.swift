@testable import AffordCore
import Foundation
import Testing
@testable import AffordTransport

/// `region` travels only with zoom; every other key is always there, null when absent.
@Suite struct WireRegionTests {
    static func json(_ component: AffordanceComponent) throws -> String {
        let encoder = WireFormat.encoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(WireCentroid(component)), as: UTF8.self)
    }

    @Test func aCentroidCarriesItsRegionOnlyWithZoom() throws {
        var component = AffordanceComponent(u: 10.5, v: 20, area: 3, peak: 1, mean: 0.5)
        let plain = try Self.json(component)
        #expect(plain == #"{"area":3,"axis":null,"depth_valid_fraction":null,"elongation":null,"grasp":null,"length_px":null,"mean":0.5,"normal_base":null,"peak":1,"point_base":null,"point_camera":null,"ray_base":null,"ray_camera":null,"table_point":null,"u":10.5,"v":20,"width_px":null}"#)
        component.region = RegionBox(x: 4, y: 8, width: 120, height: 120)
        #expect(try Self.json(component)
            == #"{"area":3,"axis":null,"depth_valid_fraction":null,"elongation":null,"grasp":null,"length_px":null,"mean":0.5,"normal_base":null,"peak":1,"point_base":null,"point_camera":null,"ray_base":null,"ray_camera":null,"region":[4,8,120,120],"table_point":null,"u":10.5,"v":20,"width_px":null}"#)
    }

    @Test func shapeAndGraspTravelAndNonFiniteOnesAreNull() throws {
        var component = AffordanceComponent(u: 10.5, v: 20, area: 3, peak: 1, mean: 0.5,
                                            shape: ComponentShape(varianceU: 9, varianceV: 4, covarianceUV: 0),
                                            grasp: Grasp(source: .tablePlane, position: SIMD3(1, 2, 0.5), yaw: 0.25, widthM: 0.125, lengthM: 0.75))
        #expect(try Self.json(component)
            == #"{"area":3,"axis":[1,0],"depth_valid_fraction":null,"elongation":0.33333333333333337,"grasp":{"frame":null,"length_m":0.75,"position":[1,2,0.5],"source":"table_plane","width_m":0.125,"yaw":0.25},"length_px":12,"mean":0.5,"normal_base":null,"peak":1,"point_base":null,"point_camera":null,"ray_base":null,"ray_camera":null,"table_point":null,"u":10.5,"v":20,"width_px":8}"#)
        component.grasp?.yaw = .nan
        #expect(try Self.json(component).contains(#""grasp":null"#))
    }
}
