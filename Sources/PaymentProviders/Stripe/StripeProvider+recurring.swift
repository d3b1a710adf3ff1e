public import DonationPledges
import Foundation

/// Monthly and annual pledges through Stripe, in a flow both Stripe and localstripe accept
/// (localstripe has Plans but no Prices, and Subscriptions without `default_payment_method`):
///
/// 1. The checkout: a Customer (the reader's address, the pledge in its metadata) and a
///    SetupIntent for its card (`usage=off_session`). The payment page confirms it with
///    Stripe.js (`confirmCardSetup`): the card goes to Stripe, never to Masthead.
/// 2. Once the card is saved, ``startRecurring(_:)``: the card becomes the Customer's default
///    for invoices, the plan for the pledge's amount, currency and interval is found or made
///    (one per combination, reused), and the Subscription is created, the pledge in its
///    metadata. Stripe invoices it at once; `invoice.paid` makes the pledge active.
/// 3. Canceling deletes the Subscription at once (no further charge; the period already paid
///    is not refunded).
///
/// Every POST carries an idempotency key derived from the pledge, so a retry (or the page and
/// `masthead pledges sync` racing) never makes a second Customer or Subscription.
extension StripeProvider {
    func recurringCheckout(for pledge: CheckoutRequest) async throws -> Checkout {
        let customer = try await api.post(
            "/v1/customers", [("email", pledge.email), ("metadata[pledge]", pledge.publicID)],
            idempotencyKey: "masthead-customer-\(pledge.publicID)")
        guard let customerID = customer.string("id"), customerID.hasPrefix("cus_") else {
            throw StripeProviderError.unexpectedObject("a Customer without an id")
        }
        let setup = try await api.post(
            "/v1/setup_intents",
            [
                ("customer", customerID), ("payment_method_types[]", "card"), ("usage", "off_session"),
                ("metadata[pledge]", pledge.publicID),
            ],
            idempotencyKey: "masthead-setup-\(pledge.publicID)")
        guard let id = setup.string("id"), id.hasPrefix("seti_"), let secret = setup.string("client_secret") else {
            throw StripeProviderError.unexpectedObject("a SetupIntent without an id or a client secret")
        }
        return Checkout(url: payPage(publicID: pledge.publicID), reference: id, cardForm: CardForm(clientSecret: secret, publishableKey: publishableKey))
    }

    public func startRecurring(_ pledge: Pledge) async throws -> RecurringStart? {
        // A pledge whose reference is already its Subscription was started before.
        guard let reference = pledge.providerReference, reference.hasPrefix("seti_"), Self.isStripeID(reference) else { return nil }
        let setup = try await api.get("/v1/setup_intents/\(reference)")
        guard setup.string("status") == "succeeded", let customer = setup.string("customer"), Self.isStripeID(customer),
            let method = setup.string("payment_method"), Self.isStripeID(method)
        else { return nil }
        let card = try await api.get("/v1/payment_methods/\(method)").object("card")
        _ = try await api.post(
            "/v1/customers/\(customer)", [("invoice_settings[default_payment_method]", method)],
            idempotencyKey: "masthead-customer-card-\(pledge.publicID)")
        let plan = try await plan(for: pledge.amount, interval: pledge.interval)
        let subscription = try await api.post(
            "/v1/subscriptions", [("customer", customer), ("items[0][plan]", plan), ("metadata[pledge]", pledge.publicID)],
            idempotencyKey: "masthead-subscription-\(pledge.publicID)")
        guard let id = subscription.string("id"), id.hasPrefix("sub_") else {
            throw StripeProviderError.unexpectedObject("a Subscription without an id")
        }
        return RecurringStart(reference: id, card: card.flatMap(CardSummary.init(stripe:)))
    }

    public func cancelRecurring(pledge publicID: String, reference: String?) async throws {
        // A one-time pledge, or a recurring one whose card was never saved, has nothing to stop.
        guard let reference, reference.hasPrefix("sub_"), Self.isStripeID(reference) else { return }
        do {
            _ = try await api.delete("/v1/subscriptions/\(reference)")
        } catch let error as StripeError where error.status == 404 {
            // Already deleted (from Stripe's dashboard, or by an earlier try whose answer was lost).
        }
    }

    /// The plan (`masthead-usd-500-month`) for `amount` paid every `interval`: found, or made once.
    func plan(for amount: Money, interval: PledgeInterval) async throws -> String {
        let every = interval == .annual ? "year" : "month"
        let id = "masthead-\(amount.currency.code.lowercased())-\(amount.minorUnits)-\(every)"
        do {
            _ = try await api.get("/v1/plans/\(id)")
            return id
        } catch let error as StripeError where error.status == 404 {
            // Not made yet.
        }
        do {
            _ = try await api.post(
                "/v1/plans",
                [
                    ("id", id), ("amount", String(amount.minorUnits)), ("currency", amount.currency.code.lowercased()),
                    ("interval", every), ("product[name]", interval == .annual ? "Annual pledge" : "Monthly pledge"),
                ],
                idempotencyKey: "masthead-plan-\(id)")
        } catch let error as StripeError where error.status.map({ (400..<500).contains($0) }) == true {
            // Made meanwhile by another pledge or daemon (Stripe: 400 `resource_already_exists`;
            // localstripe: 409): fine if it is there now.
            _ = try await api.get("/v1/plans/\(id)")
        }
        return id
    }
}
