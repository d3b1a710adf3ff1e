import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One open, greeted (and, where configured, secured and authenticated) SMTP session.
///
/// ```swift
/// let connection = try await SMTPConnection.open(configuration, on: group)
/// try await connection.send(sender: "news@example.org", recipient: "anna@example.org", body: bytes, requiresSMTPUTF8: false)
/// await connection.quit()
/// ```
final class SMTPConnection: Sendable {
    let channel: any Channel
    let capabilities: SMTPCapabilities
    /// When the connection was last handed back to the pool.
    let openedAt: ContinuousClock.Instant

    private init(channel: any Channel, capabilities: SMTPCapabilities) {
        self.channel = channel
        self.capabilities = capabilities
        self.openedAt = .now
    }

    /// Connects, reads the greeting, says EHLO, upgrades with STARTTLS and authenticates as configured.
    static func open(_ configuration: SMTPConfiguration, on group: any EventLoopGroup) async throws(MailerError) -> SMTPConnection {
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = configuration.security == .none ? nil : try makeTLSContext(configuration)
        } catch {
            throw .relayUnavailable("cannot set up TLS: \(error)")
        }
        let loop = group.next()
        let connected = loop.makePromise(of: SMTPCapabilities.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(Int64(min(30, configuration.timeout(.seconds(30)).components.seconds))))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    if configuration.security == .implicit, let tlsContext {
                        try operations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: configuration.host))
                    }
                    try operations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    try operations.addHandler(MessageToByteHandler(SMTPCommandEncoder()))
                    try operations.addHandler(
                        SMTPClientHandler(configuration: configuration, tlsContext: tlsContext, connected: connected))
                }
            }
        // Nothing in opening a session depends on the message: a transient failure here is
        // the relay's, and every message would meet it.
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            connected.fail(error)
            throw .relayUnavailable("cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
        do {
            return SMTPConnection(channel: channel, capabilities: try await connected.futureResult.get())
        } catch let error as MailerError {
            if error.isPermanent { throw error }
            throw .relayUnavailable(error.reason)
        } catch {
            throw .relayUnavailable("SMTP session failed: \(error)")
        }
    }

    /// Sends one message; returns when the server accepted it (250 after the data).
    func send(sender: String, recipient: String, body: [UInt8], requiresSMTPUTF8: Bool) async throws(MailerError) {
        let done = channel.eventLoop.makePromise(of: Void.self)
        let envelope = SMTPClientStateMachine.Envelope(
            sender: sender, recipient: recipient, body: body, requiresSMTPUTF8: requiresSMTPUTF8)
        // If the channel is already closed the request never reaches the handler: fail it here.
        channel.writeAndFlush(SMTPClientRequest.send(envelope, done)).whenFailure { done.fail($0) }
        do {
            try await done.futureResult.get()
        } catch let error as MailerError {
            throw error
        } catch {
            throw .transient("\(error)")
        }
    }

    /// True while the connection can take another message.
    var isActive: Bool { channel.isActive }

    /// Says QUIT and closes.
    func quit() async {
        let done = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(SMTPClientRequest.quit(done)).whenFailure { done.fail($0) }
        _ = try? await done.futureResult.get()
        _ = try? await channel.close()
    }

    private static func makeTLSContext(_ configuration: SMTPConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = configuration.certificateAuthorityFile { tls.additionalTrustRoots = [.file(ca)] }
        return try NIOSSLContext(configuration: tls)
    }
}
