import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mail
import NewsletterSignup
import SubscriberLists

/// `POST /v1/webhooks/mail/{provider}`: an email provider's signed event webhook (Amazon SES
/// through SNS, Mailgun, SendGrid). 200 once the signature is checked and the events applied (a
/// replayed event changes nothing); 400 for a signature that does not check; 404 for a provider
/// not configured; 502 when SNS's subscription could not be confirmed (SNS asks again).
struct MailProvidersController: Sendable {
    let intake: MailProviderIntake
    let bodyLimit: Int

    var endpoints: RouteCollection<MastheadRequestContext> {
        let routes = RouteCollection(context: MastheadRequestContext.self)
        routes.post("v1/webhooks/mail/{provider}") { request, context in try await receive(request, context) }
        return routes
    }

    func receive(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let provider = context.parameters.get("provider") ?? ""
        let body = try await request.body.collect(upTo: bodyLimit)
        let receipt: MailProviderIntake.Receipt
        do {
            receipt = try await intake.receive(provider: provider, body: Array(body.readableBytesView)) { name in
                HTTPField.Name(name).flatMap { request.headers[$0] }
            }
        } catch MailProviderIntake.Refusal.notConfigured(let name) {
            throw ProblemDetails(status: .notFound, detail: "No email provider '\(name)' is configured here.")
        } catch MailProviderIntake.Refusal.refused(let rejection) {
            context.logger.warning("email provider webhook refused", metadata: ["provider": "\(provider)", "reason": "\(rejection)"])
            throw ProblemDetails(
                status: .badRequest, type: "urn:masthead:problem:webhook", title: "Webhook refused", detail: rejection.description)
        } catch MailProviderIntake.Refusal.confirmationFailed(let reason) {
            context.logger.error("Amazon SNS subscription not confirmed", metadata: ["reason": "\(reason)"])
            throw ProblemDetails(status: .badGateway, detail: "The SNS subscription could not be confirmed: \(reason)")
        }
        switch receipt {
        case .applied(let outcomes):
            context.logger.info("email provider webhook applied", metadata: ["provider": "\(provider)", "outcomes": "\(outcomes)"])
            return try JSONBody.response(["received": String(outcomes.count)])
        case .subscription(let topic, let url, confirmed: true):
            context.logger.notice("Amazon SNS subscription confirmed", metadata: ["topic": "\(topic)", "url": "\(url)"])
            return try JSONBody.response(["subscription": "confirmed"])
        case .subscription(let topic, let url, confirmed: false):
            context.logger.warning(
                "Amazon SNS asks to confirm a subscription: open the URL, or set MASTHEAD_SES_CONFIRM_SUBSCRIPTIONS=true",
                metadata: ["topic": "\(topic)", "url": "\(url)"])
            return try JSONBody.response(["subscription": "pending"])
        case .unsubscribed(let topic):
            context.logger.warning("Amazon SNS ended a subscription", metadata: ["topic": "\(topic)"])
            return try JSONBody.response(["subscription": "ended"])
        }
    }
}
