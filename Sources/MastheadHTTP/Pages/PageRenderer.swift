import Foundation
import HTTPTypes
import Hummingbird
import Mail

/// Renders reader-facing pages with the security headers every page carries.
///
/// Pages never run scripts (`script-src 'none'`), only post forms to us, cannot be framed,
/// and send no `Referer` (their URLs carry tokens).
struct PageRenderer: Sendable {
    let templates: TemplateLibrary
    let newsroom: String
    let base: String

    /// Creates a renderer; `base` is the public URL that form actions start with.
    init(templates: TemplateLibrary, newsroom: String, base: String) {
        self.templates = templates
        self.newsroom = newsroom
        self.base = base
    }

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xContentTypeOptions: "nosniff",
        .referrerPolicy: "no-referrer",
        .cacheControl: "no-store",
        .contentType: "text/html; charset=utf-8",
    ]

    /// A page from template `name` with `context` plus the newsroom, base URL and title.
    func page(_ name: String, status: HTTPResponse.Status = .ok, title: String, _ context: [String: Any] = [:]) throws -> Response {
        var values = context
        values["newsroom"] = newsroom
        values["base"] = base
        values["title"] = title
        values["lang"] = "en"
        let html = try templates.render(name, values)
        return Response(status: status, headers: Self.securityHeaders, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

extension HTTPField.Name {
    // Literal, valid header names: the force unwraps cannot fail.
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
