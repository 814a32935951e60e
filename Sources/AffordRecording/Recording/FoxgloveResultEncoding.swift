import AffordCore
import Foundation

/// How results look in a recording: heatmaps as mono8 images, centroids as annotations.
enum FoxgloveResultEncoding {
    static func rawImage(_ map: Heatmap, wallNs: UInt64, frameID: String) -> Foxglove.RawImage {
        Foxglove.RawImage(timestamp: .init(nanoseconds: wallNs), frame_id: frameID, width: UInt32(map.width),
                          height: UInt32(map.height), encoding: "mono8", step: UInt32(map.width),
                          data: Data(map.mono8Bytes()))
    }

    /// A circle and a label per component, one POINTS annotation per action, one LINE_LIST of
    /// the components' major axes (centroid ± length/2), and, thinner, one of their grasps'
    /// closing lines (centroid ± width/2 across the minor axis), in frame pixels.
    /// The strongest component's label carries the action's presence when the model gives one.
    static func annotations(_ result: FrameResult, wallNs: UInt64) -> Foxglove.ImageAnnotations {
        let time = Foxglove.Time(nanoseconds: wallNs)
        var circles: [Foxglove.CircleAnnotation] = []
        var points: [Foxglove.PointsAnnotation] = []
        var texts: [Foxglove.TextAnnotation] = []
        let clear = Foxglove.Color(r: 0, g: 0, b: 0, a: 0)
        let shade = Foxglove.Color(r: 0, g: 0, b: 0, a: 0.5)
        for (index, action) in result.actions.enumerated() {
            let color = palette[index % palette.count]
            let centres = action.components.map { Foxglove.Point2(x: $0.u, y: $0.v) }
            let presence = action.presence.map { String(format: " p=%.2f", $0) } ?? ""
            for (rank, centre) in centres.enumerated() {
                circles.append(.init(timestamp: time, position: centre, diameter: 12, thickness: 2,
                                     fill_color: clear, outline_color: color))
                texts.append(.init(timestamp: time, position: .init(x: centre.x + 8, y: centre.y - 8),
                                   text: rank == 0 ? action.action + presence : "\(action.action) \(rank + 1)",
                                   font_size: 14, text_color: color, background_color: shade))
            }
            if !centres.isEmpty {
                points.append(.init(timestamp: time, type: Foxglove.PointsAnnotation.points, points: centres,
                                    outline_color: color, outline_colors: [], fill_color: color, thickness: 6))
            }
            let axes = action.components.flatMap { axisEnds($0, across: false) }
            if !axes.isEmpty {
                points.append(.init(timestamp: time, type: Foxglove.PointsAnnotation.lineList, points: axes,
                                    outline_color: color, outline_colors: [], fill_color: clear, thickness: 2))
            }
            let closing = action.components.filter { $0.grasp != nil }.flatMap { axisEnds($0, across: true) }
            if !closing.isEmpty {
                points.append(.init(timestamp: time, type: Foxglove.PointsAnnotation.lineList, points: closing,
                                    outline_color: color, outline_colors: [], fill_color: clear, thickness: 1))
            }
        }
        return Foxglove.ImageAnnotations(circles: circles, points: points, texts: texts)
    }

    /// The major axis's end points (the minor's, `across`), or none for a component without a finite shape.
    private static func axisEnds(_ component: AffordanceComponent, across: Bool) -> [Foxglove.Point2] {
        guard let shape = component.shape else { return [] }
        let half = across ? shape.minorAxis * (shape.widthPx / 2) : shape.axis * (shape.lengthPx / 2)
        let ends = [SIMD2(component.u, component.v) - half, SIMD2(component.u, component.v) + half]
        guard ends.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return [] }
        return ends.map { Foxglove.Point2(x: $0.x, y: $0.y) }
    }

    /// Distinct, colour-blind-friendly hues (Okabe-Ito), one per action.
    private static let palette: [Foxglove.Color] = [
        .init(r: 0.90, g: 0.62, b: 0.00, a: 1), .init(r: 0.34, g: 0.71, b: 0.91, a: 1),
        .init(r: 0.00, g: 0.62, b: 0.45, a: 1), .init(r: 0.94, g: 0.89, b: 0.26, a: 1),
        .init(r: 0.00, g: 0.45, b: 0.70, a: 1), .init(r: 0.84, g: 0.37, b: 0.00, a: 1),
        .init(r: 0.80, g: 0.47, b: 0.65, a: 1),
    ]
}
