import Foundation
import NIOCore
import NIOEmbedded
import Testing

@testable import Mail

/// The SMTP conversation, transition by transition, with no network.
@Suite struct SMTPClientStateMachineTests {
    typealias Machine = SMTPClientStateMachine

    func configuration(_ url: String) throws -> SMTPConfiguration {
        try SMTPConfiguration(url: url, environment: [:])
    }

    func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }

    let envelope = Machine.Envelope(sender: "news@example.org", recipient: "anna@example.org", body: Array("Hi\r\n".utf8), requiresSMTPUTF8: false)

    @Test func greetingEHLOThenPipelinedTransaction() throws {
        var machine = Machine(configuration: try configuration("smtp://127.0.0.1:25?tls=none&helo=client.test"))
        #expect(machine.receive(reply(220, "mx ESMTP")) == .send([.ehlo("client.test")]))
        let capabilities = machine.receive(reply(250, "mx", "PIPELINING", "SIZE 1000", "8BITMIME", "ENHANCEDSTATUSCODES"))
        guard case .connected(let offered) = capabilities else { Issue.record("\(capabilities)"); return }
        #expect(offered.pipelining && offered.eightBitMIME && offered.maximumSize == 1000)
        #expect(machine.send(envelope) == .send([.mailFrom("news@example.org", parameters: ["SIZE=4"]), .rcptTo("anna@example.org"), .data]))
        #expect(machine.receive(reply(250, "2.1.0 ok")) == .none)
        #expect(machine.receive(reply(250, "2.1.5 ok")) == .none)
        #expect(machine.receive(reply(354, "go")) == .send([.message(Array("Hi\r\n.\r\n".utf8))]))
        #expect(machine.receive(reply(250, "2.0.0 queued")) == .messageSent)
        #expect(machine.isReady)
        #expect(machine.quit() == .send([.quit]))
        #expect(machine.receive(reply(221, "bye")) == .close)
    }

    /// A machine ready on a server that pipelines.
    func pipeliningSession() throws -> Machine {
        var machine = Machine(configuration: try configuration("smtp://127.0.0.1?tls=none&helo=c"))
        _ = machine.receive(reply(220, "mx"))
        _ = machine.receive(reply(250, "mx", "PIPELINING"))
        return machine
    }

    let second = Machine.Envelope(sender: "news@example.org", recipient: "olena@example.org", body: Array("Two\r\n".utf8), requiresSMTPUTF8: false)

    @Test func aSecondMessageGoesOutBehindTheFirstBody() throws {
        var machine = try pipeliningSession()
        _ = machine.send(envelope)
        let accepted = machine.accept(second)
        let acceptedAnother = machine.accept(envelope)
        #expect(accepted)
        #expect(!acceptedAnother, "one message waits at a time")
        #expect(machine.receive(reply(250, "ok")) == .none)
        #expect(machine.receive(reply(250, "ok")) == .none)
        // The first body, then the second's MAIL, RCPT and DATA, in one write.
        #expect(machine.receive(reply(354, "go")) == .send([
            .message(Array("Hi\r\n.\r\n".utf8)), .mailFrom("news@example.org", parameters: []), .rcptTo("olena@example.org"), .data,
        ]))
        #expect(machine.receive(reply(250, "2.0.0 first queued")) == .messageSent)
        let waiting = machine.takeWaiting()
        #expect(!machine.isReady && waiting == nil, "the second is under way")
        #expect(machine.receive(reply(250, "ok")) == .none)
        #expect(machine.receive(reply(250, "ok")) == .none)
        #expect(machine.receive(reply(354, "go")) == .send([.message(Array("Two\r\n.\r\n".utf8))]))
        #expect(machine.receive(reply(250, "2.0.0 second queued")) == .messageSent)
        #expect(machine.isReady)
    }

    @Test func aRefusedBodyDoesNotTakeTheMessageBehindItWithIt() throws {
        var machine = try pipeliningSession()
        _ = machine.send(envelope)
        _ = machine.accept(second)
        _ = machine.receive(reply(250, "ok"))
        _ = machine.receive(reply(250, "ok"))
        _ = machine.receive(reply(354, "go"))
        guard case .messageFailed(let error) = machine.receive(reply(554, "5.7.1 spam")) else { Issue.record("the first did not fail"); return }
        #expect(error.isPermanent && error.reason.contains("554 5.7.1 spam"))
        #expect(!machine.isClosed)
        _ = machine.receive(reply(250, "ok"))
        _ = machine.receive(reply(250, "ok"))
        #expect(machine.receive(reply(354, "go")) == .send([.message(Array("Two\r\n.\r\n".utf8))]))
        #expect(machine.receive(reply(250, "ok")) == .messageSent)
    }

    /// A message handed over once the body is out waits for the session to be ready; one after
    /// a refused recipient waits for the RSET. Neither rides behind a body that is not sent.
    @Test func aMessageThatCameLateWaitsForTheSessionToBeReady() throws {
        var machine = try pipeliningSession()
        _ = machine.send(envelope)
        _ = machine.receive(reply(250, "ok"))
        _ = machine.receive(reply(250, "ok"))
        _ = machine.receive(reply(354, "go"))
        let lateAccepted = machine.accept(second)
        #expect(lateAccepted)
        #expect(machine.receive(reply(250, "ok")) == .messageSent)
        #expect(machine.isReady)
        let late = machine.takeWaiting()
        let again = machine.takeWaiting()
        #expect(late == second)
        #expect(again == nil)

        _ = machine.send(envelope)
        _ = machine.accept(second)
        _ = machine.receive(reply(250, "ok"))
        _ = machine.receive(reply(550, "5.1.1 no such user"))
        #expect(machine.receive(reply(554, "no valid recipients")) == .send([.reset]))
        guard case .messageFailed = machine.receive(reply(250, "ok")) else { Issue.record("no failure"); return }
        let afterReset = machine.takeWaiting()
        #expect(afterReset == second)
    }

    @Test func withoutPipeliningNoSecondMessageIsTaken() throws {
        var machine = Machine(configuration: try configuration("smtp://127.0.0.1?tls=none&helo=c"))
        _ = machine.receive(reply(220, "mx"))
        _ = machine.receive(reply(250, "mx"))
        _ = machine.send(envelope)
        let accepted = machine.accept(second)
        #expect(!accepted)
    }

    @Test func withoutPipeliningCommandsWaitForTheirReplies() throws {
        var machine = Machine(configuration: try configuration("smtp://127.0.0.1?tls=none&helo=c"))
        _ = machine.receive(reply(220, "mx"))
        _ = machine.receive(reply(250, "mx"))
        #expect(machine.send(envelope) == .send([.mailFrom("news@example.org", parameters: [])]))
        #expect(machine.receive(reply(250, "ok")) == .send([.rcptTo("anna@example.org")]))
        #expect(machine.receive(reply(250, "ok")) == .send([.data]))
        #expect(machine.receive(reply(354, "go")) == .send([.message(Array("Hi\r\n.\r\n".utf8))]))
        #expect(machine.receive(reply(250, "ok")) == .messageSent)
    }

    @Test func refusedRecipientResetsAndReportsAPermanentFailure() throws {
        var machine = Machine(configuration: try configuration("smtp://127.0.0.1?tls=none&helo=c"))
        _ = machine.receive(reply(220, "mx"))
        _ = machine.receive(reply(250, "mx", "PIPELINING"))
        _ = machine.send(envelope)
        #expect(machine.receive(reply(250, "ok")) == .none)
        #expect(machine.receive(reply(550, "5.1.1 no such user")) == .none)
        #expect(machine.receive(reply(554, "5.5.1 no valid recipients")) == .send([.reset]))
        guard case .messageFailed(let error) = machine.receive(reply(250, "ok")) else { Issue.record("no failure"); return }
        #expect(error.isPermanent)
        #expect(error.reason.contains("RCPT TO was refused: 550 5.1.1 no such user"))
        #expect(machine.isReady)
    }

    @Test func enhancedStatusCodeDecidesTheClass() {
        #expect(reply(451, "4.3.0 busy").isTransientFailure)
        #expect(!reply(550, "5.1.1 unknown").isTransientFailure)
        #expect(reply(550, "4.2.1 try later").isTransientFailure)
        #expect(!reply(452, "5.3.4 too big").isTransientFailure)
        #expect(!reply(554, "no enhanced code").isTransientFailure)
        #expect(reply(421, "closing").isTransientFailure)
    }

    @Test func startTLSIsRequiredOffLoopback() throws {
        var machine = Machine(configuration: try configuration("smtp://mail.example.org?helo=c"))
        _ = machine.receive(reply(220, "mx"))
        guard case .connectFailed(let error) = machine.receive(reply(250, "mx", "PIPELINING")) else { Issue.record("connected without TLS"); return }
        #expect(error.reason.contains("STARTTLS"))

        var secured = Machine(configuration: try configuration("smtp://mail.example.org?helo=c"))
        _ = secured.receive(reply(220, "mx"))
        #expect(secured.receive(reply(250, "mx", "STARTTLS")) == .send([.startTLS]))
        #expect(secured.receive(reply(220, "go ahead")) == .startTLS)
        #expect(secured.tlsEstablished() == .send([.ehlo("c")]))
        #expect(secured.receive(reply(250, "mx", "STARTTLS")) == .connected({ var c = SMTPCapabilities(ehloLines: ["mx", "STARTTLS"]); c.startTLS = true; return c }()))
    }

    @Test func authLoginSendsUsernameThenPassword() throws {
        var machine = Machine(configuration: try configuration("smtp://user:p%40ss@127.0.0.1?tls=none&helo=c"))
        _ = machine.receive(reply(220, "mx"))
        #expect(machine.receive(reply(250, "mx", "AUTH LOGIN")) == .send([.auth(mechanism: "LOGIN", initialResponse: nil)]))
        #expect(machine.receive(reply(334, "VXNlcm5hbWU6")) == .send([.authContinuation(Data("user".utf8).base64EncodedString())]))
        #expect(machine.receive(reply(334, "UGFzc3dvcmQ6")) == .send([.authContinuation(Data("p@ss".utf8).base64EncodedString())]))
        guard case .connected = machine.receive(reply(235, "2.7.0 ok")) else { Issue.record("not connected"); return }
    }

    @Test func authPlainIsPreferredAndFailureIsAConnectFailure() throws {
        var machine = Machine(configuration: try configuration("smtp://user:pass@127.0.0.1?tls=none&helo=c"))
        _ = machine.receive(reply(220, "mx"))
        let plain = Data("\u{0}user\u{0}pass".utf8).base64EncodedString()
        #expect(machine.receive(reply(250, "mx", "AUTH LOGIN PLAIN")) == .send([.auth(mechanism: "PLAIN", initialResponse: plain)]))
        guard case .connectFailed(let error) = machine.receive(reply(535, "5.7.8 bad credentials")) else { Issue.record("no failure"); return }
        // Messages wait for the configuration to be fixed rather than die.
        #expect(!error.isPermanent)
    }

    @Test func oldServerFallsBackToHELO() throws {
        var machine = Machine(configuration: try configuration("smtp://127.0.0.1?tls=none&helo=c"))
        _ = machine.receive(reply(220, "mx"))
        #expect(machine.receive(reply(502, "what?")) == .send([.helo("c")]))
        #expect(machine.receive(reply(250, "hello")) == .connected(SMTPCapabilities()))
    }

    @Test func smtpUTF8AddressNeedsTheExtension() throws {
        var machine = Machine(configuration: try configuration("smtp://127.0.0.1?tls=none&helo=c"))
        _ = machine.receive(reply(220, "mx"))
        _ = machine.receive(reply(250, "mx"))
        var unicode = envelope
        unicode.recipient = "читач@example.org"
        unicode.requiresSMTPUTF8 = true
        guard case .messageFailed(let error) = machine.send(unicode) else { Issue.record("sent anyway"); return }
        #expect(error.isPermanent && error.reason.contains("SMTPUTF8"))
        #expect(machine.isReady)
    }

    @Test func unsolicitedReplyClosesAnIdleSession() throws {
        var machine = Machine(configuration: try configuration("smtp://127.0.0.1?tls=none&helo=c"))
        _ = machine.receive(reply(220, "mx"))
        _ = machine.receive(reply(250, "mx"))
        #expect(machine.receive(reply(421, "4.4.2 idle too long")) == .close)
        #expect(!machine.isReady)
    }

    @Test func dotStuffingDoublesLeadingDotsAndTerminates() {
        #expect(SMTPCommand.dotStuffed(Array(".a\r\nb\r\n..c\r\n.".utf8)) == Array("..a\r\nb\r\n...c\r\n..\r\n.\r\n".utf8))
        #expect(SMTPCommand.dotStuffed(Array("bare\nlf".utf8)) == Array("bare\r\nlf\r\n.\r\n".utf8))
        // The worst case, every byte doubled, fits; nothing at all is just the terminator.
        #expect(SMTPCommand.dotStuffed(Array(".\n.\n.\n".utf8)) == Array("..\r\n..\r\n..\r\n.\r\n".utf8))
        #expect(SMTPCommand.dotStuffed([]) == Array(".\r\n".utf8))
    }

    @Test func replyDecoderJoinsMultiLineReplies() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        try channel.writeInbound(ByteBuffer(string: "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n220 ready\r\n"))
        #expect(try channel.readInbound(as: SMTPReply.self) == SMTPReply(code: 250, lines: ["mx.example", "PIPELINING", "SIZE 1000"]))
        #expect(try channel.readInbound(as: SMTPReply.self) == SMTPReply(code: 220, lines: ["ready"]))
        #expect(throws: (any Error).self) { try channel.writeInbound(ByteBuffer(string: "hello there\r\n")) }
    }

    @Test func configurationParsesTheURL() throws {
        let full = try SMTPConfiguration(
            url: "smtp://news%40example.org@mail.example.org:2525?tls=starttls&pool=8&timeout=20&rate=5&helo=masthead.example",
            environment: ["MASTHEAD_SMTP_PASSWORD": "from-env"])
        #expect(full.host == "mail.example.org" && full.port == 2525 && full.security == .startTLS)
        #expect(full.username == "news@example.org" && full.password == "from-env")
        #expect(full.poolSize == 8 && full.timeoutCap == .seconds(20) && full.messagesPerSecond == 5)
        #expect(try SMTPConfiguration(url: "smtps://mail.example.org").port == 465)
        #expect(try SMTPConfiguration(url: "smtp://mail.example.org").port == 587)
        #expect(throws: SMTPConfiguration.Problem.self) { try SMTPConfiguration(url: "smtp://user@mail.example.org") }
        #expect(throws: SMTPConfiguration.Problem.self) { try SMTPConfiguration(url: "smtp://mail.example.org?tls=maybe") }
        #expect(throws: SMTPConfiguration.Problem.self) { try SMTPConfiguration(url: "smtp://mail.example.org?pool=0") }
        #expect(SMTPConfiguration.redacted("smtp://u:hunter2@h") .contains("hunter2") == false)
    }
}
