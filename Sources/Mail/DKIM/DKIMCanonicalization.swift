/// DKIM's "relaxed" canonicalisation (RFC 6376 §3.4.2, §3.4.4), on bytes: what the signer
/// hashes and every verifier recomputes, so that re-folding and whitespace changes made by
/// relays on the way do not break the signature.
enum DKIMCanonicalization {
    private static let space: UInt8 = 0x20
    private static let tab: UInt8 = 0x09
    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A

    /// One header field, folded lines and all (`Subject: …\r\n\t…`, without its final CRLF), as
    /// `name:value`: the name lower-cased, the value unfolded, every run of spaces and tabs one
    /// space, none at either end of the value or around the colon.
    static func header(_ field: ArraySlice<UInt8>) -> [UInt8] {
        guard let colon = field.firstIndex(of: UInt8(ascii: ":")) else { return Array(field) }
        var output = field[field.startIndex..<colon].filter { $0 != space && $0 != tab }.map { byte in
            (65...90).contains(byte) ? byte + 32 : byte
        }
        output.append(UInt8(ascii: ":"))
        var pendingSpace = false
        var valueStarted = false
        for byte in field[(colon + 1)...] where byte != cr && byte != lf {
            if byte == space || byte == tab {
                pendingSpace = true
                continue
            }
            // A space before the first character of the value is dropped, as is one at the end.
            if pendingSpace, valueStarted { output.append(space) }
            pendingSpace = false
            valueStarted = true
            output.append(byte)
        }
        return output
    }

    /// The body: each line's runs of spaces and tabs one space, none at a line's end, empty
    /// lines at the end removed, and a CRLF after the last line (nothing for an empty body).
    static func body(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        // Empty lines are held back until a line with text follows: those at the end go.
        var heldEmptyLines = 0
        var lineIsEmpty = true
        var pendingSpace = false
        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            if byte == cr, index + 1 < body.endIndex, body[index + 1] == lf {
                if lineIsEmpty { heldEmptyLines += 1 } else { output += [cr, lf] }
                lineIsEmpty = true
                pendingSpace = false
                index += 2
                continue
            }
            if byte == space || byte == tab {
                pendingSpace = true
            } else {
                if lineIsEmpty {
                    for _ in 0..<heldEmptyLines { output += [cr, lf] }
                    heldEmptyLines = 0
                }
                if pendingSpace { output.append(space) }
                pendingSpace = false
                lineIsEmpty = false
                output.append(byte)
            }
            index += 1
        }
        // A last line without its CRLF gets one.
        if !lineIsEmpty { output += [cr, lf] }
        return output
    }

    /// The header fields of a message (each with its folded continuation lines, without the
    /// final CRLF) and where its body starts (after the empty line).
    static func split(_ message: [UInt8]) -> (fields: [ArraySlice<UInt8>], body: ArraySlice<UInt8>) {
        var fields: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + 1 < message.count {
            guard message[index] == cr, message[index + 1] == lf else {
                index += 1
                continue
            }
            if index == start {
                // The empty line: the body follows.
                return (fields, message[(index + 2)...])
            }
            let next = index + 2
            if next < message.count, message[next] == space || message[next] == tab {
                // A folded line continues this field.
                index = next
                continue
            }
            fields.append(message[start..<index])
            start = next
            index = next
        }
        if start < message.count { fields.append(message[start...]) }
        return (fields, message[message.count...])
    }

    /// A field's name, lower-cased.
    static func name(_ field: ArraySlice<UInt8>) -> String {
        let end = field.firstIndex(of: UInt8(ascii: ":")) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self).trimmingWhitespace().lowercased()
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
