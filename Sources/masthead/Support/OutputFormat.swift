import ArgumentParser
import Foundation
import SubscriberLists

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

/// JSON as the commands print it: pretty, sorted keys, snake_case, ISO 8601 times.
enum JSONOutput {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}

/// A listing: columns for table and CSV, the items themselves for JSON.
struct Listing<Item: Encodable> {
    let columns: [(title: String, value: (Item) -> String)]

    func render(_ items: [Item], as format: OutputFormat) throws -> String {
        switch format {
        case .json:
            return try JSONOutput.encode(items)
        case .csv:
            return ([columns.map(\.title)] + items.map { item in columns.map { $0.value(item) } }).map(CSVField.record).joined()
        case .table:
            return table(items)
        }
    }

    /// Aligned columns under a header row.
    func table(_ items: [Item]) -> String {
        let rows = [columns.map(\.title)] + items.map { item in columns.map { $0.value(item) } }
        let widths = columns.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { cell, width in cell.padding(toLength: width, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }.joined()
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
