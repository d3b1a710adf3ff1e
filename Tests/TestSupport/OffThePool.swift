import Foundation

/// Runs blocking work (waiting for a process, a file lock, a server to start) on a thread of its
/// own, so the async tests beside it keep the 2-core machine's two cooperative threads: a test
/// that held one for as long as a program ran stalled every other test (a 1 s timeout once
/// took 70 s under CI).
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
