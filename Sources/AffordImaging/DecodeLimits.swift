/// What one image decode may cost, shared by the JPEG and PNG decoders and replay's raw frames.
public enum DecodeLimits {
    /// Coded images larger than this are refused before allocating: a corrupt or hostile
    /// header can claim 65535x65535 in a few bytes. 33.5 M is four times a 4K frame.
    public static let maximumPixels = 1 << 25
}
