import Foundation
import Mail
import TestSupport
import Testing

/// The sendmail transport against scripts that record what they get, or fail.
@Suite struct SendmailMailerTests {
    func script(_ body: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("sendmail")
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    let delivery = Delivery(
        outboxID: 3, sender: "bounces@example.org", recipient: "-oQ@evil.example", data: Array("Subject: x\r\n\r\n.hello\r\n".utf8),
        requiresSMTPUTF8: false)

    @Test func passesTheEnvelopeAsArgumentsAndTheMessageOnStandardInput() async throws {
        let directory = try TemporaryDirectory()
        let program = try script(#"printf '%s\n' "$@" > "$(dirname "$0")/args"; cat > "$(dirname "$0")/stdin""#, in: directory)
        try await SendmailMailer(path: program).deliver(delivery)
        let arguments = try String(contentsOfFile: directory.file("args"), encoding: .utf8)
        // "--" keeps a recipient that looks like an option from being read as one.
        #expect(arguments == "-i\n-f\nbounces@example.org\n--\n-oQ@evil.example\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("stdin"))) == Data(delivery.data))
    }

    @Test func nonZeroExitIsPermanentWithTheErrorOutput() async throws {
        let directory = try TemporaryDirectory()
        let program = try script("cat > /dev/null; echo 'no such user' >&2; exit 67", in: directory)
        do {
            try await SendmailMailer(path: program).deliver(delivery)
            Issue.record("delivered anyway")
        } catch {
            #expect(error.isPermanent)
            #expect(error.reason.contains("exited 67: no such user"))
        }
    }

    @Test func exit75IsTransient() async throws {
        let directory = try TemporaryDirectory()
        let program = try script("cat > /dev/null; echo 'queue full' >&2; exit 75", in: directory)
        do {
            try await SendmailMailer(path: program).deliver(delivery)
            Issue.record("delivered anyway")
        } catch {
            #expect(!error.isPermanent)
        }
    }

    @Test func aMissingProgramIsTransient() async throws {
        do {
            try await SendmailMailer(path: "/nonexistent/sendmail").deliver(delivery)
            Issue.record("delivered anyway")
        } catch {
            #expect(!error.isPermanent)
        }
    }
}
