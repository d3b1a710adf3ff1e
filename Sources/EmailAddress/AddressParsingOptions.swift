/// Legal but unusual forms a caller may choose to accept. Both are refused by default:
/// they are rare in real sign-ups and common in abuse.
public struct AddressParsingOptions: Sendable, Hashable {
    /// Accept `"john doe"@example.org` (RFC 5321 Quoted-string).
    public var allowsQuotedLocalPart: Bool
    /// Accept `anna@[192.0.2.1]` and `anna@[IPv6:2001:db8::1]`.
    public var allowsDomainLiteral: Bool

    /// Creates options; both forms refused unless asked for.
    public init(allowsQuotedLocalPart: Bool = false, allowsDomainLiteral: Bool = false) {
        self.allowsQuotedLocalPart = allowsQuotedLocalPart
        self.allowsDomainLiteral = allowsDomainLiteral
    }

    /// The strict default.
    public static let strict = AddressParsingOptions()
}
