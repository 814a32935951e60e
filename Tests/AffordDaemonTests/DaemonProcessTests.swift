import AffordTestSupport
import AffordTransport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real `affordd run` process: READY, every control op, SIGHUP with a good and a bad config, SIGTERM.
///
/// The camera is a device that does not exist, so the daemon runs in its
/// camera-lost state (no inference) and the lifecycle is what is tested.
@Suite(.serialized) struct DaemonProcessTests {
    static var binary: String? {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("affordd").path
        let candidates = [beside, Fixtures.repositoryRoot.appendingPathComponent(".build/debug/affordd").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func config(actions: String, recording: String, port: Int, extra: String = "") -> String {
        let models = Fixtures.models.path
        let defaultHead = Fixtures.repositoryRoot.appendingPathComponent("models-default/affordd-default.head.safetensors").path
        return """
        cameras:
          - name: front
            video_device: /dev/affordd-test-no-such-camera
            image_width: 640
            image_height: 480
            framerate: 30
        model:
          backbone: \(models)/dinov2_vits14.int8.safetensors
          head: \(defaultHead)
        actions: \(actions)
        endpoints:
          publish: [tcp://127.0.0.1:\(port)]
          control: tcp://127.0.0.1:\(port + 1)
        recording:
          path: \(recording)
        \(extra)
        """
    }

    /// Starts `affordd run --config configPath` with a notify socket, collecting its stderr.
    static func launch(_ binary: String, configPath: String, environment extra: [String: String] = [:]) throws
        -> (process: Process, notify: NotifySocket, stderr: Lines) {
        let notify = try NotifySocket()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--config", configPath]
        var environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        environment["NOTIFY_SOCKET"] = notify.path
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        let lines = Lines()
        stderr.fileHandleForReading.readabilityHandler = { lines.append($0.availableData) }
        try process.run()
        return (process, notify, lines)
    }

    /// Collects the child's stderr lines as they come.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ data: Data) { lock.withLock { text += String(decoding: data, as: UTF8.self) } }
        var all: String { lock.withLock { text } }
        func wait(for needle: String, count: Int = 1, timeout: Double) -> Bool {
            let deadline = Date(timeIntervalSinceNow: timeout)
            while Date() < deadline {
                if all.components(separatedBy: needle).count > count { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return all.components(separatedBy: needle).count > count
        }
    }

    /// A pyzmq DEALER drives every op against the real handler; each reply is checked in Python.
    static func driveControl(port: Int) throws {
        guard PythonOracle.has("zmq") else {
            Issue.record("pyzmq is not installed; run make setup")
            return
        }
        let script = """
        import json, sys, zmq
        s = zmq.Context().socket(zmq.DEALER)
        s.setsockopt(zmq.RCVTIMEO, 10000)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(f"tcp://127.0.0.1:{json.load(sys.stdin)}")
        def ask(body):
            s.send(json.dumps(body).encode())
            return json.loads(s.recv())
        problems = []
        def check(cond, what):
            if not cond: problems.append(what)
        r = ask({"op": "status", "id": "s1"})
        check(r["ok"] and r["id"] == "s1" and r["result"][0]["camera"] == "front", f"status: {r}")
        check(r["result"][0]["actions"] == ["hold"], f"initial actions: {r}")
        check(r["result"][0]["state"] == "camera_lost" and "ENOENT" in (r["result"][0]["last_error"] or ""),
              f"a missing device is reported, not fatal: {r}")
        check(r["result"][0]["source"] is None, f"no source before the device opens: {r}")
        r = ask({"op": "set_actions", "actions": ["stir", "open"]})
        check(r["ok"], f"set_actions: {r}")
        check(ask({"op": "status"})["result"][0]["actions"] == ["stir", "open"], "actions not applied")
        r = ask({"op": "set_actions", "actions": ["fly"]})
        check(not r["ok"] and r["error"]["code"] == "invalid_config" and "fly" in r["error"]["reason"], f"bad action: {r}")
        check(ask({"op": "pause"})["ok"], "pause")
        check(ask({"op": "status"})["result"][0]["state"] == "paused", "not paused")
        check(ask({"op": "resume"})["ok"], "resume")
        check(ask({"op": "status"})["result"][0]["state"] != "paused", "still paused")
        r = ask({"op": "snapshot"})
        check(r["ok"] and r["result"]["cameras"] == {}, f"snapshot without frames: {r}")
        r = ask({"op": "snapshot", "camera": "nope"})
        check(not r["ok"] and r["error"]["code"] == "invalid_input", f"unknown camera: {r}")
        r = ask({"op": "reload"})
        check(r["ok"] and r["result"]["actions"] == ["hold"] and r["result"]["restart_required"] == [], f"reload: {r}")
        s.send(b"not json")
        check(json.loads(s.recv())["error"]["code"] == "bad_json", "malformed request")
        # Hostile requests that once stopped the daemon, and leniencies the protocol forbids.
        for body in [b"[" * 513, b'{"op":"status","x":' + b"[" * 512, b'{"op":"status","op":"frobnicate"}',
                     b'{"op":"status",}', bytes([0xEF, 0xBB, 0xBF]) + b'{"op":"status"}']:
            s.send(body)
            r = json.loads(s.recv())
            check(not r["ok"] and r["error"]["code"] == "bad_json", f"{body[:40]!r}: {r}")
        import io
        from PIL import Image
        jpeg = io.BytesIO()
        Image.new("RGB", (64, 48), (90, 120, 150)).save(jpeg, "JPEG")
        keypoints = [[1e30, 1e30, 0.9]] + [[10.0, 10.0, 0.9]] * 16
        s.send_multipart([json.dumps({"op": "demonstrate", "action": "hold", "keypoints": keypoints}).encode(), jpeg.getvalue()])
        r = json.loads(s.recv())
        check(not r["ok"] and r["error"]["code"] == "invalid_input" and "keypoints[0]" in r["error"]["reason"], f"1e30: {r}")
        r = ask({"op": "demonstrate", "action": "hold", "keypoints": keypoints[1:] + [[0, 0, 0]],
                 "frame": {"log": "/etc/passwd", "sequence": 0}})
        check(not r["ok"] and "outside the recording" in r["error"]["reason"], f"a log outside the recording folder: {r}")
        r = ask({"op": "status"})
        check(r["ok"] and r["result"][0]["counters"]["control_malformed"] >= 6, f"malformed requests are counted: {r}")
        print(json.dumps(problems))
        """
        let problems = try PythonOracle.call(script, port, as: [String].self)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// `affordd keygen DIR` writes a pair the daemon's loader reads back, the secret one private.
    /// `--threads` and `--input-size` get the config file's bounds, before any model loads.
    @Test func commandLineNumbersOutOfRangeAreUsageErrors() throws {
        guard let binary = Self.binary else {
            Issue.record("affordd binary not built; run swift build first")
            return
        }
        for (flag, value, bounds) in [("--threads", "100000", "1...256"), ("--input-size", "7", "14...1792")] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["snapshot", "--image", "none.png", "--action", "hold", flag, value]
            let stderr = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = stderr
            try process.run()
            let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus != 0 && text.contains("\(flag) \(value) is outside \(bounds)"), "\(text)")
        }
    }

    @Test func keygenWritesAPairTheLoaderReads() throws {
        guard let binary = Self.binary else {
            Issue.record("affordd binary not built; run swift build first")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-keys-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for expectedStatus: Int32 in [0, 1] {  // the second run must refuse to overwrite
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["keygen", directory.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == expectedStatus)
        }
        let secret = directory.appendingPathComponent("server.key_secret").path
        let pair = try CurveKeyFile.loadKeyPair(secretKeyFile: secret)
        #expect(try CurveKeyFile.loadPublicKey(file: directory.appendingPathComponent("server.key").path) == pair.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: secret)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func sighupReloadsOrRejectsAndSigtermStopsCleanly() throws {
        guard let binary = Self.binary else {
            Issue.record("affordd binary not built; run swift build first")
            return
        }
        let backbone = Fixtures.models.appendingPathComponent("dinov2_vits14.int8.safetensors").path
        guard FileManager.default.fileExists(atPath: backbone) else {
            print("skipping: no backbone at \(backbone) (make models provides one)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-proc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configPath = directory.appendingPathComponent("affordd.yaml").path
        let recording = directory.appendingPathComponent("run.mcap").path
        let port = 20000 + Int(getpid() % 20000)
        let vocabulary = ["hold", "cut", "pour", "stir", "open"]  // from the committed default head
        try Self.config(actions: "[\(vocabulary[0])]", recording: recording, port: port)
            .write(toFile: configPath, atomically: true, encoding: .utf8)

        let (process, notify, lines) = try Self.launch(binary, configPath: configPath)
        defer { if process.isRunning { process.terminate() } }

        #expect(notify.wait(for: "READY=1", timeout: 120) != nil, "no READY=1; stderr:\n\(lines.all)")
        try Self.driveControl(port: port + 1)

        // A good config: new actions are taken, RELOADING then READY again.
        try Self.config(actions: "[\(vocabulary[1]), \(vocabulary[2])]", recording: recording, port: port)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        let reload = notify.wait(for: "READY=1", timeout: 20)
        #expect(reload?.contains { $0.contains("RELOADING=1") } == true)
        // The second "reloaded": the first came from driveControl's reload op. Waiting for it also keeps
        // the next SIGHUP from arriving while this one is handled (signals of one kind coalesce).
        #expect(lines.wait(for: "reloaded", count: 2, timeout: 10), "stderr:\n\(lines.all)")

        // Only the status period changes: applied in place, the publisher keeps its port.
        try Self.config(actions: "[\(vocabulary[1])]", recording: recording, port: port, extra: "status_period: 0.3")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(lines.wait(for: "reloaded", count: 3, timeout: 10), "stderr:\n\(lines.all)")
        #expect(!lines.all.contains("cannot bind"), "stderr:\n\(lines.all)")
        #expect(notify.wait(for: "READY=1", timeout: 10) != nil)  // drains the notify queue too

        // A reload op and a SIGHUP at once, both moving the publisher to a new port: they run one
        // after the other, so neither finds the port held by the other's half-done rebind.
        let moved = Self.config(actions: "[\(vocabulary[1])]", recording: recording, port: port, extra: "status_period: 0.3")
            .replacingOccurrences(of: "publish: [tcp://127.0.0.1:\(port)]", with: "publish: [tcp://127.0.0.1:\(port + 2)]")
        try moved.write(toFile: configPath, atomically: true, encoding: .utf8)
        let overlapping = try PythonOracle.call("""
            import json, os, signal, sys, zmq
            pid, control, publish = json.load(sys.stdin)
            ctx = zmq.Context()
            s = ctx.socket(zmq.DEALER)
            s.setsockopt(zmq.RCVTIMEO, 10000)
            s.connect(f"tcp://127.0.0.1:{control}")
            s.send(b'{"op":"reload"}')
            os.kill(pid, signal.SIGHUP)
            reply = json.loads(s.recv())
            sub = ctx.socket(zmq.SUB)
            sub.setsockopt(zmq.SUBSCRIBE, b"afford/front/status/")
            sub.setsockopt(zmq.RCVTIMEO, 10000)
            sub.connect(f"tcp://127.0.0.1:{publish}")
            status = sub.recv_multipart()
            print(json.dumps([bool(reply["ok"]), len(status) == 2]))
            """, [Int(process.processIdentifier), port + 1, port + 2], as: [Bool].self)
        #expect(overlapping == [true, true], "stderr:\n\(lines.all)")
        #expect(lines.wait(for: "reloaded", count: 5, timeout: 10), "stderr:\n\(lines.all)")
        #expect(!lines.all.contains("cannot bind") && !lines.all.contains("reload rejected"), "stderr:\n\(lines.all)")
        #expect(notify.wait(for: "READY=1", timeout: 10) != nil)

        // A value that would trap in a conversion: rejected, named, and reported in the status.
        try Self.config(actions: "[\(vocabulary[1])]", recording: recording, port: port, extra: "status_period: 1.0e+300")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(lines.wait(for: "reload rejected", timeout: 10), "stderr:\n\(lines.all)")
        let status = try PythonOracle.call("""
            import json, sys, zmq
            s = zmq.Context().socket(zmq.DEALER)
            s.setsockopt(zmq.RCVTIMEO, 10000)
            s.connect(f"tcp://127.0.0.1:{json.load(sys.stdin)}")
            s.send(b'{"op":"status"}')
            r = json.loads(s.recv())["result"][0]
            print(json.dumps([r["last_error"] or "", str(r["counters"]["reloads_rejected"])]))
            """, port + 1, as: [String].self)
        #expect(status.first?.contains("status_period") == true && status.last == "1", "\(status)")
        #expect(notify.wait(for: "READY=1", timeout: 10) != nil)

        // A bad config: rejected, the daemon keeps running.
        try "cameras: [\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(lines.wait(for: "reload rejected", count: 2, timeout: 10), "stderr:\n\(lines.all)")
        #expect(process.isRunning)
        #expect(lines.all.contains("<3>"), "errors carry journald priority prefixes")

        // SIGTERM: STOPPING, clean exit, and the recording is finalised.
        let stopAsked = Date()
        kill(process.processIdentifier, SIGTERM)
        #expect(notify.wait(for: "STOPPING=1", timeout: 10) != nil)
        process.waitUntilExit()
        let stopSeconds = Date().timeIntervalSince(stopAsked)
        print("affordd stopped \(String(format: "%.2f", stopSeconds)) s after SIGTERM")
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "stderr:\n\(lines.all)")
        #expect(stopSeconds < 5, "graceful stop is meant to take under 2 s")
        guard PythonOracle.has("mcap") else {
            Issue.record("the Python mcap package is not installed; run make setup")
            return
        }
        let summary = try PythonOracle.call("""
            import json, sys
            from mcap.reader import make_reader
            with open(json.load(sys.stdin), "rb") as f:
                s = make_reader(f).get_summary()
            print(json.dumps(s is not None))
            """, recording, as: Bool.self)
        #expect(summary, "the recording has no summary section: not closed cleanly")
    }
}
