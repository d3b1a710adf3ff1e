public import ArgumentParser
import Foundation
import Mail
import MastheadSettings
import Signing

/// `masthead dkim …`: the keys that sign outgoing mail, and the DNS records that publish them.
struct DKIMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkim",
        abstract: "Make DKIM keys and show the DNS records that publish them.",
        discussion: """
            Receivers (Gmail and Yahoo require it of bulk senders) check each message's DKIM \
            signature against the public key at SELECTOR._domainkey.DOMAIN. mastheadd signs with \
            every key MASTHEAD_DKIM_KEY_FILE names: an RSA key, and an Ed25519 key beside it if \
            you like (RFC 8463; receivers that do not know Ed25519 use the RSA signature).

            To change keys: generate one under a new selector, publish its record, wait for DNS \
            (an hour), point MASTHEAD_DKIM_KEY_FILE at it and restart, then `dkim retire` the \
            old one and remove its record a week later (mail in flight is still checked against it).
            """,
        subcommands: [GenerateDKIMKey.self, ListDKIMKeys.self, RetireDKIMKey.self])
}

struct GenerateDKIMKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a new private key (PEM, mode 0600) and print the TXT record to publish.",
        discussion: """
            Refuses to overwrite a file. The default file is dkim-SELECTOR.pem beside the keys file.

            Examples:
              masthead dkim generate --selector s2026 --domain news.example.org
              masthead dkim generate --selector e2026 --domain news.example.org --type ed25519
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The selector: the DNS name is SELECTOR._domainkey.DOMAIN.") var selector: String
    @Option(help: "The signing domain (the From address's domain, or its parent).") var domain: String
    @Option(help: "rsa (2048 bits, understood everywhere) or ed25519.") var type: PrivateSigningKey.Kind = .rsa
    @Option(help: "Where to write the key (default: dkim-SELECTOR.pem beside the keys file).") var out: String?

    func validate() throws {
        guard selector.wholeMatch(of: /[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*/) != nil else {
            throw ValidationError("--selector must be DNS labels (letters, digits, '-', '.'), e.g. s2026")
        }
        guard domain.contains("."), URL(string: "https://\(domain)/")?.host == domain.lowercased() else {
            throw ValidationError("--domain must be a domain name, e.g. news.example.org")
        }
    }

    func run() async throws {
        let keysPath = try await global.loadConfiguration().keysPath
        let path = out ?? URL(fileURLWithPath: keysPath).deletingLastPathComponent().appendingPathComponent("dkim-\(selector).pem").path
        try await CommandFailure.reporting {
            let key = try PrivateSigningKey.generate(type)
            // Created with 0600 from the start, never briefly readable by others; O_EXCL refuses an existing file.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else {
                throw ValidationError(errno == EEXIST ? "\(path) already exists; choose another --selector or --out" : "cannot create \(path): \(String(cString: strerror(errno)))")
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            try handle.write(contentsOf: Data(key.pem.utf8))
            try handle.close()
            print("wrote \(path) (\(type.rawValue) private key, mode 0600; keep it secret and backed up)")
            print("publish this TXT record:")
            print("\(selector)._domainkey.\(domain.lowercased()) TXT \"\(DKIMSigner.dnsRecord(for: key))\"")
            print("then sign with it: MASTHEAD_DKIM_KEY_FILE=\(selector):\(path) MASTHEAD_DKIM_DOMAIN=\(domain.lowercased())")
        }
    }
}

extension PrivateSigningKey.Kind: ExpressibleByArgument {}

struct ListDKIMKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The configured keys and the TXT record each needs (never the private key).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    struct Entry: Encodable {
        let selector: String
        let type: String
        let file: String
        let name: String
        let record: String
    }

    func run() async throws {
        let configuration = try await global.loadConfiguration()
        let entries = try await CommandFailure.reporting { try Self.entries(configuration) }
        let listing = Listing<Entry>(columns: [
            ("SELECTOR", \.selector), ("TYPE", \.type), ("FILE", \.file), ("TXT NAME", \.name), ("TXT RECORD", \.record),
        ])
        print(try listing.render(entries, as: output.resolved), terminator: "")
    }

    /// Each configured key with its record. (Synchronous and outside `run`'s closure: the
    /// release compiler crashed splitting the coroutine of the same code written inline.)
    static func entries(_ configuration: MastheadConfiguration) throws -> [Entry] {
        guard !configuration.dkimKeys.isEmpty else {
            throw ValidationError("no DKIM key is configured (MASTHEAD_DKIM_KEY_FILE); `masthead dkim generate` makes one")
        }
        let domain = try configuration.dkimDomain ?? configuration.fromMailbox().domain
        var entries: [Entry] = []
        for file in configuration.dkimKeys {
            let key = try PrivateSigningKey(pem: try String(contentsOfFile: file.path, encoding: .utf8))
            entries.append(Entry(
                selector: file.selector, type: key.kind.rawValue, file: file.path, name: "\(file.selector)._domainkey.\(domain)",
                record: DKIMSigner.dnsRecord(for: key)))
        }
        return entries
    }
}

struct RetireDKIMKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire",
        abstract: "Delete a private key that no longer signs, and say when to remove its DNS record.",
        discussion: """
            Refuses a selector MASTHEAD_DKIM_KEY_FILE still names: take it out and restart \
            mastheadd first. The DNS record stays a week more, so mail signed before the switch \
            still verifies; the private key is no use after that and is deleted now.

            Examples:
              masthead dkim retire --selector s2025
              masthead dkim retire --selector s2025 --file /var/lib/masthead/old/dkim-s2025.pem
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The selector of the key to retire.") var selector: String
    @Option(help: "The key's file (default: dkim-SELECTOR.pem beside the keys file).") var file: String?

    func run() async throws {
        let configuration = try await global.loadConfiguration()
        try await CommandFailure.reporting { print(try Self.retire(selector: selector, file: file, configuration)) }
    }

    /// Deletes the key file and returns what to tell the operator. (Synchronous: see `dkim list`.)
    static func retire(selector: String, file: String?, _ configuration: MastheadConfiguration) throws -> String {
        if let signing = configuration.dkimKeys.first(where: { $0.selector == selector }) {
            throw ValidationError(
                "\(selector) still signs mail (MASTHEAD_DKIM_KEY_FILE names \(signing.path)): take it out and restart mastheadd first")
        }
        let path = file ?? URL(fileURLWithPath: configuration.keysPath).deletingLastPathComponent().appendingPathComponent("dkim-\(selector).pem").path
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("no key at \(path) (--file names it)") }
        // Only a DKIM private key is deleted, never whatever file a typo named.
        guard (try? PrivateSigningKey(pem: pem)) != nil else { throw ValidationError("\(path) is not a private key; nothing deleted") }
        try FileManager.default.removeItem(atPath: path)
        let domain = try configuration.dkimDomain ?? configuration.fromMailbox().domain
        let week = Date().addingTimeInterval(7 * 86_400).formatted(.iso8601.year().month().day())
        return "deleted \(path)\nremove the TXT record \(selector)._domainkey.\(domain) on or after \(week) (mail signed before the switch is checked against it until then)"
    }
}
