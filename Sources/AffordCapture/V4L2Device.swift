/// What VIDIOC_QUERYCAP says about a device.
public struct DeviceIdentity: Sendable, Equatable {
    var driver: String
    var card: String
    var busInfo: String

    init(driver: String, card: String, busInfo: String) {
        self.driver = driver
        self.card = card
        self.busInfo = busInfo
    }
}

/// A dequeued buffer, valid only inside the `dequeue` callback (it is the mmap'd memory).
public struct DequeuedBuffer {
    var bytes: UnsafeRawBufferPointer
    /// The driver's frame counter; gaps are frames it dropped.
    var sequence: UInt32
    var timestampNs: UInt64
    /// True when the timestamp is CLOCK_MONOTONIC (V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC).
    var monotonicTimestamp: Bool
    /// The driver flagged the data as damaged (V4L2_BUF_FLAG_ERROR).
    var damaged: Bool

    /// A driver's `timeval` in nanoseconds; nil when it is negative or past UInt64 (a COPY
    /// stamp from a loopback or m2m device can be anything), so the caller stamps at dequeue.
    static func nanoseconds(seconds: Int, microseconds: Int) -> UInt64? {
        guard seconds >= 0, (0..<1_000_000).contains(microseconds) else { return nil }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, carry) = whole.addingReportingOverflow(UInt64(microseconds) * 1_000)
        return overflow || carry ? nil : sum
    }

    init(bytes: UnsafeRawBufferPointer, sequence: UInt32, timestampNs: UInt64, monotonicTimestamp: Bool, damaged: Bool) {
        self.bytes = bytes
        self.sequence = sequence
        self.timestampNs = timestampNs
        self.monotonicTimestamp = monotonicTimestamp
        self.damaged = damaged
    }
}

/// The layout the driver settled on after VIDIOC_S_FMT.
public struct StreamLayout: Sendable, Equatable {
    var bytesPerLine: Int
    var imageSize: Int
    /// What VIDIOC_S_PARM reported back, if the driver supports it.
    var interval: FrameInterval?

    init(bytesPerLine: Int, imageSize: Int, interval: FrameInterval?) {
        self.bytesPerLine = bytesPerLine
        self.imageSize = imageSize
        self.interval = interval
    }
}

/// The system-call layer of one open V4L2 device. `LibV4L2Device` is the real one; tests
/// script fakes (unplugs, EIO, stalls, renumbering) through this seam. Every method
/// throws `V4L2Failure`. Used from the capture thread only.
public protocol V4L2Device: AnyObject {
    /// The device node actually opened (a by-id link resolved).
    var node: String { get }
    var identity: DeviceIdentity { get }
    func formats() throws -> [FormatDescription]
    func controls() throws -> [ControlInfo]
    func setControl(_ control: ControlInfo, value: Int) throws
    /// Sets format and rate, allocates and maps `bufferCount` buffers; fails if the driver
    /// substitutes another format or size rather than labelling frames wrongly.
    func configure(_ format: NegotiatedFormat, bufferCount: Int) throws -> StreamLayout
    func startStreaming() throws
    /// Waits up to `timeoutMilliseconds` for a frame, hands it to `body`, then re-queues it.
    /// Returns false on timeout.
    func dequeue(timeoutMilliseconds: Int, _ body: (DequeuedBuffer) -> Void) throws -> Bool
    /// Stops streaming, unmaps and closes; safe to call more than once.
    func close()
    /// What poll(2) reports readable when a buffer is ready (`V4L2DeviceOpener.waitForBuffers`).
    var pollDescriptor: Int32 { get }
}

/// Opens devices by configured path; the capture thread calls it again on every reconnect.
public protocol V4L2DeviceOpener: Sendable {
    func open(_ path: String) throws -> any V4L2Device
    /// Waits up to `timeoutMilliseconds` until any of `devices` (opened here) has a buffer, so
    /// one thread serves a colour node and its depth node. One flag per device, in order: a
    /// ready device's `dequeue(timeoutMilliseconds: 0, _:)` does not wait. All false on timeout.
    func waitForBuffers(on devices: [any V4L2Device], timeoutMilliseconds: Int) throws -> [Bool]
}
