import Foundation
import TestSupport
import Testing

/// The real daemon with `MASTHEAD_MAILER=smtp://…`: sign-up → the confirmation arrives at the
/// SMTP server → its link confirms.
@Suite(.timeLimit(.minutes(3)), .enabled(if: SMTPServers.available || ProcessInfo.processInfo.environment["CI"] != nil, "aiosmtpd is not installed; Ops/test installs it"))
struct DaemonSMTPTests {
    @Test func confirmationTravelsBySMTPAndItsLinkConfirms() async throws {
        let directory = try TemporaryDirectory()
        let server = try await SMTPTestServer.aiosmtpd(spool: directory.file("spool"))
        try await Executables.prepareDeployment(in: directory.path)
        _ = try await Executables.run("masthead", ["newsletters", "add", "ukraine-daily", "--name", "Ukraine Daily"], in: directory.path)
        let daemon = try await DaemonProcess(
            in: directory.path,
            environment: [
                "MASTHEAD_MAILER": "smtp://127.0.0.1:\(server.port)?tls=none&helo=masthead.test",
                "MASTHEAD_MAIL_FROM": "Ukraine Daily <news@example.org>",
            ])
        let reply = try await Executables.runProgram(
            "/usr/bin/curl",
            ["-s", "-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"email":"reader@example.org"}"#,
             daemon.baseURL + "/v1/subscriptions"])
        #expect(reply.stdout.contains(#""status":"accepted""#))
        let received = try await server.waitForMessages(1)
        let message = try #require(received.first)
        // The envelope sender is the message's own VERP return path at the From domain.
        let sender = try #require(message.envelope["mail_from"] as? String)
        #expect(sender.wholeMatch(of: /bounces\+[a-z2-7]{20,40}@example\.org/) != nil, "\(sender)")
        #expect(message.envelope["rcpt_tos"] as? [String] == ["reader@example.org"])
        let file = directory.file("received.eml")
        try Data(message.data).write(to: URL(fileURLWithPath: file))
        let email = try await ParsedEmail.parse(file)
        let link = try #require(email.link("/v1/confirm"))
        let confirmed = try await Executables.runProgram(
            "/usr/bin/curl", ["-s", "-X", "POST", "--data-urlencode", "token=\(link.token)", daemon.baseURL + "/v1/confirm"])
        #expect(confirmed.stdout.contains(#""status":"confirmed""#))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        #expect(try Executables.runSQL("SELECT state FROM outbox", database: directory.file("masthead.sqlite")) == ["sent"])
    }
}
