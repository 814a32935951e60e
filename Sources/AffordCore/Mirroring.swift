extension RGBImage {
    /// Left and right swapped.
    public func mirrored() -> RGBImage {
        var out = pixels
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let row = y * width * 3
                    for x in 0..<width {
                        let from = row + x * 3, to = row + (width - 1 - x) * 3
                        target[to] = source[from]
                        target[to + 1] = source[from + 1]
                        target[to + 2] = source[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}

extension Heatmap {
    /// Left and right swapped.
    public func mirrored() -> Heatmap {
        var out = values
        for y in 0..<height {
            let row = y * width
            for x in 0..<width { out[row + width - 1 - x] = values[row + x] }
        }
        return Heatmap(width: width, height: height, values: out)
    }
}

extension ActionMap {
    /// Test-time mirroring: the maps of an image and of its mirror image (mirrored back) averaged,
    /// action by action, presence too. Maps of another size or action are kept as `maps` has them.
    public static func mirrorAverage(_ maps: [ActionMap], mirrored: [ActionMap]) -> [ActionMap] {
        maps.map { map in
            guard let twin = mirrored.first(where: { $0.action == map.action }),
                  twin.map.width == map.map.width, twin.map.height == map.map.height else { return map }
            let back = twin.map.mirrored()
            let values = zip(map.map.values, back.values).map { 0.5 * ($0 + $1) }
            let presence = map.presence.flatMap { own in twin.presence.map { 0.5 * (own + $0) } }
            return ActionMap(action: map.action, map: Heatmap(width: map.map.width, height: map.map.height, values: values),
                             presence: presence)
        }
    }
}
