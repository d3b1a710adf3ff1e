import Foundation
import PostgresNIO
import Synchronization

/// Ends a store operation when its connection closes under it.
///
/// postgres-nio 1.33.2 sends a query by writing to the connection's channel without a promise:
/// when the channel has closed in between (the server cut the connection, and the pool handed
/// it out again before it learned so), the query is dropped and its `await` never ends, not even
/// when the task is cancelled. Seen after `pg_terminate_backend` under load: a sign-up hung for
/// good. So each operation runs in a task of its own, and a close of its connection ends the
/// wait with ``ConnectionLostDuringOperation`` (a 503: whether a COMMIT already sent took effect
/// cannot be known, so it is not tried again); the lost query's task is left behind, suspended,
/// holding nothing the pool still counts.
final class ConnectionCloseWatch: Sendable {
    /// One signal per open connection, made when the connection is first used and dropped when it closes.
    private let signals = Mutex<[Int: CloseSignal]>([:])

    /// Runs `body`, or throws ``ConnectionLostDuringOperation`` as soon as `connection` closes while it runs.
    func run<T: Sendable>(on connection: PostgresConnection, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let signal = signal(for: connection)
        let outcome = Outcome<T>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.set(continuation)
            guard let token = signal.add({ outcome.resume(with: .failure(ConnectionLostDuringOperation())) }) else {
                // Closed before anything was sent: safe to try another connection.
                outcome.resume(with: .failure(ClosedConnection()))
                return
            }
            Task {
                let result: Result<T, any Error>
                do {
                    result = .success(try await body())
                } catch {
                    result = .failure(error)
                }
                signal.remove(token)
                outcome.resume(with: result)
            }
        }
    }

    private func signal(for connection: PostgresConnection) -> CloseSignal {
        let (signal, isNew) = signals.withLock { signals -> (CloseSignal, Bool) in
            if let signal = signals[connection.id] { return (signal, false) }
            let signal = CloseSignal()
            signals[connection.id] = signal
            return (signal, true)
        }
        if isNew {
            connection.closeFuture.whenComplete { [weak self] _ in
                signal.fire()
                _ = self?.signals.withLock { $0.removeValue(forKey: connection.id) }
            }
        }
        return signal
    }
}

/// The connection closed while an operation on it was waiting for the server.
struct ConnectionLostDuringOperation: Error, CustomStringConvertible {
    var description: String { "the database connection closed during the operation" }
}

/// The waiters of one connection's close.
private final class CloseSignal: Sendable {
    private struct State {
        var closed = false
        var next: UInt64 = 0
        var waiters: [UInt64: @Sendable () -> Void] = [:]
    }
    private let state = Mutex(State())

    /// Registers `waiter`; nil when the connection has already closed.
    func add(_ waiter: @escaping @Sendable () -> Void) -> UInt64? {
        state.withLock { state in
            guard !state.closed else { return nil }
            state.next += 1
            state.waiters[state.next] = waiter
            return state.next
        }
    }

    func remove(_ token: UInt64) {
        _ = state.withLock { $0.waiters.removeValue(forKey: token) }
    }

    func fire() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter() }
    }
}

/// A continuation resumed once, by whichever of the operation and the close comes first.
private final class Outcome<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
