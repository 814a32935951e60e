import AffordCore
import AffordPostprocess

/// The `grounding` section: how frames are grounded (today, object-centric zoom).
public struct GroundingConfig: Sendable, Equatable {
    public var zoom: ZoomSettings

    /// Without a `grounding` section, zoom is on (`ZoomSettings.shipped`).
    init(zoom: ZoomSettings = .shipped) { self.zoom = zoom }
}

extension ConfigLoader {
    /// `grounding: {zoom: {enabled, max_regions, margin, min_region_px, redetect_every, outside_weight, region_input,
    /// foreground_floor, smoothing_px, mirror, propose_from}}`;
    /// every number is checked against `ZoomSettings`'s named ranges.
    static func grounding(_ field: YAMLField) throws -> GroundingConfig {
        let f = try field.mapping(allowed: ["zoom"])
        guard let zoomField = f.optional("zoom") else { return GroundingConfig() }
        let z = try zoomField.mapping(allowed: [
            "enabled", "max_regions", "margin", "min_region_px", "redetect_every", "outside_weight", "region_input",
            "foreground_floor", "smoothing_px", "mirror", "propose_from",
        ])
        var zoom = ZoomSettings.shipped
        zoom.enabled = try z.optional("enabled")?.bool() ?? zoom.enabled
        zoom.maxRegions = try z.optional("max_regions")?.int(in: ZoomSettings.maxRegionsRange) ?? zoom.maxRegions
        zoom.margin = try z.optional("margin")?.double(in: ZoomSettings.marginRange) ?? zoom.margin
        zoom.minRegionPixels = try z.optional("min_region_px")?.int(in: ZoomSettings.minRegionPixelsRange) ?? zoom.minRegionPixels
        zoom.redetectEvery = try z.optional("redetect_every")?.int(in: ZoomSettings.redetectEveryRange) ?? zoom.redetectEvery
        let weights = Double(ZoomSettings.outsideWeightRange.lowerBound)...Double(ZoomSettings.outsideWeightRange.upperBound)
        zoom.outsideWeight = try z.optional("outside_weight").map { Float(try $0.double(in: weights)) } ?? zoom.outsideWeight
        let floors = Double(ZoomSettings.foregroundFloorRange.lowerBound)...Double(ZoomSettings.foregroundFloorRange.upperBound)
        zoom.foregroundFloor = try z.optional("foreground_floor").map { Float(try $0.double(in: floors)) } ?? zoom.foregroundFloor
        zoom.smoothingPixels = try z.optional("smoothing_px")?.double(in: ZoomSettings.smoothingPixelsRange) ?? zoom.smoothingPixels
        zoom.mirror = try z.optional("mirror")?.bool() ?? zoom.mirror
        if let source = try z.optional("propose_from")?.choice(ZoomSettings.ProposalSource.allCases.map(\.rawValue)) {
            zoom.proposeFrom = ZoomSettings.ProposalSource(rawValue: source) ?? zoom.proposeFrom
        }
        zoom.regionInputSize = try z.optional("region_input").map { try patchMultiple($0, in: ZoomSettings.regionInputSizeRange) }
        return GroundingConfig(zoom: zoom)
    }
}
