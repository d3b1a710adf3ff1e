import Foundation
import Mail
import TestSupport
import Testing

/// The SMTP mailer against a real server (aiosmtpd) and a scripted faulty one, on 127.0.0.1.
@Suite(.timeLimit(.minutes(3)), .enabled(if: SMTPServers.available || ProcessInfo.processInfo.environment["CI"] != nil, "aiosmtpd is not installed; Ops/test installs it"))
struct SMTPDeliveryTests {
    func message(_ number: Int, to recipient: String = "anna@example.org") -> Delivery {
        let text = "Line one of message \(number)\n.a line starting with a dot\n..two dots\n.\n" + String(repeating: "long line ", count: 60) + "\nend"
        let mail = MailMessage(
            from: Mailbox("news@example.org", displayName: "Українська правда"), to: Mailbox(recipient),
            subject: "Тест \(number): «UTF-8 subject»", textBody: text, htmlBody: "<p>\(number)</p>",
            messageID: "\(number)@example.org", date: Date(timeIntervalSince1970: 1_795_618_800))
        return Delivery(
            outboxID: Int64(number), sender: "bounces@example.org", recipient: recipient, data: MIMERenderer.render(mail),
            requiresSMTPUTF8: mail.requiresSMTPUTF8)
    }

    /// What the server stores: the data exactly as rendered (as `Data`, so a failure prints sizes).
    func expected(_ delivery: Delivery) -> Data { Data(delivery.data) }

    @Test func hundredMessagesArriveByteExactOverOneConnection() async throws {
        let directory = try TemporaryDirectory()
        let server = try await SMTPTestServer.aiosmtpd(spool: directory.file("spool"))
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(server.port)?tls=none&pool=1&helo=test.client"))
        var sent: [Delivery] = []
        for number in 1...100 {
            let delivery = message(number)
            try await mailer.deliver(delivery)
            sent.append(delivery)
        }
        await mailer.shutdown()
        let received = try await server.waitForMessages(100)
        #expect(received.count == 100)
        for (delivery, message) in zip(sent, received) {
            #expect(Data(message.data) == expected(delivery), "message \(delivery.outboxID) differs")
            #expect(message.envelope["mail_from"] as? String == "bounces@example.org")
            #expect(message.envelope["rcpt_tos"] as? [String] == ["anna@example.org"])
        }
        #expect(Set(received.compactMap { $0.envelope["peer_port"] as? Int }).count == 1)
    }

