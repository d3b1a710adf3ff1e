import Foundation
import TestSupport
import Testing

/// `Ops/nginx/masthead.conf` with the real nginx in front of the real daemon.
///
/// Needs nginx (Ops/test installs it). Without it the suite is skipped on a developer's
/// machine, but in CI (`CI=true`) a missing nginx fails the test instead of hiding it.
@Suite(.timeLimit(.minutes(3)), .enabled(if: Nginx.path != nil || ProcessInfo.processInfo.environment["CI"] != nil, "nginx is not installed; Ops/test installs it"))
struct NginxProxyTests {
    static let shippedConfiguration = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Ops/nginx/masthead.conf")

    /// A self-contained nginx.conf that includes the shipped file, with its ports moved to free ones.
    func prepare(in directory: TemporaryDirectory, daemonPort: Int, nginxPort: Int) throws -> String {
        let site = try String(contentsOf: Self.shippedConfiguration, encoding: .utf8)
            .replacingOccurrences(of: "server 127.0.0.1:8080;", with: "server 127.0.0.1:\(daemonPort);")
            .replacingOccurrences(of: "listen 80;", with: "listen 127.0.0.1:\(nginxPort);")
        #expect(site.contains("127.0.0.1:\(daemonPort)") && site.contains("listen 127.0.0.1:\(nginxPort)"))
        try site.write(toFile: directory.file("masthead.conf"), atomically: true, encoding: .utf8)
        let main = """
            daemon off;
            pid \(directory.file("nginx.pid"));
            error_log \(directory.file("error.log")) info;
            events { worker_connections 64; }
            http {
                access_log \(directory.file("access.log"));
                client_body_temp_path \(directory.file("client_temp"));
                proxy_temp_path \(directory.file("proxy_temp"));
                fastcgi_temp_path \(directory.file("fastcgi_temp"));
                uwsgi_temp_path \(directory.file("uwsgi_temp"));
                scgi_temp_path \(directory.file("scgi_temp"));
                include \(directory.file("masthead.conf"));
            }
            """
        try main.write(toFile: directory.file("nginx.conf"), atomically: true, encoding: .utf8)
        return directory.file("nginx.conf")
    }

