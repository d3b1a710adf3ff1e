import AbuseDefence
import DNSLookup
import Signing
import Foundation
import Hummingbird
import Logging
import EmailAddress
import MastheadSettings
import NewsletterSignup
import SideEffects
import SubscriberLists

/// `POST /v1/subscriptions` and `POST /v1/subscriptions/resend`: JSON for scripts, forms for
/// plain `<form>` posts, and the same answer whatever the address's state.
struct SubscriptionsController: Sendable {
    let signup: SignupService
    let abuse: AbuseMonitor
    let challenges: ChallengeGate
    let pages: PageRenderer
    let messages: ReaderMessages
    let bodyLimit: Int
    let returnURL: String?
    let trustedOrigins: [String]
    /// The public URL (a `return_to` path is taken relative to it).
    let base: String

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
        let language = request.language(of: fields)
        let accepted = messages["signup.accepted", language]
        // Every attempt counts toward the spike detector, robots' included: while they keep
        // coming, the alert (and an adaptive challenge) stays on.
        await abuse.signup(client: context.clientAddress, domain: Self.domain(of: fields.first("email")))
        // A filled honeypot gets the normal answer and nothing else: robots learn nothing.
        if let bait = fields.first(Self.honeypotField), !bait.isEmpty {
            context.logger.info("honeypot filled; sign-up ignored")
            return try answer(request, fields, language: language, message: accepted)
        }
        if let refusal = try await admit(fields, context) {
            return try refuse(request, fields, .challenge(refusal, messages: messages, language: language), language: language)
        }
        let signupRequest = SignupRequest(
            email: fields.first("email") ?? "", newsletters: fields.all("newsletters"),
            locale: request.readerLocale(fields), source: fields.first("source"), client: request.client(context))
        do {
            let outcome = try await signup.signUp(signupRequest)
            context.logger.debug(
                "sign-up recorded", metadata: ["consent": "\(outcome.consentID.map(String.init) ?? "-")", "outcome": "\(outcome.plan.reason)"])
        } catch let error as SignupError {
            // Not the reader's mistake: staff must act, so the log says what to do.
            if error == .noNewsletterOpen { context.logger.warning("sign-up refused: \(error)") }
            return try refuse(request, fields, .signup(error, messages: messages, language: language), language: language)
        }
        return try answer(request, fields, language: language, message: accepted)
    }

    /// The proof-of-work check: nil lets the request through. A store that cannot record the
    /// spent challenge throws, and answers as any store failure does (503 when it is the
    /// database's condition).
    private func admit(_ fields: SubmittedFields, _ context: MastheadRequestContext) async throws -> ChallengeRefusal? {
        do {
            try await challenges.admit(proof: fields.first("proof"), for: .signup)
            return nil
        } catch let refusal as ChallengeRefusal {
            context.logger.info("sign-up refused for its proof of work", metadata: ["refusal": "\(refusal)"])
            return refusal
        }
    }

    /// The domain part of a typed address, lower-cased, for the detector (not validated: a
    /// robot's malformed addresses count too).
    static func domain(of email: String?) -> String? {
        guard let email, let at = email.lastIndex(of: "@") else { return nil }
        let domain = EmailAddress.trimmingWhiteSpace(String(email[email.index(after: at)...])).lowercased()
        return domain.isEmpty || domain.count > 253 ? nil : domain
    }

    func resend(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        let language = request.language(of: fields)
        if let refusal = try await admit(fields, context) {
            return try refuse(request, fields, .challenge(refusal, messages: messages, language: language), language: language)
        }
        do {
            switch try await signup.resend(email: fields.first("email") ?? "") {
            case .queued: context.logger.info("resend requested", metadata: ["queued": "true"])
            case .notQueued(let why):
                // The answer is the same either way; only the log says why nothing went out.
                context.logger.info("resend requested", metadata: ["queued": "false", "reason": "\(why.rawValue)"])
            }
        } catch let error as SignupError {
            return try refuse(request, fields, .signup(error, messages: messages, language: language), language: language)
        }
        return try answer(request, fields, language: language, message: messages["resend.accepted", language])
    }

    /// 202 with `{"status": "accepted", "message": …}`, or for a browser form a redirect back or a page.
    private func answer(_ request: Request, _ fields: SubmittedFields, language: String, message: String) throws -> Response {
        if request.prefersHTML {
            if let back = returnTarget(request, fields, flag: "subscribed=1") { return Response.seeOther(back) }
            return try pages.page(
                "signup-result", status: .accepted, title: messages["page.thank_you", language], language: language, ["message": message])
        }
        return JSONBody.response(status: .accepted, json: JSONText.object(["status": "accepted", "message": message]))
    }

    /// 422 naming the field, or for a browser form a redirect back with the error's code and
    /// field (the page shows the message next to the field), or a page.
    private func refuse(_ request: Request, _ fields: SubmittedFields, _ problem: ProblemDetails, language: String) throws -> Response {
        guard request.prefersHTML else { throw problem }
        let first = problem.errors?.first
        if let back = returnTarget(request, fields, flag: "error=\(first?.code ?? "invalid")&field=\(first?.field ?? "email")") {
            return Response.seeOther(back)
        }
        return try pages.page(
            "signup-result", status: problem.status, title: messages["page.check_form", language], language: language,
            ["message": first?.message ?? messages["signup.invalid_field", language], "error": true])
    }

    /// Where a form post goes back to: the form's own `return_to` (a path on this site), else
    /// the configured page, else the `Referer` when it is one of our own sites (never an
    /// arbitrary site: that would be an open redirect).
    private func returnTarget(_ request: Request, _ fields: SubmittedFields, flag: String) -> String? {
        let target =
            fields.first("return_to").flatMap(Self.localPath).map { base + $0 } ?? returnURL
            ?? request.headers[.referer].flatMap { referer in
                trustedOrigins.contains { referer.lowercased().hasPrefix($0 + "/") || referer.lowercased() == $0 } ? referer : nil
            }
        guard let target else { return nil }
        return target + (target.contains("?") ? "&" : "?") + flag
    }

    /// `/subscribe?lang=uk` passes; anything that could leave the site (`//evil`, `https:`, `\\`) does not.
    static func localPath(_ text: String) -> String? {
        guard text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), text.count <= 500,
            !text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F })
        else { return nil }
        return text
    }
}

