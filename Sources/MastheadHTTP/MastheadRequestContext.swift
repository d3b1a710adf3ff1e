public import AdminAccess
public import DNSLookup
public import Hummingbird
public import MastheadSettings
public import NIOCore

/// The per-request state our middleware and routes share.
public struct MastheadRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket peer (a proxy, when behind nginx).
    public let remoteAddress: SocketAddress?
    /// The request id echoed in `X-Request-Id` and every log line of the request.
    public var requestID: String
    /// The reader's address: the peer, or the right-most untrusted forwarded address.
    public var clientAddress: IPAddress?
    /// The admin API token the request authenticated with (`/admin/v1/…` only).
    public var adminToken: AdminToken?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.requestID = ""
        self.clientAddress = nil
        self.adminToken = nil
    }
}
