import Foundation
import Hummingbird
import SubscriberLists
import Webhooks

/// The library errors the admin routes meet, as problems: a wrong field is a 422 naming it,
/// something that is not there a 404, a state that forbids the change a 409. (The errors'
/// own descriptions speak the CLI's flags, so the details here are written for the API.)
extension ProblemDetails {
    init?(admin error: any Error) {
        switch error {
        case let error as SubscriberError: self.init(subscriber: error)
        case let error as NewsletterError: self.init(newsletter: error)
        case let error as WebhookError: self.init(webhook: error)
        default: return nil
        }
    }

    private init(subscriber error: SubscriberError) {
        switch error {
        case .invalidAddress(_, let reason): self = .validation(field: "email", code: "invalid_address", "email is not a valid address: \(reason).")
        case .unknownSubscriber: self = ProblemDetails(status: .notFound, detail: "No subscriber has this address.")
        case .unknownNewsletter(let slug): self = .validation(field: "newsletter", code: "unknown_newsletter", "No newsletter has the slug '\(slug)'.")
        case .confirmedNeedsBasis:
            self = .validation(field: "basis", code: "required", "confirmed: true needs basis, saying how the person agreed (kept as proof of consent).")
        case .suppressed(let reason):
            self = ProblemDetails(
                status: .conflict, type: "urn:masthead:problem:suppressed",
                detail: "The address is on the suppression list (\(reason.rawValue)); lift it with `masthead subscribers unsuppress` first.")
        case .notSuppressed: self = ProblemDetails(status: .notFound, detail: "The address is not on the suppression list.")
        case .invalidLimit: self = .validation(field: "limit", code: "out_of_range", "limit is out of range.")
        }
    }

    private init(newsletter error: NewsletterError) {
        switch error {
        case .invalidSlug(_, let reason): self = .validation(field: "slug", code: "invalid", "slug: \(reason).")
        case .invalidName(let reason): self = .validation(field: "name", code: "invalid", "name: \(reason).")
        case .invalidDescription(let reason): self = .validation(field: "description", code: "invalid", "description: \(reason).")
        case .slugTaken(let slug):
            self = ProblemDetails(
                status: .conflict, detail: "A newsletter with slug '\(slug)' exists (slugs are never reused, archived newsletters included).")
        case .notFound(let slug): self = ProblemDetails(status: .notFound, detail: "No newsletter has the slug '\(slug)'.")
        case .nothingToChange:
            self = .validation(field: "name", code: "nothing_to_change", "Give at least one of name, description, visibility, opt_in.")
        case .alreadyArchived(let slug): self = ProblemDetails(status: .conflict, detail: "Newsletter '\(slug)' is already archived.")
        }
    }

    private init(webhook error: WebhookError) {
        switch error {
        case .invalid(let field, let reason): self = .validation(field: field, code: "invalid", "\(field): \(reason).")
        case .unknownEndpoint(let id): self = ProblemDetails(status: .notFound, detail: "No webhook endpoint \(id).")
        case .unknownDelivery(let id): self = ProblemDetails(status: .notFound, detail: "No webhook delivery \(id).")
        }
    }
}
