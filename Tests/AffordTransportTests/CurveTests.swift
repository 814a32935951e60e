import AffordCore
import Foundation
import Testing

@testable import AffordTransport

@Suite struct CurveTests {
    @Test func keysAgreeWithPyzmq() async throws {
        // pyzmq makes a pair; we derive the public half from its secret and must agree.
        let pair = try await PythonPeer.evaluate("import zmq; p, s = zmq.curve_keypair(); print(p.decode(), s.decode())")
        let parts = pair.split(separator: " ").map(String.init)
        let derived = try CurveKeyPair(secretKey: CurveKey(z85: parts[1]))
        #expect(derived.publicKey.z85 == parts[0])
        #expect(throws: AffordError.self) { try CurveKey(z85: "too short") }
    }

    @Test func keygenWritesFilesThatLoadBackWithPrivateModes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("affordd-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pair = try CurveKeyPair.generate()
        let files = try CurveKeyFile.write(pair, basename: directory.appendingPathComponent("server").path)
        #expect(try CurveKeyFile.loadKeyPair(secretKeyFile: files.secretFile) == pair)
        #expect(try CurveKeyFile.loadPublicKeys(at: files.publicFile) == [pair.publicKey])
        #expect(try CurveKeyFile.loadPublicKeys(at: directory.path) == [pair.publicKey])
        let mode = try FileManager.default.attributesOfItem(atPath: files.secretFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: AffordError.self) { try CurveKeyFile.write(pair, basename: directory.appendingPathComponent("server").path) }
    }

    @Test func keyFileLayoutsOfCommonTools() throws {
        let pair = try CurveKeyPair.generate()
        let keygen = "== CURVE PUBLIC KEY ==\n\(pair.publicKey.z85)\n== CURVE SECRET KEY ==\n\(pair.secretKey.z85)\n"
        #expect(try CurveKeyFile.parse(keygen, kind: .secret, source: "keygen") == pair.secretKey)
        #expect(try CurveKeyFile.parse(keygen, kind: .public, source: "keygen") == pair.publicKey)
        let zcert = "curve\n    public-key = \"\(pair.publicKey.z85)\"\n    secret-key = \"\(pair.secretKey.z85)\"\n"
        #expect(try CurveKeyFile.parse(zcert, kind: .secret, source: "zcert") == pair.secretKey)
        #expect(throws: AffordError.self) { try CurveKeyFile.parse("# nothing\n", kind: .public, source: "empty") }
    }

    @Test func zapVerdictsFollowTheAllowList() throws {
        let allowed = try CurveKeyPair.generate().publicKey
        let other = try CurveKeyPair.generate().publicKey
        func request(_ mechanism: String, _ key: [UInt8]) -> [[UInt8]] {
            ["1.0", "7", "affordd", "127.0.0.1", ""].map { Array($0.utf8) } + [Array(mechanism.utf8), key]
        }
        let yes = ZAPVerdict(request: request("CURVE", allowed.bytes)) { $0 == allowed }
        #expect(yes.outcome == .accepted && yes.reply[2] == Array("200".utf8) && yes.reply[1] == Array("7".utf8))
        #expect(ZAPVerdict(request: request("CURVE", other.bytes)) { $0 == allowed }.outcome == .refused)
        #expect(ZAPVerdict(request: request("NULL", [])) { $0 == allowed }.outcome == .refused)
        #expect(ZAPVerdict(request: [[1]]) { _ in true }.outcome == .malformed)
    }

