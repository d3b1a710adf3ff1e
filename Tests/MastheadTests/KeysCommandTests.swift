import Foundation
import Signing
import TestSupport
import Testing

/// `masthead keys …` through the real executable: rotation keeps old links working.
@Suite(.timeLimit(.minutes(3))) struct KeysCommandTests {
    let address = "anna@example.org"

    func keys(_ arguments: [String], in directory: TemporaryDirectory) async throws -> Executables.Outcome {
        try await Executables.run("masthead", ["keys"] + arguments, in: directory.path)
    }

    @Test func rotationThroughTheCLIKeepsOldLinksWorking() async throws {
        let directory = try TemporaryDirectory()
        let generated = try await keys(["generate"], in: directory)
        #expect(generated.status == 0, "\(generated.stderr)")
        let path = directory.file("masthead.keys")
        let original = try KeyRingFile.load(path: path, requirePrivate: true)
        let now = Date()
        let oldLink = TokenSigner(ring: original).sign(.unsubscribe, subject: 5, address: address, at: now, lifetime: nil)

        let rotated = try await keys(["rotate"], in: directory)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let ring = try KeyRingFile.load(path: path, requirePrivate: true)
        #expect(ring.activeKey.kid != original.activeKey.kid)
        _ = try TokenSigner(ring: ring).verify(oldLink, purpose: .unsubscribe, address: address, at: now)

        let removed = try await keys(["remove", original.activeKey.kid], in: directory)
        #expect(removed.status == 0, "\(removed.stderr)")
        let pruned = try KeyRingFile.load(path: path, requirePrivate: true)
        #expect(throws: TokenRejection.unknownKey) {
            try TokenSigner(ring: pruned).verify(oldLink, purpose: .unsubscribe, address: address, at: now)
        }
    }

    @Test func listNeverPrintsSecrets() async throws {
        let directory = try TemporaryDirectory()
        _ = try await keys(["generate"], in: directory)
        _ = try await keys(["rotate"], in: directory)
        let ring = try KeyRingFile.load(path: directory.file("masthead.keys"), requirePrivate: true)
        let listed = try await keys(["list", "--format", "json"], in: directory)
        #expect(listed.status == 0)
        for key in ring.keys {
            #expect(listed.stdout.contains(key.kid))
            #expect(!listed.stdout.contains(Data(key.secret).base64EncodedString()))
        }
        let entries = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        #expect(entries?.map { $0["state"] as? String } == ["active", "retired"])
    }

    @Test func generateRefusesToOverwrite() async throws {
        let directory = try TemporaryDirectory()
        _ = try await keys(["generate"], in: directory)
        let before = try String(contentsOfFile: directory.file("masthead.keys"), encoding: .utf8)
        let again = try await keys(["generate"], in: directory)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
        #expect(try String(contentsOfFile: directory.file("masthead.keys"), encoding: .utf8) == before)
    }

    @Test func retireAndRemoveRefuseWhatWouldLeaveNoSigner() async throws {
        let directory = try TemporaryDirectory()
        _ = try await keys(["generate"], in: directory)
        let ring = try KeyRingFile.load(path: directory.file("masthead.keys"), requirePrivate: true)
        let retire = try await keys(["retire", ring.activeKey.kid], in: directory)
        #expect(retire.status == 1)
        #expect(retire.stderr.contains("no retired key could take over signing"))
        let remove = try await keys(["remove", ring.activeKey.kid], in: directory)
        #expect(remove.stderr.contains("is the active key"))
        let missing = try await keys(["list"], in: try TemporaryDirectory())
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("does not exist"))
    }

    @Test func keysOptionChoosesTheFile() async throws {
        let directory = try TemporaryDirectory()
        let outcome = try await keys(["generate", "--keys", directory.file("elsewhere.keys")], in: directory)
        #expect(outcome.status == 0)
        #expect(FileManager.default.fileExists(atPath: directory.file("elsewhere.keys")))
        #expect(!FileManager.default.fileExists(atPath: directory.file("masthead.keys")))
    }
}
