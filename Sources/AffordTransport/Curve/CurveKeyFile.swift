import AffordCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing CURVE keys as text files.
///
/// Accepted layouts, one key each: a bare 40-character Z85 line (`#` comments
/// allowed); `curve_keygen`'s output (`== CURVE SECRET KEY ==` then the key);
/// czmq zcert lines `public-key = "…"` / `secret-key = "…"`.
public enum CurveKeyFile {
    enum Kind: String, Sendable { case `public`, secret }

    /// The key of `kind` in `text`; `source` names the file in errors.
    static func parse(_ text: String, kind: Kind, source: String) throws(AffordError) -> CurveKey {
        var bare: [String] = []
        var headerKind: Kind?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("==") {
                headerKind = line.uppercased().contains("SECRET") ? .secret : .public
                continue
            }
            if let (name, value) = zcertField(line) {
                if name == "\(kind.rawValue)-key" { return try key(value, source) }
                continue
            }
            if let headerKind {
                if headerKind == kind { return try key(line, source) }
                continue
            }
            bare.append(line)
        }
        guard bare.count == 1, let only = bare.first else {
            throw AffordError(.invalidConfig, "\(source): expected one \(kind.rawValue) CURVE key, found \(bare.count)")
        }
        return try key(only, source)
    }

    /// Loads the daemon's key pair from its secret key file.
    public static func loadKeyPair(secretKeyFile path: String) throws(AffordError) -> CurveKeyPair {
        try CurveKeyPair(secretKey: parse(try read(path), kind: .secret, source: path))
    }

    /// Loads one public key file (a server's `.key`, a controller's).
    public static func loadPublicKey(file path: String) throws(AffordError) -> CurveKey {
        try parse(try read(path), kind: .public, source: path)
    }

    /// Loads allowed client public keys: a file with one key a line, or a
    /// directory whose `*.key` / `*.pub` files hold one public key each.
    public static func loadPublicKeys(at path: String) throws(AffordError) -> [CurveKey] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AffordError(.io, "\(path): no such CURVE key file or directory")
        }
        if isDirectory.boolValue {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path).sorted() } catch {
                throw AffordError(.io, "\(path): \(error)")
            }
            var keys: [CurveKey] = []
            for name in names where name.hasSuffix(".key") || name.hasSuffix(".pub") {
                let file = path + "/" + name
                keys.append(try parse(try read(file), kind: .public, source: file))
            }
            return keys
        }
        var keys: [CurveKey] = []
        for (number, rawLine) in try read(path).split(whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            keys.append(try key(line, "\(path):\(number + 1)"))
        }
        return keys
    }

    /// Writes `pair` as `<basename>.key` (public, 0644) and `<basename>.key_secret`
    /// (secret, 0600, created with that mode so it is never world-readable).
    /// Refuses to overwrite either file. Backs `affordd keygen`.
    @discardableResult
    public static func write(_ pair: CurveKeyPair, basename: String) throws(AffordError) -> (publicFile: String, secretFile: String) {
        let publicFile = basename + ".key"
        let secretFile = basename + ".key_secret"
        try create(secretFile, mode: 0o600, contents: """
            # affordd CURVE secret key (Z85). Keep private; the daemon reads it via its config.
            == CURVE SECRET KEY ==
            \(pair.secretKey.z85)

            """)
        try create(publicFile, mode: 0o644, contents: """
            # affordd CURVE public key (Z85): give this to subscribers and controllers.
            \(pair.publicKey.z85)

            """)
        return (publicFile, secretFile)
    }

    private static func key(_ text: String, _ source: String) throws(AffordError) -> CurveKey {
        do { return try CurveKey(z85: text) } catch { throw AffordError(.invalidConfig, "\(source): \(error.message)") }
    }

    private static func zcertField(_ line: String) -> (String, String)? {
        let parts = line.split(separator: "=", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        guard name == "public-key" || name == "secret-key" else { return nil }
        let value = parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return (name, value)
    }

    private static func read(_ path: String) throws(AffordError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AffordError(.io, "\(path): cannot read CURVE key file")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func create(_ path: String, mode: mode_t, contents: String) throws(AffordError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AffordError(.io, "open(\(path)): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw AffordError(.io, "write(\(path)): \(String(cString: strerror(errno)))") }
    }
}
