import Foundation
import TestSupport
import Testing

@testable import Signing

/// The key ring's rules and its file.
@Suite struct KeyRingTests {
    let now = Date(timeIntervalSince1970: 1_764_082_800)

    @Test func rotationRetiresTheActiveKey() throws {
        var ring = try KeyRing.generate(at: now)
        let first = ring.activeKey.kid
        let second = try ring.rotate(at: now).kid
        #expect(ring.activeKey.kid == second)
        #expect(ring.retiredKeys.map(\.kid) == [first])
        #expect(ring.retiredKeys.allSatisfy { $0.state == .retired })
    }

    @Test func retireGoesBackToTheNewestRetiredKey() throws {
        var ring = try KeyRing.generate(at: now)
        let first = ring.activeKey.kid
        let second = try ring.rotate(at: now).kid
        try ring.retire(second)
        #expect(ring.activeKey.kid == first)
        #expect(throws: KeyRingError.alreadyRetired(kid: second)) { try ring.retire(second) }
        #expect(throws: KeyRingError.unknownKey(kid: "nope")) { try ring.retire("nope") }
        var single = try KeyRing.generate(at: now)
        #expect(throws: KeyRingError.noKeyToActivate) { try single.retire(single.activeKey.kid) }
    }

    @Test func theActiveKeyCannotBeRemoved() throws {
        var ring = try KeyRing.generate(at: now)
        #expect(throws: KeyRingError.cannotRemoveActiveKey(kid: ring.activeKey.kid)) { try ring.remove(ring.activeKey.kid) }
    }

    @Test func invalidRingsAreRefused() {
        let key = SigningKey(kid: "k1", secret: Array(repeating: 1, count: 32), createdAt: now, state: .active)
        var retired = key
        retired.state = .retired
        #expect(throws: KeyRingError.notExactlyOneActiveKey) { try KeyRing(keys: [], addressSecret: Array(repeating: 9, count: 32)) }
        #expect(throws: KeyRingError.notExactlyOneActiveKey) { try KeyRing(keys: [retired], addressSecret: Array(repeating: 9, count: 32)) }
        #expect(throws: KeyRingError.duplicateKeyID) { try KeyRing(keys: [key, retired], addressSecret: Array(repeating: 9, count: 32)) }
        #expect(throws: KeyRingError.secretTooShort(kid: "k1")) {
            try KeyRing(keys: [SigningKey(kid: "k1", secret: [1, 2], createdAt: now, state: .active)], addressSecret: Array(repeating: 9, count: 32))
        }
        #expect(throws: KeyRingError.invalidKeyID(kid: "has space")) {
            try KeyRing(keys: [SigningKey(kid: "has space", secret: Array(repeating: 1, count: 32), createdAt: now, state: .active)], addressSecret: Array(repeating: 9, count: 32))
        }
    }

    @Test func fileRoundTripsWithMode0600AndNoSecretInDescriptions() throws {
        let directory = try TemporaryDirectory()
        var ring = try KeyRing.generate(at: now)
        try ring.rotate(at: now.addingTimeInterval(60))
        let path = directory.file("masthead.keys")
        try KeyRingFile.save(ring, path: path)
        #expect(try KeyRingFile.load(path: path, requirePrivate: true) == ring)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let secret = Data(ring.activeKey.secret).base64EncodedString()
        #expect(!"\(ring)".contains(secret) && !"\(ring.activeKey)".contains(secret))
    }

    @Test func malformedFilesNameTheProblem() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("bad.keys")
        try "{not json".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: KeyRingFile.Problem.self) { try KeyRingFile.load(path: path, requirePrivate: false) }
        try #"{"version": 2, "keys": []}"#.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try KeyRingFile.load(path: path, requirePrivate: false)
            Issue.record("a version 2 file loaded")
        } catch {
            #expect(error.description.contains("unknown version 2"))
        }
    }
}
