public import Foundation

/// Payment-provider webhook signatures in Stripe's format:
/// `Stripe-Signature: t=1732546800,v1=5257a869…` where each `v1` is the hex HMAC-SHA256 of
/// `"<t>.<raw body>"` under an endpoint secret.
///
/// Several `v1` values are accepted (a provider rolling its secret sends one per secret), other
/// schemes (`v0`) are ignored, and a timestamp outside the tolerance is refused as stale so a
/// captured request cannot be replayed later. Replays inside the window are the caller's job:
/// it records each event id once.
public enum WebhookSignature {
    /// The default tolerance between the signed time and now, either way.
    public static let defaultTolerance: Duration = .seconds(300)

    /// Why a signature header was refused.
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        /// The header is not `key=value` pairs with one integer `t`.
        case malformedHeader
        /// No `v1` signature in the header.
        case noSignature
        /// The signed time is outside the tolerance.
        case stale
        /// No `v1` matches any of our secrets.
        case badSignature

        public var description: String {
            switch self {
            case .malformedHeader: "malformed signature header"
            case .noSignature: "no v1 signature"
            case .stale: "signature timestamp outside the tolerance"
            case .badSignature: "no signature matches"
            }
        }
    }

    /// The header value for `payload` signed with `secret` at `time` (tests and the simulated provider).
    public static func header(for payload: some ContiguousBytes, secret: [UInt8], at time: Date) -> String {
        let timestamp = Int64(time.timeIntervalSince1970.rounded(.down))
        return "t=\(timestamp),v1=\(hex(signature(payload, timestamp: timestamp, secret: secret)))"
    }

    /// `text` without the spaces and tabs around it: the header's optional white space (RFC 9110
    /// §5.6.3). Foundation's `trimmingCharacters(in:)` cost about 8 µs a webhook.
    static func trimmingBlanks(_ text: Substring) -> Substring {
        let isBlank = { (character: Character) in character == " " || character == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return text[first...last]
    }

    /// Checks the header against the raw body; returns the signed time.
    public static func verify(
        header: String, payload: some ContiguousBytes, secrets: [[UInt8]], at now: Date,
        tolerance: Duration = defaultTolerance
    ) throws(Rejection) -> Date {
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for element in header.split(separator: ",") {
            let pair = element.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw .malformedHeader }
            let key = trimmingBlanks(pair[0])
            let value = trimmingBlanks(pair[1])
            switch key {
            case "t":
                guard timestamp == nil, let parsed = Int64(value), parsed >= 0 else { throw .malformedHeader }
                timestamp = parsed
            case "v1":
                // A v1 that is not 64 hex digits can match nothing; it is skipped like an unknown scheme.
                if let bytes = unhex(value), bytes.count == HMACSHA256.length { signatures.append(bytes) }
            default:
                continue
            }
        }
        guard let timestamp else { throw .malformedHeader }
        guard !signatures.isEmpty else { throw .noSignature }
        let age = now.timeIntervalSince1970 - Double(timestamp)
        guard abs(age) <= Double(tolerance.components.seconds) else { throw .stale }
        for secret in secrets {
            let expected = signature(payload, timestamp: timestamp, secret: secret)
            // Compare against every candidate so timing does not reveal which one matched.
            var matched = false
            for candidate in signatures where HMACSHA256.constantTimeEquals(expected, candidate) { matched = true }
            if matched { return Date(timeIntervalSince1970: Double(timestamp)) }
        }
        throw .badSignature
    }

    private static func signature(_ payload: some ContiguousBytes, timestamp: Int64, secret: [UInt8]) -> [UInt8] {
        var message = Array("\(timestamp).".utf8)
        payload.withUnsafeBytes { message.append(contentsOf: $0) }
        return HMACSHA256.authenticate(message, key: secret)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func unhex(_ text: some StringProtocol) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        func value(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x61...0x66: byte - 0x61 + 10
            case 0x41...0x46: byte - 0x41 + 10
            default: nil
            }
        }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count / 2)
        var index = 0
        while index < bytes.count {
            guard let high = value(bytes[index]), let low = value(bytes[index + 1]) else { return nil }
            output.append(high << 4 | low)
            index += 2
        }
        return output
    }
}
