import AbuseDefence
import Signing
import DNSLookup
import DonationPledges
import EmailAddress
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MastheadSettings
import NewsletterSignup

/// Donation pledges: the tiers, creating a pledge (idempotent), and the reader's pledge page
/// reached from receipts. With payments off every route answers 503.
struct PledgesController: Sendable {
    let pledges: PledgeService?
    let challenges: ChallengeGate
    let pages: PageRenderer
    let messages: ReaderMessages
    let bodyLimit: Int
    /// The public URL (a refused form post goes back to its support page there).
    let base: String
    /// Counts pledges refused by the card-testing limits.
    let metrics: HTTPMetrics

    var endpoints: RouteCollection<MastheadRequestContext> {
        let routes = RouteCollection(context: MastheadRequestContext.self)
        routes.get("v1/pledges/tiers") { request, _ in try await tiers(request) }
        routes.post("v1/pledges") { request, context in try await create(request, context) }
        routes.get("v1/pledges/manage") { request, context in try await manage(request, context) }
        routes.post("v1/pledges/manage") { request, context in try await cancel(request, context) }
        return routes
    }

    /// The service, or 503 when payments are off.
    private func service() throws -> PledgeService {
        guard let pledges else {
            throw ProblemDetails(
                status: .serviceUnavailable, type: "urn:masthead:problem:payments-off", title: "Donations are not enabled",
                detail: "This site does not take pledges.")
        }
        return pledges
    }

    func tiers(_ request: Request) async throws -> Response {
        let offer: CurrencyOffer
        do {
            offer = try await service().offer(currency: request.uri.queryParameters["currency"].map(String.init))
        } catch let error as PledgeError {
            throw ProblemDetails.pledge(error)
        }
        return try JSONBody.response(TiersAnswer(offer))
    }

