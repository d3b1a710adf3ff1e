import Foundation
import Synchronization

/// A step that did not finish within its deadline.
public struct StepTimedOut: Error, CustomStringConvertible {
    public let step: String
    public let seconds: Int
    public var description: String { "\(step) did not finish within \(seconds) s" }
}

/// Runs `body`, or throws ``StepTimedOut`` naming `step` once `seconds` pass. Some awaits do not
/// end when their task is cancelled (a test's time limit cancels it), so a hung step would hold
/// the whole run until the watchdog killed it, naming nothing; this way the test fails at once,
/// saying which step hung, and the step's task is left behind.
public func within<T: Sendable>(_ seconds: Int, _ step: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let waiter = Waiter<T>()
    return try await withCheckedThrowingContinuation { continuation in
        waiter.slot.withLock { $0 = continuation }
        // Whichever ends first resumes the continuation; the other finds it taken.
        Task {
            let result = await Result { try await body() }
            waiter.resume(with: result)
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            waiter.resume(with: .failure(StepTimedOut(step: step, seconds: seconds)))
        }
    }
}

/// The continuation `within` resumes once.
private final class Waiter<T: Sendable>: Sendable {
    let slot = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func resume(with result: Result<T, any Error>) {
        slot.withLock { $0.take() }?.resume(with: result)
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing closure.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
