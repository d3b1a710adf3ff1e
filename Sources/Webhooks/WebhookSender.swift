import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
import Signing

/// Posts one delivery to its endpoint, signed per Standard Webhooks. A 2xx answer is success;
/// anything else (another status, a timeout, a refused connection) is a failure to retry.
/// Redirects are not followed: a receiver that moved is told by its failures, and a redirect
/// cannot lead a request past the address guard.
public struct WebhookSender: Sendable {
    /// One client for the process, never shut down (as `HTTPClient.shared`): the daemon's worker
    /// and a CLI's `webhooks test` share it. Unlike the shared one it never follows a redirect.
    private static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(30))))

    let timeout: Duration
    let allowNonPublicAddresses: Bool
    let userAgent: String

    /// `allowNonPublicAddresses`: development and tests (a receiver on 127.0.0.1); production
    /// refuses receivers on loopback, private and link-local addresses.
    public init(timeout: Duration = .seconds(10), allowNonPublicAddresses: Bool, userAgent: String) {
        self.timeout = timeout
        self.allowNonPublicAddresses = allowNonPublicAddresses
        self.userAgent = userAgent
    }

    /// The outcome of one attempt: the receiver's status on success.
    public enum Outcome: Sendable, Equatable {
        case delivered(status: Int)
        case failed(AttemptFailure)
    }

    /// Sends `delivery`, signed at `time`.
    public func send(_ delivery: ClaimedDelivery, at time: Date) async -> Outcome {
        guard let url = URL(string: delivery.url), let host = url.host else {
            return .failed(AttemptFailure(status: nil, error: "the endpoint's URL cannot be read"))
        }
        if !allowNonPublicAddresses {
            do {
                let refused = try await ReceiverAddressGuard.nonPublicAddresses(of: host)
                if !refused.isEmpty {
                    return .failed(AttemptFailure(
                        status: nil, error: "refused: \(host) resolves to a non-public address (\(refused.joined(separator: ", ")))"))
                }
            } catch {
                return .failed(AttemptFailure(status: nil, error: "\(error)"))
            }
        }
        let timestamp = Int64(time.timeIntervalSince1970.rounded(.down))
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: userAgent)
        request.headers.add(name: "webhook-id", value: delivery.messageID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature",
            value: StandardWebhookSignature.header(
                id: delivery.messageID, timestamp: timestamp, body: delivery.payload,
                secrets: StandardWebhookSecret.bytes(delivery.secrets)))
        request.body = .bytes(ByteBuffer(bytes: delivery.payload))
        do {
            let response = try await Self.client.execute(request, timeout: TimeAmount.seconds(Int64(timeout.components.seconds)))
            // Read (a little of) the answer so the connection can be reused; its text explains a failure.
            let body = try? await response.body.collect(upTo: 4096)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let text = body.map { String(buffer: $0) }?.prefix(200) ?? ""
                return .failed(AttemptFailure(status: status, error: "HTTP \(status)\(text.isEmpty ? "" : ": \(text)")"))
            }
            return .delivered(status: status)
        } catch {
            return .failed(AttemptFailure(status: nil, error: "\(error)"))
        }
    }
}
