import AbuseDefence
import Foundation
import Hummingbird
import Logging
import NewsletterSignup
import SubscriberLists

/// The links in emails: confirm (double opt-in), unsubscribe (RFC 8058 one-click) and the
/// preferences page (`manage`).
///
/// A `GET` never changes anything: mail scanners open links by themselves, so the page only
/// offers a button that POSTs. The reason a link failed goes to the log; the reader sees one
/// polite page (or, for JSON clients, one problem) whatever it was.
struct LinksController: Sendable {
    let signup: SignupService
    let abuse: AbuseMonitor
    let pages: PageRenderer
    let messages: ReaderMessages
    let bodyLimit: Int
    let confirmRedirect: String?
    var problems: LinkProblemAnswer { LinkProblemAnswer(pages: pages, messages: messages) }

    /// `GET|POST /v1/confirm`, `GET|POST /v1/unsubscribe`, `GET|POST /v1/preferences`.
    var endpoints: RouteCollection<MastheadRequestContext> {
        let routes = RouteCollection(context: MastheadRequestContext.self)
        routes.get("v1/confirm") { request, _ in try offer(request, page: "confirm", title: "confirm.title") }
        routes.post("v1/confirm") { request, context in try await confirm(request, context) }
        routes.get("v1/unsubscribe") { request, _ in try offer(request, page: "unsubscribe", title: "unsubscribe.title") }
        routes.post("v1/unsubscribe") { request, context in try await unsubscribe(request, context) }
        routes.get("v1/preferences") { request, context in try await preferences(request, context) }
        routes.post("v1/preferences") { request, context in try await savePreferences(request, context) }
        return routes
    }

    /// The page with the button; the token is only carried, not checked (checking is the POST's job).
    func offer(_ request: Request, page: String, title: String) throws -> Response {
        let language = request.language
        guard let token = request.uri.queryParameters["token"].map(String.init), !token.isEmpty else {
            return try problems.page(language)
        }
        return try pages.page(page, title: messages[title, language], language: language, ["token": token])
    }

    func confirm(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        let token = fields.first("token") ?? request.uri.queryParameters["token"].map(String.init) ?? ""
        let language = request.language
        let outcome: LinkOutcome
        do {
            outcome = try await signup.confirm(token: token, client: request.client(context))
        } catch {
            return try problems.answer(request, context, error)
        }
        guard case .done(let newsletters, let changed) = outcome else {
            return try finished(request, page: "confirmed", status: "nothing_to_confirm", message: messages["confirm.nothing", language], [])
        }
        context.logger.info("subscription confirmed", metadata: ["changed": "\(changed)"])
        if changed { await abuse.observe(.confirmations) }
        if let confirmRedirect, request.prefersHTML { return Response.seeOther(confirmRedirect) }
        return try finished(request, page: "confirmed", status: "confirmed", message: messages["confirm.done", language], newsletters)
    }

    /// One-click: the token is in the query (the URL of `List-Unsubscribe`); the body
    /// (`List-Unsubscribe=One-Click`, in either form encoding) and cookies are not needed.
    func unsubscribe(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        let outcome: LinkOutcome
        do {
            outcome = try await signup.unsubscribe(token: token, client: request.client(context))
        } catch {
            return try problems.answer(request, context, error)
        }
        var newsletters: [Newsletter] = []
        if case .done(let names, let changed) = outcome {
            newsletters = names
            context.logger.info("unsubscribed", metadata: ["changed": "\(changed)"])
        }
        if !request.prefersHTML, request.headers[.accept]?.contains("application/json") != true {
            // What mail providers send: 200, no redirect, nothing to render.
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "unsubscribed\n")))
        }
        return try finished(
            request, page: "unsubscribed", status: "unsubscribed", message: messages["unsubscribe.done", request.language], newsletters)
    }

    /// The preferences page: every public newsletter, ticked where the reader is on it.
    func preferences(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        do {
            return try preferencesPage(request, token: token, try await signup.preferences(token: token), saved: false)
        } catch {
            return try problems.answer(request, context, error)
        }
    }

    /// Saves the ticked newsletters (or, with `action=unsubscribe_all`, none).
    func savePreferences(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        let token = fields.first("token") ?? ""
        let wanted = fields.first("action") == "unsubscribe_all" ? [] : Set(fields.all("newsletters"))
        do {
            let saved = try await signup.savePreferences(token: token, wanted: wanted, client: request.client(context))
            context.logger.info("preferences saved", metadata: ["newsletters": "\(wanted.count)"])
            return try preferencesPage(request, token: token, saved, saved: true)
        } catch {
            return try problems.answer(request, context, error)
        }
    }

    private func preferencesPage(_ request: Request, token: String, _ preferences: Preferences, saved: Bool) throws -> Response {
        let language = request.language
        guard request.prefersHTML || request.headers[.accept]?.contains("application/json") != true else {
            return try JSONBody.response(
                preferences.entries.map { ["newsletter": $0.newsletter.slug, "status": $0.status?.rawValue ?? "none"] })
        }
        return try pages.page(
            "preferences", title: messages["preferences.title", language], language: language,
            [
                "token": token, "saved": saved, "confirming": !preferences.awaitingConfirmation.isEmpty,
                "lead": messages.format("preferences.lead", language, ["address": preferences.address]),
                "newsletters": preferences.entries.map { entry in
                    [
                        "slug": entry.newsletter.slug, "name": entry.newsletter.name, "description": entry.newsletter.description,
                        "checked": entry.status?.isActive == true, "pending": entry.status == .pending,
                    ] as [String: Any]
                },
            ])
    }

    private func finished(
        _ request: Request, page: String, status: String, message: String, _ newsletters: [Newsletter]
    ) throws -> Response {
        guard request.prefersHTML else {
            return try JSONBody.response(LinkAnswer(status: status, message: message, newsletters: newsletters.map(\.slug)))
        }
        return try pages.page(
            page, title: message, language: request.language,
            [
                "message": message, "has_newsletters": !newsletters.isEmpty,
                "newsletters": newsletters.map { ["name": $0.name, "description": $0.description] },
            ])
    }

    struct LinkAnswer: Encodable {
        let status: String
        let message: String
        let newsletters: [String]
    }
}
