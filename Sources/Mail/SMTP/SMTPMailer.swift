import Foundation
public import NIOCore
public import NIOPosix

/// Delivers through an SMTP server, keeping a small pool of open, authenticated connections and
/// sending many messages over each.
///
/// A connection that breaks is dropped; a message that failed because a *reused* connection had
/// gone stale (servers close idle sessions) is tried once more on a fresh one. Replies decide
/// the rest: 4xx and network trouble are transient, 5xx permanent (unless the enhanced status
/// code says otherwise).
public final class SMTPMailer: Mailer {
    /// The parsed configuration.
    public let configuration: SMTPConfiguration
    private let pool: SMTPConnectionPool

    /// Creates a mailer; no connection is opened until the first message.
    public init(configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.pool = SMTPConnectionPool(configuration: configuration, group: group)
    }

    public func deliver(_ delivery: Delivery) async throws(MailerError) {
        var connection = try await pool.checkOut()
        do {
            try await connection.send(delivery)
            await pool.checkIn(connection.connection, reusable: true)
        } catch {
            await pool.checkIn(connection.connection, reusable: error.isPermanent && connection.connection.isActive)
            guard !error.isPermanent, connection.wasReused else { throw error }
            // A stale pooled session: one more try on a fresh connection.
            connection = try await pool.checkOut(fresh: true)
            do {
                try await connection.send(delivery)
                await pool.checkIn(connection.connection, reusable: true)
            } catch {
                await pool.checkIn(connection.connection, reusable: error.isPermanent && connection.connection.isActive)
                throw error
            }
        }
    }

    /// Closes every pooled connection (QUIT).
    public func shutdown() async {
        await pool.drain()
    }
}

/// A connection on loan from the pool.
struct PooledConnection: Sendable {
    let connection: SMTPConnection
    let wasReused: Bool

    func send(_ delivery: Delivery) async throws(MailerError) {
        try await connection.send(
            sender: delivery.sender, recipient: delivery.recipient, body: delivery.data,
            requiresSMTPUTF8: delivery.requiresSMTPUTF8)
    }
}

/// At most `poolSize` connections; idle ones are reused, waiting callers are served in order.
/// When every connection is busy, a connection whose server pipelines takes a second message
/// behind the one it carries (`SMTPClientStateMachine.accept`): each message then costs the
/// connection one round trip instead of two.
actor SMTPConnectionPool {
    private let configuration: SMTPConfiguration
    private let group: any EventLoopGroup
    private var idle: [(connection: SMTPConnection, since: ContinuousClock.Instant)] = []
    private var open = 0
    /// Connections on loan, with how many messages each carries (one, or two when pipelined).
    private var lent: [ObjectIdentifier: (connection: SMTPConnection, messages: Int)] = [:]
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Idle sessions older than this are closed rather than reused (servers drop them anyway).
    static let idleLimit: Duration = .seconds(30)

    init(configuration: SMTPConfiguration, group: any EventLoopGroup) {
        self.configuration = configuration
        self.group = group
    }

    func checkOut(fresh: Bool = false) async throws(MailerError) -> PooledConnection {
        while true {
            if !fresh, let (connection, since) = idle.popLast() {
                if connection.isActive, ContinuousClock.now - since < Self.idleLimit {
                    return lend(connection, wasReused: true)
                }
                open -= 1
                Task { await connection.quit() }
                continue
            }
            if open < configuration.poolSize {
                open += 1
                do {
                    return lend(try await SMTPConnection.open(configuration, on: group), wasReused: false)
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            if !fresh, let (connection, _) = lent.values.first(where: {
                $0.messages == 1 && $0.connection.capabilities.pipelining && $0.connection.isActive
            }) {
                return lend(connection, wasReused: true)
            }
            if fresh, let (connection, _) = idle.popLast() {
                // Make room for the fresh connection by retiring an idle one.
                open -= 1
                Task { await connection.quit() }
                continue
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func lend(_ connection: SMTPConnection, wasReused: Bool) -> PooledConnection {
        lent[ObjectIdentifier(connection), default: (connection, 0)].messages += 1
        return PooledConnection(connection: connection, wasReused: wasReused)
    }

    func checkIn(_ connection: SMTPConnection, reusable: Bool) {
        let key = ObjectIdentifier(connection)
        if let loan = lent[key], loan.messages > 1 {
            // The other message on it is still under way; the last one back decides its fate.
            lent[key]?.messages -= 1
            wakeOne()
            return
        }
        lent[key] = nil
        if reusable, connection.isActive {
            idle.append((connection, .now))
        } else {
            open -= 1
            Task { await connection.quit() }
        }
        wakeOne()
    }

    func drain() async {
        let closing = idle.map(\.connection)
        idle.removeAll()
        open -= closing.count
        for connection in closing { await connection.quit() }
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
