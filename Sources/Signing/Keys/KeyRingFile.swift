import Foundation

/// The keys file (`MASTHEAD_KEYS`): the ring as JSON, readable by its owner only (mode 0600).
///
/// ```json
/// {"version": 1, "keys": [{"kid": "3fa9c1", "secret": "<base64>", "created_at": "2026-11-25T15:00:00Z", "state": "active"}]}
/// ```
public enum KeyRingFile {
    /// Why the keys file cannot be used; the message names the file and what to do.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case missing(path: String)
        case unreadable(path: String, reason: String)
        case malformed(path: String, reason: String)
        case readableByOthers(path: String, mode: String)
        case unwritable(path: String, reason: String)

        public var description: String {
            switch self {
            case .missing(let path): "keys file \(path) does not exist; create it with `masthead keys generate`"
            case .unreadable(let path, let reason): "cannot read keys file \(path): \(reason)"
            case .malformed(let path, let reason): "keys file \(path) is not a valid key ring: \(reason)"
            case .readableByOthers(let path, let mode):
                "keys file \(path) has mode \(mode) and can be read by other users; run `chmod 600 \(path)`"
            case .unwritable(let path, let reason): "cannot write keys file \(path): \(reason)"
            }
        }
    }

    /// Reads the ring; with `requirePrivate`, refuses a file that group or others can read.
    public static func load(path: String, requirePrivate: Bool) throws(Problem) -> KeyRing {
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
        do {
            let stored = try JSONDecoder.forKeys.decode(StoredRing.self, from: data)
            guard stored.version == 1 else { throw Problem.malformed(path: path, reason: "unknown version \(stored.version)") }
            return try KeyRing(keys: try stored.keys.map { try $0.key() })
        } catch let problem as Problem {
            throw problem
        } catch {
            throw .malformed(path: path, reason: String(describing: error))
        }
    }

    /// Writes the ring atomically (temporary file, then rename) with mode 0600.
    public static func save(_ ring: KeyRing, path: String) throws(Problem) {
        let stored = StoredRing(version: 1, keys: ring.keys.map(StoredKey.init))
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
        var keys: [StoredKey]
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
