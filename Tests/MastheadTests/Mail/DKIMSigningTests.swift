import Foundation
import MastheadRuntime
import MastheadSettings
import SubscriberLists
import Testing
import TestSupport

/// Outgoing mail signed with the keys `masthead dkim generate` made, checked by dkimpy (PyPI),
/// a DKIM implementation independent of ours, against the TXT records the command printed.
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(if: DKIMVerifier.available || ProcessInfo.processInfo.environment["CI"] != nil, "dkimpy is not installed; Ops/test installs it"))
struct DKIMSigningTests {
    /// A file that is not a key (this test's own source), which `retire` must not delete.
    static let fixture = #filePath

    @Test func confirmationNoticeAndReceiptCarryAnRSAAndAnEd25519SignatureThatVerify() async throws {
        let keys = try TemporaryDirectory()
        var records: [String] = []
        var files: [DKIMKeyFile] = []
        for (selector, type) in [("s2026", "rsa"), ("e2026", "ed25519")] {
            let path = keys.file("dkim-\(selector).pem")
            let made = try await Executables.run(
                "masthead", ["dkim", "generate", "--selector", selector, "--domain", "news.example.org", "--type", type, "--out", path], in: keys.path)
            try #require(made.status == 0, "\(made.stderr)")
            // `s2026._domainkey.news.example.org TXT "v=DKIM1; k=rsa; p=…"`
            let line = try #require(made.stdout.split(separator: "\n").first { $0.contains("._domainkey.") && $0.contains(" TXT ") })
            let parts = line.components(separatedBy: " TXT ")
            records.append("\(parts[0])=\(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            files.append(DKIMKeyFile(selector: selector, path: path))
        }
        #expect(records[0].contains("k=rsa; p=MIIBIjAN") && records[1].contains("k=ed25519; p="))
        let again = try await Executables.run(
            "masthead", ["dkim", "generate", "--selector", "s2026", "--domain", "news.example.org", "--out", files[0].path], in: keys.path)
        #expect(again.status == 1 && again.stderr.contains("already exists"))
        let listed = try await Executables.run(
            "masthead", ["dkim", "list", "--format", "json"], in: keys.path,
            environment: ["MASTHEAD_DKIM_KEY_FILE": files.map { "\($0.selector):\($0.path)" }.joined(separator: ","), "MASTHEAD_DKIM_DOMAIN": "news.example.org"])
        #expect(listed.status == 0, "\(listed.stderr)")
        for record in records {
            let (name, value) = (String(record.prefix { $0 != "=" }), String(record.drop { $0 != "=" }.dropFirst()))
            #expect(listed.stdout.contains(name) && listed.stdout.contains(value), "\(listed.stdout)")
        }

        // A key still configured is not retired; one taken out is deleted, with the DNS step to take.
        let old = keys.file("dkim-s2025.pem")
        _ = try await Executables.run("masthead", ["dkim", "generate", "--selector", "s2025", "--domain", "news.example.org", "--out", old], in: keys.path)
        let signing = try await Executables.run(
            "masthead", ["dkim", "retire", "--selector", "s2025", "--file", old], in: keys.path, environment: ["MASTHEAD_DKIM_KEY_FILE": "s2025:\(old)"])
        #expect(signing.status == 1 && signing.stderr.contains("s2025 still signs mail") && FileManager.default.fileExists(atPath: old))
        let notAKey = try await Executables.run("masthead", ["dkim", "retire", "--selector", "x", "--file", Self.fixture], in: keys.path)
        #expect(notAKey.status == 1 && notAKey.stderr.contains("is not a private key") && FileManager.default.fileExists(atPath: Self.fixture))
        let retired = try await Executables.run(
            "masthead", ["dkim", "retire", "--selector", "s2025", "--file", old], in: keys.path,
            environment: ["MASTHEAD_MAIL_FROM": "news@news.example.org"])
        #expect(retired.status == 0 && retired.stdout.contains("remove the TXT record s2025._domainkey.news.example.org on or after"), "\(retired.stderr)")
        #expect(!FileManager.default.fileExists(atPath: old))

        let test = try await TestRuntime { configuration in
            configuration.mailFrom = "Ukraine Daily <news@news.example.org>"
            configuration.dkimKeys = files
        }
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        _ = try await test.runtime.services.directory.add("bohdan@example.org", newsletter: "ukraine-daily", confirmed: true, basis: "form", actor: "test")
        try await PledgeHTTP.live(test) { client in
            // A confirmation in Ukrainian (an encoded subject), a notice to a confirmed reader, a receipt.
            _ = try await SignupHTTP.signUp(client, ["email": "anna@example.org", "newsletters": ["ukraine-daily"], "locale": "uk"])
            _ = try await SignupHTTP.signUp(client, ["email": "bohdan@example.org", "newsletters": ["ukraine-daily"]])
            let created = try await PledgeHTTP.create(client, ["email": "olena@example.org", "amount": "5", "currency": "USD"])
            _ = try await PledgeHTTP.pay(client, try PledgeHTTP.checkoutPath(created), brand: "visa", outcome: "succeeded")
        }
        for _ in 0..<20 where try test.emails().count < 3 { try await test.deliver() }
        let emails = try test.emails()
        try #require(emails.count == 3)
        for email in emails {
            let checked = try await DKIMVerifier.verify(email, records: records)
            #expect(checked.stdout == "pass rsa-sha256\npass ed25519-sha256\n", "\(email): \(checked.stdout)\(checked.stderr)")
        }
        let subjects = try emails.map { try String(contentsOfFile: $0, encoding: .utf8) }.compactMap { text in
            text.split(separator: "\r\n").first { $0.hasPrefix("Subject:") }
        }
        #expect(subjects.contains { $0.lowercased().contains("=?utf-8?") }, "a non-ASCII subject is among them: \(subjects)")

        // A message changed after signing fails both signatures.
        let altered = keys.file("altered.eml")
        try String(contentsOfFile: emails[0], encoding: .utf8).replacingOccurrences(of: "anna@example.org", with: "anya@example.org")
            .write(toFile: altered, atomically: true, encoding: .utf8)
        let refused = try await DKIMVerifier.verify(altered, records: records)
        #expect(refused.status == 1 && refused.stdout == "fail rsa-sha256\nfail ed25519-sha256\n", "\(refused.stdout)\(refused.stderr)")
    }
}

/// `Tests/dkim/verify.py`: dkimpy with the public keys given instead of looked up in DNS.
enum DKIMVerifier {
    static let available: Bool =
        (try? Executables.runProgramOnThisThread("/usr/bin/env", ["python3", "-c", "import dkim, nacl"]).status) == 0

    static func verify(_ email: String, records: [String]) async throws -> Executables.Outcome {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("dkim/verify.py").path
        return try await Executables.runProgram("/usr/bin/env", ["python3", script, email] + records)
    }
}