extension ProblemDetails {
    /// The 422 for a refused sign-up, with one entry per field at fault.
    static func signup(_ error: SignupError, messages: ReaderMessages, language: String = ReaderMessages.defaultLanguage) -> ProblemDetails {
        func text(_ key: String) -> String { messages[key, language] }
        let errors: [FieldError]
        switch error {
        case .invalidAddress(let problem):
            errors = [FieldError(field: "email", code: problem.code, message: text("signup.invalid_email"))]
        case .unknownNewsletters(let slugs):
            errors = slugs.map { FieldError(field: "newsletters", code: "unknown_newsletter", message: "\(text("signup.unknown_newsletter")) (\($0))") }
        case .noNewsletterChosen:
            errors = [FieldError(field: "newsletters", code: "required", message: text("signup.no_newsletter"))]
        case .noNewsletterOpen:
            errors = [FieldError(field: "newsletters", code: "none_open", message: text("signup.none_open"))]
        case .tooManyNewsletters:
            errors = [FieldError(field: "newsletters", code: "too_many", message: text("signup.too_many_newsletters"))]
        case .fieldTooLong(let field, _):
            errors = [FieldError(field: field, code: "too_long", message: text("signup.invalid_field"))]
        case .invalidField(let field):
            errors = [FieldError(field: field, code: "invalid", message: text("signup.invalid_field"))]
        case .refusedDomain:
            errors = [FieldError(field: "email", code: "refused_domain", message: text("signup.refused_domain"))]
        case .noMailServer:
            errors = [FieldError(field: "email", code: "no_mail_server", message: text("signup.no_mail_server"))]
        case .domainBusy:
            errors = [FieldError(field: "email", code: "domain_busy", message: text("signup.domain_busy"))]
        }
        if case .domainBusy = error {
            // The cap counts clock hours: the next one starts afresh.
            let wait = 3600 - Int(Date().timeIntervalSince1970) % 3600
            return ProblemDetails(
                status: .tooManyRequests, type: "urn:masthead:problem:rate-limited", title: "Too many sign-ups", detail: errors[0].message,
                errors: errors, headers: [.retryAfter: String(wait)])
        }
        let detail: String =
            if case .invalidAddress(let problem) = error { "\(text("signup.invalid_email")): \(problem)." } else { "\(error)." }
        return ProblemDetails(
            status: .unprocessableContent, type: "urn:masthead:problem:validation", title: "Invalid input",
            detail: detail, errors: errors)
    }
}
