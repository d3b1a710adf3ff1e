import NewsletterSignup
import Synchronization

/// Group commit for sign-ups on PostgreSQL: the sign-ups a daemon receives while a batch is
/// being written wait and go together in the next one, as one transaction of a few statements
/// (``PostgresStore/recordSignups(_:_:)``), instead of a transaction and five round trips each.
/// Under load the round trips, each a hop between the connection's event loop and the task, were
/// the largest cost of a sign-up in the daemon (Ops/bench/README.md, "PostgreSQL sign-up").
///
/// A single sign-up waits for nothing: when no batch is running it starts one at once. Each
/// caller is answered after its batch committed, so every sign-up is durable before its answer.
/// A batch never holds one address twice: a later sign-up of an address waits for the next
/// batch, so it decides on what the earlier one wrote, as one after the other alone would.
final class SignupQueue: Sendable {
    private struct Job: Sendable {
        let signup: PreparedSignup
        let continuation: CheckedContinuation<SignupOutcome, any Error>
    }

    /// Largest batch; bounds how long one transaction holds its subscribers' locks.
    static let maximumBatch = 64

    private let state = Mutex<(queue: [Job], draining: Bool)>(([], false))

    /// Records `signup` with `record`, in the next batch, and returns its outcome once that batch committed.
    func record(
        _ signup: PreparedSignup, with record: @escaping @Sendable ([PreparedSignup]) async -> [Result<SignupOutcome, any Error>]
    ) async throws -> SignupOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let startDraining = state.withLock { state -> Bool in
                state.queue.append(Job(signup: signup, continuation: continuation))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startDraining { Task { await drain(record) } }
        }
    }

    /// Records batches until the queue is empty.
    private func drain(_ record: @Sendable ([PreparedSignup]) async -> [Result<SignupOutcome, any Error>]) async {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = Self.nextBatch(&state.queue)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let results = await record(batch.map(\.signup))
            for (job, result) in zip(batch, results) { job.continuation.resume(with: result) }
        }
    }

    /// Takes from `queue`, in order, up to ``maximumBatch`` sign-ups of different addresses; a
    /// second sign-up of an address stays queued, in its place, for a later batch.
    private static func nextBatch(_ queue: inout [Job]) -> [Job] {
        var batch: [Job] = []
        var addresses = Set<String>()
        var left: [Job] = []
        for job in queue {
            if batch.count < maximumBatch, addresses.insert(job.signup.record.normalizedAddress).inserted {
                batch.append(job)
            } else {
                left.append(job)
            }
        }
        queue = left
        return batch
    }
}
