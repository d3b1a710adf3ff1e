import GRDB
import Synchronization

/// Group commit: the writes of concurrent requests share one transaction and one commit.
///
/// Each write is a job run inside its own savepoint, so a job that fails (a refused sign-up,
/// a taken slug) rolls back alone. The transaction commits once for the whole batch, and only
/// then is each caller resumed with its result: every request is still durable before it is
/// answered. Batches form by themselves: while one commits, the next requests queue up, so a
/// single request waits for nothing and a crowd pays for one commit per batch instead of one
/// each (measured: the commit and the async hop, not the disk, dominate the sign-up path; Docs/architecture.md).
final class WriteBatcher: Sendable {
    /// One caller's write: runs in the batch's transaction, finishes after the commit.
    private struct Job: Sendable {
        let run: @Sendable (Database) -> Void
        let finish: @Sendable ((any Error)?) -> Void
    }

    /// Largest batch; bounds how long one transaction holds the writer.
    static let maximumBatch = 64

    private let pool: DatabasePool
    private let state = Mutex<(queue: [Job], draining: Bool)>(([], false))

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in the next batch's transaction and returns its result once the batch committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Mutex<Result<T, any Error>?>(nil)
            let job = Job(
                run: { db in
                    let result: Result<T, any Error>
                    if db.isInsideTransaction {
                        var value: T?
                        do {
                            try db.inSavepoint {
                                value = try body(db)
                                return .commit
                            }
                            result = value.map { .success($0) } ?? .failure(BatchAborted())
                        } catch {
                            result = .failure(error)
                        }
                    } else {
                        // An earlier statement made SQLite abandon the whole transaction.
                        result = .failure(BatchAborted())
                    }
                    outcome.withLock { $0 = result }
                },
                finish: { commitError in
                    if let commitError {
                        continuation.resume(throwing: commitError)
                    } else {
                        continuation.resume(with: outcome.withLock { $0 } ?? .failure(BatchAborted()))
                    }
                })
            let startDraining = state.withLock { state -> Bool in
                state.queue.append(job)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startDraining { Task { await drain() } }
        }
    }

    /// Commits batches until the queue is empty.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                guard !state.queue.isEmpty else {
                    state.draining = false
                    return []
                }
                let batch = Array(state.queue.prefix(Self.maximumBatch))
                state.queue.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try await pool.write { db in
                    for job in batch { job.run(db) }
                }
                for job in batch { job.finish(nil) }
            } catch {
                for job in batch { job.finish(error) }
            }
        }
    }

    /// A job could not run because its batch's transaction was abandoned.
    struct BatchAborted: Error, CustomStringConvertible {
        var description: String { "the database transaction was abandoned; the write did not happen" }
    }
}
