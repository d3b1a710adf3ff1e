import Foundation
import Mail
import TestSupport
import Testing

/// Messages pipelined one behind another on one connection (the body of one, then the next
/// one's MAIL, RCPT and DATA in the same write), against postfix's smtp-sink, which offers
/// PIPELINING (aiosmtpd does not). Each message must arrive once, with its own envelope, and be
/// answered with its own outcome.
@Suite(.timeLimit(.minutes(2)), .enabled(if: SMTPSink.isInstalled || ProcessInfo.processInfo.environment["CI"] != nil, "postfix's smtp-sink is not installed; Ops/test installs it"))
struct SMTPPipeliningTests {
    func message(_ number: Int) -> Delivery {
        let mail = MailMessage(
            from: Mailbox("news@example.org"), to: Mailbox("reader\(number)@example.org"), subject: "Message \(number)",
            textBody: "This is message \(number).\n.a line starting with a dot", htmlBody: nil, messageID: "\(number)@example.org",
            date: Date(timeIntervalSince1970: 1_795_618_800))
        return Delivery(
            outboxID: Int64(number), sender: "bounces@example.org", recipient: "reader\(number)@example.org",
            data: MIMERenderer.render(mail), requiresSMTPUTF8: false)
    }

    /// Delivers messages 1…`count` at once through `mailer`; each one's outcome by number.
    func deliverTogether(_ count: Int, _ mailer: SMTPMailer) async -> [Int: MailerError?] {
        await withTaskGroup(of: (Int, MailerError?).self) { group in
            for number in 1...count {
                group.addTask {
                    do throws(MailerError) {
                        try await mailer.deliver(message(number))
                        return (number, nil)
                    } catch {
                        return (number, error)
                    }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }

    @Test func fortyMessagesAtOnceOverOneConnectionEachArriveWithTheirOwnEnvelope() async throws {
        let directory = try TemporaryDirectory()
        let sink = try await SMTPSink(in: directory)
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)?tls=none&pool=1&helo=test.client"))
        let outcomes = await deliverTogether(40, mailer)
        await mailer.shutdown()
        #expect(outcomes.count == 40)
        #expect(outcomes.values.allSatisfy { $0 == nil }, "\(outcomes.filter { $0.value != nil })")
        let received = try await sink.messages(40)
        // Each dump names its recipient and holds that reader's message, dot unstuffed: no body
        // went with another message's envelope.
        var numbers: [Int] = []
        for dump in received {
            let number = try #require(dump.firstMatch(of: /X-Rcpt-Args: <reader([0-9]+)@example.org>/).flatMap { Int($0.1) })
            #expect(dump.contains("This is message \(number).") && dump.contains("\n.a line starting with a dot"), "\(dump)")
            #expect(dump.contains("X-Mail-Args: <bounces@example.org>"))
            numbers.append(number)
        }
        #expect(numbers.sorted() == Array(1...40))
        #expect(sink.sessions() == 1)
    }

    /// smtp-sink refusing every end of data (`-f .`): each message fails, permanently, with its
    /// own answer, and the connection goes on carrying the next.
    @Test func everyRefusedMessageIsAnsweredAndTheConnectionGoesOn() async throws {
        let directory = try TemporaryDirectory()
        let sink = try await SMTPSink(in: directory, ["-f", "."])
        let mailer = SMTPMailer(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)?tls=none&pool=1&helo=test.client"))
        let outcomes = await deliverTogether(12, mailer)
        await mailer.shutdown()
        #expect(outcomes.count == 12)
        for (number, error) in outcomes {
            #expect(error?.isPermanent == true, "message \(number): \(String(describing: error))")
        }
        #expect(sink.sessions() == 1, "one session carried all twelve")
    }
}

/// postfix's smtp-sink on 127.0.0.1, writing each message it accepts to a file of its own in a
/// directory (`-d`), its conversations logged (`-v`), so a test can count the sessions.
final class SMTPSink: Sendable {
    static let path = "/usr/sbin/smtp-sink"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    let port: Int
    let spool: String
    let log: String
    private let process: Process

    init(in directory: TemporaryDirectory, _ options: [String] = []) async throws {
        spool = directory.file("sink")
        log = directory.file("sink.log")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        // As root smtp-sink runs as `nobody`, which must write the spool.
        _ = chmod(spool, 0o777)
        let user = getuid() == 0 ? "nobody" : (ProcessInfo.processInfo.environment["USER"] ?? "nobody")
        port = try Loopback.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.path)
        process.arguments = ["-u", user, "-v", "-d", spool + "/%M."] + options + ["127.0.0.1:\(port)", "64"]
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try ChildProcesses.run(process)
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while !Loopback.accepts(port) {
            guard Date() < deadline else { throw SinkDidNotStart() }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    deinit { process.terminate() }

    /// The `count` messages written so far, waiting up to 10 s for them.
    func messages(_ count: Int) async throws -> [String] {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []
            if names.count >= count || Date() > deadline {
                return try names.sorted().map { try String(contentsOfFile: spool + "/" + $0, encoding: .utf8) }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// How many SMTP sessions the sink saw: its verbose log has one EHLO each (a bare connection,
    /// such as the start-up probe's, has none).
    func sessions() -> Int {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.hasSuffix(": EHLO test.client") }.count
    }

    struct SinkDidNotStart: Error {}
}
