import AffordCore
import AffordTransport

/// An operator's marking rasterised onto a view's patch grid: per patch, the share inside
/// the part (the probe's target) and how much that label counts (its weight).
///
/// A view is the whole frame or one zoom region of it, squashed to the model's square
/// input as grounding squashes it, so patch (col, row) of a `side`×`side` grid covers
/// `view.width / side` × `view.height / side` frame pixels.
struct PartMask: Sendable, Equatable {
    var side: Int
    var target: [Float]
    var weight: [Float]

    /// Unmarked patches, with clicks: most of a frame is not the part, so they count a little as background.
    static let unmarkedWeight: Float = 0.05
    /// Subsamples per patch side for a polygon's coverage.
    static let coverageSamples = 4

    /// Checks the marking against the frame's size (every vertex and click inside it, a
    /// polygon with area): nothing outside the frame reaches the arithmetic.
    static func validate(_ marking: PartMarking, frameWidth: Int, frameHeight: Int) throws {
        let w = Double(frameWidth), h = Double(frameHeight)
        func check(_ points: [[Double]], _ field: String) throws {
            for (index, point) in points.enumerated() {
                guard point.count == 2, (0...w).contains(point[0]), (0...h).contains(point[1]) else {
                    throw AffordError(.invalidInput,
                        "teach: '\(field)'[\(index)] \(point) lies outside the \(frameWidth)x\(frameHeight) frame")
                }
            }
        }
        switch marking {
        case .polygons(let rings):
            for (index, ring) in rings.enumerated() {
                try check(ring, rings.count == 1 ? "polygon" : "polygons[\(index)]")
                guard abs(area(ring)) >= 1 else {
                    throw AffordError(.invalidInput,
                        "teach: \(rings.count == 1 ? "the polygon" : "polygon \(index)") encloses no area (its vertices are collinear or repeated)")
                }
            }
        case .points(let positive, let negative):
            try check(positive, "points")
            try check(negative, "negative")
        }
    }

    /// The marking's bounding box in frame pixels.
    static func bounds(_ marking: PartMarking) -> (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let points: [[Double]]
        switch marking {
        case .polygons(let rings): points = rings.flatMap { $0 }
        case .points(let positive, _): points = positive
        }
        let xs = points.map { $0[0] }, ys = points.map { $0[1] }
        return (xs.min() ?? 0, ys.min() ?? 0, xs.max() ?? 0, ys.max() ?? 0)
    }

    init(side: Int, target: [Float], weight: [Float]) {
        self.side = side
        self.target = target
        self.weight = weight
    }

    /// Rasterises `marking` (frame pixels) onto the `side`×`side` grid of `view`.
    init(_ marking: PartMarking, view: RegionBox, side: Int) {
        self.side = side
        let count = side * side
        let cellWidth = Double(view.width) / Double(side), cellHeight = Double(view.height) / Double(side)
        switch marking {
        case .polygons(let rings):
            var target = [Float](repeating: 0, count: count)
            let n = Self.coverageSamples
            for row in 0..<side {
                for column in 0..<side {
                    var inside = 0
                    for sy in 0..<n {
                        for sx in 0..<n {
                            let x = Double(view.x) + (Double(column) + (Double(sx) + 0.5) / Double(n)) * cellWidth
                            let y = Double(view.y) + (Double(row) + (Double(sy) + 0.5) / Double(n)) * cellHeight
                            if Self.contains(rings, x: x, y: y) { inside += 1 }
                        }
                    }
                    target[row * side + column] = Float(inside) / Float(n * n)
                }
            }
            self.target = target
            weight = [Float](repeating: 1, count: count)
        case .points(let positive, let negative):
            var target = [Float](repeating: 0, count: count)
            var weight = [Float](repeating: Self.unmarkedWeight, count: count)
            func cell(_ point: [Double]) -> Int? {
                let column = Int(((point[0] - Double(view.x)) / cellWidth).rounded(.down))
                let row = Int(((point[1] - Double(view.y)) / cellHeight).rounded(.down))
                guard (0..<side).contains(column), (0..<side).contains(row) else { return nil }
                return row * side + column
            }
            for point in negative {
                if let index = cell(point) { weight[index] = 1 }
            }
            for point in positive {
                if let index = cell(point) { target[index] = 1; weight[index] = 1 }
            }
            self.target = target
            self.weight = weight
        }
    }

    /// The mask of the view mirrored left to right.
    func mirroredLeftRight() -> PartMask {
        func mirrored(_ grid: [Float]) -> [Float] {
            (0..<side * side).map { index in grid[(index / side) * side + (side - 1 - index % side)] }
        }
        return PartMask(side: side, target: mirrored(target), weight: mirrored(weight))
    }

    /// Whether the part appears in this view at all.
    var hasPart: Bool { zip(target, weight).contains { $0 > 0 && $1 > 0 } }

    /// Even-odd rule over every ring's edges.
    static func contains(_ rings: [[[Double]]], x: Double, y: Double) -> Bool {
        var inside = false
        for polygon in rings {
            var j = polygon.count - 1
            for i in polygon.indices {
                let (xi, yi, xj, yj) = (polygon[i][0], polygon[i][1], polygon[j][0], polygon[j][1])
                if (yi > y) != (yj > y), x < (xj - xi) * (y - yi) / (yj - yi) + xi { inside.toggle() }
                j = i
            }
        }
        return inside
    }

    /// Signed shoelace area.
    static func area(_ polygon: [[Double]]) -> Double {
        var sum = 0.0
        var j = polygon.count - 1
        for i in polygon.indices {
            sum += (polygon[j][0] + polygon[i][0]) * (polygon[j][1] - polygon[i][1])
            j = i
        }
        return sum / 2
    }
}

extension RGBImage {
    /// The image mirrored left to right.
    func mirroredLeftRight() -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: self.pixels.count)
        for y in 0..<height {
            let row = y * width * 3
            for x in 0..<width {
                let from = row + x * 3, to = row + (width - 1 - x) * 3
                pixels[to] = self.pixels[from]
                pixels[to + 1] = self.pixels[from + 1]
                pixels[to + 2] = self.pixels[from + 2]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
