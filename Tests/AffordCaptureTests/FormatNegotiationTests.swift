@testable import AffordCapture
import AffordCore
import Testing

@Suite struct FormatNegotiationTests {
    @Test func webcamPrefersMJPEG() throws {
        let chosen = try FormatNegotiation.negotiate(CaptureRequest(width: 640, height: 480, fps: 30), from: RecordedFormatTables.uvcWebcam)
        #expect(chosen.format == .mjpeg && chosen.fourCC == .mjpeg)
        #expect(chosen.interval == FrameInterval(fps: 30) && !chosen.emulated)
        #expect(chosen.description == "MJPG 640x480 @ 30.0 fps")
    }

    @Test func preferenceOrderIsHonoured() throws {
        let yuyvFirst = CaptureRequest(width: 640, height: 480, fps: 30, preference: [.yuyv, .mjpeg])
        #expect(try FormatNegotiation.negotiate(yuyvFirst, from: RecordedFormatTables.uvcWebcam).format == .yuyv)
        // YUYV cannot do 1080p30 on USB 2, so the next preference wins.
        let hd = CaptureRequest(width: 1920, height: 1080, fps: 30, preference: [.yuyv, .rgb24])
        let chosen = try FormatNegotiation.negotiate(hd, from: RecordedFormatTables.uvcWebcam)
        #expect(chosen.format == .rgb24 && chosen.emulated)
    }

    @Test func unmatchedRateOrSizeIsAnErrorListingTheOffer() {
        let error = #expect(throws: AffordError.self) {
            try FormatNegotiation.negotiate(CaptureRequest(width: 1920, height: 1080, fps: 30, preference: [.yuyv]),
                                            from: RecordedFormatTables.uvcWebcam)
        }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("no yuyv at 1920x1080@30") == true)
        #expect(error?.message.contains("YUYV 640x480@30,24,20,15,10,5 1280x720@10,5 1920x1080@5") == true, "\(String(describing: error))")
        #expect(error?.message.contains("RGB3 (libv4lconvert)") == true)
        // No silent substitution of a nearby size.
        #expect(throws: AffordError.self) {
            try FormatNegotiation.negotiate(CaptureRequest(width: 800, height: 600, fps: 30), from: RecordedFormatTables.uvcWebcam)
        }
    }

    @Test func yuyvOnlyCameraTakesYUYVAndAcceptsNTSCRates() throws {
        let chosen = try FormatNegotiation.negotiate(CaptureRequest(width: 640, height: 480, fps: 30), from: RecordedFormatTables.yuyvOnly)
        #expect(chosen.format == .yuyv)
        #expect(chosen.interval == FrameInterval(numerator: 1001, denominator: 30000))
        let fastest = try FormatNegotiation.negotiate(CaptureRequest(width: 320, height: 240, fps: nil), from: RecordedFormatTables.yuyvOnly)
        #expect(fastest.interval == FrameInterval(fps: 60))
        #expect(throws: AffordError.self) {
            try FormatNegotiation.negotiate(CaptureRequest(width: 640, height: 480, fps: 30, preference: [.mjpeg]), from: RecordedFormatTables.yuyvOnly)
        }
    }

    @Test func rgbOnlyCameraGoesThroughLibv4lconvert() throws {
        let chosen = try FormatNegotiation.negotiate(CaptureRequest(width: 1280, height: 960, fps: 15), from: RecordedFormatTables.rgbOnly)
        #expect(chosen.format == .rgb24 && chosen.emulated && chosen.format?.pixelFormat == .rgb8)
    }

    @Test func emptyTableSaysSo() {
        let error = #expect(throws: AffordError.self) {
            try FormatNegotiation.negotiate(CaptureRequest(width: 640, height: 480, fps: 30), from: [])
        }
        #expect(error?.message.hasSuffix("it offers: no capture formats") == true)
    }

    @Test func fourCCRoundTrips() {
        #expect(FourCC("MJPG").rawValue == 0x47504A4D)  // v4l2_fourcc('M','J','P','G')
        #expect(FourCC(rawValue: 0x56595559).description == "YUYV")
    }
}
