import DNSLookup
import Foundation
public import Hummingbird
import HTTPTypes
import Logging
import MastheadSettings
import NIOCore

/// Gives each request an id and a client address, and records it once it is answered:
/// one access-log line and the request metrics.
///
/// It is the outermost middleware, so it sees the final status of every request, errors
/// included. The access log carries the path without its query string, because links
/// carry signed tokens there.
public struct RequestObservationMiddleware: RouterMiddleware {
    public typealias Context = MastheadRequestContext
    let metrics: HTTPMetrics
    let clientAddresses: ClientAddressResolver

    /// Creates the middleware.
    public init(metrics: HTTPMetrics, clientAddresses: ClientAddressResolver) {
        self.metrics = metrics
        self.clientAddresses = clientAddresses
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        // Hummingbird's logger already carries its own id; the logger is only copied (its
        // metadata rewritten) when the client offers one of its own.
        if let offered = Self.requestID(offered: request.headers[.xRequestID]) {
            context.requestID = offered
            context.logger[metadataKey: "hb.request.id"] = .string(offered)
        } else {
            context.requestID = context.id
        }
        context.clientAddress = clientAddresses.resolve(
            peer: context.remoteAddress?.ipAddress.flatMap(IPAddress.init),
            forwardedFor: request.headers[values: .xForwardedFor])

        var response = try await next(request, context)
        response.headers[.xRequestID] = context.requestID

        let route = context.endpointPath ?? "unmatched"
        let status = response.status.code
        let duration = ContinuousClock.now - started
        metrics.record(route: route == "NotFound" ? "unmatched" : route, method: request.method.rawValue, status: status, duration: duration)
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(status),
                "duration_ms": .string(Self.milliseconds(duration)),
                "client": .string(context.clientAddress?.description ?? "-"),
            ])
        return response
    }

    /// The client's `X-Request-Id` when it is sane (1–128 of `A-Z a-z 0-9 . _ : -`), else nil.
    static func requestID(offered: String?) -> String? {
        guard let offered, !offered.isEmpty, offered.utf8.count <= 128,
            offered.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
                    || byte == UInt8(ascii: "-")
            })
        else { return nil }
        return offered
    }

    /// `12.34`: milliseconds with two decimals, rounded half up (`String(format:)` cost about
    /// 3 µs a request).
    static func milliseconds(_ duration: Duration) -> String {
        let hundredths = (duration.nanoseconds + 5_000) / 10_000
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension HTTPField.Name {
    // Literal, valid header names: the force unwraps cannot fail.
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwarded = HTTPField.Name("Forwarded")!
}
