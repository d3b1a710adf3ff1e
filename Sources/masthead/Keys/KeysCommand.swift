import ArgumentParser
import Foundation
import MastheadRuntime
import MastheadSettings
import Signing

/// `masthead keys …`: the signing keys behind every link in an email.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Generate, rotate, retire and remove the keys that sign email links.",
        discussion: """
            Exactly one key is active and signs new links; retired keys still verify links \
            already sent until they are removed. Restart mastheadd after a change so it \
            reads the new file. Secrets are never printed.
            """,
        subcommands: [ListKeys.self, GenerateKeys.self, RotateKeys.self, RetireKey.self, RemoveKey.self])
}

/// Where the keys file is.
struct KeysFileOption: ParsableArguments {
    @Option(name: .long, help: "Keys file (else MASTHEAD_KEYS, else masthead.keys).")
    var keys: String?

    func path(_ global: GlobalOptions) async throws -> String {
        try await global.loadConfiguration(overrides: [(.keys, keys)]).keysPath
    }
}

/// Reads the ring, applies `change`, writes it back atomically.
func changeKeyRing(at path: String, _ change: (inout KeyRing) throws -> String) async throws {
    try await CommandFailure.reporting {
        var ring = try KeyRingFile.loadAddingAddressSecret(path: path, requirePrivate: false).ring
        let message = try change(&ring)
        try KeyRingFile.save(ring, path: path)
        print(message)
    }
}

struct ListKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the keys (ids, states, creation times; never secrets).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: KeysFileOption
    @OptionGroup var output: FormatOption

    struct Entry: Encodable {
        let kid: String
        let state: String
        let createdAt: Date
    }

    func run() async throws {
        let path = try await file.path(global)
        try await CommandFailure.reporting {
            let ring = try KeyRingFile.loadAddingAddressSecret(path: path, requirePrivate: false).ring
            let entries = ring.keys.reversed().map { Entry(kid: $0.kid, state: $0.state.rawValue, createdAt: $0.createdAt) }
            let listing = Listing<Entry>(columns: [
                ("KID", \.kid), ("STATE", \.state), ("CREATED", { $0.createdAt.formatted(.iso8601) }),
            ])
            print(try listing.render(entries, as: output.resolved), terminator: "")
        }
    }
}

struct GenerateKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Create a new keys file with one active key.",
        discussion: """
            Refuses to overwrite an existing file: that would break every link already sent. \
            The file is written with mode 0600; keep it with the database's backups.

            Example:
              masthead keys generate --keys /var/lib/masthead/masthead.keys
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: KeysFileOption

    func run() async throws {
        let path = try await file.path(global)
        try await CommandFailure.reporting {
            guard !FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("\(path) already exists; use `masthead keys rotate` to add a key")
            }
            let ring = try KeyRing.generate(at: Date())
            try KeyRingFile.save(ring, path: path)
            print("created \(path) with active key \(ring.activeKey.kid)")
        }
    }
}

struct RotateKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Make a new active key; the previous one is retired and keeps verifying.",
        discussion: """
            Links already sent keep working until the retired key is removed. \
            Remove it once the links it signed no longer matter (confirmation links \
            expire after 7 days; unsubscribe links never do).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: KeysFileOption

    func run() async throws {
        let path = try await file.path(global)
        try await changeKeyRing(at: path) { ring in
            let previous = ring.activeKey.kid
            let fresh = try ring.rotate(at: Date())
            return "active key is now \(fresh.kid); \(previous) is retired"
        }
    }
}

struct RetireKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire",
        abstract: "Stop signing with the active key and go back to the newest retired key.",
        discussion: """
            Undoes a rotation: KID keeps verifying the links it signed, and the most recent \
            retired key signs new ones.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: KeysFileOption
    @Argument(help: "The active key's id.") var kid: String

    func run() async throws {
        let path = try await file.path(global)
        try await changeKeyRing(at: path) { ring in
            try ring.retire(kid)
            return "retired \(kid); active key is now \(ring.activeKey.kid)"
        }
    }
}

struct RemoveKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Delete a retired key; every link it signed stops working.",
        discussion: """
            Use it after a rotation has aged out, or at once when a key has leaked.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: KeysFileOption
    @Argument(help: "The retired key's id.") var kid: String

    func run() async throws {
        let path = try await file.path(global)
        try await changeKeyRing(at: path) { ring in
            try ring.remove(kid)
            return "removed \(kid)"
        }
    }
}
