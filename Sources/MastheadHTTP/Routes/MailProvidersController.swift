import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mail
import NewsletterSignup
import SubscriberLists

/// `POST /v1/webhooks/mail/{provider}`: an email provider's signed event webhook (Mailgun,
/// SendGrid). 200 once the signature is checked and the events applied (a replayed event
/// changes nothing); 400 for a signature that does not check; 404 for a provider not configured.
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
        let outcomes: [FeedbackPlan.Outcome]
        do {
            outcomes = try await intake.receive(provider: provider, body: Array(body.readableBytesView)) { name in
                HTTPField.Name(name).flatMap { request.headers[$0] }
            }
        } catch MailProviderIntake.Refusal.notConfigured(let name) {
            throw ProblemDetails(status: .notFound, detail: "No email provider '\(name)' is configured here.")
        } catch MailProviderIntake.Refusal.refused(let rejection) {
            context.logger.warning("email provider webhook refused", metadata: ["provider": "\(provider)", "reason": "\(rejection)"])
            throw ProblemDetails(
                status: .badRequest, type: "urn:masthead:problem:webhook", title: "Webhook refused", detail: rejection.description)
        }
        context.logger.info("email provider webhook applied", metadata: ["provider": "\(provider)", "outcomes": "\(outcomes)"])
        return try JSONBody.response(["received": String(outcomes.count)])
    }
}
