import Foundation

/// Reads an RFC 4180 CSV file record by record, holding one buffer and one record in memory
/// whatever the file's size.
///
/// Dialect: fields separated by commas; records end in CRLF or LF; a field in double quotes may
/// hold commas, quotes (doubled) and line breaks; a UTF-8 byte order mark at the start is
/// skipped; every field must be valid UTF-8. A record longer than ``maximumRecordLength`` is
/// reported and skipped up to the next line break.
public struct CSVReader {
    /// One record, with the line it starts on (1-based, counting physical lines).
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]

        /// Creates a record.
        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    /// A record that could not be read; reading goes on with the next one.
    public struct Problem: Error, Sendable, Equatable {
        public var line: Int
        public var reason: String

        /// Creates a problem.
        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    /// Longest record accepted, in bytes.
    public static let maximumRecordLength = 64 * 1024

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var endOfFile = false
    private var line = 1
    private var startedFile = false
    /// Bytes consumed so far (for progress).
    public private(set) var bytesRead = 0

    /// Opens a file for reading.
    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    /// The next record, a problem with it, or nil at the end of the file.
    public mutating func next() -> Result<Record, Problem>? {
        if !startedFile {
            startedFile = true
            if peek(0) == 0xEF, peek(1) == 0xBB, peek(2) == 0xBF { advance(3) }
        }
        guard peek(0) != nil else { return nil }
        let startLine = line
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var length = 0
        var quoted = false
        var atFieldStart = true
        while true {
            guard let byte = peek(0) else {
                if quoted { return .failure(Problem(line: startLine, reason: "a quoted field is not closed")) }
                fields.append(field)
                return finish(fields, startLine)
            }
            advance(1)
            length += 1
            if length > Self.maximumRecordLength {
                skipToLineEnd()
                return .failure(Problem(line: startLine, reason: "the record is longer than \(Self.maximumRecordLength) bytes"))
            }
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if peek(0) == UInt8(ascii: "\"") {
                        advance(1)
                        field.append(byte)
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 10 { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\"") where atFieldStart:
                quoted = true
                atFieldStart = false
            case UInt8(ascii: ","):
                fields.append(field)
                field = []
                atFieldStart = true
            case 13 where peek(0) == 10:
                continue
            case 10, 13:
                line += 1
                fields.append(field)
                return finish(fields, startLine)
            default:
                field.append(byte)
                atFieldStart = false
            }
        }
    }

    private func finish(_ fields: [[UInt8]], _ line: Int) -> Result<Record, Problem> {
        var strings: [String] = []
        strings.reserveCapacity(fields.count)
        for field in fields {
            guard let text = String(validating: field, as: UTF8.self) else {
                return .failure(Problem(line: line, reason: "the record is not valid UTF-8"))
            }
            strings.append(text)
        }
        return .success(Record(line: line, fields: strings))
    }

    private mutating func skipToLineEnd() {
        while let byte = peek(0) {
            advance(1)
            if byte == 10 {
                line += 1
                return
            }
        }
    }

    private mutating func peek(_ offset: Int) -> UInt8? {
        while position + offset >= buffer.count {
            guard !endOfFile else { return nil }
            refill()
        }
        return buffer[position + offset]
    }

    private mutating func advance(_ count: Int) {
        position += count
        bytesRead += count
    }

    private mutating func refill() {
        let chunk = handle.readData(ofLength: 256 * 1024)
        if chunk.isEmpty {
            endOfFile = true
            return
        }
        buffer.removeFirst(position)
        position = 0
        buffer.append(contentsOf: chunk)
    }
}
