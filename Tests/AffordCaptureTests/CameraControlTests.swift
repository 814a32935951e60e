@testable import AffordCapture
import AffordCore
import Testing

@Suite struct CameraControlTests {
    /// What uvcvideo reports for a C920 (IDs from linux/v4l2-controls.h).
    static let uvc: [ControlInfo] = [
        ControlInfo(id: 0x0098_0913, name: "Gain", minimum: 0, maximum: 255, step: 1, defaultValue: 0),
        ControlInfo(id: 0x0098_090C, name: "White Balance, Automatic", minimum: 0, maximum: 1, step: 1, defaultValue: 1),
        ControlInfo(id: 0x0098_091A, name: "White Balance Temperature", minimum: 2000, maximum: 6500, step: 1, defaultValue: 4000),
        ControlInfo(id: 0x009A_0901, name: "Auto Exposure", minimum: 0, maximum: 3, step: 1, defaultValue: 3),
        ControlInfo(id: 0x009A_0902, name: "Exposure Time, Absolute", minimum: 3, maximum: 2047, step: 1, defaultValue: 250),
        ControlInfo(id: 0x009A_090A, name: "Focus, Absolute", minimum: 0, maximum: 250, step: 5, defaultValue: 0),
        ControlInfo(id: 0x0098_0920, name: "Power Line Frequency", minimum: 0, maximum: 2, step: 1, defaultValue: 2, writable: false),
    ]

    @Test func namesAliasesAndIDsResolveInOrder() throws {
        let resolved = try ControlSetting.resolve([
            ControlSetting("auto_exposure", 1), ControlSetting("exposure", 100), ControlSetting("Gain", 10),
            ControlSetting("white_balance", 4500), ControlSetting("0x009a090a", 25), ControlSetting("9963788", 0),
        ], against: Self.uvc)
        #expect(resolved.map(\.0.key) == ["auto_exposure", "exposure_time_absolute", "gain",
                                          "white_balance_temperature", "focus_absolute", "white_balance_automatic"])
        #expect(resolved.map(\.1) == [1, 100, 10, 4500, 25, 0])
    }

    @Test func unknownReadOnlyAndOutOfRangeAreClearErrors() {
        let unknown = #expect(throws: AffordError.self) { try ControlSetting.resolve([ControlSetting("zoom", 1)], against: Self.uvc) }
        #expect(unknown?.message.contains("no control 'zoom'") == true)
        #expect(unknown?.message.contains("exposure_time_absolute (0x9a0902)") == true)
        let range = #expect(throws: AffordError.self) { try ControlSetting.resolve([ControlSetting("exposure", 5000)], against: Self.uvc) }
        #expect(range?.message == "control 'exposure_time_absolute' = 5000 is outside 3...2047 step 1 (default 250)")
        #expect(throws: AffordError.self) { try ControlSetting.resolve([ControlSetting("focus", 7)], against: Self.uvc) }
        let readOnly = #expect(throws: AffordError.self) { try ControlSetting.resolve([ControlSetting("power_line_frequency", 1)], against: Self.uvc) }
        #expect(readOnly?.message.contains("read-only") == true)
        // Buggy UVC firmware reports minimum > maximum: an error, not a trap on the range.
        let inverted = [ControlInfo(id: 0x0098_0913, name: "Gain", minimum: 10, maximum: 0, step: 1, defaultValue: 0)]
        let empty = #expect(throws: AffordError.self) { try ControlSetting.resolve([ControlSetting("gain", 5)], against: inverted) }
        #expect(empty?.message.contains("empty range 10...0") == true)
    }

    @Test func backoffDoublesUpToTheCap() {
        let backoff = ReconnectBackoff(initialSeconds: 0.25, maximumSeconds: 4, multiplier: 2)
        #expect((0..<7).map { backoff.delay(attempt: $0) } == [0.25, 0.5, 1, 2, 4, 4, 4])
        #expect(backoff.delay(attempt: 10_000) == 4)
    }
}
