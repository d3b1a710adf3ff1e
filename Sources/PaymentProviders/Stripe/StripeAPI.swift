import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import SideEffects

/// Stripe's REST API as Masthead calls it: form-encoded requests under a pinned
/// `Stripe-Version`, an `Idempotency-Key` on every POST, a timeout on every call, retries with
/// backoff for what may succeed on a second try (429, 5xx, a connection that failed; Stripe's
/// `Stripe-Should-Retry` header decides when it is sent), and Stripe's error object turned into
/// a ``StripeError``. The secret key goes in the `Authorization` header and nowhere else.
public struct StripeAPI: Sendable {
    /// The API version every request pins, so a change in the account's default cannot change
    /// what Masthead receives.
    public static let version = "2024-06-20"

    let baseURL: String
    let secretKey: String
    let timeout: Duration
    /// The pause before each retry; its count is the number of retries.
    let retryDelays: [Duration]
    /// The most one call may take, retries included: a reader is waiting for the answer.
    let budget: Duration
    let logger: Logger

    /// `baseURL` is `https://api.stripe.com` in production; tests point it at localstripe.
    public init(
        baseURL: String, secretKey: String, timeout: Duration = .seconds(10),
        retryDelays: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2)], budget: Duration = .seconds(20), logger: Logger
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.secretKey = secretKey
        self.timeout = timeout
        self.retryDelays = retryDelays
        self.budget = budget
        self.logger = logger
    }

    /// POSTs `form` to `path` (`/v1/payment_intents`). The same `idempotencyKey` on a retry lets
    /// Stripe answer with the object it already made instead of making a second one.
    public func post(_ path: String, _ form: [(String, String)], idempotencyKey: String) async throws -> StripeObject {
        try await send(.POST, path, body: FormEncoding.encode(form), idempotencyKey: idempotencyKey)
    }

    /// GETs `path`.
    public func get(_ path: String) async throws -> StripeObject {
        try await send(.GET, path, body: nil, idempotencyKey: nil)
    }

    /// DELETEs `path` (a Subscription): deleting twice deletes once, so it is retried like a GET.
    public func delete(_ path: String) async throws -> StripeObject {
        try await send(.DELETE, path, body: nil, idempotencyKey: nil)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: String?, idempotencyKey: String?) async throws -> StripeObject {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        request.headers.add(name: "Stripe-Version", value: Self.version)
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        var attempt = 0
        let started = ContinuousClock.now
        while true {
            let failure: StripeError
            do {
                let remaining = budget - (ContinuousClock.now - started)
                let response = try await HTTPClient.shared.execute(request, timeout: TimeAmount(min(timeout, remaining)))
                let bytes = try await response.body.collect(upTo: 4 * 1024 * 1024)
                let status = Int(response.status.code)
                let object = StripeObject(json: Array(bytes.readableBytesView))
                if (200..<300).contains(status), let object { return object }
                // Stripe says whether a retry can help; without its word, 429 and 5xx can.
                let retryable = response.headers.first(name: "Stripe-Should-Retry").map { $0 == "true" } ?? (status == 429 || status >= 500)
                failure = StripeError(status: status, object: object, retryable: retryable)
            } catch {
                failure = StripeError(connection: "\(error)")
            }
            guard failure.retryable, attempt < retryDelays.count,
                ContinuousClock.now - started + retryDelays[attempt] < budget
            else { throw failure }
            logger.notice("stripe call failed; retrying", metadata: ["path": "\(path)", "attempt": "\(attempt + 1)", "error": "\(failure)"])
            try await Task.sleep(for: retryDelays[attempt])
            attempt += 1
        }
    }
}

/// A JSON object from Stripe, read defensively: every field is optional and of the type asked
/// for or absent (events and objects of other API versions carry fields we do not know).
/// Read by `JSONDocument`, one pass over the bytes, not `JSONSerialization` and casts of `Any`.
public struct StripeObject: Sendable {
    let fields: [String: JSONDocument]

    init(fields: [String: JSONDocument]) { self.fields = fields }

    /// Parses a JSON object; nil when `json` is not one.
    public init?(json: [UInt8]) {
        guard case .object(let fields)? = try? JSONDocument.parse(json) else { return nil }
        self.fields = fields
    }

    public func string(_ key: String) -> String? {
        guard case .string(let text)? = fields[key] else { return nil }
        return text
    }

    /// An integer field (a fractional number is not one).
    public func integer(_ key: String) -> Int64? {
        guard case .number(let text)? = fields[key] else { return nil }
        return Int64(text)
    }

    public func boolean(_ key: String) -> Bool? {
        guard case .bool(let value)? = fields[key] else { return nil }
        return value
    }

    public func object(_ key: String) -> StripeObject? {
        guard case .object(let fields)? = self.fields[key] else { return nil }
        return StripeObject(fields: fields)
    }

    public func objects(_ key: String) -> [StripeObject] {
        guard case .array(let elements)? = fields[key] else { return [] }
        return elements.compactMap { element in
            guard case .object(let fields) = element else { return nil }
            return StripeObject(fields: fields)
        }
    }
}

/// A Stripe call that failed: Stripe's error object when it sent one, else what went wrong on
/// the way. Its description never includes the secret key (it is never part of one).
public struct StripeError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status, nil when no answer came.
    public var status: Int?
    /// `card_error`, `invalid_request_error`, `api_error`, `idempotency_error`, …
    public var type: String?
    public var code: String?
    /// Why the bank declined a card (`insufficient_funds`), for card errors.
    public var declineCode: String?
    /// Stripe's message; for a card error it is written for the cardholder.
    public var message: String
    /// Whether the same call may succeed if sent again (with the same idempotency key).
    public var retryable: Bool

    init(status: Int, object: StripeObject?, retryable: Bool) {
        let error = object?.object("error")
        self.status = status
        type = error?.string("type")
        code = error?.string("code")
        declineCode = error?.string("decline_code")
        message = error?.string("message") ?? "Stripe answered \(status) without an error object"
        self.retryable = retryable
    }

    init(connection reason: String) {
        message = "no answer from Stripe: \(reason)"
        retryable = true
    }

    /// A declined or invalid card: the reader can fix it with another card. Stripe says so with
    /// the `card_error` type and the 402 status; localstripe only with the status.
    public var isCardError: Bool { type == "card_error" || status == 402 }

    public var description: String {
        let parts = [status.map { "status \($0)" }, type, code, declineCode].compactMap { $0 }
        return parts.isEmpty ? message : "\(message) (\(parts.joined(separator: ", ")))"
    }
}

/// `application/x-www-form-urlencoded`, as Stripe reads it: nested parameters are spelled in
/// the key (`metadata[pledge]`, `payment_method_types[]`).
enum FormEncoding {
    /// Unreserved characters (RFC 3986) stay; everything else, brackets included, is escaped.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
