/// Capped exponential delays between reconnect attempts.
public struct ReconnectBackoff: Sendable, Equatable {
    var initialSeconds: Double
    var maximumSeconds: Double
    var multiplier: Double

    public init(initialSeconds: Double = 0.25, maximumSeconds: Double = 8, multiplier: Double = 2) {
        self.initialSeconds = initialSeconds
        self.maximumSeconds = maximumSeconds
        self.multiplier = multiplier
    }

    /// The wait before attempt `attempt` (0-based) after a failure.
    func delay(attempt: Int) -> Double {
        min(maximumSeconds, initialSeconds * pow(multiplier, Double(min(attempt, 64))))
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        (0..<Int(exponent)).reduce(1.0) { value, _ in value * base }
    }
}
