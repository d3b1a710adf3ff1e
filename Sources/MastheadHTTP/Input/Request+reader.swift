import DNSLookup
import Hummingbird
import MastheadSettings
import NewsletterSignup

/// What every controller reads off a reader's request and how it sends the reader on: one
/// place, so the routes agree on a reader's language, client and redirects.
extension Request {
    /// The reader's language: `?lang=`, else `Accept-Language`, else English.
    var language: String {
        ReaderMessages.language(
            query: uri.queryParameters["lang"].map(String.init), acceptLanguage: headers[.acceptLanguage])
    }

    /// The language of a submission: its `locale` field when we have that catalogue, else the request's.
    func language(of fields: SubmittedFields) -> String {
        let tag = fields.first("locale")?.split(separator: "-").first.map { $0.lowercased() }
        return tag.flatMap { ReaderMessages.languages.contains($0) ? $0 : nil } ?? language
    }

    /// The locale to remember for the reader's emails: the form's `locale`, else the request's
    /// language when it names one (`?lang=` or `Accept-Language`), else none.
    func readerLocale(_ fields: SubmittedFields) -> String? {
        let hinted = uri.queryParameters["lang"] != nil || headers[.acceptLanguage] != nil
        return fields.first("locale") ?? (hinted ? language(of: fields) : nil)
    }

    /// True when the client would rather read a page than JSON (a browser's form post).
    var prefersHTML: Bool {
        guard let accept = headers[.accept] else { return false }
        return Self.contains(Array(accept.utf8), lowercased: Self.html)
    }

    private static let html = Array("text/html".utf8)

    /// Whether `needle` (lowercase ASCII) occurs in `text`, ignoring ASCII case: compared byte
    /// by byte, as the generic substring search after `lowercased()` cost about 2 µs a request.
    static func contains(_ text: [UInt8], lowercased needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, text.count >= needle.count else { return needle.isEmpty }
        return (0...(text.count - needle.count)).contains { start in
            needle.indices.allSatisfy { offset in
                let byte = text[start + offset]
                return (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == needle[offset]
            }
        }
    }

    /// The client context a request carries into a consent record.
    func client(_ context: MastheadRequestContext) -> ClientContext {
        ClientContext(ipAddress: context.clientAddress?.description, userAgent: headers[.userAgent])
    }
}

extension Response {
    /// 303 to `location`, never cached: where a form post sends the reader next.
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}
