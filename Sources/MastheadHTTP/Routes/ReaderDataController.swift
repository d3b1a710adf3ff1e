import DonationPledges
import Foundation
import Hummingbird
import Logging
import NewsletterSignup
import SideEffects
import SubscriberLists

/// A reader's own data, from the preferences page: download it (right of access) and delete it
/// (right to erasure). The report and the erasure are `masthead subscribers access` and `erase`.
///
/// `POST /v1/preferences/data` shows the report at once through a recent `manage` link (a 303 to
/// `/v1/data` with a short-lived `access` token) and mails that link otherwise. `GET /v1/data`
/// shows the report (`?format=json`: the same JSON document as the CLI, as a download).
/// `GET /v1/preferences/delete` warns; `POST` with `confirm=yes` erases and mails a receipt.
struct ReaderDataController: Sendable {
    let readerData: ReaderDataService
    let pages: PageRenderer
    let messages: ReaderMessages
    let bodyLimit: Int
    /// The public URL: where the report is, as the reader's browser reaches it.
    let base: String
    var problems: LinkProblemAnswer { LinkProblemAnswer(pages: pages, messages: messages) }

    var endpoints: RouteCollection<MastheadRequestContext> {
        let routes = RouteCollection(context: MastheadRequestContext.self)
        routes.post("v1/preferences/data") { request, context in try await requestData(request, context) }
        routes.get("v1/data") { request, context in try await report(request, context) }
        routes.get("v1/preferences/delete") { request, context in try await warn(request, context) }
        routes.post("v1/preferences/delete") { request, context in try await erase(request, context) }
        return routes
    }

    func requestData(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        let language = request.language
        do {
            switch try await readerData.request(manageToken: fields.first("token") ?? "", locale: language) {
            case .ready(let token):
                let url = "\(base)/v1/data?token=\(token)&lang=\(language)"
                guard request.prefersHTML else { return try JSONBody.response(DataAnswer(status: "ready", url: url)) }
                return Response.seeOther(url)
            case .emailed:
                context.logger.info("reader data link emailed")
                guard request.prefersHTML else { return try JSONBody.response(status: .accepted, DataAnswer(status: "emailed", url: nil)) }
                return try message("data.emailed", note: "data.emailed_note", language)
            }
        } catch {
            return try problems.answer(request, context, error)
        }
    }

    func report(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        let document: AccessDocument
        do {
            document = try await readerData.report(accessToken: token)
        } catch {
            return try problems.answer(request, context, error)
        }
        context.logger.info("reader data shown")
        if request.uri.queryParameters["format"] == "json" || !request.prefersHTML {
            return try Self.download(document)
        }
        let language = request.language
        return try pages.page(
            "my-data", title: messages["data.title", language], language: language,
            DataPage.context(document, language: language, messages: messages, jsonURL: "\(base)/v1/data?token=\(token)&format=json"))
    }

    func warn(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        let language = request.language
        do {
            let reader = try await readerData.reader(manageToken: token)
            return try pages.page(
                "delete", title: messages["delete.title", language], language: language,
                ["token": token, "warning": messages.format("delete.warning", language, ["address": reader.email])])
        } catch {
            return try problems.answer(request, context, error)
        }
    }

    func erase(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let fields = try await SubmittedFields.read(request, limit: bodyLimit)
        let language = request.language
        guard fields.first("confirm") == "yes" else {
            let detail = "send confirm=yes to delete: the erasure cannot be undone"
            throw ProblemDetails(
                status: .unprocessableContent, title: "Confirmation required", detail: detail,
                errors: [.init(field: "confirm", code: "required", message: detail)])
        }
        do {
            try await readerData.erase(manageToken: fields.first("token") ?? "", locale: language)
        } catch {
            return try problems.answer(request, context, error)
        }
        context.logger.info("reader erased their data")
        guard request.prefersHTML else { return try JSONBody.response(DataAnswer(status: "erased", url: nil)) }
        return try message("delete.done", note: "delete.done_note", language)
    }

    private func message(_ key: String, note: String, _ language: String) throws -> Response {
        try pages.page(
            "reader-message", title: messages[key, language], language: language,
            ["message": messages[key, language], "note": messages[note, language]])
    }

    /// The access document as the CLI prints it, as a file to save.
    static func download(_ document: AccessDocument) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/json", .cacheControl: "no-store",
                .contentDisposition: #"attachment; filename="my-data.json""#,
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(document))))
    }

    struct DataAnswer: Encodable {
        let status: String
        let url: String?
    }
}

/// The readable page of an access document: each section as the template lists it.
enum DataPage {
    static func context(_ document: AccessDocument, language: String, messages: ReaderMessages, jsonURL: String) -> [String: Any] {
        let profile = document.profile
        let memberships = (profile?.memberships ?? []).map { membership -> [String: Any] in
            ["newsletter": membership.newsletter, "status": membership.status.rawValue,
             "since": readable(membership.confirmedAt ?? membership.createdAt)]
        }
        let consents = (profile?.consents ?? []).map { consent -> [String: Any] in
            ["recorded": readable(consent.recordedAt), "confirmed": consent.confirmedAt.map(readable) ?? false,
             "source": consent.source ?? false, "version": consent.consentTextVersion ?? "—",
             "newsletters": consent.newsletters.joined(separator: ", "), "words": consent.consentText ?? false]
        }
        let pledges = document.pledges.map { row -> [String: Any] in
            let amount = Int64(row["amount_minor"] ?? "").flatMap { minor in
                Currency.named(row["currency"] ?? "").map { Money(minorUnits: minor, currency: $0).formatted(language: language) }
            }
            let card = [row["card_brand"], row["card_last4"].map { "•••• \($0)" }].compactMap { $0 }.joined(separator: " ")
            return ["date": readable(row["created_at"] ?? ""), "amount": amount ?? "—", "card": card.isEmpty ? "—" : card,
                    "status": row["status"] ?? ""]
        }
        let mail = document.outbox.map { row -> [String: Any] in
            ["date": readable(row["created_at"] ?? ""), "kind": row["kind"] ?? "", "state": row["state"] ?? ""]
        }
        let events = (profile?.events ?? []).map { event -> [String: Any] in ["date": readable(event.occurredAt), "action": event.action] }
        return [
            "lead": messages.format("data.lead", language, ["address": profile?.subscriber.email ?? ""]),
            "json_url": jsonURL,
            "has_memberships": !memberships.isEmpty, "memberships": memberships,
            "has_consents": !consents.isEmpty, "consents": consents,
            "has_pledges": !pledges.isEmpty, "pledges": pledges,
            "has_mail": !mail.isEmpty, "mail": mail,
            "has_events": !events.isEmpty, "events": events,
        ]
    }

    /// `2026-12-02 19:30 UTC`, from a date or a stored timestamp.
    static func readable(_ date: Date) -> String { readable(Timestamp.format(date)) }

    static func readable(_ stamp: String) -> String {
        guard stamp.count >= 16 else { return stamp }
        return stamp.prefix(16).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
