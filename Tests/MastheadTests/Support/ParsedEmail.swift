import Foundation

/// An .eml file as Python's `email` package reads it (an independent MIME parser).
struct ParsedEmail: Decodable {
    let headers: [String: [String]]
    let content_type: String
    let defects: [String]
    let parts: [String: String]
    let crlf_only: Bool
    let longest_line: Int

    static func parse(_ path: String) async throws -> ParsedEmail {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("parse_eml.py").path
        let outcome = try await Executables.runProgram("/usr/bin/env", ["python3", script, path])
        guard outcome.status == 0 else { throw ParseFailure(message: outcome.stderr) }
        return try JSONDecoder().decode(ParsedEmail.self, from: Data(outcome.stdout.utf8))
    }

    struct ParseFailure: Error { let message: String }

    func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value.first }

    var text: String { parts["text/plain"] ?? "" }
    var html: String { parts["text/html"] ?? "" }

    /// The first link in the text part that goes to `path` (`/v1/confirm`), and its token.
    func link(_ path: String) -> (url: String, token: String)? {
        guard let range = text.range(of: #"https?://\S+"# + path.replacingOccurrences(of: "/", with: "\\/") + #"\?token=\S+"#, options: .regularExpression)
        else { return nil }
        let url = String(text[range])
        guard let token = url.components(separatedBy: "token=").last?.split(separator: "&").first else { return nil }
        return (url, String(token))
    }
}
