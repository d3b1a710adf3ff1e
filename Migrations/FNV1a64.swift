/// 64-bit FNV-1a: a fast, dependency-free fingerprint for noticing edits and copy errors (the
/// migration checksums, `db copy`'s table checksums). Not a security boundary.
public struct FNV1a64: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func mix(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01b3
    }
}
