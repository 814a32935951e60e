import AffordCapture
import AffordCore
import AffordImaging
import AffordPostprocess
import AffordRecording
import Logging

/// Opens the configured cameras: V4L2 devices, or MCAP logs when `replay_log` is set.
enum CameraSources {
    static func make(_ camera: CameraConfig, inputSize: Int, table: Plane?, logger: Logger) throws -> CameraInput {
        let geometry = try CameraGeometryLoader.geometry(for: camera, table: table)
        let decoder: @Sendable () throws -> (Frame) throws -> RGBImage = {
            // DCT-scaled MJPEG decode: the model needs only inputSize pixels a side.
            let frameDecoder = try FrameDecoder(minimumWidth: inputSize, minimumHeight: inputSize)
            return { try frameDecoder.decode($0) }
        }
        if let log = camera.replayLog {
            let source = try ReplaySource(path: log, options: .init(
                pacing: .recorded, loop: true, cameraName: camera.name, depthTopic: camera.depth?.topic,
                depthToleranceNs: camera.depth?.toleranceNs ?? DepthPairing.defaultToleranceNs))
            return CameraInput(name: camera.name, frameID: camera.frameID, source: source, makeDecoder: decoder,
                               geometry: geometry, deviceHealth: ReplayDecoding.health(source), hasDepth: source.hasDepth)
        }
        let request = CaptureRequest(width: camera.imageWidth, height: camera.imageHeight,
                                     fps: Int(camera.framerate.rounded()), preference: camera.pixelFormats)
        let controls = camera.controls.keys.sorted().compactMap { name in camera.controls[name].map { ControlSetting(name, $0) } }
        let depth = try camera.depth.flatMap { try depthNode($0, camera: camera, colour: geometry.camera) }
        let v4l2 = V4L2Camera(config: V4L2CameraConfig(name: camera.name, device: camera.videoDevice, request: request,
                                                       controls: controls, depth: depth),
                              log: { level, message in
                                  let mapped: Logger.Level = switch level {
                                  case .info: .info
                                  case .warning: .warning
                                  case .error: .error
                                  }
                                  logger.log(level: mapped, "\(message)", metadata: ["camera": "\(camera.name)"])
                              })
        let box = UncheckedBox(v4l2)
        return CameraInput(name: camera.name, frameID: camera.frameID, source: v4l2, makeDecoder: decoder, geometry: geometry,
                           interrupt: { box.value.close() },
                           deviceHealth: {
                               let stats = box.value.statistics
                               return DeviceHealth(streaming: stats.streaming, reconnects: stats.reconnects,
                                                   driverDrops: stats.drops, lastError: stats.lastError,
                                                   depthErrors: stats.depthErrors, source: stats.source)
                           },
                           hasDepth: depth != nil)
    }

    /// The camera's Z16 node (the config loader requires `video_device` for a live camera),
    /// registering each depth frame into the colour camera on the capture thread when
    /// `registration` is set.
    private static func depthNode(_ depth: DepthConfig, camera: CameraConfig, colour: CameraModel?) throws
        -> V4L2DepthConfig?
    {
        guard let device = depth.videoDevice else { return nil }
        let registration = try depth.registration.map {
            try DepthRegistrationLoader.load($0, camera: camera.name, colour: colour)
        }
        return V4L2DepthConfig(device: device, metresPerUnit: Float(depth.unitsM), toleranceNs: depth.toleranceNs,
                               transform: registration?.register)
    }
}

/// Hands a thread-safe-by-design reference across isolation (V4L2Camera.close is).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
