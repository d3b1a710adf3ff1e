import DonationPledges
import EmailAddress
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MastheadRuntime
import NewsletterSignup

/// Donation pledges: the tiers, creating a pledge (idempotent), and the reader's pledge page
/// reached from receipts. With payments off every route answers 503.
struct PledgesController: Sendable {
    let pledges: PledgeService?
    let signup: SignupService
    let pages: PageRenderer
    let messages: ReaderMessages
    let bodyLimit: Int

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
        let pledgeRequest = PledgeRequest(
            fields: fields.values, idempotencyKey: request.headers[.idempotencyKey], clientIP: context.clientAddress?.description,
            userAgent: request.headers[.userAgent])
        let body: String
        var replayed = false
        do {
            switch try await service.prepare(pledgeRequest) {
            case .replay(let stored):
                body = stored
                replayed = true
            case .new(let pledge):
                if !pledge.newsletters.isEmpty {
                    _ = try await signup.signUp(
                        SignupRequest(
                            email: pledge.address.mailbox, newsletters: pledge.newsletters, locale: pledge.locale,
                            source: pledge.source ?? "pledge", client: client(request, context)))
                }
                body = try await service.create(pledge)
            }
        } catch let error as PledgeError {
            if case .looksLikeCardNumber = error { context.logger.notice("pledge refused: a field looks like a card number") }
            throw ProblemDetails.pledge(error)
        } catch let error as IdempotencyError {
            throw ProblemDetails.idempotency(error)
        } catch let error as SignupError {
            throw ProblemDetails.signup(error, messages: messages)
        }
        context.logger.info("pledge recorded", metadata: ["replayed": "\(replayed)"])
        if request.prefersHTML, let url = PledgeAnswerFields(body)?.checkoutURL {
            return SubscriptionsController.redirect(to: url)
        }
        var response = Response(
            status: .created, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
        if replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    /// The reader's pledge page: what they give, and for a monthly pledge a cancel button.
    func manage(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        let pledge: Pledge
        do {
            pledge = try await service().pledge(token: token)
        } catch let error as PledgeLinkError {
            return try linkProblem(request, context, error)
        }
        return try pages.page("pledge-manage", title: "Your support", Self.context(pledge, token: token))
    }

    func cancel(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        let token = fields.first("token") ?? request.uri.queryParameters["token"].map(String.init) ?? ""
        let result: (pledge: Pledge, changed: Bool)
        do {
            result = try await service().cancel(token: token)
        } catch let error as PledgeLinkError {
            return try linkProblem(request, context, error)
        }
        context.logger.info("pledge cancel requested", metadata: ["changed": "\(result.changed)"])
        let message =
            result.pledge.status == .canceled ? "Your monthly support has been canceled. Thank you for everything you gave."
            : "There is nothing to cancel: this pledge is not a running monthly one."
        guard request.prefersHTML else {
            return try JSONBody.response(["pledge": result.pledge.publicID, "status": result.pledge.status.rawValue, "message": message])
        }
        return try pages.page("pledge-result", title: "Your support", ["message": message])
    }

    private func linkProblem(_ request: Request, _ context: MastheadRequestContext, _ error: PledgeLinkError) throws -> Response {
        context.logger.notice("pledge link refused", metadata: ["reason": "\(error)"])
        guard request.prefersHTML else {
            throw ProblemDetails(
                status: .badRequest, type: "urn:masthead:problem:invalid-link", title: "Invalid link", detail: messages["link.invalid"])
        }
        return try pages.page("link-problem", status: .badRequest, title: "Link problem", ["message": messages["link.invalid"]])
    }

    static func context(_ pledge: Pledge, token: String) -> [String: Any] {
        [
            "pledge": pledge.publicID, "display": pledge.display, "status": pledge.status.rawValue,
            "card": pledge.card?.display ?? false, "token": token,
            "cancellable": pledge.interval == .monthly && pledge.status.canMove(to: .canceled, interval: .monthly),
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

/// The one field of a stored 201 body a form post needs: where to pay.
struct PledgeAnswerFields: Decodable {
    let checkoutURL: String

    init?(_ json: String) {
        guard let decoded = try? JSONDecoder().decode(Self.self, from: Data(json.utf8)) else { return nil }
        self = decoded
    }

    enum CodingKeys: String, CodingKey {
        case checkoutURL = "checkout_url"
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
