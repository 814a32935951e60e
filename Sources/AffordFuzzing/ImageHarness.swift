import AffordImaging

/// The same bytes through every decoder a frame or an attachment meets: TurboJPEG at full
/// size (the daemon's reject-on-warning policy), DCT-scaled as the pipeline decodes, tolerant
/// of warnings as a snapshot is, and libpng in both colour types.
enum ImageHarness {
    static func run(_ input: [UInt8]) {
        if let strict = try? JPEGDecoder(warningPolicy: .reject) {
            _ = try? strict.decode(input)
            _ = try? strict.decode(input, minimumWidth: 224, minimumHeight: 224)
        }
        if let tolerant = try? JPEGDecoder(warningPolicy: .accept) {
            _ = try? tolerant.decode(input, minimumWidth: 112, minimumHeight: 112)
        }
        _ = try? PNGCodec.decodeRGB(input)
        _ = try? PNGCodec.decodeMono(input)
    }
}
