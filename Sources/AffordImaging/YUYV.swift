/// YUYV (V4L2_PIX_FMT_YUYV, packed Y0 U Y1 V) to RGB8 with BT.601 limited-range
/// coefficients in 8-bit fixed point, as UVC webcams deliver:
/// R = 1.164(Y-16) + 1.596(V-128), G = 1.164(Y-16) - 0.391(U-128) - 0.813(V-128),
/// B = 1.164(Y-16) + 2.018(U-128).
public enum YUYV {
    /// Converts `width * height` pixels (rows `stride` bytes apart) with the vectorised kernel.
    public static func toRGB(
        _ input: UnsafeRawBufferPointer, width: Int, height: Int, stride: Int,
        into output: UnsafeMutableRawBufferPointer
    ) {
        checkSizes(input, width: width, height: height, stride: stride, output: output)
        for row in 0..<height {
            convertRowSIMD(input.baseAddress! + row * stride, output.baseAddress! + row * width * 3, width: width)
        }
    }

    /// The plain per-pixel twin of `toRGB`, kept as the reference the tests compare against.
    public static func toRGBReference(
        _ input: UnsafeRawBufferPointer, width: Int, height: Int, stride: Int,
        into output: UnsafeMutableRawBufferPointer
    ) {
        checkSizes(input, width: width, height: height, stride: stride, output: output)
        for row in 0..<height {
            convertRowScalar(input.baseAddress! + row * stride, output.baseAddress! + row * width * 3,
                             pairs: 0..<(width / 2))
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

    private static func convertRowScalar(_ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, pairs: Range<Int>) {
        let source = input.assumingMemoryBound(to: UInt8.self)
        let target = output.assumingMemoryBound(to: UInt8.self)
        for pair in pairs {
            let u = Int32(source[pair * 4 + 1]) - 128
            let v = Int32(source[pair * 4 + 3]) - 128
            let red = 409 * v + 128
            let green = -100 * u - 208 * v + 128
            let blue = 516 * u + 128
            for half in 0..<2 {
                let luma = 298 * (Int32(source[pair * 4 + half * 2]) - 16)
                let pixel = (pair * 2 + half) * 3
                target[pixel] = clamp((luma + red) >> 8)
                target[pixel + 1] = clamp((luma + green) >> 8)
                target[pixel + 2] = clamp((luma + blue) >> 8)
            }
        }
    }

    private typealias Lanes = SIMD16<Int32>

    /// 16 pixel pairs per step: each 32-bit word Y0|U|Y1|V becomes one lane,
    /// the arithmetic runs on whole vectors, and each lane stores its 6 bytes.
    private static func convertRowSIMD(_ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, width: Int) {
        let pairs = width / 2
        let vectorPairs = pairs - pairs % Lanes.scalarCount
        var pair = 0
        while pair < vectorPairs {
            let words = Lanes(truncatingIfNeeded: input.loadUnaligned(fromByteOffset: pair * 4, as: SIMD16<UInt32>.self))
            let mask = Lanes(repeating: 0xFF)
            let y0 = Lanes(repeating: 298) &* ((words & mask) &- 16)
            let u = ((words &>> 8) & mask) &- 128
            let y1 = Lanes(repeating: 298) &* (((words &>> 16) & mask) &- 16)
            let v = ((words &>> 24) & mask) &- 128
            let red = Lanes(repeating: 409) &* v &+ 128
            let green = Lanes(repeating: 128) &- Lanes(repeating: 100) &* u &- Lanes(repeating: 208) &* v
            let blue = Lanes(repeating: 516) &* u &+ 128
            let zero = Lanes(repeating: 0), full = Lanes(repeating: 255)
            let r0 = ((y0 &+ red) &>> 8).clamped(lowerBound: zero, upperBound: full)
            let g0 = ((y0 &+ green) &>> 8).clamped(lowerBound: zero, upperBound: full)
            let b0 = ((y0 &+ blue) &>> 8).clamped(lowerBound: zero, upperBound: full)
            let r1 = ((y1 &+ red) &>> 8).clamped(lowerBound: zero, upperBound: full)
            let g1 = ((y1 &+ green) &>> 8).clamped(lowerBound: zero, upperBound: full)
            let b1 = ((y1 &+ blue) &>> 8).clamped(lowerBound: zero, upperBound: full)
            // Pack R0 G0 B0 R1 into one word and G1 B1 into a half-word per lane.
            let head = SIMD16<UInt32>(truncatingIfNeeded: r0 | (g0 &<< 8) | (b0 &<< 16) | (r1 &<< 24))
            let tail = SIMD16<UInt16>(truncatingIfNeeded: g1 | (b1 &<< 8))
            let target = output + pair * 6
            for lane in 0..<Lanes.scalarCount {
                target.storeBytes(of: head[lane].littleEndian, toByteOffset: lane * 6, as: UInt32.self)
                target.storeBytes(of: tail[lane].littleEndian, toByteOffset: lane * 6 + 4, as: UInt16.self)
            }
            pair += Lanes.scalarCount
        }
        convertRowScalar(input, output, pairs: vectorPairs..<pairs)
    }
}
