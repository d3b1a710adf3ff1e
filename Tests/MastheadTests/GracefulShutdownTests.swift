import Foundation
import Hummingbird
import MastheadHTTP
import MastheadRuntime
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// SIGTERM while a slow request is in flight: the request completes, then the group stops.
///
/// This runs the daemon's own service group (``Runtime/serviceGroup(running:)``) in the test
/// process, with one extra slow route, and signals the test process itself: the group's
/// signal handler is installed before the request starts, so the signal cannot kill the runner.
/// `DaemonProcessTests` checks the real process exits 0 on the same signals.
@Suite(.serialized, .timeLimit(.minutes(1))) struct GracefulShutdownTests {
    @Test func inFlightRequestCompletesAfterSIGTERM() async throws {
        let test = try await TestRuntime { $0.shutdownGrace = .seconds(10) }
        defer { test.shutdown() }
        let router = buildRouter(runtime: test.runtime)
        let started = Mutex(false)
        router.get("/test/slow") { _, _ -> String in
            started.withLock { $0 = true }
            try await Task.sleep(for: .milliseconds(1500))
            return "finished"
        }
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            logger: test.runtime.logger)
        let group = test.runtime.serviceGroup(running: [app])
        let running = Task { try await group.run() }

        while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
        let url = "http://127.0.0.1:\(port.withLock { $0 }!)/test/slow"
        let request = Task { try await HTTP.get(url) }
        while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }

        kill(getpid(), SIGTERM)
        let reply = try await request.value
        #expect(reply.status == 200)
        #expect(reply.body == "finished")
        try await running.value  // the group returned normally: the daemon would exit 0

        // Once stopped, nothing listens any more.
        await #expect(throws: (any Error).self) { _ = try await HTTP.get(url, timeout: 2) }
    }
}
