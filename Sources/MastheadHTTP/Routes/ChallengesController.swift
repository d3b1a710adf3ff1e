import AbuseDefence
import Foundation
import Hummingbird
import SideEffects
import Signing

/// `GET /v1/challenge?purpose=signup|pledge`: a proof-of-work challenge. The client finds a
/// decimal NONCE such that SHA-256 of `CHALLENGE:NONCE` starts with `difficulty` zero bits, and
/// sends `CHALLENGE:NONCE` as the `proof` field of its sign-up or pledge. `required` says
/// whether the proof is needed now (clients may skip the work when it is not); the page
/// scripts and `/embed/subscribe.js` solve it in a Web Worker.
struct ChallengesController: Sendable {
    let challenges: ChallengeGate

    var endpoints: RouteCollection<MastheadRequestContext> {
        let routes = RouteCollection(context: MastheadRequestContext.self)
        routes.get("v1/challenge") { request, _ in try challenge(request) }
        return routes
    }

    func challenge(_ request: Request) throws -> Response {
        let name = request.uri.queryParameters["purpose"].map(String.init) ?? "signup"
        guard let purpose = ChallengePurpose(named: name) else {
            throw ProblemDetails(
                status: .unprocessableContent, type: "urn:masthead:problem:validation", title: "Invalid input",
                detail: "purpose must be signup or pledge.",
                errors: [ProblemDetails.FieldError(field: "purpose", code: "invalid", message: "purpose must be signup or pledge.")])
        }
        let issued = try challenges.issue(purpose)
        return try JSONBody.response(
            ChallengeAnswer(
                algorithm: "SHA-256", challenge: issued.challenge, difficulty: issued.difficulty,
                expires: Timestamp.format(issued.expires), required: issued.required))
    }
}

/// The JSON of `GET /v1/challenge`.
struct ChallengeAnswer: Encodable {
    var algorithm: String
    var challenge: String
    var difficulty: Int
    var expires: String
    var required: Bool
}

extension ProblemDetails {
    /// 428 when a proof is required and none came; 422 naming `proof` when one came and is no good.
    static func challenge(_ refusal: ChallengeRefusal, messages: ReaderMessages, language: String) -> ProblemDetails {
        switch refusal {
        case .required:
            let message = messages["challenge.required", language]
            return ProblemDetails(
                status: .preconditionRequired, type: "urn:masthead:problem:challenge-required", title: "Proof of work required",
                detail: message + " (GET /v1/challenge, then send proof=CHALLENGE:NONCE.)",
                errors: [FieldError(field: "proof", code: "required", message: message)])
        case .rejected(let why):
            let message = messages["challenge.invalid", language]
            let code =
                switch why {
                case .expired: "expired_proof"
                case .replayed: "replayed_proof"
                default: "invalid_proof"
                }
            return ProblemDetails(
                status: .unprocessableContent, type: "urn:masthead:problem:validation", title: "Invalid input",
                detail: "\(message) (\(why).)", errors: [FieldError(field: "proof", code: code, message: message)])
        }
    }
}
