import AffordCore

/// One control a device offers, from VIDIOC_QUERYCTRL.
public struct ControlInfo: Sendable, Equatable {
    var id: UInt32
    /// The driver's name, e.g. "Exposure Time, Absolute".
    var name: String
    var minimum: Int
    var maximum: Int
    var step: Int
    var defaultValue: Int
    /// Disabled or read-only controls cannot be set.
    var writable: Bool

    init(id: UInt32, name: String, minimum: Int, maximum: Int, step: Int, defaultValue: Int, writable: Bool = true) {
        self.id = id
        self.name = name
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        self.defaultValue = defaultValue
        self.writable = writable
    }

    /// `v4l2-ctl`'s spelling: "Exposure Time, Absolute" -> "exposure_time_absolute".
    var key: String { ControlSetting.normalise(name) }
}

/// A configured control value, by V4L2 name (`exposure_time_absolute`), a short alias
/// (`exposure`, `gain`, `white_balance`, `focus`, ...) or a numeric ID (`0x009a0902`).
public struct ControlSetting: Sendable, Equatable {
    var control: String
    var value: Int

    public init(_ control: String, _ value: Int) {
        self.control = control
        self.value = value
    }

    /// Short names mapped to the names current and older uvcvideo kernels use.
    static let aliases: [String: [String]] = [
        "exposure": ["exposure_time_absolute", "exposure_absolute"],
        "auto_exposure": ["auto_exposure", "exposure_auto"],
        "gain": ["gain"],
        "white_balance": ["white_balance_temperature"],
        "auto_white_balance": ["white_balance_automatic", "white_balance_temperature_auto"],
        "focus": ["focus_absolute"],
        "autofocus": ["focus_automatic_continuous", "focus_auto"],
    ]

    static func normalise(_ name: String) -> String {
        var key = ""
        for character in name.lowercased() {
            if character.isLetter || character.isNumber {
                key.append(character)
            } else if !key.isEmpty && key.last != "_" {
                key.append("_")
            }
        }
        return key.hasSuffix("_") ? String(key.dropLast()) : key
    }

    /// Resolves settings against a device's controls, in order (so auto-exposure can be
    /// switched off before exposure is set); unknown, read-only or out-of-range values are errors.
    static func resolve(_ settings: [ControlSetting], against controls: [ControlInfo]) throws -> [(ControlInfo, Int)] {
        try settings.map { setting in
            guard let control = find(setting.control, in: controls) else {
                throw AffordError(.invalidConfig, "camera has no control '\(setting.control)'; it has: "
                    + controls.map { "\($0.key) (0x\(String($0.id, radix: 16)))" }.joined(separator: ", "))
            }
            guard control.writable else {
                throw AffordError(.invalidConfig, "control '\(control.key)' is read-only or disabled on this camera")
            }
            guard control.minimum <= control.maximum else {
                throw AffordError(.unsupported, "control '\(control.key)': the driver reports an empty range "
                    + "\(control.minimum)...\(control.maximum), so it cannot be set")
            }
            let step = max(control.step, 1)
            guard (control.minimum...control.maximum).contains(setting.value), (setting.value - control.minimum) % step == 0
            else {
                throw AffordError(.invalidConfig, "control '\(control.key)' = \(setting.value) is outside "
                    + "\(control.minimum)...\(control.maximum) step \(step) (default \(control.defaultValue))")
            }
            return (control, setting.value)
        }
    }

    private static func find(_ name: String, in controls: [ControlInfo]) -> ControlInfo? {
        let trimmed = name.trimmingPrefix("0x")
        if let id = UInt32(trimmed, radix: trimmed.count == name.count ? 10 : 16) {
            return controls.first { $0.id == id }
        }
        let key = normalise(name)
        let candidates = [key] + (aliases[key] ?? [])
        return candidates.lazy.compactMap { candidate in controls.first { $0.key == candidate } }.first
    }
}
