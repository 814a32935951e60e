import AffordCore
import CZMQ

/// A 32-byte CURVE key (public or secret), read and written as 40-character Z85.
public struct CurveKey: Sendable, Hashable, CustomStringConvertible {
    let bytes: [UInt8]

    /// Decodes 40 Z85 characters, as `curve_keygen` and zmq_curve_keypair print them.
    init(z85: String) throws(AffordError) {
        let text = Array(z85.utf8)
        guard text.count == 40 else {
            throw AffordError(.invalidConfig, "CURVE key must be 40 Z85 characters, got \(text.count)")
        }
        var decoded = [UInt8](repeating: 0, count: 32)
        let ok = (text + [0]).withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { zmq_z85_decode(&decoded, $0.baseAddress) != nil }
        }
        guard ok else { throw AffordError(.invalidConfig, "CURVE key is not valid Z85: \(z85.prefix(8))…") }
        bytes = decoded
    }

    init(bytes: [UInt8]) throws(AffordError) {
        guard bytes.count == 32 else { throw AffordError(.invalidConfig, "CURVE key must be 32 bytes, got \(bytes.count)") }
        self.bytes = bytes
    }

    /// The 40-character Z85 text.
    var z85: String {
        var text = [CChar](repeating: 0, count: 41)
        bytes.withUnsafeBufferPointer { _ = zmq_z85_encode(&text, $0.baseAddress, 32) }
        return String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Z85; never print secret keys.
    public var description: String { z85 }
}

/// A long-term CURVE key pair: the daemon's server identity.
public struct CurveKeyPair: Sendable, Equatable {
    public let publicKey: CurveKey
    let secretKey: CurveKey

    init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The pair for a secret key (the public half is derived from it).
    init(secretKey: CurveKey) throws(AffordError) {
        var publicText = [CChar](repeating: 0, count: 41)
        let secretText = Array(secretKey.z85.utf8CString)
        guard zmq_curve_public(&publicText, secretText) == 0 else {
            throw AffordError(.transport, "zmq_curve_public: \(String(cString: zmq_strerror(zmq_errno())))")
        }
        self.init(publicKey: try CurveKey(z85: string(fromCBuffer: publicText)), secretKey: secretKey)
    }

    /// A fresh random pair from zmq_curve_keypair.
    public static func generate() throws(AffordError) -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else {
            throw AffordError(.transport, "zmq_curve_keypair: \(String(cString: zmq_strerror(zmq_errno())))")
        }
        return CurveKeyPair(
            publicKey: try CurveKey(z85: string(fromCBuffer: publicText)),
            secretKey: try CurveKey(z85: string(fromCBuffer: secretText)))
    }
}
