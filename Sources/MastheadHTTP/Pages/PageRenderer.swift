import Foundation
import HTTPTypes
import Hummingbird
import Mail
import MastheadSettings

/// Renders reader-facing pages in the reader's language, with the security headers every page
/// carries.
///
/// Pages run no scripts (`script-src 'none'`): every form works as a plain post. They only post
/// to us, send no `Referer` (their URLs may carry tokens) and cannot be framed — except the
/// embeddable box, which the configured site origins may frame. Two exceptions: the pages with
/// a sign-up or pledge form load our proof-of-work script and its worker from this site
/// (`'self'`) unless challenges are off, and the payment page runs the payment provider's
/// script and our one inline script, named by its hash (``PageScripts``).
struct PageRenderer: Sendable {
    let templates: TemplateLibrary
    let newsroom: String
    let base: String
    let messages: ReaderMessages
    let links: [SiteLink]

    init(templates: TemplateLibrary, newsroom: String, base: String, messages: ReaderMessages, links: [SiteLink] = []) {
        self.templates = templates
        self.newsroom = newsroom
        self.base = base
        self.messages = messages
        self.links = links
    }

    /// The headers of a page that `frameAncestors` may frame (none: `'none'`).
    static func securityHeaders(frameAncestors: [String] = [], scripts: PageScripts? = nil) -> HTTPFields {
        let ancestors = frameAncestors.isEmpty ? "'none'" : (["'self'"] + frameAncestors).joined(separator: " ")
        let scriptPolicy = scripts.map { "; " + $0.policy } ?? ""
        return [
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors \(ancestors); base-uri 'none'"
                + scriptPolicy,
            .xContentTypeOptions: "nosniff",
            .referrerPolicy: "no-referrer",
            .cacheControl: "no-store",
            .contentType: "text/html; charset=utf-8",
        ]
    }

    /// A page from template `name` in `language`, with `context` plus the newsroom, base URL,
    /// title, the catalogue (`t`), the language switch and the footer links.
    func page(
        _ name: String, status: HTTPResponse.Status = .ok, title: String, language: String = ReaderMessages.defaultLanguage,
        _ context: [String: Any] = [:], path: String? = nil, frameAncestors: [String] = [], scripts: PageScripts? = nil
    ) throws -> Response {
        var values = context
        values["newsroom"] = newsroom
        values["base"] = base
        values["title"] = title
        values["lang"] = language
        values["t"] = messages.catalogue(language)
        values["links"] = links.map { ["label": $0.label, "url": $0.url] }
        if let path {
            values["has_languages"] = true
            values["languages"] = ReaderMessages.languages.map { code in
                [
                    "code": code, "name": ReaderMessages.languageNames[code] ?? code, "current": code == language,
                    "url": Self.url(path, setting: "lang", to: code),
                ] as [String: Any]
            }
        }
        let html = try templates.render(name, values)
        return Response(
            status: status, headers: Self.securityHeaders(frameAncestors: frameAncestors, scripts: scripts),
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `path` (with its query) with one query parameter set, for links that keep the rest.
    static func url(_ path: String, setting name: String, to value: String) -> String {
        var components = URLComponents(string: path) ?? URLComponents()
        var items = (components.queryItems ?? []).filter { $0.name != name }
        items.append(URLQueryItem(name: name, value: value))
        components.queryItems = items
        return components.string ?? path
    }
}

/// The scripts a page may run: other origins' (`script-src`), the frames and connections they
/// need, and inline scripts by their SHA-256 (never `'unsafe-inline'`).
struct PageScripts: Sendable {
    var sources: [String]
    var inlineHashes: [String]
    var frames: [String]
    var connections: [String]

    var policy: String {
        let hashes = inlineHashes.map { "'sha256-\($0)'" }
        return "script-src \((sources + hashes).joined(separator: " ")); frame-src \(frames.joined(separator: " ")); connect-src \(connections.joined(separator: " "))"
    }
}

extension HTTPField.Name {
    // Literal, valid header names: the force unwraps cannot fail.
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
