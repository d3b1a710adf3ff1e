/// A name and an address, as in `Ukraine Daily <news@example.org>`.
public struct Mailbox: Sendable, Hashable, CustomStringConvertible {
    /// The name people see, if any.
    public var displayName: String?
    /// The address as SMTP uses it: local part as typed, A-label domain.
    public var address: String

    /// Creates a mailbox.
    public init(_ address: String, displayName: String? = nil) {
        self.address = address
        self.displayName = displayName
    }

    /// True when the local part has non-ASCII characters (delivery needs SMTPUTF8).
    public var requiresSMTPUTF8: Bool { !address.utf8.allSatisfy { $0 < 0x80 } }

    /// The domain after the last `@`, for Message-IDs and the like.
    public var domain: String { address.split(separator: "@").last.map(String.init) ?? address }

    public var description: String { displayName.map { "\($0) <\(address)>" } ?? address }
}
