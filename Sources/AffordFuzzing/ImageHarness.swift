import AffordImaging

/// The same bytes through every decoder a frame or an attachment meets: TurboJPEG at full
/// size (the daemon's reject-on-warning policy), DCT-scaled as the pipeline decodes, tolerant
/// of warnings as a snapshot is, and libpng in both colour types.
enum ImageHarness {
    /// JPEGs whose header claims more are only header-parsed, as libjpeg-turbo's own OSS-Fuzz
    /// harnesses do: a 261-byte progressive JPEG may claim 40 MP, and decoding it (~0.7 s, the
    /// coefficient buffers are full size at any DCT scale) finds nothing new but stalls the search.
    static let decodedPixels = 1 << 20

    static func run(_ input: [UInt8]) {
        if let strict = try? JPEGDecoder(warningPolicy: .reject),
           let header = try? input.withUnsafeBytes({ try strict.header($0) }),
           header.width * header.height <= decodedPixels {
            _ = try? strict.decode(input)
            _ = try? strict.decode(input, minimumWidth: 224, minimumHeight: 224)
            if let tolerant = try? JPEGDecoder(warningPolicy: .accept) {
                _ = try? tolerant.decode(input, minimumWidth: 112, minimumHeight: 112)
            }
        }
        _ = try? PNGCodec.decodeRGB(input)
        _ = try? PNGCodec.decodeMono(input)
    }
}
