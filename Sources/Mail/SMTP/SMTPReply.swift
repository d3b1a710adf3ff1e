/// One SMTP reply (RFC 5321 §4.2): a three-digit code and one or more lines of text, with the
/// enhanced status code (RFC 3463) when the server gives one.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    /// The reply code, e.g. 250.
    public var code: Int
    /// The text of each line, without the code and separator.
    public var lines: [String]

    /// Creates a reply.
    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// `2.1.5`, `5.7.1`… when the first line starts with one.
    public var enhancedCode: String? {
        guard let first = lines.first, let token = first.split(separator: " ", maxSplits: 1).first else { return nil }
        let parts = token.split(separator: ".")
        guard parts.count == 3, let kind = parts.first, ["2", "4", "5"].contains(kind),
            parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) })
        else { return nil }
        return String(token)
    }

    /// 2xx: the command succeeded.
    public var isPositive: Bool { (200..<300).contains(code) }
    /// 3xx: go on (334 during AUTH, 354 after DATA).
    public var isIntermediate: Bool { (300..<400).contains(code) }

    /// A failure worth retrying: 4xx, unless the enhanced code says the failure is permanent,
    /// and a 5xx whose enhanced code says it is transient (RFC 3463 §3.1: its class decides).
    public var isTransientFailure: Bool {
        if let kind = enhancedCode?.first { return kind == "4" }
        return (400..<500).contains(code)
    }

    public var description: String {
        "\(code) " + lines.joined(separator: " / ")
    }
}
