/// The signed bytes of a token:
/// `purpose(1) | kid length(1) | kid | subject (LEB128) | issued(4, BE) | expires(4, BE, 0 = never) | binding(8)`.
struct TokenRecord: Equatable {
    var purposeCode: UInt8
    var keyID: String
    var subject: Int64
    var issuedAt: UInt32
    var expiresAt: UInt32
    var binding: [UInt8]

    static let maximumKeyIDLength = 16

    func encoded() -> [UInt8] {
        var bytes: [UInt8] = [purposeCode, UInt8(keyID.utf8.count)]
        bytes += keyID.utf8
        var remaining = UInt64(bitPattern: subject)
        repeat {
            let low = UInt8(remaining & 0x7F)
            remaining >>= 7
            bytes.append(remaining == 0 ? low : low | 0x80)
        } while remaining != 0
        for value in [issuedAt, expiresAt] {
            bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        return bytes + binding
    }

    /// Parses exactly one record; nil for anything with a byte too few or too many.
    init?(decoding bytes: [UInt8]) {
        var index = 0
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, index + count <= bytes.count else { return nil }
            defer { index += count }
            return bytes[index..<(index + count)]
        }
        guard let purpose = take(1)?.first, let length = take(1)?.first,
            (1...Self.maximumKeyIDLength).contains(Int(length)), let kid = take(Int(length)),
            kid.allSatisfy({ $0 >= 0x21 && $0 < 0x7F })
        else { return nil }
        var subject: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            // The tenth group holds the 64th bit only: anything more would be dropped, and two
            // byte strings would decode to one record (found by Ops/fuzz's FuzzToken).
            guard let byte = take(1)?.first, shift < 64, shift < 63 || byte <= 1 else { return nil }
            subject |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                // Refuse non-minimal encodings (a trailing zero group) so each record has one form.
                guard byte != 0 || shift == 0 else { return nil }
                break
            }
            shift += 7
        }
        guard let issued = take(4), let expires = take(4), let binding = take(TokenSigner.bindingLength),
            index == bytes.count
        else { return nil }
        func bigEndian(_ slice: ArraySlice<UInt8>) -> UInt32 {
            slice.reduce(0) { $0 << 8 | UInt32($1) }
        }
        self.purposeCode = purpose
        self.keyID = String(decoding: kid, as: UTF8.self)
        self.subject = Int64(bitPattern: subject)
        self.issuedAt = bigEndian(issued)
        self.expiresAt = bigEndian(expires)
        self.binding = Array(binding)
    }

    init(purposeCode: UInt8, keyID: String, subject: Int64, issuedAt: UInt32, expiresAt: UInt32, binding: [UInt8]) {
        self.purposeCode = purposeCode
        self.keyID = keyID
        self.subject = subject
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.binding = binding
    }
}