    @Test func startTLSWithAuthPlainAgainstASelfSignedCertificate() async throws {
        let directory = try TemporaryDirectory()
        let (certificate, key) = try await SMTPServers.selfSignedCertificate(in: directory)
        let server = try await SMTPTestServer.aiosmtpd(spool: directory.file("spool"), ["--tls", certificate, key, "--auth", "masthead:s3cret"])
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(
            url: "smtp://masthead:s3cret@localhost:\(server.port)?tls=starttls&ca=\(certificate)&helo=test.client"))
        let delivery = message(1)
        try await mailer.deliver(delivery)
        await mailer.shutdown()
        let received = try await server.waitForMessages(1)
        #expect(received.first.map { Data($0.data) } == expected(delivery))
        #expect(received.first?.envelope["tls"] as? Bool == true)
        #expect(received.first?.envelope["authenticated"] as? Bool == true)
    }

    @Test func authLoginWhenOnlyLoginIsOffered() async throws {
        let directory = try TemporaryDirectory()
        let (certificate, key) = try await SMTPServers.selfSignedCertificate(in: directory)
        let server = try await SMTPTestServer.aiosmtpd(
            spool: directory.file("spool"), ["--tls", certificate, key, "--auth", "masthead:s3cret", "--auth-only", "LOGIN"])
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(
            url: "smtp://masthead:s3cret@localhost:\(server.port)?ca=\(certificate)&helo=test.client"))
        try await mailer.deliver(message(1))
        await mailer.shutdown()
        #expect(try await server.waitForMessages(1).first?.envelope["authenticated"] as? Bool == true)
    }

    @Test func implicitTLS() async throws {
        let directory = try TemporaryDirectory()
        let (certificate, key) = try await SMTPServers.selfSignedCertificate(in: directory)
        let server = try await SMTPTestServer.aiosmtpd(spool: directory.file("spool"), ["--tls", certificate, key, "--implicit-tls"])
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(
            url: "smtp://localhost:\(server.port)?tls=implicit&ca=\(certificate)&helo=test.client"))
        try await mailer.deliver(message(1))
        await mailer.shutdown()
        #expect(try await server.waitForMessages(1).first?.envelope["tls"] as? Bool == true)
    }

    @Test func untrustedCertificateAndWrongPasswordAreTransientFailures() async throws {
        let directory = try TemporaryDirectory()
        let (certificate, key) = try await SMTPServers.selfSignedCertificate(in: directory)
        let server = try await SMTPTestServer.aiosmtpd(spool: directory.file("spool"), ["--tls", certificate, key, "--auth", "masthead:s3cret"])
        let untrusted = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://masthead:s3cret@localhost:\(server.port)?helo=c&timeout=5"))
        await #expect(throws: MailerError.self) { try await untrusted.deliver(message(1)) }
        do {
            try await untrusted.deliver(message(1))
        } catch {
            #expect(!error.isPermanent)
        }
        let wrong = SMTPMailer(configuration: try SMTPConfiguration(
            url: "smtp://masthead:guess@localhost:\(server.port)?ca=\(certificate)&helo=c&timeout=5"))
        do {
            try await wrong.deliver(message(1))
            Issue.record("delivered with a wrong password")
        } catch {
            #expect(!error.isPermanent)
            #expect(error.reason.contains("authentication failed"))
            #expect(!error.reason.contains("guess"))
        }
        #expect(try server.messages().isEmpty)
    }

    @Test func smtpUTF8AddressAgainstAServerWithoutItIsPermanent() async throws {
        let directory = try TemporaryDirectory()
        let server = try await SMTPTestServer.aiosmtpd(spool: directory.file("spool"), ["--no-smtputf8"])
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(server.port)?tls=none&helo=c"))
        do {
            try await mailer.deliver(message(1, to: "читач@example.org"))
            Issue.record("delivered without SMTPUTF8")
        } catch {
            #expect(error.isPermanent)
            #expect(error.reason.contains("SMTPUTF8"))
        }
        // The connection stays usable for others.
        try await mailer.deliver(message(2))
        await mailer.shutdown()
        #expect(try await server.waitForMessages(1).count == 1)
    }

    @Test func smtpUTF8AddressIsDeliveredWhereSupported() async throws {
        let directory = try TemporaryDirectory()
        let server = try await SMTPTestServer.aiosmtpd(spool: directory.file("spool"))
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(server.port)?tls=none&helo=c"))
        try await mailer.deliver(message(1, to: "читач@example.org"))
        await mailer.shutdown()
        let received = try await server.waitForMessages(1)
        #expect(received.first?.envelope["rcpt_tos"] as? [String] == ["читач@example.org"])
        #expect((received.first?.envelope["mail_options"] as? [String])?.contains("SMTPUTF8") == true)
    }

    // MARK: faults

    @Test func greetingRefusedTwiceThenDelivered() async throws {
        let directory = try TemporaryDirectory()
        let server = try await SMTPTestServer.faults(spool: directory.file("spool"), scenario: "greeting-421-twice")
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(server.port)?tls=none&helo=c"))
        for _ in 1...2 {
            do {
                try await mailer.deliver(message(1))
                Issue.record("delivered while the server refused")
            } catch {
                #expect(!error.isPermanent)
                #expect(error.reason.contains("421"))
            }
        }
        try await mailer.deliver(message(1))
        await mailer.shutdown()
        #expect(try await server.waitForMessages(1).count == 1)
    }

    @Test func recipient451IsTransientAnd550Permanent() async throws {
        let directory = try TemporaryDirectory()
        let tempfail = try await SMTPTestServer.faults(spool: directory.file("a"), scenario: "rcpt-451-once")
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(tempfail.port)?tls=none&helo=c"))
        do {
            try await mailer.deliver(message(1))
            Issue.record("delivered despite 451")
        } catch {
            #expect(!error.isPermanent)
        }
        try await mailer.deliver(message(1))  // RSET was sent; the same session goes on
        await mailer.shutdown()
        #expect(try await tempfail.waitForMessages(1).count == 1)

        let unknown = try await SMTPTestServer.faults(spool: directory.file("b"), scenario: "rcpt-550")
        let refusing = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(unknown.port)?tls=none&helo=c"))
        do {
            try await refusing.deliver(message(1))
            Issue.record("delivered despite 550")
        } catch {
            #expect(error.isPermanent)
            #expect(error.reason.contains("550 5.1.1"))
        }

        let busy = try await SMTPTestServer.faults(spool: directory.file("c"), scenario: "five-hundred-as-4xx")
        let enhanced = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(busy.port)?tls=none&helo=c"))
        do {
            try await enhanced.deliver(message(1))
            Issue.record("delivered despite 550 4.2.1")
        } catch {
            #expect(!error.isPermanent, "the enhanced code 4.2.1 says: try later")
        }
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let directory = try TemporaryDirectory()
        let server = try await SMTPTestServer.faults(spool: directory.file("spool"), scenario: "silent")
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(server.port)?tls=none&helo=c&timeout=1"))
        let started = ContinuousClock.now
        do {
            try await mailer.deliver(message(1))
            Issue.record("delivered to a silent server")
        } catch {
            #expect(!error.isPermanent)
            // Waiting for the greeting, or (on a loaded machine) already for the connection.
            #expect(error.reason.contains("timed out") || error.reason.contains("Connect timeout (1 s)"), "\(error.reason)")
        }
        // The RFC 5321 greeting timeout is five minutes; a minute shows the cap of one second
        // took effect while leaving room for a loaded CI machine.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func aConnectionDroppedInDataLosesNothing() async throws {
        let directory = try TemporaryDirectory()
        let server = try await SMTPTestServer.faults(spool: directory.file("spool"), scenario: "drop-in-data")
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(server.port)?tls=none&helo=c"))
        let delivery = message(7)
        do {
            try await mailer.deliver(delivery)
            Issue.record("delivered over a dropped connection")
        } catch {
            #expect(!error.isPermanent)
        }
        try await mailer.deliver(delivery)
        await mailer.shutdown()
        let received = try await server.waitForMessages(1)
        #expect(received.count == 1)
        #expect(received.first.map { Data($0.data) } == expected(delivery))
    }
}

/// Test servers and certificates.
enum SMTPServers {
    static let available: Bool =
        (try? Executables.runProgramOnThisThread("/usr/bin/env", ["python3", "-c", "import aiosmtpd"]).status) == 0

    /// A self-signed certificate for `localhost` (and 127.0.0.1), made with the openssl command.
    static func selfSignedCertificate(in directory: TemporaryDirectory) async throws -> (certificate: String, key: String) {
        let certificate = directory.file("cert.pem")
        let key = directory.file("key.pem")
        let outcome = try await Executables.runProgram(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        guard outcome.status == 0 else { throw CertificateFailure(message: outcome.stderr) }
        return (certificate, key)
    }

    struct CertificateFailure: Error { let message: String }
}
