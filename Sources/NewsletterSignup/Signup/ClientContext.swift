/// Where a request came from, as the consent record keeps it.
public struct ClientContext: Sendable, Equatable {
    /// The reader's address as resolved behind trusted proxies.
    public var ipAddress: String?
    /// The `User-Agent` header, cut to a sane length.
    public var userAgent: String?

    /// Longest user agent kept; longer ones are cut (they are evidence, not input).
    public static let maximumUserAgentLength = 512

    /// Creates a context.
    public init(ipAddress: String?, userAgent: String?) {
        self.ipAddress = ipAddress
        self.userAgent = userAgent.map { String($0.prefix(Self.maximumUserAgentLength)) }
    }
}
