import Foundation
import MastheadRuntime
import MastheadSettings
import Signing
import TestSupport
import Testing

/// The keys file: generated in development, required and private in production.
@Suite struct RuntimeStartTests {
    func production(_ directory: TemporaryDirectory) -> MastheadConfiguration {
        var configuration = MastheadConfiguration()
        configuration.environment = .production
        configuration.publicURL = "https://news.example.org"
        configuration.mailer = .sendmail(path: "/usr/sbin/sendmail")
        configuration.mailFrom = "Ukraine Daily <news@example.org>"
        configuration.database = .sqlite(path: directory.file("masthead.sqlite"))
        configuration.keysPath = directory.file("masthead.keys")
        return configuration
    }

    @Test func developmentCreatesAPrivateKeysFileWithAWarning() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        let path = test.directory.file("masthead.keys")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        #expect(test.log.text.contains("generated a development signing key"))
        let ring = try KeyRingFile.load(path: path, requirePrivate: true)
        #expect(ring.activeKey.secret.count == 32)
        #expect(!test.log.text.contains(Data(ring.activeKey.secret).base64EncodedString()))
    }

    @Test func developmentReusesAnExistingKeysFile() async throws {
        let directory = try TemporaryDirectory()
        var configuration = MastheadConfiguration()
        configuration.database = .sqlite(path: directory.file("masthead.sqlite"))
        configuration.keysPath = directory.file("masthead.keys")
        let first = try await Runtime.start(configuration: configuration, logger: CapturedLog().logger)
        first.shutdown()
        let second = try await Runtime.start(configuration: configuration, logger: CapturedLog().logger)
        second.shutdown()
        #expect(first.keys == second.keys)
    }

    @Test func productionRefusesAMissingKeysFile() async throws {
        let directory = try TemporaryDirectory()
        await #expect {
            _ = try await Runtime.start(configuration: production(directory), logger: CapturedLog().logger)
        } throws: { error in
            (error as? ConfigurationError)?.setting == .keys
                && "\(error)".contains("masthead keys generate")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("masthead.keys")))
    }

    @Test func productionRefusesAKeysFileOthersCanRead() async throws {
        let directory = try TemporaryDirectory()
        let configuration = production(directory)
        try KeyRingFile.save(try KeyRing.generate(at: Date()), path: configuration.keysPath)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: configuration.keysPath)
        await #expect {
            _ = try await Runtime.start(configuration: configuration, logger: CapturedLog().logger)
        } throws: { error in
            "\(error)".contains("chmod 600")
        }
    }

    @Test func productionStartsWithAPrivateKeysFileAndARealMailer() async throws {
        let directory = try TemporaryDirectory()
        let configuration = production(directory)
        try KeyRingFile.save(try KeyRing.generate(at: Date()), path: configuration.keysPath)
        let runtime = try await Runtime.start(configuration: configuration, logger: CapturedLog().logger)
        runtime.shutdown()
    }
}
