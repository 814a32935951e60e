import CAffordImaging

/// YUYV (V4L2_PIX_FMT_YUYV, packed Y0 U Y1 V) to RGB8 with BT.601 limited-range
/// coefficients in 8-bit fixed point, as UVC webcams deliver:
/// R = 1.164(Y-16) + 1.596(V-128), G = 1.164(Y-16) - 0.391(U-128) - 0.813(V-128),
/// B = 1.164(Y-16) + 2.018(U-128), with Y below 16 taken as 16.
public enum YUYV {
    /// Which build of the C kernel runs here ("avx2" or "portable"), for benchmarks and logs.
    public static var variant: String { String(cString: afford_yuyv_variant()) }

    /// Converts `width * height` pixels (rows `stride` bytes apart) with the vectorised C kernel.
    public static func toRGB(
        _ input: UnsafeRawBufferPointer, width: Int, height: Int, stride: Int,
        into output: UnsafeMutableRawBufferPointer
    ) {
        checkSizes(input, width: width, height: height, stride: stride, output: output)
        guard let source = input.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let target = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        if stride == width * 2 {
            afford_yuyv_to_rgb(source, target, width * height / 2)
            return
        }
        for row in 0..<height {
            afford_yuyv_to_rgb(source + row * stride, target + row * width * 3, width / 2)
        }
    }

    /// The plain per-pixel twin of `toRGB`, kept as the reference the tests compare against.
    public static func toRGBReference(
        _ input: UnsafeRawBufferPointer, width: Int, height: Int, stride: Int,
        into output: UnsafeMutableRawBufferPointer
    ) {
        checkSizes(input, width: width, height: height, stride: stride, output: output)
        guard let source = input.baseAddress, let target = output.baseAddress else { return }
        for row in 0..<height {
            convertRow(source + row * stride, target + row * width * 3, pairs: width / 2)
        }
    }

    private static func checkSizes(
        _ input: UnsafeRawBufferPointer, width: Int, height: Int, stride: Int, output: UnsafeMutableRawBufferPointer
    ) {
        precondition(width > 0 && height > 0 && width % 2 == 0, "YUYV needs a positive, even width")
        precondition(stride >= width * 2 && input.count >= stride * (height - 1) + width * 2, "YUYV input too small")
        precondition(output.count >= width * height * 3, "RGB output too small")
    }

    @inline(__always)
    private static func clamp(_ value: Int32) -> UInt8 { UInt8(truncatingIfNeeded: min(max(value, 0), 255)) }

    private static func convertRow(_ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, pairs: Int) {
        let source = input.assumingMemoryBound(to: UInt8.self)
        let target = output.assumingMemoryBound(to: UInt8.self)
        for pair in 0..<pairs {
            let u = Int32(source[pair * 4 + 1]) - 128
            let v = Int32(source[pair * 4 + 3]) - 128
            let red = 409 * v + 128
            let green = -100 * u - 208 * v + 128
            let blue = 516 * u + 128
            for half in 0..<2 {
                // Footroom (Y < 16) counts as black, as in OpenCV.
                let luma = 298 * max(Int32(source[pair * 4 + half * 2]) - 16, 0)
                let pixel = (pair * 2 + half) * 3
                target[pixel] = clamp((luma + red) >> 8)
                target[pixel + 1] = clamp((luma + green) >> 8)
                target[pixel + 2] = clamp((luma + blue) >> 8)
            }
        }
    }
}
