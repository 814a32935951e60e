import CAffordImaging

/// Every frame allocates and frees blocks above glibc's default mmap threshold (decoded
/// images, one float heatmap per action at frame size). glibc then maps each one fresh and
/// unmaps it on free, so every frame page-faults its buffers back in: 226k faults in one
/// pipeline bench. Served from a heap that is not trimmed, the pages stay.
public enum FrameAllocations {
    /// Blocks up to this size come from the heap (glibc's largest allowed threshold).
    static let mmapThreshold: Int32 = 32 << 20
    /// The heap goes back to the kernel only past this much free memory at its top.
    static let trimThreshold: Int32 = 256 << 20

    /// Process-wide; call once at start-up, before the pipeline runs.
    public static func keepPagesMapped() {
        afford_keep_large_blocks_mapped(mmapThreshold, trimThreshold)
    }
}
