import AffordTestSupport
import CAffordKernels

/// Every kernel variant, in the order the dispatcher ranks them.
let allKernelISAs: [afk_isa] = [AFK_ISA_PORTABLE, AFK_ISA_AVX2, AFK_ISA_AVX_VNNI, AFK_ISA_AVX512_VNNI, AFK_ISA_NEON, AFK_ISA_NEON_DOTPROD]

/// Whether this CPU runs `isa` (for `.enabled(if:)` traits).
func kernelSupports(_ isa: afk_isa) -> Bool { afk_isa_supported(isa) != 0 }

func kernelName(_ isa: afk_isa) -> String { String(cString: afk_isa_name(isa)) }

/// Reproducible kernel operands from SplitMix64.
struct KernelRandom {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }

    mutating func signedBytes(_ count: Int) -> [Int8] { (0..<count).map { _ in Int8(truncatingIfNeeded: next()) } }

    /// Uniform in [low, high).
    mutating func floats(_ count: Int, in range: Range<Float>) -> [Float] {
        (0..<count).map { _ in range.lowerBound + Float(next() >> 40) / Float(1 << 24) * (range.upperBound - range.lowerBound) }
    }

    mutating func zeroPoints(_ count: Int) -> [Int32] { (0..<count).map { _ in Int32(next() % 256) } }
}
