/// 8-connected labelling of a binary mask with a two-pass union-find.
enum ConnectedComponents {
    /// One label per pixel (0 = background, 1...count = components in raster order of first pixel).
    struct Labels: Sendable, Equatable {
        var width: Int
        var height: Int
        var labels: [Int32]
        var count: Int
    }

    /// Union-find over provisional labels; index 0 is the background.
    private struct DisjointSets {
        var parent: [Int32] = [0]

        mutating func make() -> Int32 {
            let label = Int32(parent.count)
            parent.append(label)
            return label
        }

        mutating func find(_ label: Int32) -> Int32 {
            var root = label
            while parent[Int(root)] != root { root = parent[Int(root)] }
            var node = label
            while parent[Int(node)] != root {  // path compression
                let next = parent[Int(node)]
                parent[Int(node)] = root
                node = next
            }
            return root
        }

        /// Joins the sets of `a` and `b` (either may be 0 = none); returns the surviving root.
        mutating func union(_ a: Int32, _ b: Int32) -> Int32 {
            if b == 0 || a == b { return a }
            if a == 0 { return b }
            let ra = find(a), rb = find(b)
            if ra == rb { return ra }
            let (keep, drop) = ra < rb ? (ra, rb) : (rb, ra)
            parent[Int(drop)] = keep
            return keep
        }
    }

    /// Labels `mask` (`width * height`, row-major) with 8-connectivity.
    static func label(_ mask: [Bool], width: Int, height: Int) -> Labels {
        precondition(mask.count == width * height, "mask needs width*height entries")
        var provisional = [Int32](repeating: 0, count: mask.count)
        var sets = DisjointSets()

        // First pass: provisional labels from the already-visited neighbours W, NW, N, NE.
        mask.withUnsafeBufferPointer { mask in
            provisional.withUnsafeMutableBufferPointer { labels in
                for y in 0..<height {
                    let row = y * width, above = row - width
                    for x in 0..<width where mask[row + x] {
                        var current: Int32 = x > 0 ? labels[row + x - 1] : 0
                        if y > 0 {
                            if x > 0 { current = sets.union(current, labels[above + x - 1]) }
                            current = sets.union(current, labels[above + x])
                            if x + 1 < width { current = sets.union(current, labels[above + x + 1]) }
                        }
                        labels[row + x] = current == 0 ? sets.make() : current
                    }
                }
            }
        }

        // Second pass: resolve to roots and renumber densely in raster order.
        var dense = [Int32](repeating: 0, count: sets.parent.count)
        var count: Int32 = 0
        for index in provisional.indices where provisional[index] != 0 {
            let root = Int(sets.find(provisional[index]))
            if dense[root] == 0 {
                count += 1
                dense[root] = count
            }
            provisional[index] = dense[root]
        }
        return Labels(width: width, height: height, labels: provisional, count: Int(count))
    }
}
