import ArgumentParser
import Foundation

/// How listing commands print: an aligned table for people, JSON or CSV for programs.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv

    /// A table on a terminal, JSON when the output is piped or redirected.
    static var automatic: OutputFormat {
        isatty(STDOUT_FILENO) == 1 ? .table : .json
    }
}

/// Options of a listing command.
struct FormatOption: ParsableArguments {
    @Option(help: "Output format (default: table on a terminal, json otherwise).")
    var format: OutputFormat?

    var resolved: OutputFormat { format ?? .automatic }
}

/// A listing: columns for table and CSV, the items themselves for JSON.
struct Listing<Item: Encodable> {
    let columns: [(title: String, value: (Item) -> String)]

    func render(_ items: [Item], as format: OutputFormat) throws -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.dateEncodingStrategy = .iso8601
            return String(decoding: try encoder.encode(items), as: UTF8.self) + "\n"
        case .csv:
            let lines = [columns.map { Self.csvField($0.title) }] + items.map { item in columns.map { Self.csvField($0.value(item)) } }
            return lines.map { $0.joined(separator: ",") + "\r\n" }.joined()
        case .table:
            let rows = [columns.map(\.title)] + items.map { item in columns.map { $0.value(item) } }
            let widths = columns.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            return rows.map { row in
                zip(row, widths).map { cell, width in cell.padding(toLength: width, withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingTrailingSpaces() + "\n"
            }.joined()
        }
    }

    /// RFC 4180: quote a field holding a comma, quote or line break; double inner quotes.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
