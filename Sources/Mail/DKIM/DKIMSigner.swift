public import Foundation
public import Signing

/// Signs outgoing messages with DKIM (RFC 6376): one `DKIM-Signature` per key, rsa-sha256 and
/// ed25519-sha256 (RFC 8463) side by side when both are configured, relaxed/relaxed, over the
/// headers receivers and RFC 8058 care about. The delivery worker seals each rendered message
/// with it just before handing it to the mailer.
///
/// ```swift
/// let signer = DKIMSigner(domain: "news.example.org", keys: [.init(selector: "s2026", key: try PrivateSigningKey(pem: pem))])
/// let signed = signer.sign(MIMERenderer.render(message), at: Date())
/// ```
public struct DKIMSigner: Sendable {
    /// A key and the selector its public half is published under (`SELECTOR._domainkey.DOMAIN`).
    public struct Key: Sendable {
        public var selector: String
        public var key: PrivateSigningKey

        public init(selector: String, key: PrivateSigningKey) {
            self.selector = selector
            self.key = key
        }
    }

    /// The signing domain (`d=`); aligned with the From domain for DMARC.
    public let domain: String
    public let keys: [Key]

    /// The fields signed, when present: what a reader sees and what unsubscribing depends on.
    /// From is listed twice (oversigned), so a second From added on the way breaks the signature.
    static let signedFields = [
        "from", "from", "to", "subject", "date", "message-id", "mime-version", "content-type", "content-transfer-encoding",
        "reply-to", "list-id", "list-unsubscribe", "list-unsubscribe-post", "auto-submitted",
    ]

    public init(domain: String, keys: [Key]) {
        self.domain = domain
        self.keys = keys
    }

    /// `message` with a `DKIM-Signature` field per key in front of it.
    public func sign(_ message: [UInt8], at time: Date) -> [UInt8] {
        let (fields, body) = DKIMCanonicalization.split(message)
        let bodyHash = SHA256Digest.hash(DKIMCanonicalization.body(body)).base64
        let byName = Dictionary(grouping: fields, by: DKIMCanonicalization.name)
        let names = Self.signedFields.filter { byName[$0] != nil }
        // The fields in the order `h=` names them, each found from the bottom (RFC 6376 §5.4.2);
        // an oversigned name with no further instance adds nothing.
        var signedData: [UInt8] = []
        var used: [String: Int] = [:]
        for name in names {
            let instances = byName[name] ?? []
            let seen = used[name, default: 0]
            used[name] = seen + 1
            guard seen < instances.count else { continue }
            signedData += DKIMCanonicalization.header(instances[instances.count - 1 - seen]) + [0x0D, 0x0A]
        }
        var output: [UInt8] = []
        for entry in keys {
            let algorithm = entry.key.kind == .rsa ? "rsa-sha256" : "ed25519-sha256"
            let unsigned = "DKIM-Signature: v=1; a=\(algorithm); c=relaxed/relaxed;\r\n"
                + "\td=\(domain); s=\(entry.selector); t=\(Int(time.timeIntervalSince1970));\r\n"
                + "\th=\(Self.foldList(names));\r\n\tbh=\(bodyHash);\r\n\tb="
            let data = signedData + DKIMCanonicalization.header(Array(unsigned.utf8)[...])
            let signature = entry.key.kind == .rsa ? entry.key.sign(data) : entry.key.sign(SHA256Digest.hash(data))
            output += Array((unsigned + Self.fold(signature.base64) + "\r\n").utf8)
        }
        return output + message
    }

    /// `h=`'s names joined by colons, a line break after a colon before a line passes 70.
    static func foldList(_ names: [String]) -> String {
        var text = ""
        var line = 3  // "\th="
        for (index, name) in names.enumerated() {
            let piece = index == 0 ? name : ":" + name
            if line + piece.count > 70 {
                text += ":\r\n\t" + name
                line = 1 + name.count
            } else {
                text += piece
                line += piece.count
            }
        }
        return text
    }

    /// Base64 in lines of 72, each continuation starting with a tab (whitespace in `b=` is ignored).
    static func fold(_ text: String) -> String {
        var lines: [Substring] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            lines.append(rest.prefix(72))
            rest = rest.dropFirst(72)
        }
        return lines.joined(separator: "\r\n\t ")
    }

    /// The TXT record that publishes `key` (`v=DKIM1; k=rsa; p=…`).
    public static func dnsRecord(for key: PrivateSigningKey) -> String {
        "v=DKIM1; k=\(key.kind == .rsa ? "rsa" : "ed25519"); p=\(key.publicKeyBase64)"
    }
}

extension Array where Element == UInt8 {
    fileprivate var base64: String { Data(self).base64EncodedString() }
}
