import AbuseDefence
import DonationPledges
import PaymentProviders
import Foundation
import Hummingbird
import Logging

/// What the payment provider talks to: its webhooks, Stripe's payment page, and in
/// development the simulated provider's checkout page.
struct PaymentsController: Sendable {
    let pledges: PledgeService?
    let abuse: AbuseMonitor
    let simulated: SimulatedProvider?
    let stripe: StripePayments?
    let pages: PageRenderer
    let messages: ReaderMessages
    let bodyLimit: Int
    let now: @Sendable () -> Date

    var endpoints: RouteCollection<MastheadRequestContext> {
        let routes = RouteCollection(context: MastheadRequestContext.self)
        routes.post("v1/webhooks/payments") { request, context in try await webhook(request, context) }
        routes.get("v1/simulated-checkout/{pledge}") { request, context in try await checkout(request, context) }
        routes.post("v1/simulated-checkout/{pledge}") { request, context in try await pay(request, context) }
        routes.get("v1/pledges/{pledge}/pay") { request, context in try await stripePage(request, context) }
        routes.post("v1/pledges/{pledge}/pay") { request, context in try await cardSaved(request, context) }
        return routes
    }

    /// Verifies the signature over the raw body before reading it; records each event once.
    func webhook(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        guard let pledges else { throw ProblemDetails(status: .notFound, detail: "This site does not take pledges.") }
        let body = try await request.body.collect(upTo: bodyLimit)
        let outcome: PaymentEventOutcome
        do {
            outcome = try await pledges.receiveWebhook(
                body: Array(body.readableBytesView), signatureHeader: request.headers[.stripeSignature])
        } catch let rejection as WebhookRejection {
            context.logger.warning("payment webhook refused", metadata: ["reason": "\(rejection)"])
            throw ProblemDetails(
                status: .badRequest, type: "urn:masthead:problem:webhook", title: "Webhook refused", detail: rejection.description)
        }
        let level: Logger.Level =
            switch outcome {
            case .unhandledType, .unknownPledge: .notice
            default: .info
            }
        // Card testing shows as a run of failed payments: the detector counts them.
        if case .moved(_, to: .failed) = outcome { await abuse.observe(.failedPayments) }
        context.logger.log(level: level, "payment webhook applied", metadata: ["outcome": "\(outcome.recordedText)"])
        return try JSONBody.response(["received": "true"])
    }

    /// The simulated checkout: pick a card brand and an outcome.
    func checkout(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let (_, pledge) = try await simulatedPledge(context)
        let language = request.language
        return try pages.page(
            "pledge-checkout", title: messages["checkout.title", language], language: language,
            [
                "pledge": pledge.publicID, "display": pledge.display, "open": pledge.status == .pending || pledge.status == .failed,
                "done": messages.format("checkout.done", language, ["status": messages["pledge.status_\(pledge.status.rawValue)", language]]),
            ])
    }

    /// Sends the chosen outcome as a signed webhook, over HTTP, as a provider would; then the
    /// reader goes back to the site (or sees the result).
    func pay(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let (provider, pledge) = try await simulatedPledge(context)
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        let brand = fields.first("brand") ?? ""
        let outcome = fields.first("outcome") ?? ""
        guard let last4 = SimulatedProvider.testCards[brand], let card = CardSummary(brand: brand, last4: last4) else {
            throw ProblemDetails.validation(field: "brand", code: "invalid", "Choose Visa, Mastercard or American Express.")
        }
        guard outcome == "succeeded" || outcome == "declined" else {
            throw ProblemDetails.validation(field: "outcome", code: "invalid", "Choose succeeded or declined.")
        }
        let event = PaymentEvent(
            id: try SimulatedProvider.eventID(), kind: outcome == "succeeded" ? .paymentSucceeded : .paymentFailed,
            pledge: pledge.publicID, occurredAt: now(), amountMinor: pledge.amount.minorUnits,
            currency: pledge.amount.currency.code, card: card)
        let status = await provider.deliver(event)
        context.logger.info("simulated payment sent", metadata: ["outcome": "\(outcome)", "webhook_status": "\(status.map(String.init) ?? "-")"])
        if let back = pledge.returnURL {
            return Response.seeOther(back + (back.contains("?") ? "&" : "?") + "pledge=\(pledge.publicID)&payment=\(outcome)")
        }
        let language = request.language
        let succeeded = outcome == "succeeded"
        return try pages.page(
            "pledge-result", title: messages[succeeded ? "thanks.title" : "thanks.declined_title", language], language: language,
            ["message": messages[succeeded ? "thanks.body" : "thanks.declined", language]])
    }

