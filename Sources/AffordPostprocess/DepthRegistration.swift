import AffordCore

/// Maps a depth camera's image into the colour camera's, for a depth stream the driver does
/// not align: each reading goes back along its depth pixel's undistorted ray, into the colour
/// optical frame (`p_colour = R p_depth + t`), through the colour lens, and is kept where it
/// is the nearest (a z-buffer). The result has the colour calibration's size, Z along the
/// colour camera's axis, and the depth frame's stamp.
///
/// Holes stay 0 (no reading): colour pixels the depth camera does not see (outside its view,
/// or behind a nearer surface from its viewpoint), and pixels no reading lands on. For the
/// latter, each reading fills a square of `footprint` colour pixels a side when the colour
/// pixels are finer than the depth pixels (a 640x480 depth image into a 1280x720 colour one,
/// or a wide-angle depth lens): otherwise a regular grid of holes would leave most of a
/// component's pixels without a reading. A square is one sample's value spread over its
/// neighbours, so it widens a nearer surface's edge by up to a colour pixel; that is why a
/// ratio just above a whole number rounds down (`footprintSlack`).
///
/// Per frame this is a few multiply-adds per reading: the undistorted rays are computed once,
/// here, because `CameraModel.undistort` iterates.
public struct DepthRegistration: Sendable {
    public let depthWidth: Int
    public let depthHeight: Int
    public let colourWidth: Int
    public let colourHeight: Int
    /// Per depth pixel, row-major: its normalised undistorted coordinates (x, y), so a reading
    /// z lies at z (x, y, 1) in the depth frame. Two values rather than the rotated 3-vector:
    /// less memory for each frame to stream through, for three multiply-adds more per pixel.
    /// Doubles: in single precision some projections cross a pixel boundary the exact one does not.
    private let undistorted: [SIMD2<Double>]
    /// The columns of R, so R (x, y, 1) = x column0 + y column1 + column2.
    private let rotation: (column0: SIMD3<Double>, column1: SIMD3<Double>, column2: SIMD3<Double>)
    private let translation: SIMD3<Double>
    private let colourLens: CameraModel.Lens
    /// The largest squared normalised radius the colour image sees. Polynomial distortion folds
    /// back beyond the calibrated field of view, so a point far outside it could otherwise
    /// project into the image.
    private let colourRadiusSquared: Double
    /// The side of the square of colour pixels each reading fills.
    public let footprint: Int

    /// A focal-length ratio at most this far above a whole number rounds down to it: a
    /// same-resolution pair with slightly different lenses keeps one pixel per reading (a few
    /// percent of holes) rather than doubling every reading and widening edges.
    static let footprintSlack = 0.1
    /// A reading covers at most this many colour pixels a side: beyond it the two calibrations
    /// cannot belong to one rig (and the ratio of two extreme focal lengths would not fit an Int).
    static let largestFootprint = 64

    public init(depthCamera: CameraModel, depthToColour: RigidTransform, colourCamera: CameraModel) {
        depthWidth = depthCamera.imageWidth
        depthHeight = depthCamera.imageHeight
        colourWidth = colourCamera.imageWidth
        colourHeight = colourCamera.imageHeight
        var undistorted: [SIMD2<Double>] = []
        undistorted.reserveCapacity(depthWidth * depthHeight)
        for v in 0..<depthHeight {
            for u in 0..<depthWidth {
                let (x, y) = depthCamera.undistort(u: Double(u), v: Double(v))
                undistorted.append(SIMD2(x, y))
            }
        }
        self.undistorted = undistorted
        rotation = (depthToColour.rotate(SIMD3(1, 0, 0)), depthToColour.rotate(SIMD3(0, 1, 0)),
                    depthToColour.rotate(SIMD3(0, 0, 1)))
        translation = depthToColour.translation
        colourLens = CameraModel.Lens(colourCamera)
        colourRadiusSquared = Self.largestRadiusSquared(colourCamera)
        let ratio = max(colourCamera.fx / depthCamera.fx, colourCamera.fy / depthCamera.fy)
        footprint = max(1, Int(min(ratio - Self.footprintSlack, Double(Self.largestFootprint)).rounded(.up)))
    }

