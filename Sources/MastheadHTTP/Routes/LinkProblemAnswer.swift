import Hummingbird
import Logging
import NewsletterSignup

/// How every link route answers a link that did nothing: the reason goes to the log; the reader
/// sees one polite page (or, for JSON clients, one problem) whatever it was. A storage failure
/// is not the link's fault and is thrown on (a 503 or 500).
struct LinkProblemAnswer: Sendable {
    let pages: PageRenderer
    let messages: ReaderMessages

    func answer(_ request: Request, _ context: MastheadRequestContext, _ error: any Error) throws -> Response {
        if case LinkProblem.storage = error { throw error }
        context.logger.notice("link refused", metadata: ["reason": "\(error)"])
        guard request.prefersHTML else {
            throw ProblemDetails(
                status: .badRequest, type: "urn:masthead:problem:invalid-link", title: "Invalid link",
                detail: messages["link.invalid", request.language])
        }
        return try page(request.language)
    }

    func page(_ language: String) throws -> Response {
        try pages.page(
            "link-problem", status: .badRequest, title: messages["page.link_problem", language], language: language,
            ["message": messages["link.invalid", language]])
    }
}
