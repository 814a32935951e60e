/// 8-connected labelling of a binary mask with a two-pass union-find.
public enum ConnectedComponents {
    /// One label per pixel (0 = background, 1...count = components in raster order of first pixel).
    public struct Labels: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var labels: [Int32]
        public var count: Int
    }

    /// Labels `mask` (`width * height`, row-major) with 8-connectivity.
    public static func label(_ mask: [Bool], width: Int, height: Int) -> Labels {
        precondition(mask.count == width * height, "mask needs width*height entries")
        var provisional = [Int32](repeating: 0, count: mask.count)
        var parent: [Int32] = [0]  // parent[0] is background

        func find(_ label: Int32) -> Int32 {
            var root = label
            while parent[Int(root)] != root { root = parent[Int(root)] }
            var node = label
            while parent[Int(node)] != root {
                let next = parent[Int(node)]
                parent[Int(node)] = root
                node = next
            }
            return root
        }
        func union(_ a: Int32, _ b: Int32) -> Int32 {
            let ra = find(a), rb = find(b)
            if ra == rb { return ra }
            let (keep, drop) = ra < rb ? (ra, rb) : (rb, ra)
            parent[Int(drop)] = keep
            return keep
        }

        // First pass: provisional labels from the already-visited neighbours (W, NW, N, NE).
        for y in 0..<height {
            for x in 0..<width where mask[y * width + x] {
                var current: Int32 = 0
                for (dx, dy) in [(-1, 0), (-1, -1), (0, -1), (1, -1)] {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, nx < width, ny >= 0 else { continue }
                    let neighbour = provisional[ny * width + nx]
                    guard neighbour != 0 else { continue }
                    current = current == 0 ? find(neighbour) : union(current, neighbour)
                }
                if current == 0 {
                    current = Int32(parent.count)
                    parent.append(current)
                }
                provisional[y * width + x] = current
            }
        }

        // Second pass: resolve to roots and renumber densely in raster order.
        var dense = [Int32](repeating: 0, count: parent.count)
        var count: Int32 = 0
        for index in provisional.indices where provisional[index] != 0 {
            let root = Int(find(provisional[index]))
            if dense[root] == 0 {
                count += 1
                dense[root] = count
            }
            provisional[index] = dense[root]
        }
        return Labels(width: width, height: height, labels: provisional, count: Int(count))
    }
}
