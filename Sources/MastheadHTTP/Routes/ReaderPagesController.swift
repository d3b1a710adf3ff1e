import AbuseDefence
import DonationPledges
import Foundation
import HTTPTypes
import Mail
import Hummingbird
import SubscriberLists

/// The pages readers meet: the hosted sign-up page, the embeddable box (an iframe page and a
/// script), and the support page with its thank-you page. Every form works without
/// JavaScript; only `/embed/subscribe.js` is a script, for newsrooms that want the box inline.
struct ReaderPagesController: Sendable {
    let store: any NewsletterStore
    let pledges: PledgeService?
    let pages: PageRenderer
    let messages: ReaderMessages
    /// The newsroom's sites: they may frame the embeddable box.
    let siteOrigins: [String]
    let base: String
    /// When forms need a proof of work: unless `off`, the forms load the solver script.
    let challenge: ChallengeMode

    var endpoints: RouteCollection<MastheadRequestContext> {
        let routes = RouteCollection(context: MastheadRequestContext.self)
        routes.get("subscribe") { request, _ in try await subscribePage(request) }
        routes.get("embed/subscribe") { request, _ in try await embeddedBox(request) }
        routes.get("embed/subscribe.js") { request, _ in try embedScript(request) }
        routes.get("embed/challenge.js") { _, _ in try script("challenge-js") }
        routes.get("embed/challenge-worker.js") { _, _ in try script("challenge-worker-js") }
        routes.get("support") { request, _ in try await supportPage(request) }
        routes.get("support/thanks") { request, _ in try await thanksPage(request) }
        return routes
    }

    private func publicNewsletters() async throws -> [Newsletter] {
        try await store.newsletters(includingArchived: false).filter { $0.visibility == .public }
    }

    // MARK: Sign-up

    /// `/subscribe`: every public newsletter with a checkbox ("All Newsletters").
    func subscribePage(_ request: Request) async throws -> Response {
        let language = request.language
        let query = request.uri.queryParameters
        let chosen = query["newsletter"].map(String.init)
        let newsletters = try await publicNewsletters()
        let path = "/subscribe?lang=\(language)" + (chosen.map { "&newsletter=\($0)" } ?? "")
        var context = signupFlags(request, language: language)
        context["return_to"] = path
        context["has_newsletters"] = !newsletters.isEmpty
        context["newsletters"] = newsletters.map { newsletter in
            [
                "slug": newsletter.slug, "name": newsletter.name, "description": newsletter.description,
                "checked": newsletter.slug == chosen || newsletters.count == 1,
            ] as [String: Any]
        }
        return try pages.page(
            "subscribe", title: messages["subscribe.title", language], language: language, withChallenge(context), path: base + path,
            scripts: challengeScripts)
    }

    /// `/embed/subscribe?newsletter=SLUG[&theme=light|dark]`: one newsletter's box, for an
    /// `<iframe>` on the newsroom's own sites (and only there: `frame-ancestors`).
    func embeddedBox(_ request: Request) async throws -> Response {
        let language = request.language
        let query = request.uri.queryParameters
        let slug = query["newsletter"].map(String.init) ?? ""
        guard let newsletter = try await publicNewsletters().first(where: { $0.slug == slug }) else {
            throw ProblemDetails(status: .notFound, detail: "There is no public newsletter '\(slug)'.")
        }
        let theme = query["theme"] == "dark" ? "dark" : "light"
        var context = signupFlags(request, language: language)
        context["theme"] = theme
        context["newsletter"] = ["slug": newsletter.slug, "name": newsletter.name, "description": newsletter.description]
        context["return_to"] = "/embed/subscribe?newsletter=\(newsletter.slug)&theme=\(theme)&lang=\(language)"
        return try pages.page(
            "embed-subscribe", title: newsletter.name, language: language, withChallenge(context), frameAncestors: siteOrigins,
            scripts: challengeScripts)
    }