    func create(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let service = try service()
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        let answer: PledgeAnswer
        var replayed = false
        do {
            try await challenges.admit(proof: fields.first("proof"), for: .pledge)
        } catch let refusal as ChallengeRefusal {
            context.logger.info("pledge refused for its proof of work", metadata: ["refusal": "\(refusal)"])
            let problem = ProblemDetails.challenge(refusal, messages: messages, language: request.language(of: fields))
            if request.prefersHTML {
                return backToSupportPage(request, fields, code: refusal == .required ? "challenge_required" : "invalid_proof", field: "form")
            }
            throw problem
        }
        do {
            switch try await service.prepare(Self.pledgeRequest(fields, request, context)) {
            case .replay(let stored):
                answer = stored
                replayed = true
            case .new(let pledge):
                answer = try await service.create(pledge)
            }
        } catch let error as PledgeError {
            if case .looksLikeCardNumber = error { context.logger.notice("pledge refused: a field looks like a card number") }
            if request.prefersHTML {
                // The amount typed comes back into its box, unless it looked like a card number.
                let amount = error.field == "amount" ? fields.first("amount").flatMap(Self.plainAmount) : nil
                return backToSupportPage(request, fields, code: error.code, field: error.field, amount: amount)
            }
            throw ProblemDetails.pledge(error)
        } catch let error as PaymentProviderUnavailable {
            context.logger.error("pledge not recorded: the payment provider failed", metadata: ["reason": "\(error.reason)"])
            if request.prefersHTML { return backToSupportPage(request, fields, code: "provider_unavailable", field: "form") }
            throw ProblemDetails.providerUnavailable
        } catch let refusal as PledgeLimitReached {
            // Which limit is for the log and the metric only: a card tester learns nothing from the answer.
            context.logger.notice("pledge refused: a limit was reached", metadata: ["reason": "\(refusal.reason.rawValue)"])
            metrics.countRefusedPledge(reason: refusal.reason.rawValue)
            if request.prefersHTML { return backToSupportPage(request, fields, code: "too_many_pledges", field: "form") }
            throw ProblemDetails.tooManyPledges(retryAfter: refusal.retryAfter)
        } catch let error as IdempotencyError {
            if request.prefersHTML { return backToSupportPage(request, fields, code: "idempotency", field: "form") }
            throw ProblemDetails.idempotency(error)
        } catch let error as SignupError {
            let problem = ProblemDetails.signup(error, messages: messages, language: request.language(of: fields))
            if request.prefersHTML { return backToSupportPage(request, fields, code: problem.errors?.first?.code ?? "invalid", field: "form") }
            throw problem
        }
        context.logger.info("pledge recorded", metadata: ["replayed": "\(replayed)"])
        if request.prefersHTML {
            // Our own (simulated) checkout page speaks the reader's language too.
            let url = answer.checkoutURL
            return Response.seeOther(url.hasPrefix(base + "/") ? url + "?lang=\(request.language(of: fields))" : url)
        }
        var response = JSONBody.response(status: .created, json: answer.json)
        if replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    /// The pledge a form or JSON body asks for. A plain HTML form cannot send headers: the
    /// support page carries its idempotency key in a field.
    static func pledgeRequest(_ fields: SubmittedFields, _ request: Request, _ context: MastheadRequestContext) -> PledgeRequest {
        // A key sent in the form is checked as the key (a UUID's hex groups can line up as a
        // card number's digits), not a second time as one more field.
        let keyField = request.headers[.idempotencyKey] == nil ? "idempotency_key" : nil
        return PledgeRequest(
            email: fields.first("email"), name: fields.first("name"), amount: fields.first("amount"),
            amountMinor: fields.first("amount_minor"), currency: fields.first("currency"), interval: fields.first("interval"),
            tier: fields.first("tier"), returnURL: fields.first("return_url"), newsletters: fields.all("newsletter_opt_in"),
            source: fields.first("source"), locale: request.readerLocale(fields),
            // The proof of work is checked before (its random text is no card number to look for).
            otherFields: fields.values.filter { !PledgeRequest.fieldNames.contains($0.key) && $0.key != keyField && $0.key != "proof" },
            idempotencyKey: request.headers[.idempotencyKey] ?? fields.first("idempotency_key"),
            clientIP: context.clientAddress?.description, userAgent: request.headers[.userAgent])
    }

    /// A refused form post goes back to its support page, which shows the message next to the
    /// field. Nothing the reader typed goes into the URL (it could be a card number).
    private func backToSupportPage(
        _ request: Request, _ fields: SubmittedFields, code: String, field: String, amount: String? = nil
    ) -> Response {
        let currency = (fields.first("currency") ?? "USD").filter { $0.isLetter && $0.isASCII }.prefix(3)
        let interval = (fields.first("interval").flatMap(PledgeInterval.init(rawValue:)) ?? .once).rawValue
        let language = request.language(of: fields)
        let safeCode = code.filter { $0.isLetter || $0 == "_" }
        return .seeOther(
            "\(base)/support?currency=\(currency)&interval=\(interval)&lang=\(language)&error=\(safeCode)&field=\(field)"
                + (amount.map { "&amount=\($0)" } ?? ""))
    }

    /// A short amount of digits and one point (`0.50`), safe to carry in a URL; nil otherwise.
    static func plainAmount(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 12, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            trimmed.filter({ $0 == "." }).count <= 1
        else { return nil }
        return trimmed
    }

    /// The reader's pledge page: what they give, and for a monthly or annual pledge a cancel button.
    func manage(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        let pledge: Pledge
        do {
            pledge = try await service().pledge(token: token)
        } catch let error as PledgeLinkError {
            return try linkProblem(request, context, error)
        }
        let language = request.language
        return try pages.page(
            "pledge-manage", title: messages["pledge.title", language], language: language,
            pageValues(pledge, token: token, language: language))
    }

    func cancel(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        let token = fields.first("token") ?? request.uri.queryParameters["token"].map(String.init) ?? ""
        let result: (pledge: Pledge, changed: Bool)
        do {
            result = try await service().cancel(token: token)
        } catch let error as PledgeLinkError {
            return try linkProblem(request, context, error)
        } catch let error as PaymentProviderUnavailable {
            // Nothing changed: the reader may try again (the provider would otherwise charge on).
            context.logger.error("pledge not canceled: the payment provider failed", metadata: ["reason": "\(error.reason)"])
            throw ProblemDetails.providerUnavailable
        }
        context.logger.info("pledge cancel requested", metadata: ["changed": "\(result.changed)"])
        let language = request.language
        let message = messages[result.pledge.status == .canceled ? "pledge.canceled" : "pledge.nothing", language]
        guard request.prefersHTML else {
            return try JSONBody.response(["pledge": result.pledge.publicID, "status": result.pledge.status.rawValue, "message": message])
        }
        var values = pageValues(result.pledge, token: token, language: language)
        values["message"] = message
        return try pages.page("pledge-manage", title: messages["pledge.title", language], language: language, values)
    }

    private func linkProblem(_ request: Request, _ context: MastheadRequestContext, _ error: PledgeLinkError) throws -> Response {
        context.logger.notice("pledge link refused", metadata: ["reason": "\(error)"])
        guard request.prefersHTML else {
            throw ProblemDetails(
                status: .badRequest, type: "urn:masthead:problem:invalid-link", title: "Invalid link", detail: messages["link.invalid"])
        }
        let language = request.language
        return try pages.page(
            "link-problem", status: .badRequest, title: messages["page.link_problem", language], language: language,
            ["message": messages["link.invalid", language]])
    }

    func pageValues(_ pledge: Pledge, token: String, language: String) -> [String: Any] {
        [
            "pledge": pledge.publicID, "status": messages["pledge.status_\(pledge.status.rawValue)", language],
            "display": pledge.amount.formatted(language: language) + messages.intervalSuffix(pledge.interval, language),
            "lead": messages.format("pledge.lead", language, ["newsroom": pages.newsroom]),
            "card": pledge.card?.display ?? false, "token": token,
            "cancellable": pledge.interval.isRecurring && pledge.status.canMove(to: .canceled, interval: pledge.interval),
            "since": pledge.createdAt.formatted(Date.ISO8601FormatStyle().year().month().day()),
        ]
    }
}

/// `GET /v1/pledges/tiers`.
struct TiersAnswer: Encodable {
    struct TierEntry: Encodable {
        let name: String
        let interval: String
        let amountMinor: Int64
        let display: String

