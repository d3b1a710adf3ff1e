import Foundation
import Testing
import TestSupport

/// `masthead doctor` against real parts: dnsmasq (Debian's) serving the newsroom's zone on
/// loopback, the real daemon behind nginx with TLS (a certificate from a CA the test made), and
/// the real binaries. A correct setup is all ✔; a broken one names each fix.
///
/// Needs dnsmasq and nginx (Ops/test installs them); without them the suite is skipped on a
/// developer's machine, but in CI (`CI=true`) it runs and fails.
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(
        if: (DNSServerProcess.isInstalled && Nginx.path != nil) || ProcessInfo.processInfo.environment["CI"] != nil,
        "dnsmasq and nginx are needed; Ops/test installs them"))
struct DoctorCommandTests {

    /// nginx terminating TLS on `port` in front of `daemonPort`, with a certificate for
    /// 127.0.0.1 signed by a CA made here; returns nginx and the CA's file.
    static func tlsProxy(in directory: TemporaryDirectory, port: Int, daemonPort: Int) async throws -> (server: Process, ca: String) {
        let nginx = try #require(Nginx.path)
        for command in [
            "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=Masthead-Test-CA",
            "req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1",
            "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf",
        ] {
            try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n".write(toFile: directory.file("ext.cnf"), atomically: true, encoding: .utf8)
            let made = try await Executables.runProgram("/bin/sh", ["-c", "openssl \(command) 2>&1"], in: directory.path)
            try #require(made.status == 0, "\(made.stdout)")
        }
        let temporary = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map { "\($0)_temp_path \(directory.file($0));" }
        try """
            daemon off;
            pid \(directory.file("nginx.pid"));
            error_log \(directory.file("error.log")) info;
            events { worker_connections 64; }
            http {
                access_log \(directory.file("access.log"));
                \(temporary.joined(separator: "\n    "))
                server {
                    listen 127.0.0.1:\(port) ssl;
                    ssl_certificate \(directory.file("server.pem"));
                    ssl_certificate_key \(directory.file("server.key"));
                    location / { proxy_pass http://127.0.0.1:\(daemonPort); }
                }
            }
            """.write(toFile: directory.file("nginx.conf"), atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: nginx)
        server.arguments = ["-c", directory.file("nginx.conf"), "-p", directory.path]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try ChildProcesses.run(server)
        for _ in 0..<200 {
            if Loopback.accepts(port) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return (server, directory.file("ca.pem"))
    }

    @Test func aCorrectSetupIsAllGreenAndABrokenOneNamesEachFix() async throws {
        let directory = try TemporaryDirectory()
        let proxyDirectory = try TemporaryDirectory()
        // The key mail is signed with, and another one the broken zone publishes instead.
        func generate(_ selector: String, _ file: String) async throws -> String {
            let made = try await Executables.run(
                "masthead", ["dkim", "generate", "--selector", selector, "--domain", "news.example.org", "--out", directory.file(file)],
                in: directory.path)
            try #require(made.status == 0, "\(made.stderr)")
            return try #require(made.stdout.firstMatch(of: /TXT "([^"]+)"/).map { String($0.output.1) })
        }
        let record = try await generate("s2026", "dkim.pem")
        let otherRecord = try await generate("old", "other.pem")
        let nginxPort = try FreePort.find()
        let environment = [
            "MASTHEAD_MAIL_FROM": "Ukraine Daily <news@news.example.org>", "MASTHEAD_DKIM_KEY_FILE": "s2026:\(directory.file("dkim.pem"))",
            "MASTHEAD_PUBLIC_URL": "https://127.0.0.1:\(nginxPort)",
        ]
        let daemon = try await DaemonProcess(in: directory.path, environment: environment)
        let (nginx, ca) = try await Self.tlsProxy(in: proxyDirectory, port: nginxPort, daemonPort: daemon.port)
        defer { nginx.terminate() }

        let good = try await DNSServerProcess([
            // SPF through an include, as a relay's documentation has it; DMARC at the parent, found by walking up.
            DNSServerProcess.txt("news.example.org", "v=spf1 include:_spf.relay.example.net -all"),
            DNSServerProcess.txt("_spf.relay.example.net", "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8::/32 ~all"),
            DNSServerProcess.txt("s2026._domainkey.news.example.org", record),
            DNSServerProcess.txt("_dmarc.example.org", "v=DMARC1; p=reject; adkim=r; rua=mailto:dmarc@example.org"),
            "--mx-host=news.example.org,mx.news.example.org,10", "--host-record=mx.news.example.org,203.0.113.25",
        ], in: directory)
        let healthy = try await Executables.run(
            "masthead", ["doctor", "--dns", good.address, "--sending-ip", "203.0.113.5", "--ca-file", ca], in: directory.path,
            environment: environment)
        #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
        #expect(!healthy.stdout.contains("✘"), "\(healthy.stdout)")
        for check in ["SPF", "DKIM s2026", "DMARC", "alignment", "MX", "HTTPS", "unsubscribe", "permissions"] {
            #expect(healthy.stdout.contains("✔ \(check) "), "\(check): \(healthy.stdout)")
        }

        let broken = try await DNSServerProcess([
            DNSServerProcess.txt("news.example.org", "v=spf1 ip4:198.51.100.7 -all"),
            DNSServerProcess.txt("s2026._domainkey.news.example.org", otherRecord),
        ], in: directory)
        #expect(chmod(directory.file("masthead.keys"), 0o644) == 0)
        // No --ca-file: the test CA is not one this machine trusts.
        let sick = try await Executables.run(
            "masthead", ["doctor", "--dns", broken.address, "--sending-ip", "203.0.113.5"], in: directory.path, environment: environment)
        #expect(sick.status == 1)
        for expected in [
            "✘ SPF", #"publish: news.example.org TXT "v=spf1 ip4:203.0.113.5 ip4:198.51.100.7 -all""#,
            "✘ DKIM s2026", "publishes another key", "publish: s2026._domainkey.news.example.org TXT \"\(record)\"",
            "✘ DMARC", #"publish: _dmarc.news.example.org TXT "v=DMARC1; p=none"#,
            "✘ MX", "publish: news.example.org MX 10",
            "✘ HTTPS", "certificate is not trusted",
            "✘ permissions", "chmod 600 \(directory.file("masthead.keys"))",
        ] {
            #expect(sick.stdout.contains(expected), "\(expected): \(sick.stdout)")
        }
    }
}
