import AffordTransport
import ArgumentParser
import Foundation

/// `affordd keygen PATH`: a CURVE key pair for the daemon's server sockets.
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a CURVE key pair: PATH.key (public, 0644) and PATH.key_secret (0600); a directory gets server.key.")

    @Argument(help: "A basename such as /etc/affordd/curve/server, or a directory to write server.key into.")
    var path: String

    func run() throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let basename = exists && isDirectory.boolValue ? URL(fileURLWithPath: path).appendingPathComponent("server").path : path
        let files = try CurveKeyFile.write(try CurveKeyPair.generate(), basename: basename)
        print("public key: \(files.publicFile)\nsecret key: \(files.secretFile)")
    }
}