    /// `depth` (the depth calibration's size) as seen by the colour camera.
    public func register(_ depth: DepthImage) throws -> DepthImage {
        guard depth.width == depthWidth, depth.height == depthHeight else {
            throw AffordError(.invalidInput, "depth registration: the depth image is \(depth.width)x\(depth.height) "
                + "but the depth calibration is for \(depthWidth)x\(depthHeight)")
        }
        var nearest = [Float](repeating: 0, count: colourWidth * colourHeight)
        let lens = colourLens, rotation = rotation, translation = translation, radiusSquared = colourRadiusSquared
        let side = footprint, width = colourWidth, height = colourHeight
        // A square's first column is floor(u + 0.5 - (side - 1) / 2): its centre is the
        // projected point, and pixel centres are at whole coordinates (column floor(u + 0.5)
        // holds u). Shifted by `side` so that truncating to Int rounds down wherever a square
        // touches the image (cheaper than floor, which is a call on baseline x86-64).
        let shift = 0.5 - Double(side - 1) / 2 + Double(side)
        depth.metres.withUnsafeBufferPointer { metres in
            undistorted.withUnsafeBufferPointer { undistorted in
                nearest.withUnsafeMutableBufferPointer { nearest in
                    for index in 0..<metres.count {
                        let z = metres[index]
                        guard DepthImage.isValid(z) else { continue }
                        let xy = undistorted[index]
                        let ray = xy.x * rotation.column0 + xy.y * rotation.column1 + rotation.column2
                        let point = Double(z) * ray + translation
                        let zColour = Float(point.z)
                        guard DepthImage.isValid(zColour) else { continue }
                        let inverseZ = 1 / point.z
                        let x = point.x * inverseZ, y = point.y * inverseZ
                        guard x * x + y * y <= radiusSquared else { continue }
                        let pixel = lens.pixel(x: x, y: y)
                        let left = pixel.x + shift, top = pixel.y + shift
                        // Compared as doubles first, so the conversion to Int cannot trap.
                        guard left >= 1, left < Double(width + side), top >= 1, top < Double(height + side)
                        else { continue }
                        let firstColumn = Int(left) - side, firstRow = Int(top) - side
                        // The common single pixel without the clipped loops: a fifth faster.
                        if side == 1 {
                            keepNearer(zColour, at: firstRow * width + firstColumn, in: nearest)
                            continue
                        }
                        for row in max(0, firstRow)..<min(height, firstRow + side) {
                            for column in max(0, firstColumn)..<min(width, firstColumn + side) {
                                keepNearer(zColour, at: row * width + column, in: nearest)
                            }
                        }
                    }
                }
            }
        }
        return DepthImage(width: colourWidth, height: colourHeight, metres: nearest, stampNs: depth.stampNs)
    }

    @inline(__always)
    private func keepNearer(_ z: Float, at index: Int, in nearest: UnsafeMutableBufferPointer<Float>) {
        let kept = nearest[index]
        if kept == 0 || z < kept { nearest[index] = z }
    }

    /// The largest squared radius of the normalised coordinates seen by the image: on its
    /// border, since the image's preimage under the distortion is a compact set whose
    /// maximum of x^2 + y^2 lies on its boundary. Sampled every pixel along the outer edges.
    private static func largestRadiusSquared(_ camera: CameraModel) -> Double {
        let right = Double(camera.imageWidth) - 0.5, bottom = Double(camera.imageHeight) - 0.5
        let acrossTopAndBottom = stride(from: -0.5, through: right, by: 1).flatMap { [($0, -0.5), ($0, bottom)] }
        let downBothSides = stride(from: -0.5, through: bottom, by: 1).flatMap { [(-0.5, $0), (right, $0)] }
        return (acrossTopAndBottom + downBothSides).reduce(0) { largest, pixel in
            let (x, y) = camera.undistort(u: pixel.0, v: pixel.1)
            return max(largest, x * x + y * y)
        }
    }
}
