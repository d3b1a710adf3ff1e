/// DNS's wire format (RFC 1035), as much as a stub resolver needs: one question out, the
/// answers of the asked type back, names decompressed.
enum DNSMessage {
    static let responseCodes = [1: "FORMERR", 2: "SERVFAIL", 4: "NOTIMP", 5: "REFUSED"]

    /// A recursive query for `name`'s `type` records, with an EDNS0 OPT record offering
    /// 4,096-byte UDP answers.
    static func query(id: UInt16, name: String, type: DNSRecordType) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]
        for label in name.split(separator: ".") {
            let utf8 = Array(label.utf8.prefix(63))
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes += [0, UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xff), 0, 1]
        bytes += [0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0]  // OPT: root name, type 41, class = UDP size 4096
        return bytes
    }

    static func isTruncated(_ answer: [UInt8]) -> Bool { answer.count >= 3 && answer[2] & 0x02 != 0 }

    /// The answers of `type` in a response to query `id`; empty for NXDOMAIN and NODATA.
    static func answers(_ message: [UInt8], id: UInt16, name: String, type: DNSRecordType, server: DNSServer) throws(DNSLookupError) -> [String] {
        var reader = Reader(bytes: message)
        guard let header = reader.take(12), UInt16(header[0]) << 8 | UInt16(header[1]) == id, header[2] & 0x80 != 0 else {
            throw .malformed(server)
        }
        let code = Int(header[3] & 0x0f)
        let questions = Int(header[4]) << 8 | Int(header[5])
        let answerCount = Int(header[6]) << 8 | Int(header[7])
        if code == 3 { return [] }  // NXDOMAIN
        for _ in 0..<questions {
            guard reader.name() != nil, reader.take(4) != nil else { throw .malformed(server) }
        }
        if code != 0 { throw .failed(server, name: name, code: code) }
        var found: [String] = []
        for _ in 0..<answerCount {
            guard reader.name() != nil, let fixed = reader.take(10) else { throw .malformed(server) }
            let recordType = UInt16(fixed[0]) << 8 | UInt16(fixed[1])
            let length = Int(fixed[8]) << 8 | Int(fixed[9])
            let start = reader.offset
            guard start + length <= message.count else { throw .malformed(server) }
            if recordType == type.rawValue {
                guard let text = reader.data(of: type, length: length) else { throw .malformed(server) }
                found.append(text)
            }
            reader.offset = start + length
        }
        return found
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ count: Int) -> [UInt8]? {
            guard offset + count <= bytes.count else { return nil }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        /// A name at the current offset, following compression pointers (at most 64, so a loop
        /// of pointers ends).
        mutating func name() -> String? {
            var labels: [String] = []
            var position = offset
            var jumped = false
            for _ in 0..<128 {
                guard position < bytes.count else { return nil }
                let length = Int(bytes[position])
                if length == 0 {
                    if !jumped { offset = position + 1 }
                    return labels.joined(separator: ".")
                }
                if length & 0xc0 == 0xc0 {
                    guard position + 1 < bytes.count else { return nil }
                    if !jumped { offset = position + 2 }
                    jumped = true
                    position = (length & 0x3f) << 8 | Int(bytes[position + 1])
                    continue
                }
                guard position + 1 + length <= bytes.count else { return nil }
                labels.append(String(decoding: bytes[position + 1..<position + 1 + length], as: UTF8.self))
                position += 1 + length
            }
            return nil
        }

        mutating func data(of type: DNSRecordType, length: Int) -> String? {
            let end = offset + length
            switch type {
            case .a, .aaaa:
                guard length == (type == .a ? 4 : 16), let raw = take(length) else { return nil }
                return IPAddress(bytes: raw).description
            case .mx:
                guard let preference = take(2), let host = name() else { return nil }
                return "\(Int(preference[0]) << 8 | Int(preference[1])) \(host.isEmpty ? "." : host)"  // "0 ." is a null MX
            case .cname:
                return name()
            case .txt:
                // One or more character-strings, joined as RFC 7208 and RFC 6376 read them.
                var text: [UInt8] = []
                while offset < end {
                    guard let size = take(1), let part = take(Int(size[0])) else { return nil }
                    text += part
                }
                return String(decoding: text, as: UTF8.self)
            }
        }
    }
}