    /// CURVE on: a listed pyzmq client is served; an unlisted key and a plain client get nothing.
    @Test func onlyListedClientsReachControlAndPublish() async throws {
        let context = try ZMQContext()
        let serverPair = try CurveKeyPair.generate()
        let clientPair = try CurveKeyPair.generate()
        let security = try CurveServer(context: context, keyPair: serverPair, allowedClients: [clientPair.publicKey])
        defer { security.stop() }
        let control = try ControlServer(
            context: context, configuration: .init(endpoints: ["tcp://127.0.0.1:*"]), handler: RecordingHandler(), security: security)
        defer { control.close() }
        let publisher = try HeatmapPublisher(context: context, configuration: .init(endpoints: ["tcp://127.0.0.1:*"]), security: security)
        defer { publisher.close() }

        var peers: [(socket: String, mode: String, peer: PythonPeer)] = []
        for (socket, endpoint) in [("dealer", control.boundEndpoints[0]), ("sub", publisher.boundEndpoints[0])] {
            for mode in ["listed", "unlisted", "plain"] {
                // `--key=VALUE`: a Z85 key may begin with "-", which argparse would take for an option.
                let peer = try PythonPeer("curve_client.py", [
                    "--endpoint", endpoint, "--socket", socket, "--mode", mode, "--server-key=\(serverPair.publicKey.z85)",
                    "--client-public=\(clientPair.publicKey.z85)", "--client-secret=\(clientPair.secretKey.z85)", "--wait", "3",
                ])
                peers.append((socket, mode, peer))
            }
        }
        let deadline = Date().addingTimeInterval(20)
        var seq = 0
        while peers.contains(where: { $0.peer.isRunning }), Date() < deadline {
            try publisher.consume(SyntheticResults.result(camera: "front", actions: ["hold"], width: 8, height: 8, seq: seq))
            seq += 1
            await pause(seconds: 0.05)
        }
        for (socket, mode, peer) in peers {
            #expect(await peer.finish() == 0, "\(socket)/\(mode): \(peer.transcript)")
            let outcome = peer.summary()["outcome"] as? String
            #expect(outcome == (mode == "listed" ? "answered" : "refused"), "\(socket)/\(mode)")
        }
        let handshakes = security.handshakeCounters
        #expect(handshakes.accepted >= 2 && handshakes.refused >= 2)
        #expect(control.counters.requests == 1)
    }
}

/// CURVE on: the daemon's SUB is a CURVE client of the controller's PUB, keyed with the
/// configured controller public key (`curve.controller_public_key`).
@Suite struct CurveControllerTests {
    /// A pyzmq controller PUB with the configured key pair is heard; one with another pair, and a
    /// plain one, are not.
    @Test func onlyTheConfiguredControllerIsHeard() async throws {
        let context = try ZMQContext()
        let security = try CurveServer(context: context, keyPair: try CurveKeyPair.generate(), allowedClients: [])
        defer { security.stop() }
        let configured = try CurveKeyPair.generate()
        let other = try CurveKeyPair.generate()
        var controllers: [(mode: String, peer: PythonPeer, handler: RecordingHandler, server: ControlServer)] = []
        defer { for controller in controllers { controller.server.close(); controller.peer.closeInput() } }
        for (mode, pair) in [("configured", configured), ("other", other), ("plain", nil)] as [(String, CurveKeyPair?)] {
            // `--key=VALUE`: a Z85 key may begin with "-", which argparse would take for an option.
            let keys = pair.map { ["--curve-public=\($0.publicKey.z85)", "--curve-secret=\($0.secretKey.z85)"] } ?? []
            let peer = try PythonPeer("controller_pub.py", ["--endpoint", "tcp://127.0.0.1:*"] + keys)
            #expect(await peer.waitFor("tcp://"), "\(mode): \(peer.transcript)")
            let endpoint = try #require(peer.output.split(separator: "\n").first.map(String.init))
            let handler = RecordingHandler()
            let server = try ControlServer(
                context: context,
                configuration: .init(endpoints: [], controllerEndpoints: [endpoint], controllerServerKey: configured.publicKey),
                handler: handler, security: security)
            controllers.append((mode, peer, handler, server))
        }
        let started = Date()
        // The configured controller is heard within the deadline; the others get a few seconds more to prove silence.
        while controllers[0].handler.received.isEmpty, Date() < started.addingTimeInterval(15) { await pause(seconds: 0.05) }
        while Date() < started.addingTimeInterval(3) { await pause(seconds: 0.05) }
        for controller in controllers {
            let heard = !controller.handler.received.isEmpty
            #expect(heard == (controller.mode == "configured"), "\(controller.mode): \(controller.server.counters)")
        }
        #expect(controllers[0].handler.received.first?.0 == ControlRequest(id: "broadcast-1", command: .pause))
    }
}

@Suite struct CurveServerLifetimeTests {
    /// The daemon's reload: close the sockets, drop the old CurveServer, make a new one at once.
    @Test func closingItsSocketsReleasesTheZAPHandlerForANewOne() throws {
        let context = try ZMQContext()
        let pair = try CurveKeyPair.generate()
        var security: CurveServer? = try CurveServer(context: context, keyPair: pair, allowedClients: [])
        #expect(throws: AffordError.self) { try CurveServer(context: context, keyPair: pair, allowedClients: []) }
        let control = try ControlServer(
            context: context, configuration: .init(endpoints: [temporaryIPCEndpoint("zap")]), handler: RecordingHandler(), security: security)
        security = nil
        control.close()
        let again = try CurveServer(context: context, keyPair: pair, allowedClients: [])
        again.stop()
    }
}
