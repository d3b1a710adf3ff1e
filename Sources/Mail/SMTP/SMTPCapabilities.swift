/// What a server offers, from its EHLO reply (RFC 5321 §4.1.1.1 and the extension RFCs).
public struct SMTPCapabilities: Sendable, Equatable {
    /// RFC 3207.
    public var startTLS = false
    /// RFC 2920: commands may be sent without waiting for each reply.
    public var pipelining = false
    /// RFC 6152.
    public var eightBitMIME = false
    /// RFC 6531: internationalised addresses.
    public var smtpUTF8 = false
    /// RFC 2034.
    public var enhancedStatusCodes = false
    /// RFC 1870: the largest message accepted (0 means no stated limit).
    public var maximumSize: Int?
    /// RFC 4954: SASL mechanisms, upper case.
    public var authMechanisms: Set<String> = []

    /// No extensions (a HELO session).
    public init() {}

    /// Parses the lines of a 250 reply to EHLO; the first line is the server's greeting.
    public init(ehloLines: [String]) {
        for line in ehloLines.dropFirst() {
            let words = line.uppercased().split(separator: " ")
            guard let keyword = words.first else { continue }
            switch keyword {
            case "STARTTLS": startTLS = true
            case "PIPELINING": pipelining = true
            case "8BITMIME": eightBitMIME = true
            case "SMTPUTF8": smtpUTF8 = true
            case "ENHANCEDSTATUSCODES": enhancedStatusCodes = true
            case "SIZE": maximumSize = words.count > 1 ? Int(words[1]) : 0
            case "AUTH": authMechanisms.formUnion(words.dropFirst().map(String.init))
            default:
                // Some old servers announce "AUTH=LOGIN PLAIN".
                if keyword.hasPrefix("AUTH=") {
                    authMechanisms.insert(String(keyword.dropFirst(5)))
                    authMechanisms.formUnion(words.dropFirst().map(String.init))
                }
            }
        }
    }
}
