import Foundation
import Hummingbird
import Logging
import EmailAddress
import MastheadRuntime
import NewsletterSignup

/// `POST /v1/subscriptions` and `POST /v1/subscriptions/resend`: JSON for scripts, forms for
/// plain `<form>` posts, and the same answer whatever the address's state.
struct SubscriptionsController: Sendable {
    let signup: SignupService
    let pages: PageRenderer
    let messages: ReaderMessages
    let bodyLimit: Int
    let returnURL: String?
    let trustedOrigins: [String]

    /// The name of the hidden field only robots fill in.
    static let honeypotField = "website"

    /// `POST /v1/subscriptions`, `POST /v1/subscriptions/resend`.
    var endpoints: RouteCollection<MastheadRequestContext> {
        let routes = RouteCollection(context: MastheadRequestContext.self)
        routes.post("v1/subscriptions") { request, context in try await subscribe(request, context) }
        routes.post("v1/subscriptions/resend") { request, context in try await resend(request, context) }
        return routes
    }

    func subscribe(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        let accepted = messages["signup.accepted"]
        // A filled honeypot gets the normal answer and nothing else: robots learn nothing.
        if let bait = fields.first(Self.honeypotField), !bait.isEmpty {
            context.logger.info("honeypot filled; sign-up ignored")
            return try answer(request, status: .accepted, title: "Thank you", message: accepted)
        }
        let signupRequest = SignupRequest(
            email: fields.first("email") ?? "", newsletters: fields.all("newsletters"), locale: fields.first("locale"),
            source: fields.first("source"), client: client(request, context))
        do {
            let outcome = try await signup.signUp(signupRequest)
            context.logger.debug(
                "sign-up recorded", metadata: ["consent": "\(outcome.consentID.map(String.init) ?? "-")", "outcome": "\(outcome.plan.reason)"])
        } catch let error as SignupError {
            return try refuse(request, error)
        }
        return try answer(request, status: .accepted, title: "Thank you", message: accepted)
    }

    func resend(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        do {
            let queued = try await signup.resend(email: fields.first("email") ?? "")
            context.logger.info("resend requested", metadata: ["queued": "\(queued)"])
        } catch let error as SignupError {
            return try refuse(request, error)
        }
        return try answer(request, status: .accepted, title: "Check your inbox", message: messages["resend.accepted"])
    }

    /// 202 with `{"status": "accepted", "message": …}`, or for a browser form a redirect back or a page.
    private func answer(_ request: Request, status: HTTPResponse.Status, title: String, message: String) throws -> Response {
        if request.prefersHTML {
            if let back = returnTarget(request, flag: "subscribed=1") { return Self.redirect(to: back) }
            return try pages.page("signup-result", status: status, title: title, ["message": message])
        }
        return try JSONBody.response(status: status, ["status": "accepted", "message": message])
    }

    /// 422 naming the field, or for a browser form a redirect back with an error flag (or a page).
    private func refuse(_ request: Request, _ error: SignupError) throws -> Response {
        let problem = ProblemDetails.signup(error, messages: messages)
        guard request.prefersHTML else { throw problem }
        let code = problem.errors?.first?.code ?? "invalid"
        if let back = returnTarget(request, flag: "error=\(code)") { return Self.redirect(to: back) }
        return try pages.page(
            "signup-result", status: .unprocessableContent, title: "Please check the form",
            ["message": problem.errors?.first?.message ?? messages["signup.invalid_field"], "error": true])
    }

    /// Where a form post goes back to: the configured page, else the `Referer` when it is one of
    /// our own sites (never an arbitrary site: that would be an open redirect).
    private func returnTarget(_ request: Request, flag: String) -> String? {
        let target = returnURL ?? request.headers[.referer].flatMap { referer in
            trustedOrigins.contains { referer.lowercased().hasPrefix($0 + "/") || referer.lowercased() == $0 } ? referer : nil
        }
        guard let target else { return nil }
        return target + (target.contains("?") ? "&" : "?") + flag
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

/// The client context a request carries into a consent record.
func client(_ request: Request, _ context: MastheadRequestContext) -> ClientContext {
    ClientContext(ipAddress: context.clientAddress?.description, userAgent: request.headers[.userAgent])
}

extension ProblemDetails {
    /// The 422 for a refused sign-up, with one entry per field at fault.
    static func signup(_ error: SignupError, messages: ReaderMessages) -> ProblemDetails {
        let errors: [FieldError]
        switch error {
        case .invalidAddress(let problem):
            errors = [FieldError(field: "email", code: problem.code, message: messages["signup.invalid_email"])]
        case .unknownNewsletters(let slugs):
            errors = slugs.map { FieldError(field: "newsletters", code: "unknown_newsletter", message: "\(messages["signup.unknown_newsletter"]) (\($0))") }
        case .noNewsletterChosen:
            errors = [FieldError(field: "newsletters", code: "required", message: messages["signup.no_newsletter"])]
        case .tooManyNewsletters:
            errors = [FieldError(field: "newsletters", code: "too_many", message: messages["signup.too_many_newsletters"])]
        case .fieldTooLong(let field, _):
            errors = [FieldError(field: field, code: "too_long", message: messages["signup.invalid_field"])]
        case .invalidField(let field):
            errors = [FieldError(field: field, code: "invalid", message: messages["signup.invalid_field"])]
        }
        let detail: String =
            if case .invalidAddress(let problem) = error { "\(messages["signup.invalid_email"]): \(problem)." } else { "\(error)." }
        return ProblemDetails(
            status: .unprocessableContent, type: "urn:masthead:problem:validation", title: "Invalid input",
            detail: detail, errors: errors)
    }
}
