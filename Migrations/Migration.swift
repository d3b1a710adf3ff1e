/// One numbered step of the database schema, as shipped inside the binary.
///
/// A migration is identified by its file name without the extension (`0001_init`); the
/// numeric prefix orders the steps. Its checksum lets a runner notice that a step already
/// applied to a database has since been edited, which the append-only rule forbids.
public struct Migration: Sendable, Hashable {
    /// The file name without `.sql`, e.g. `0001_init`.
    public let id: String
    /// The SQL text of the step.
    public let sql: String

    /// Creates a migration from its id and the UTF-8 bytes of its SQL file.
    public init(id: String, bytes: [UInt8]) {
        self.id = id
        self.sql = String(decoding: bytes, as: UTF8.self)
    }

    /// The position of the step: the number before the first underscore.
    public var sequence: Int {
        Int(id.prefix { $0.isNumber }) ?? 0
    }

    /// A stable fingerprint of the SQL text (64-bit FNV-1a, hex), recorded when the step is applied.
    ///
    /// It only detects accidental edits of a landed step; it is not a security boundary,
    /// so a non-cryptographic hash is enough and keeps this module free of dependencies.
    public var checksum: String {
        var hash = FNV1a64()
        for byte in sql.utf8 { hash.mix(byte) }
        let hex = String(hash.value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
