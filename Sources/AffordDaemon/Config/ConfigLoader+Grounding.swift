import AffordCore
import AffordPostprocess

/// The `grounding` section: how frames are grounded (today, object-centric zoom).
public struct GroundingConfig: Sendable, Equatable {
    public var zoom: ZoomSettings

    /// Without a `grounding` section, zoom is on (`ZoomSettings.shipped`).
    public init(zoom: ZoomSettings = .shipped) { self.zoom = zoom }
}

extension ConfigLoader {
    /// `grounding: {zoom: {enabled, max_regions, margin, min_region_px, redetect_every, outside_weight}}`;
    /// every number is checked against `ZoomSettings`'s named ranges.
    static func grounding(_ field: YAMLField) throws -> GroundingConfig {
        let f = try field.mapping(allowed: ["zoom"])
        guard let zoomField = f.optional("zoom") else { return GroundingConfig() }
        let z = try zoomField.mapping(allowed: [
            "enabled", "max_regions", "margin", "min_region_px", "redetect_every", "outside_weight",
        ])
        var zoom = ZoomSettings.shipped
        zoom.enabled = try z.optional("enabled")?.bool() ?? zoom.enabled
        func integer(_ key: String, in range: ClosedRange<Int>, default value: Int) throws -> Int {
            guard let item = z.optional(key) else { return value }
            let number = try item.int()
            guard range.contains(number) else { throw item.fail("expected an integer from \(range.lowerBound) to \(range.upperBound), got \(number)") }
            return number
        }
        func real(_ key: String, in range: ClosedRange<Double>, default value: Double) throws -> Double {
            guard let item = z.optional(key) else { return value }
            let number = try item.double()
            guard range.contains(number) else { throw item.fail("expected a number from \(range.lowerBound) to \(range.upperBound), got \(number)") }
            return number
        }
        zoom.maxRegions = try integer("max_regions", in: ZoomSettings.maxRegionsRange, default: zoom.maxRegions)
        zoom.margin = try real("margin", in: ZoomSettings.marginRange, default: zoom.margin)
        zoom.minRegionPixels = try integer("min_region_px", in: ZoomSettings.minRegionPixelsRange, default: zoom.minRegionPixels)
        zoom.redetectEvery = try integer("redetect_every", in: ZoomSettings.redetectEveryRange, default: zoom.redetectEvery)
        let weights = Double(ZoomSettings.outsideWeightRange.lowerBound)...Double(ZoomSettings.outsideWeightRange.upperBound)
        zoom.outsideWeight = Float(try real("outside_weight", in: weights, default: Double(zoom.outsideWeight)))
        return GroundingConfig(zoom: zoom)
    }
}