        enum CodingKeys: String, CodingKey {
            case name, interval, display
            case amountMinor = "amount_minor"
        }
    }

    let currency: String
    let exponent: Int
    let minimumMinor: Int64
    let minimumDisplay: String
    let maximumMinor: Int64
    let maximumDisplay: String
    let customAmount: Bool
    let message: String
    let tiers: [TierEntry]

    init(_ offer: CurrencyOffer) {
        currency = offer.currency.code
        exponent = offer.currency.exponent
        minimumMinor = offer.minimum.minorUnits
        minimumDisplay = offer.minimum.formatted
        maximumMinor = offer.maximum.minorUnits
        maximumDisplay = offer.maximum.formatted
        customAmount = offer.customAmount
        message = "Support us for as little as \(offer.minimum.formatted)"
        tiers = offer.tiers.map {
            TierEntry(name: $0.name, interval: $0.interval.rawValue, amountMinor: $0.amount.minorUnits, display: $0.display)
        }
    }

    enum CodingKeys: String, CodingKey {
        case currency, exponent, message, tiers
        case minimumMinor = "minimum_minor"
        case minimumDisplay = "minimum_display"
        case maximumMinor = "maximum_minor"
        case maximumDisplay = "maximum_display"
        case customAmount = "custom_amount"
    }
}

extension ProblemDetails {
    /// 422 naming one field.
    static func validation(field: String, code: String, _ message: String) -> ProblemDetails {
        ProblemDetails(
            status: .unprocessableContent, type: "urn:masthead:problem:validation", title: "Invalid input", detail: message,
            errors: [FieldError(field: field, code: code, message: message)])
    }

    /// 422 naming the field at fault. Never repeats what was typed (it may be a card number).
    static func pledge(_ error: PledgeError) -> ProblemDetails {
        validation(field: error.field, code: error.code, error.description)
    }

    /// 429: the pledge's reader or client address reached a card-testing limit; nothing was
    /// saved or sent to the provider. Says no more than "later", with when.
    static func tooManyPledges(retryAfter: Int) -> ProblemDetails {
        ProblemDetails(
            status: .tooManyRequests, type: "urn:masthead:problem:too-many-pledges", title: "Too many pledges",
            detail: "No more pledges are taken from here just now. Nothing was saved or charged; please try again later.",
            headers: [.retryAfter: String(retryAfter)])
    }

    /// 400 for a missing or malformed key, 422 for a key reused with another request.
    static func idempotency(_ error: IdempotencyError) -> ProblemDetails {
        let (status, code): (HTTPResponse.Status, String) =
            switch error {
            case .missingKey: (.badRequest, "required")
            case .invalidKey: (.badRequest, "invalid")
            case .keyReused: (.unprocessableContent, "key_reused")
            }
        return ProblemDetails(
            status: status, type: "urn:masthead:problem:idempotency", title: "Idempotency-Key problem", detail: error.description,
            errors: [FieldError(field: "Idempotency-Key", code: code, message: error.description)])
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    static let stripeSignature = HTTPField.Name("Stripe-Signature")!
}
