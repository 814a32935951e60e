import AffordTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `teach`, `taught` and `forget` against real `affordd run` processes replaying the demo log,
/// driven by an independent pyzmq peer (Tests/ZMQPeers/teach_client.py): over the ROUTER and a
/// controller PUB, published from the next frames, kept across a restart in $STATE_DIRECTORY.
@Suite(.serialized) struct TeachProcessTests {
    static func config(port: Int) -> String {
        let root = Fixtures.repositoryRoot.path
        return """
        cameras:
          - name: demo
            replay_log: \(root)/demo/demo.mcap
            image_width: 640
            image_height: 480
            framerate: 30
        model:
          backbone: \(Fixtures.models.path)/dinov2_vits14.int8.safetensors
          head: \(root)/models-default/affordd-default.head.safetensors
        actions: [hold]
        endpoints:
          publish: [tcp://127.0.0.1:\(port)]
          control: tcp://127.0.0.1:\(port + 1)
          controller: tcp://127.0.0.1:\(port + 2)
        """
    }

    /// Starts `affordd run`, waits for READY, runs the peer's `phase`, stops the daemon.
    static func session(_ phase: String, binary: String, configPath: String, state: URL, port: Int,
                        then: (_ controlPort: Int, _ pid: Int32) throws -> [String] = { _, _ in [] }) throws -> [String] {
        let (process, notify, lines) = try DaemonProcessTests.launch(binary, configPath: configPath,
                                                                     environment: ["STATE_DIRECTORY": state.path])
        defer {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
        guard notify.wait(for: "READY=1", timeout: 120) != nil else {
            return ["no READY=1; stderr:\n\(lines.all)"]
        }
        let peer = Fixtures.repositoryRoot.appendingPathComponent("Tests/ZMQPeers/teach_client.py").path
        let arguments = [phase, "\(port + 1)", "\(port)"] + (phase == "teach" ? ["\(port + 2)"] : [])
        let problems = try PythonOracle.call("""
            import json, subprocess, sys
            peer, *arguments = json.load(sys.stdin)
            done = subprocess.run([sys.executable, peer, *arguments], capture_output=True, text=True, timeout=240)
            lines = done.stdout.strip().splitlines()
            print(lines[-1] if done.returncode == 0 and lines else json.dumps([f"peer failed: {done.stdout} {done.stderr}"]))
            """, [peer] + arguments, as: [String].self)
        let all = problems + (problems.isEmpty ? try then(port + 1, process.processIdentifier) : [])
        return all.isEmpty ? [] : all + ["stderr:\n\(lines.all.suffix(2000))"]
    }

    /// A reload (SIGHUP) keeps what was taught.
    static func survivesSIGHUP(port: Int, pid: Int32) throws -> [String] {
        let listed = try PythonOracle.call("""
            import json, os, signal, sys, time, zmq
            port, pid = json.load(sys.stdin)
            s = zmq.Context().socket(zmq.DEALER)
            s.setsockopt(zmq.RCVTIMEO, 20000)
            s.connect(f"tcp://127.0.0.1:{port}")
            def ask(body):
                s.send(json.dumps(body).encode())
                return json.loads(s.recv())
            os.kill(pid, signal.SIGHUP)
            time.sleep(1.5)
            print(json.dumps([entry["action"] for entry in ask({"op": "taught"})["result"]["taught"]]))
            """, [port, Int(pid)], as: [String].self)
        return listed == ["press"] ? [] : ["after SIGHUP, taught is \(listed)"]
    }

    /// docs/PROTOCOL.md's "Example: teaching a part", verbatim, against the running daemon.
    static func runDocumentedExample(port: Int) throws -> [String] {
        let document = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
        guard let marker = document.range(of: "<!-- example:teach "),
              let start = document[marker.upperBound...].range(of: "```python\n"),
              let end = document[start.upperBound...].range(of: "```") else { return ["no example:teach in PROTOCOL.md"] }
        let example = String(document[start.upperBound..<end.lowerBound])
        let output = try PythonOracle.call("""
            import json, subprocess, sys
            example, endpoint = json.load(sys.stdin)
            done = subprocess.run([sys.executable, "-c", example, endpoint], capture_output=True, text=True, timeout=60)
            print(json.dumps(done.stdout + done.stderr))
            """, [example, "tcp://127.0.0.1:\(port)"], as: String.self)
        let lines = output.split(separator: "\n")
        let expected = ["'op': 'teach'", "'action': 'press', 'frames': 1", "'removed': ['press']"]
        guard lines.count == 3, zip(lines, expected).allSatisfy({ $0.contains("'ok': True") && $0.contains($1) }) else {
            return ["the documented teach example printed: \(output)"]
        }
        return []
    }

    @Test func teachOverControlAndBroadcastSurvivesARestartAndForgets() throws {
        guard let binary = DaemonProcessTests.binary else {
            Issue.record("affordd binary not built; run swift build first")
            return
        }
        guard PythonOracle.has("zmq") else {
            Issue.record("pyzmq is not installed; run make setup")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-teach-\(UUID().uuidString.prefix(8))")
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configPath = directory.appendingPathComponent("affordd.yaml").path
        let port = 24000 + Int(getpid() % 16000)
        try Self.config(port: port).write(toFile: configPath, atomically: true, encoding: .utf8)

        let taught = try Self.session("teach", binary: binary, configPath: configPath, state: state, port: port) { control, pid in
            try Self.survivesSIGHUP(port: control, pid: pid)
        }
        #expect(taught.isEmpty, "\(taught)")
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("taught.safetensors").path))
        let restarted = try Self.session("restart", binary: binary, configPath: configPath, state: state, port: port) { control, _ in
            try Self.runDocumentedExample(port: control)
        }
        #expect(restarted.isEmpty, "\(restarted)")
    }
}
