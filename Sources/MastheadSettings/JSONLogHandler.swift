import Foundation
public import Logging

/// Writes each log record as one JSON object per line, for log collectors
/// (`MASTHEAD_LOG_FORMAT=json`): `{"time":…,"level":…,"label":…,"message":…,…metadata}`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    let label: String
    let write: @Sendable (String) -> Void

    /// Creates a handler writing to standard error, or to `write` (tests capture lines).
    public init(label: String, write: @escaping @Sendable (String) -> Void = LogOutput.standardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var record: [String: String] = [:]
        for (key, value) in metadata { record[key] = value.description }
        for (key, value) in event.metadata ?? [:] { record[key] = value.description }
        record["time"] = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        record["level"] = event.level.rawValue
        record["label"] = label
        record["message"] = event.message.description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(record) else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }
}

/// Where log lines go.
public enum LogOutput {
    /// Writes a line to standard error in one `write(2)` so concurrent lines do not interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { raw in
            Foundation.write(FileHandle.standardError.fileDescriptor, raw.baseAddress, raw.count)
        }
    }
}

extension LogFormat {
    /// A log handler factory for this format, for `LoggingSystem.bootstrap` or `Logger(label:factory:)`.
    /// Repeated warnings and errors are thinned out (``RepeatLimitingLogHandler``).
    public func makeHandler(level: Logger.Level) -> @Sendable (String) -> any LogHandler {
        let repeats = LogRepeats()
        switch self {
        case .text:
            return { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return RepeatLimitingLogHandler(handler, repeats: repeats)
            }
        case .json:
            return { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return RepeatLimitingLogHandler(handler, repeats: repeats)
            }
        }
    }
}
