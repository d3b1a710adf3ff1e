public import Foundation

/// The VERP return path of one message, `bounces+<token>@DOMAIN`: a bounce or complaint sent
/// to it names the message it is about, without trusting anything else the report says.
///
/// The token is lower-case base32 (MTAs may fold the case of a local part) of a compact record —
/// version, the outbox row's id, the day it was sent, a 4-byte keyed hash of the recipient (so
/// a reused row id cannot point at someone else) — and 80 bits of its HMAC-SHA256. With the
/// `bounces+` prefix it is about 45 characters, within SMTP's 64 for a local part. It is keyed
/// with the keys file's address secret (never rotated: a bounce may arrive days after the send).
///
/// ```swift
/// let verp = BounceAddress(secret: keys.addressSecret)
/// let path = verp.returnPath(outboxID: 41, recipient: "anna@example.org", domain: "news.example.org", at: now)
/// let opened = verp.open(path, at: later)   // (outboxID: 41, binding), or nil when forged or stale
/// ```
public struct BounceAddress: Sendable {
    let secret: [UInt8]
    /// How long after the send a report is believed.
    public let lifetime: TimeInterval

    public static let localPrefix = "bounces+"
    private static let version: UInt8 = 1
    private static let macLength = 10
    private static let bindingLength = 4
    private static let tokenContext = Array("masthead/verp/v1\u{0}".utf8)
    private static let bindingContext = Array("masthead/verp-recipient/v1\u{0}".utf8)

    public init(secret: [UInt8], lifetime: TimeInterval = 30 * 86_400) {
        self.secret = secret
        self.lifetime = lifetime
    }

    /// What a token names once its signature and age are checked.
    public struct Opened: Sendable, Equatable {
        public let outboxID: Int64
        let binding: [UInt8]
    }

    /// `bounces+<token>@domain` for the message of outbox row `outboxID` to `recipient`.
    public func returnPath(outboxID: Int64, recipient: String, domain: String, at time: Date) -> String {
        var record: [UInt8] = [Self.version]
        var remaining = UInt64(bitPattern: outboxID)
        repeat {
            let low = UInt8(remaining & 0x7F)
            remaining >>= 7
            record.append(remaining == 0 ? low : low | 0x80)
        } while remaining != 0
        let day = Self.day(time)
        record += [UInt8(day >> 8), UInt8(day & 0xFF)] + binding(recipient)
        record += mac(record)
        return Self.localPrefix + Base32.encode(record) + "@" + domain
    }

    /// The message a return path (or its token alone) names; nil when it is not one of ours,
    /// was altered, or is older than ``lifetime``.
    public func open(_ address: String, at time: Date) -> Opened? {
        var token = Substring(address.split(separator: "@").first ?? "")
        if token.lowercased().hasPrefix(Self.localPrefix) { token = token.dropFirst(Self.localPrefix.count) }
        guard let bytes = Base32.decode(token.lowercased()), bytes.count > Self.macLength + 3, bytes.first == Self.version else { return nil }
        let record = Array(bytes.dropLast(Self.macLength))
        guard HMACSHA256.constantTimeEquals(mac(record), bytes.suffix(Self.macLength)) else { return nil }
        var index = 1
        var id: UInt64 = 0
        var shift: UInt64 = 0
        while index < record.count, shift < 63 {
            let byte = record[index]
            index += 1
            id |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard record.count - index == 2 + Self.bindingLength else { return nil }
        let sent = UInt16(record[index]) << 8 | UInt16(record[index + 1])
        // Days since 1970 modulo 2^16: the difference is right for 179 years either way.
        let age = Double(Self.day(time) &- sent) * 86_400
        guard age <= lifetime else { return nil }
        return Opened(outboxID: Int64(bitPattern: id), binding: Array(record.suffix(Self.bindingLength)))
    }

    /// Whether an opened token was made for `recipient` (constant-time).
    public func isBound(_ opened: Opened, to recipient: String) -> Bool {
        HMACSHA256.constantTimeEquals(binding(recipient), opened.binding)
    }

    private func binding(_ recipient: String) -> [UInt8] {
        Array(HMACSHA256.authenticate(Self.bindingContext + Array(recipient.lowercased().utf8), key: secret).prefix(Self.bindingLength))
    }

    private func mac(_ record: [UInt8]) -> [UInt8] {
        Array(HMACSHA256.authenticate(Self.tokenContext + record, key: secret).prefix(Self.macLength))
    }

    private static func day(_ time: Date) -> UInt16 {
        UInt16(truncatingIfNeeded: Int64((time.timeIntervalSince1970 / 86_400).rounded(.down)))
    }
}

/// Lower-case base32 without padding (RFC 4648 §6 alphabet), for tokens in local parts.
enum Base32 {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int(buffer >> UInt32(bits - 5) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8(buffer >> UInt32(bits - 8) & 0xFF))
                bits -= 8
            }
        }
        // Leftover bits must be zero padding, so each byte string has one spelling.
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }
}
