/// The arithmetic the backbone and head run in.
public enum Precision: String, Sendable, CaseIterable {
    /// OpenBLAS sgemm everywhere: the reference the int8 path is checked against.
    case fp32
    /// u8 x s8 GEMMs with per-token activation quantization; norms, softmax and GELU in fp32.
    case int8
}