    /// What a form post sent back (`?subscribed=1`, `?error=CODE&field=FIELD`), as page values:
    /// the success text, or the error's message next to its field.
    private func signupFlags(_ request: Request, language: String) -> [String: Any] {
        let query = request.uri.queryParameters
        guard query["subscribed"] == nil else { return ["subscribed": true] }
        guard let code = query["error"].map(String.init) else { return [:] }
        switch query["field"].map(String.init) {
        case "newsletters":
            let key = code == "too_many" ? "signup.too_many_newsletters" : code == "required" ? "signup.no_newsletter" : "signup.unknown_newsletter"
            return ["newsletters_error": messages[key, language]]
        case "email", nil:
            return ["email_error": messages["signup.invalid_email", language]]
        case "proof":
            return ["email_error": messages[code == "required" ? "challenge.required" : "challenge.invalid", language]]
        default:
            return ["email_error": messages["signup.invalid_field", language]]
        }
    }

    /// `/embed/subscribe.js`: renders the box into `[data-masthead-subscribe]` elements and posts
    /// with `fetch` (allowed by CORS for the configured origins).
    func embedScript(_ request: Request) throws -> Response {
        let language = request.language
        let texts = [
            "email_label": messages["subscribe.email_label", language], "email_placeholder": messages["subscribe.email_placeholder", language],
            "button": messages["subscribe.button", language], "required": messages["page.required", language],
            "accepted": messages["signup.accepted", language], "failed": messages["rate.limited", language],
        ]
        let worker = try pages.templates.render("challenge-worker-js", [:])
        return Self.javaScript(
            try pages.templates.render(
                "subscribe-js",
                [
                    "base": base, "base_json": Self.json(base), "texts_json": Self.json(texts), "lang_json": Self.json(language),
                    "newsletter_json": Self.json(request.uri.queryParameters["newsletter"].map(String.init) ?? ""),
                    "worker_source": worker, "worker_json": Self.json(worker),
                ]))
    }

    /// `/embed/challenge.js` (the pages' proof-of-work script) and `/embed/challenge-worker.js`
    /// (its Web Worker).
    func script(_ template: String) throws -> Response {
        Self.javaScript(try pages.templates.render(template, [:]))
    }

    static func javaScript(_ text: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=300", .xContentTypeOptions: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// What a page with a form needs to run the proof-of-work script: this site's own scripts,
    /// its worker and its `GET /v1/challenge`; nil (no script at all) when challenges are off.
    private var challengeScripts: PageScripts? {
        challenge == .off ? nil : PageScripts(sources: ["'self'"], inlineHashes: [], frames: ["'none'"], connections: ["'self'"])
    }

    private func withChallenge(_ context: [String: Any]) -> [String: Any] {
        context.merging(["challenge_script": challenge != .off]) { $1 }
    }

    /// JSON text of a value, for embedding into the script.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
            .replacingOccurrences(of: "</", with: "<\\/")
    }

    // MARK: Support

    /// `/support?currency=USD&interval=once|monthly|annual`: the tiers, a custom amount whose minimum
    /// the page itself enforces (and the server again), the card marks.
    func supportPage(_ request: Request) async throws -> Response {
        let language = request.language
        let query = request.uri.queryParameters
        guard let pledges else {
            return try pages.page(
                "pledge-result", status: .serviceUnavailable, title: messages["support.title", language], language: language,
                ["message": messages["support.off", language]])
        }
        let offer: CurrencyOffer
        do {
            offer = try await pledges.offer(currency: query["currency"].map(String.init))
        } catch is PledgeError {
            return try pages.page(
                "pledge-result", status: .unprocessableContent, title: messages["support.title", language], language: language,
                ["message": messages["support.unavailable", language], "again": "\(base)/support?lang=\(language)"])
        }
        let asked = query["interval"].flatMap { PledgeInterval(rawValue: String($0)) } ?? .once
        let interval: PledgeInterval = asked.isRecurring && !pledges.offersRecurring ? .once : asked
        let intervals: [PledgeInterval] = pledges.offersRecurring ? PledgeInterval.allCases : [.once]
        let tiers = offer.tiers.filter { $0.interval == interval }
        let currency = offer.currency.code
        let path = "/support?currency=\(currency)&interval=\(interval.rawValue)&lang=\(language)"
        var context: [String: Any] = [
            "lead": messages.format("support.lead", language, ["minimum": offer.minimum.formatted(language: language)]),
            "key": Self.idempotencyKey(), "currency": currency, "interval": interval.rawValue, "once": interval == .once,
            "intervals": intervals.map {
                [
                    "name": $0.rawValue, "current": $0 == interval, "label": messages["support.\($0.rawValue)", language],
                    "url": "\(base)/support?currency=\(currency)&interval=\($0.rawValue)&lang=\(language)",
                ] as [String: Any]
            },
            "return_url": "\(base)/support/thanks?lang=\(language)",
            "tiers": tiers.enumerated().map { index, tier in
                [
                    "name": tier.name, "checked": index == 0,
                    "display": tier.amount.formatted(language: language) + messages.intervalSuffix(interval, language),
                ] as [String: Any]
            },
            "custom": offer.customAmount, "custom_checked": tiers.isEmpty,
            "custom_label": messages.format("support.custom_label", language, ["currency": currency, "minimum": offer.minimum.formatted(language: language)]),
            "minimum": offer.minimum.decimalText, "maximum": offer.maximum.decimalText,
            "step": offer.currency.exponent == 0 ? "1" : "0." + String(repeating: "0", count: offer.currency.exponent - 1) + "1",
        ]
        if let code = query["error"].map(String.init) {
            switch query["field"].map(String.init) {
            case "amount", "tier":
                context["amount_error"] = supportError(code, offer: offer, language: language)
                // The reader was typing their own amount: keep that choice.
                if offer.customAmount {
                    context["custom_checked"] = true
                    context["amount_value"] = query["amount"].map(String.init).flatMap(PledgesController.plainAmount) ?? ""
                    context["tiers"] = (context["tiers"] as? [[String: Any]] ?? []).map { $0.merging(["checked": false]) { $1 } }
                }
            case "email": context["email_error"] = messages["signup.invalid_email", language]
            default: context["form_error"] = supportError(code, offer: offer, language: language)
            }
        }
        return try pages.page(
            "support", status: query["error"] == nil ? .ok : .unprocessableContent, title: messages["support.title", language],
            language: language, withChallenge(context), path: base + path, scripts: challengeScripts)
    }

