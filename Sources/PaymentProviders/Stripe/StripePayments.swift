import Foundation

/// Stripe as Masthead runs it: the provider (server side, with the secret key) and what the
/// payment page hands the reader's browser (the publishable key, where Stripe.js comes from).
public struct StripePayments: Sendable {
    public let provider: StripeProvider
    /// Stripe.js (`https://js.stripe.com/v3/`, or a stand-in's copy in tests).
    public let scriptURL: String
    /// The API's base URL, which Stripe.js in the browser talks to as well.
    public let apiURL: String

    public init(provider: StripeProvider, scriptURL: String, apiURL: String) {
        self.provider = provider
        self.scriptURL = scriptURL
        self.apiURL = apiURL
    }

    /// What the payment page's Content-Security-Policy must allow besides itself: Stripe.js
    /// (scripts and its frames: Stripe's documented `js.stripe.com`, `hooks.stripe.com` for 3D
    /// Secure) and the API it calls (`api.stripe.com`).
    public var pageSources: (scripts: [String], frames: [String], connections: [String]) {
        let script = Self.origin(scriptURL)
        return ([script], Array(Set([script, "https://hooks.stripe.com"])).sorted(), Array(Set([Self.origin(apiURL), script])).sorted())
    }

    /// `scheme://host[:port]` of `url`.
    static func origin(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return url }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}
