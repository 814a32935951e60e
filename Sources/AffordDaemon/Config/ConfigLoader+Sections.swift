import AffordCore
import AffordPostprocess
import AffordTransport
import Foundation

extension ConfigLoader {
    static func postprocessing(_ field: YAMLField) throws -> PostprocessConfig {
        let f = try field.mapping(allowed: [
            "relative_threshold", "min_area", "max_components", "min_presence", "presence_release",
            "output_width", "output_height", "heatmap_encoding", "table_plane",
        ])
        var settings = PostprocessSettings()
        if let threshold = f.optional("relative_threshold") {
            let value = try threshold.double()
            guard value > 0, value <= 1 else { throw threshold.fail("expected a number in (0, 1], got \(value)") }
            settings.relativeThreshold = Float(value)
        }
        func probability(_ item: YAMLField) throws -> Float {
            let value = try item.double()
            guard value >= 0, value <= 1 else { throw item.fail("expected a probability in [0, 1], got \(value)") }
            return Float(value)
        }
        if let item = f.optional("min_presence") { settings.minPresence = try probability(item) }
        if let item = f.optional("presence_release") {
            let release = try probability(item)
            guard release <= settings.minPresence else {
                throw item.fail("must not exceed min_presence (\(settings.minPresence)), got \(release)")
            }
            settings.releasePresence = release
        } else {
            // Without its own value the release level follows a lower min_presence down.
            settings.releasePresence = min(settings.releasePresence, settings.minPresence)
        }
        settings.minArea = try f.optional("min_area")?.int(in: Limits.minArea) ?? settings.minArea
        settings.maxComponents = try f.optional("max_components")?.int(in: Limits.maxComponents) ?? settings.maxComponents
        settings.outputWidth = try f.optional("output_width")?.int(in: Limits.outputSide)
        settings.outputHeight = try f.optional("output_height")?.int(in: Limits.outputSide)
        if (settings.outputWidth == nil) != (settings.outputHeight == nil) {
            throw field.fail("output_width and output_height must be given together")
        }
        let encoding = try f.optional("heatmap_encoding")?.choice(HeatmapEncoding.allCases.map(\.rawValue))
        var plane: Plane?
        if let planeField = f.optional("table_plane") {
            let p = try planeField.mapping(allowed: ["normal", "offset"])
            let normal = try p.required("normal", in: planeField).numbers(count: 3)
            let offset = try p.required("offset", in: planeField).double(in: Limits.planeOffset)
            do {
                plane = try Plane(normal: SIMD3(normal[0], normal[1], normal[2]), offset: offset)
            } catch let error as AffordError {
                throw planeField.fail(error.message)
            }
        }
        return PostprocessConfig(settings: settings,
                                 heatmapEncoding: encoding.flatMap(HeatmapEncoding.init(rawValue:)) ?? .mono8,
                                 tablePlane: plane)
    }

    static func endpoints(_ field: YAMLField) throws -> EndpointConfig {
        let f = try field.mapping(allowed: ["publish", "control", "controller", "http", "foxglove"])
        func address(_ item: YAMLField) throws -> String {
            let value = try item.string()
            guard value.hasPrefix("tcp://") || value.hasPrefix("ipc://") else {
                throw item.fail("expected a tcp:// or ipc:// address, got \"\(value)\"")
            }
            return value
        }
        let publishField = try f.required("publish", in: field)
        let publish = try ((try? publishField.list()) ?? [publishField]).map(address)
        guard !publish.isEmpty else { throw publishField.fail("expected at least one address") }
        /// `host:port`, or `off`; absent: `fallback`.
        func listener(_ key: String, fallback: ListenAddress?) throws -> ListenAddress? {
            guard let item = f.optional(key) else { return fallback }
            if let enabled = try? item.bool(), !enabled { return nil }
            let text = try item.string()
            if text == "off" { return nil }
            do { return try ListenAddress(parsing: text) } catch let error as AffordError { throw item.fail(error.message) }
        }
        return EndpointConfig(publish: publish,
                              control: try f.optional("control").map(address),
                              controller: try f.optional("controller").map(address),
                              http: try listener("http", fallback: .defaultHTTP),
                              foxglove: try listener("foxglove", fallback: nil))
    }

    static func curve(_ field: YAMLField, resolve: (String) -> String) throws -> CurveConfig {
        let f = try field.mapping(allowed: ["enabled", "server_public_key", "server_secret_key", "allowed_clients_dir",
                                            "controller_public_key"])
        let enabled = try f.optional("enabled")?.bool() ?? false
        let config = CurveConfig(
            enabled: enabled,
            serverPublicKeyFile: try f.optional("server_public_key").map { resolve(try $0.string()) },
            serverSecretKeyFile: try f.optional("server_secret_key").map { resolve(try $0.string()) },
            allowedClientsDirectory: try f.optional("allowed_clients_dir").map { resolve(try $0.string()) },
            controllerPublicKeyFile: try f.optional("controller_public_key").map { resolve(try $0.string()) })
        if enabled {
            for key in ["server_secret_key", "allowed_clients_dir"] where f.optional(key) == nil {
                throw AffordError(.invalidConfig, "\(field.child(key)): required when curve.enabled is true")
            }
        }
        return config
    }

    static func recording(_ field: YAMLField, resolve: (String) -> String) throws -> RecordingConfig {
        let f = try field.mapping(allowed: ["path", "compression", "record_outputs", "max_bytes", "max_seconds"])
        let compression = try f.optional("compression")?.choice(RecordingConfig.Compression.allCases.map(\.rawValue))
        return RecordingConfig(
            path: resolve(try f.required("path", in: field).string()),
            compression: compression.flatMap(RecordingConfig.Compression.init(rawValue:)) ?? .zstd,
            recordOutputs: try f.optional("record_outputs")?.bool() ?? true,
            maxBytes: try f.optional("max_bytes").map { UInt64(try $0.int(in: Limits.recordingBytes)) },
            maxSeconds: try f.optional("max_seconds")?.double(in: Limits.recordingSeconds))
    }
}
