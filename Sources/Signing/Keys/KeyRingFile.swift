import Foundation

/// The keys file (`MASTHEAD_KEYS`): the ring as JSON, readable by its owner only (mode 0600).
///
/// ```json
/// {"version": 1, "address_secret": "<base64>",
///  "keys": [{"kid": "3fa9c1", "secret": "<base64>", "created_at": "2026-11-25T15:00:00Z", "state": "active"}]}
/// ```
/// A file written before the address secret existed gets one the first time it is loaded
/// (``loadAddingAddressSecret(path:requirePrivate:)``); nothing else changes.
public enum KeyRingFile {
    /// Why the keys file cannot be used; the message names the file and what to do.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case missing(path: String)
        case unreadable(path: String, reason: String)
        case malformed(path: String, reason: String)
        case readableByOthers(path: String, mode: String)
        case unwritable(path: String, reason: String)
        case missingAddressSecret(path: String)

        public var description: String {
            switch self {
            case .missing(let path): "keys file \(path) does not exist; create it with `masthead keys generate`"
            case .unreadable(let path, let reason): "cannot read keys file \(path): \(reason)"
            case .malformed(let path, let reason): "keys file \(path) is not a valid key ring: \(reason)"
            case .readableByOthers(let path, let mode):
                "keys file \(path) has mode \(mode) and can be read by other users; run `chmod 600 \(path)`"
            case .unwritable(let path, let reason): "cannot write keys file \(path): \(reason)"
            case .missingAddressSecret(let path): "keys file \(path) has no address secret (an older file); masthead adds one when it loads it"
            }
        }
    }

    /// Reads the ring; with `requirePrivate`, refuses a file that group or others can read.
    public static func load(path: String, requirePrivate: Bool) throws(Problem) -> KeyRing {
        let stored = try read(path: path, requirePrivate: requirePrivate)
        guard let secret = stored.addressSecret else { throw .missingAddressSecret(path: path) }
        return try ring(stored.keys, addressSecret: secret, path: path)
    }

    /// Loads the ring; a file without an address secret gets one, saved in place (older files).
    public static func loadAddingAddressSecret(path: String, requirePrivate: Bool) throws(Problem) -> (ring: KeyRing, added: Bool) {
        let stored = try read(path: path, requirePrivate: requirePrivate)
        if let secret = stored.addressSecret { return (try ring(stored.keys, addressSecret: secret, path: path), false) }
        let secret: String
        do {
            secret = Data(try SecureRandom.bytes(count: SigningKey.secretLength)).base64EncodedString()
        } catch {
            throw .unwritable(path: path, reason: "no randomness for an address secret: \(error)")
        }
        let ring = try ring(stored.keys, addressSecret: secret, path: path)
        try save(ring, path: path)
        return (ring, true)
    }

    private static func read(path: String, requirePrivate: Bool) throws(Problem) -> StoredRing {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
        if requirePrivate, let mode = permissions(of: path), mode & 0o077 != 0 {
            throw .readableByOthers(path: path, mode: String(mode, radix: 8))
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        let stored: StoredRing
        do {
            stored = try JSONDecoder.forKeys.decode(StoredRing.self, from: data)
        } catch {
            throw .malformed(path: path, reason: String(describing: error))
        }
        guard stored.version == 1 else { throw .malformed(path: path, reason: "unknown version \(stored.version)") }
        return stored
    }

    private static func ring(_ keys: [StoredKey], addressSecret: String, path: String) throws(Problem) -> KeyRing {
        do {
            guard let bytes = Data(base64Encoded: addressSecret) else { throw BadSecret(kid: "address secret") }
            return try KeyRing(keys: try keys.map { try $0.key() }, addressSecret: [UInt8](bytes))
        } catch {
            throw .malformed(path: path, reason: String(describing: error))
        }
    }

    /// Writes the ring atomically (temporary file, then rename) with mode 0600.
    public static func save(_ ring: KeyRing, path: String) throws(Problem) {
        let stored = StoredRing(
            version: 1, addressSecret: Data(ring.addressSecret).base64EncodedString(), keys: ring.keys.map(StoredKey.init))
        do {
            let data = try JSONEncoder.forKeys.encode(stored)
            let temporary = path + ".tmp-\(getpid())"
            guard FileManager.default.createFile(
                atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw Problem.unwritable(path: path, reason: "cannot create \(temporary)") }
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw Problem.unwritable(path: path, reason: reason)
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
    }

    private static func permissions(of path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    private struct BadSecret: Error, CustomStringConvertible {
        let kid: String
        var description: String { "the secret of key \(kid) is not base64" }
    }

    private struct StoredRing: Codable {
        var version: Int
        var addressSecret: String?
        var keys: [StoredKey]

        enum CodingKeys: String, CodingKey {
            case version, keys
            case addressSecret = "address_secret"
        }
    }

    private struct StoredKey: Codable {
        var kid: String
        var secret: String
        var createdAt: Date
        var state: SigningKey.State

        enum CodingKeys: String, CodingKey {
            case kid, secret, state
            case createdAt = "created_at"
        }

        init(_ key: SigningKey) {
            kid = key.kid
            secret = Data(key.secret).base64EncodedString()
            createdAt = key.createdAt
            state = key.state
        }

        func key() throws -> SigningKey {
            guard let bytes = Data(base64Encoded: secret) else { throw BadSecret(kid: kid) }
            return SigningKey(kid: kid, secret: [UInt8](bytes), createdAt: createdAt, state: state)
        }
    }
}

extension JSONEncoder {
    fileprivate static var forKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    fileprivate static var forKeys: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