    /// A fresh key for the support form: letters only, because every submitted field is scanned
    /// for card numbers and a UUID's digit groups (`…4242-4242-4242-4242…`) can look like one.
    static func idempotencyKey() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<26).map { _ in letters.randomElement(using: &generator)! })
    }

    /// The message for a refused pledge, in the reader's language.
    private func supportError(_ code: String, offer: CurrencyOffer, language: String) -> String {
        switch code {
        case "below_minimum": messages.format("support.below_minimum", language, ["minimum": offer.minimum.formatted(language: language)])
        case "above_maximum": messages.format("support.above_maximum", language, ["maximum": offer.maximum.formatted(language: language)])
        case "invalid_amount", "custom_amount_not_offered", "unknown_tier": messages["support.invalid_amount", language]
        case "required": messages["support.missing_amount", language]
        case "card_number": messages["support.card_number", language]
        case "currency_not_offered": messages["support.unavailable", language]
        case "interval_not_offered": messages["support.once_only", language]
        case "provider_unavailable": messages["support.provider_unavailable", language]
        case "too_many_pledges": messages["support.too_many", language]
        case "challenge_required": messages["challenge.required", language]
        case "invalid_proof": messages["challenge.invalid", language]
        default: messages["page.check_form", language]
        }
    }

    /// Where the checkout sends the reader back (`?pledge=…&payment=…`): the pledge's real
    /// state when the link names one (paid; declined; or still being confirmed, when the
    /// provider's webhook has not arrived yet, with a link to look again), else what the
    /// checkout said.
    func thanksPage(_ request: Request) async throws -> Response {
        let language = request.language
        let query = request.uri.queryParameters
        var status: PledgeStatus = query["payment"] == "declined" ? .failed : .succeeded
        var checkAgain: String?
        if let id = query["pledge"].map(String.init), let pledge = try await pledges?.store.pledge(publicID: id) {
            status = pledge.status
            checkAgain = "\(base)/support/thanks?pledge=\(pledge.publicID)&lang=\(language)"
        }
        let (title, message, again, check): (String, String, String?, String?) =
            switch status {
            case .failed: ("thanks.declined_title", "thanks.declined", "\(base)/support?lang=\(language)", nil)
            case .pending: ("thanks.title", "thanks.pending", nil, checkAgain)
            default: ("thanks.title", "thanks.body", nil, nil)
            }
        return try pages.page(
            "pledge-result", title: messages[title, language], language: language,
            ["message": messages[message, language], "again": again ?? false, "check": check ?? false] as [String: Any])
    }
}