    /// Asks for /healthz through the shipped nginx from 127.0.0.2 with the reader's own `headers`;
    /// returns the daemon's log once the request reached it.
    func healthzThroughNginx(headers: [String]) async throws -> String {
        let nginx = try #require(Nginx.path, "nginx is required in CI")
        let directory = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: directory.path, environment: ["MASTHEAD_TRUSTED_PROXIES": "127.0.0.1"])
        let (nginxPort, server) = try await startNginx(nginx, in: directory, daemon: daemon)
        defer {
            server.terminate()
            SMTPTestServer.stop(server)
        }
        let reply = try await Executables.runProgram(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", "127.0.0.2"]
                + headers.flatMap { ["-H", $0] } + ["http://127.0.0.1:\(nginxPort)/healthz"])
        #expect(reply.stdout == "200", "\(reply.stderr)")
        try await Task.sleep(for: .milliseconds(200))
        return daemon.log
    }

    /// The reader tries to spoof its address; nginx overwrites it.
    @Test func daemonSeesTheClientAddressNginxForwards() async throws {
        let log = try await healthzThroughNginx(headers: ["X-Forwarded-For: 203.0.113.66"])
        let accessLine = try #require(log.split(separator: "\n").first { $0.contains("path=/healthz") })
        #expect(accessLine.contains("client=127.0.0.2"))
        #expect(!log.contains("203.0.113.66"))
    }

    /// Starts nginx with the shipped configuration in front of `daemon`; returns its port and process.
    func startNginx(_ nginx: String, in directory: TemporaryDirectory, daemon: DaemonProcess) async throws -> (port: Int, server: Process) {
        let nginxPort = try FreePort.find()
        let configuration = try prepare(in: directory, daemonPort: daemon.port, nginxPort: nginxPort)
        let check = try await Executables.runProgram(nginx, ["-t", "-c", configuration, "-p", directory.path])
        #expect(check.status == 0, "nginx -t: \(check.stderr)")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: nginx)
        server.arguments = ["-c", configuration, "-p", directory.path]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try ChildProcesses.run(server)
        try await FreePort.waitUntilListening(nginxPort)
        return (nginxPort, server)
    }

    /// A client's own `Forwarded` header neither sets its address nor reaches the daemon as a
    /// belief (hardening, item 2).
    @Test func aClientsOwnForwardedHeaderIsNotBelieved() async throws {
        let log = try await healthzThroughNginx(headers: ["Forwarded: for=203.0.113.66", "X-Forwarded-For: 203.0.113.67"])
        let accessLine = try #require(log.split(separator: "\n").first { $0.contains("path=/healthz") })
        #expect(accessLine.contains("client=127.0.0.2"))
        #expect(!log.contains("203.0.113.66") && !log.contains("203.0.113.67"))
    }

    /// 50 sign-ups from one client, spelled every way, through nginx: the edge limit and the
    /// daemon's one spelling let through only nginx's burst (hardening, item 1).
    @Test func signUpSpellingsDoNotWalkAroundTheEdgeLimit() async throws {
        let nginx = try #require(Nginx.path, "nginx is required in CI")
        let directory = try TemporaryDirectory()
        let database = "sqlite:" + directory.file("masthead.sqlite")
        try await Executables.prepareDeployment(in: directory.path, environment: ["MASTHEAD_DATABASE": database])
        let added = try await Executables.run(
            "masthead", ["newsletters", "add", "daily", "--name", "Daily", "--database", database], in: directory.path)
        try #require(added.status == 0, "\(added.stderr)")
        let daemon = try await DaemonProcess(
            in: directory.path,
            environment: ["MASTHEAD_TRUSTED_PROXIES": "127.0.0.1", "MASTHEAD_DATABASE": database, "MASTHEAD_RATE_LIMIT": "0"])
        let (nginxPort, server) = try await startNginx(nginx, in: directory, daemon: daemon)
        defer {
            server.terminate()
            SMTPTestServer.stop(server)
        }
        let paths = ["/v1/subscriptions", "/v1/subscriptions/", "//v1/subscriptions", "/v1//subscriptions", "/v1/./subscriptions"]
        // One curl sends all fifty (`--next` between them), one after another, so a loaded
        // machine's process starts do not stretch the run over nginx's refills.
        var arguments: [String] = []
        for number in 0..<50 {
            if number > 0 { arguments.append("--next") }
            arguments += [
                "-s", "-o", "/dev/null", "-w", "%{http_code}\n", "--path-as-is", "-X", "POST", "-H", "Content-Type: application/json",
                "--data", #"{"email": "r\#(number)@example.org"}"#, "http://127.0.0.1:\(nginxPort)\(paths[number % paths.count])",
            ]
        }
        let started = ContinuousClock.now
        let statuses = try await Executables.runProgram("/usr/bin/curl", arguments).stdout.split(separator: "\n").map(String.init)
        // nginx lets one request and a burst of five through at once (limit_req burst=5 nodelay),
        // then one more every 6 s (rate=10r/m) while the run lasts.
        let refills = Int((ContinuousClock.now - started) / .seconds(6))
        #expect(statuses.count == 50)
        #expect(statuses.filter { $0 == "202" }.count <= 6 + refills, "\(statuses)")
        #expect(statuses.filter { $0 == "429" }.count >= 40 - refills, "\(statuses)")
        #expect(Set(statuses).isSubset(of: ["202", "404", "429"]), "\(statuses)")
    }
}

extension NginxProxyTests {
    /// The admin API is refused at the edge for a reader's address, whatever the spelling, and
    /// reaches the daemon (its own 401, then the token's answer) from the newsroom's network.
    @Test func theAdminAPIIsKeptOffThePublicSide() async throws {
        let nginx = try #require(Nginx.path, "nginx is required in CI")
        let directory = try TemporaryDirectory()
        try await Executables.prepareDeployment(in: directory.path)
        let created = try await Executables.run("masthead", ["tokens", "create", "--name", "ops", "--scope", "stats:read"], in: directory.path)
        let token = try #require(created.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let daemon = try await DaemonProcess(in: directory.path, environment: ["MASTHEAD_TRUSTED_PROXIES": "127.0.0.1"])
        let (nginxPort, server) = try await startNginx(nginx, in: directory, daemon: daemon)
        defer {
            server.terminate()
            SMTPTestServer.stop(server)
        }
        func status(from interface: String, _ path: String, token: String? = nil) async throws -> String {
            try await Executables.runProgram(
                "/usr/bin/curl",
                ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", "--interface", interface]
                    + (token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []) + ["http://127.0.0.1:\(nginxPort)\(path)"]).stdout
        }
        for path in ["/admin/v1/stats", "//admin/v1/stats", "/%61dmin/v1/stats", "/v1/../admin/v1/stats"] {
            #expect(try await status(from: "127.0.0.2", path, token: token) == "403", "\(path)")
        }
        #expect(try await status(from: "127.0.0.1", "/admin/v1/stats") == "401")
        #expect(try await status(from: "127.0.0.1", "/admin/v1/stats", token: token) == "200")
        #expect(try await status(from: "127.0.0.2", "/v1/newsletters") == "200")
    }
}

/// Where nginx is installed, if it is.
enum Nginx {
    static let path: String? = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}

/// Free TCP ports on loopback for servers a test starts.
enum FreePort {
    static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    // Generous: it returns as soon as the port answers, and a loaded CI machine can be slow to start nginx.
    static func waitUntilListening(_ port: Int, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? RawHTTPConnection(port: port)) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw POSIXError(.ETIMEDOUT)
    }
}
