import AffordCore
import Testing
@testable import AffordPostprocess

@Suite struct RegionCropTests {
    /// Each pixel encodes its own coordinates.
    static func image(width: Int, height: Int) -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels += [UInt8(x & 255), UInt8(y & 255), UInt8((x + y) & 255)] } }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    @Test func aCropHoldsTheBoxesPixels() {
        let image = Self.image(width: 64, height: 48)
        for box in [RegionBox(x: 5, y: 7, width: 20, height: 20), RegionBox(x: 44, y: 28, width: 20, height: 20),
                    RegionBox(x: 0, y: 0, width: 48, height: 48)] {
            let crop = RegionCrop.crop(image, box: box, frameWidth: 64, frameHeight: 48)
            #expect(crop.width == box.width && crop.height == box.height)
            #expect(crop.pixels[0] == UInt8(box.x) && crop.pixels[1] == UInt8(box.y))
            let last = (crop.width * crop.height - 1) * 3
            #expect(crop.pixels[last] == UInt8(box.x + box.width - 1) && crop.pixels[last + 1] == UInt8(box.y + box.height - 1))
        }
    }

    @Test func anImageDecodedAtHalfScaleIsCutAtHalfTheBox() {
        let half = Self.image(width: 32, height: 24)
        let crop = RegionCrop.crop(half, box: RegionBox(x: 11, y: 6, width: 20, height: 20), frameWidth: 64, frameHeight: 48)
        // 11/2 rounds down to 5, (11 + 20)/2 up to 16: the crop covers at least the box.
        #expect(crop.width == 11 && crop.height == 10 && crop.pixels[0] == 5 && crop.pixels[1] == 3)
    }
}

@Suite struct RegionTrackerTests {
    let a = RegionBox(x: 0, y: 0, width: 100, height: 100)
    let nearA = RegionBox(x: 10, y: 5, width: 100, height: 100)
    let elsewhere = RegionBox(x: 400, y: 300, width: 100, height: 100)

    @Test func withoutReuseEveryFrameDetectsFirst() {
        var tracker = RegionTracker()
        for _ in 0..<3 {
            #expect(tracker.next(frameWidth: 640, frameHeight: 480, redetectEvery: 0) == .detectFirst)
            tracker.observe(proposals: [a], redetectEvery: 0)
        }
    }

    @Test func regionsAreReusedAndRefreshedEveryKFrames() {
        var tracker = RegionTracker()
        #expect(tracker.next(frameWidth: 640, frameHeight: 480, redetectEvery: 3) == .detectFirst)
        tracker.observe(proposals: [a], redetectEvery: 3)
        var plans: [RegionTracker.Plan] = []
        for _ in 0..<4 {
            plans.append(tracker.next(frameWidth: 640, frameHeight: 480, redetectEvery: 3))
            tracker.observe(proposals: [nearA], redetectEvery: 3)
        }
        // Frames 1–3 use frame 0's region; frame 3's proposal replaces it for frame 4.
        #expect(plans == [.reuse([a]), .reuse([a]), .reuse([a]), .reuse([nearA])])
    }

    @Test func aSceneChangeOrANewFrameSizeReplacesTheRegionsAtOnce() {
        var tracker = RegionTracker()
        _ = tracker.next(frameWidth: 640, frameHeight: 480, redetectEvery: 10)
        tracker.observe(proposals: [a], redetectEvery: 10)
        #expect(tracker.next(frameWidth: 640, frameHeight: 480, redetectEvery: 10) == .reuse([a]))
        tracker.observe(proposals: [elsewhere], redetectEvery: 10)
        #expect(tracker.next(frameWidth: 640, frameHeight: 480, redetectEvery: 10) == .reuse([elsewhere]))
        tracker.observe(proposals: [elsewhere], redetectEvery: 10)
        #expect(tracker.next(frameWidth: 320, frameHeight: 240, redetectEvery: 10) == .detectFirst)
        // Nothing proposed: the next frame detects first again.
        tracker.observe(proposals: [], redetectEvery: 10)
        #expect(tracker.next(frameWidth: 320, frameHeight: 240, redetectEvery: 10) == .detectFirst)
    }
}