    /// Stripe's payment page: the card field of Stripe.js, confirming the pledge's
    /// PaymentIntent (one-time) or saving the card with its SetupIntent (monthly, annual) in the
    /// reader's browser. Its state is read from Stripe on every visit, so the client secret is
    /// never stored; a paid pledge (or one Stripe is finishing) thanks the reader, a closed one
    /// says so. A recurring pledge whose card was saved but whose page was closed before it
    /// posted back is started here.
    func stripePage(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let (stripe, pledges, pledge) = try await stripePledge(context)
        let language = request.language
        if pledge.status == .succeeded || pledge.status == .active { return try thanks(language) }
        guard pledge.status == .pending || pledge.status == .failed, let reference = pledge.providerReference else {
            return try closed(pledge, language)
        }
        // A started subscription: its first invoice's webhook follows.
        if reference.hasPrefix("sub_") { return try thanks(language) }
        let intent: StripeIntent
        do {
            intent = try await stripe.provider.intent(reference)
        } catch {
            context.logger.error("payment page: Stripe did not answer", metadata: ["reason": "\(error)"])
            throw ProblemDetails.providerUnavailable
        }
        if intent.isPaid {
            if intent.kind == .setup { try await start(pledge, pledges, context) }
            return try thanks(language)
        }
        guard intent.isPayable else { return try closed(pledge, language) }
        let amount = pledge.amount.formatted(language: language) + messages.intervalSuffix(pledge.interval, language)
        let sources = stripe.pageSources
        return try pages.page(
            "pledge-pay", title: messages["pay.title", language], language: language,
            [
                "lead": messages.format("pay.lead", language, ["newsroom": pages.newsroom, "amount": amount]),
                "button": messages.format("pay.button", language, ["amount": amount]),
                "key": stripe.provider.publishableKey, "secret": intent.clientSecret, "mode": intent.kind.rawValue,
                "next": next(pledge, language), "pledge": pledge.publicID, "script_url": stripe.scriptURL,
                "pay_script": StripePayScript.text,
            ],
            scripts: PageScripts(
                sources: sources.scripts, inlineHashes: [StripePayScript.hash], frames: sources.frames, connections: sources.connections))
    }

    /// The payment page posts here once Stripe.js saved a recurring pledge's card: Masthead
    /// starts the subscription, and the reader goes on as after a one-time payment.
    func cardSaved(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let (_, pledges, pledge) = try await stripePledge(context)
        _ = try await SubmittedFields.read(request, limit: bodyLimit)
        try await start(pledge, pledges, context)
        return .seeOther(next(pledge, request.language))
    }

    /// Starts a recurring pledge whose card is saved (nothing happens for one started before).
    private func start(_ pledge: Pledge, _ pledges: PledgeService, _ context: MastheadRequestContext) async throws {
        do {
            let result = try await pledges.startRecurring(publicID: pledge.publicID)
            context.logger.info("recurring pledge start", metadata: ["started": "\(result?.started ?? false)"])
        } catch let error as PaymentProviderUnavailable {
            context.logger.error("recurring pledge not started: Stripe failed", metadata: ["reason": "\(error.reason)"])
            throw ProblemDetails.providerUnavailable
        }
    }

    /// Where the reader goes after paying: the form's `return_url`, else the payment page
    /// (which then thanks them).
    private func next(_ pledge: Pledge, _ language: String) -> String {
        pledge.returnURL.map { $0 + ($0.contains("?") ? "&" : "?") + "pledge=\(pledge.publicID)&payment=succeeded" }
            ?? "\(pages.base)/v1/pledges/\(pledge.publicID)/pay?lang=\(language)"
    }

    private func thanks(_ language: String) throws -> Response {
        try pages.page("pledge-result", title: messages["thanks.title", language], language: language, ["message": messages["thanks.body", language]])
    }

    /// The Stripe pledge the path names, or 404.
    private func stripePledge(_ context: MastheadRequestContext) async throws -> (StripePayments, PledgeService, Pledge) {
        guard let stripe, let pledges else { throw ProblemDetails(status: .notFound, detail: "There is no payment page here.") }
        let id = context.parameters.get("pledge") ?? ""
        guard let pledge = try await pledges.store.pledge(publicID: id), pledge.provider == stripe.provider.name else {
            throw ProblemDetails(status: .notFound, detail: "No pledge has this id.")
        }
        return (stripe, pledges, pledge)
    }

    /// A pledge with nothing left to pay (canceled, refunded, …).
    private func closed(_ pledge: Pledge, _ language: String) throws -> Response {
        try pages.page(
            "pledge-result", title: messages["pay.title", language], language: language,
            ["message": messages.format("pay.closed", language, ["status": messages["pledge.status_\(pledge.status.rawValue)", language]])])
    }

    private func simulatedPledge(_ context: MastheadRequestContext) async throws -> (SimulatedProvider, Pledge) {
        guard let simulated, let pledges else { throw ProblemDetails(status: .notFound, detail: "There is no simulated checkout here.") }
        let id = context.parameters.get("pledge") ?? ""
        guard let pledge = try await pledges.store.pledge(publicID: id), pledge.provider == simulated.name else {
            throw ProblemDetails(status: .notFound, detail: "No pledge has this id.")
        }
        return (simulated, pledge)
    }
}
