@testable import AffordCapture
import AffordCore
import Foundation
import Synchronization

/// A scripted camera behind the `V4L2Device` seam: each `open` takes the next
/// connection from the script; once it runs out, opening fails with ENOENT (unplugged).
final class ScriptedOpener: V4L2DeviceOpener {
    enum Event: Sendable {
        /// A frame with this driver sequence; the pixels carry (connection, sequence).
        case frame(UInt32, monotonic: Bool = true)
        /// A frame the driver flags with V4L2_BUF_FLAG_ERROR.
        case damagedFrame(UInt32)
        /// A poll that times out.
        case stall
        /// DQBUF failing with this errno (ENODEV: unplugged, EIO: USB glitch).
        case fail(Int32)
    }

    enum Connection: Sendable {
        case openFails(Int32)
        case device(node: String, formats: [FormatDescription], events: [Event])
    }

    struct Record: Sendable {
        var opened: [String] = []
        var controlsSet: [[String: Int]] = []
        var closed = 0
    }

    private let script: Mutex<[Connection]>
    let record = Mutex(Record())
    let controls: [ControlInfo]

    init(_ script: [Connection], controls: [ControlInfo] = []) {
        self.script = Mutex(script)
        self.controls = controls
    }

    func open(_ path: String) throws -> any V4L2Device {
        let index = record.withLock { $0.opened.append(path); return $0.opened.count - 1 }
        let next = script.withLock { $0.isEmpty ? Connection.openFails(ENOENT) : $0.removeFirst() }
        switch next {
        case .openFails(let code):
            throw V4L2Failure("open", path: path, errno: code)
        case .device(let node, let formats, let events):
            return FakeDevice(node: node, connection: index, formats: formats, controls: controls, events: events, opener: self)
        }
    }

    /// Scripted devices have no descriptors: each counts as ready, and its `dequeue` says what it has.
    func waitForBuffers(on devices: [any V4L2Device], timeoutMilliseconds: Int) throws -> [Bool] {
        devices.map { _ in true }
    }

    /// The fake buffer layout: 4 bytes of connection index, 4 of driver sequence.
    static func tag(_ frame: Frame) -> (connection: Int, sequence: Int) {
        frame.pixels.withUnsafeBytes { (Int($0.load(as: UInt32.self)), Int($0.load(fromByteOffset: 4, as: UInt32.self))) }
    }
}

final class FakeDevice: V4L2Device {
    let node: String
    let identity = DeviceIdentity(driver: "fake", card: "Scripted Camera", busInfo: "test")
    private let connection: Int
    private let formatTable: [FormatDescription]
    private let controlTable: [ControlInfo]
    private var events: [ScriptedOpener.Event]
    private let opener: ScriptedOpener

    init(node: String, connection: Int, formats: [FormatDescription], controls: [ControlInfo],
         events: [ScriptedOpener.Event], opener: ScriptedOpener) {
        self.node = node
        self.connection = connection
        formatTable = formats
        controlTable = controls
        self.events = events
        self.opener = opener
        opener.record.withLock { $0.controlsSet.append([:]) }
    }

    func formats() throws -> [FormatDescription] { formatTable }
    func controls() throws -> [ControlInfo] { controlTable }

    func setControl(_ control: ControlInfo, value: Int) throws {
        opener.record.withLock { $0.controlsSet[$0.controlsSet.count - 1][control.key] = value }
    }

    func configure(_ format: NegotiatedFormat, bufferCount: Int) throws -> StreamLayout {
        StreamLayout(bytesPerLine: 0, imageSize: 64, interval: format.interval)
    }

    func startStreaming() throws {}

    func dequeue(timeoutMilliseconds: Int, _ body: (DequeuedBuffer) -> Void) throws -> Bool {
        guard !events.isEmpty else {
            // Script exhausted: stay connected and idle, like a camera whose consumer is slow.
            Thread.sleep(forTimeInterval: 0.001)
            return true
        }
        func deliver(_ sequence: UInt32, _ monotonic: Bool, _ damaged: Bool) {
            var bytes = [UInt8](repeating: 0, count: 64)
            bytes.withUnsafeMutableBytes {
                $0.storeBytes(of: UInt32(self.connection), as: UInt32.self)
                $0.storeBytes(of: sequence, toByteOffset: 4, as: UInt32.self)
            }
            bytes.withUnsafeBytes {
                body(DequeuedBuffer(bytes: $0, sequence: sequence, timestampNs: 1_000_000 * UInt64(sequence + 1),
                                    monotonicTimestamp: monotonic, damaged: damaged))
            }
        }
        switch events.removeFirst() {
        case .frame(let sequence, let monotonic): deliver(sequence, monotonic, false)
        case .damagedFrame(let sequence): deliver(sequence, true, true)
        case .stall:
            Thread.sleep(forTimeInterval: Double(timeoutMilliseconds) / 1000)
            return false
        case .fail(let code): throw V4L2Failure("VIDIOC_DQBUF", path: node, errno: code)
        }
        return true
    }

    func close() { opener.record.withLock { $0.closed += 1 } }
    var pollDescriptor: Int32 { Int32(connection) }
}
