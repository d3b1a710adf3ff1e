import Foundation

/// How to reach and use an SMTP server, parsed from
/// `smtp://[user[:password]@]host[:port]?tls=starttls|implicit|none&pool=N&…`.
///
/// Query parameters: `tls` (default `starttls`; `implicit` is TLS from the first byte, port 465),
/// `pool` (connections kept open, default 4), `ca` (a PEM file trusted in addition to the system
/// roots), `helo` (the name the client gives, default the host name of the machine), `timeout`
/// (seconds; caps every RFC 5321 timeout, for impatient deployments and tests), `rate` (most
/// messages per second, default unlimited), `password_file` (read the password from a file).
/// The password may also come from `MASTHEAD_SMTP_PASSWORD`, so it need not sit in a URL; it is
/// never logged.
public struct SMTPConfiguration: Sendable, Equatable {
    /// How the connection is protected.
    public enum Security: String, Sendable, Equatable {
        /// Plain connection upgraded with STARTTLS; required unless the server is on loopback.
        case startTLS = "starttls"
        /// TLS from the first byte (usually port 465).
        case implicit
        /// No TLS at all (local relays on loopback).
        case none
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var poolSize: Int
    public var certificateAuthorityFile: String?
    public var heloName: String
    /// Upper bound for every timeout, if set.
    public var timeoutCap: Duration?
    /// Most messages per second, if limited.
    public var messagesPerSecond: Double?

    /// Why a URL is not a usable SMTP configuration.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Parses the URL; `environment` supplies `MASTHEAD_SMTP_PASSWORD`.
    public init(url text: String, environment: [String: String] = [:]) throws(Problem) {
        guard let url = URLComponents(string: text), ["smtp", "smtps"].contains(url.scheme?.lowercased() ?? ""),
            let host = url.host, !host.isEmpty
        else { throw Problem(description: "'\(Self.redacted(text))' is not smtp://[user[:password]@]host[:port]") }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name.lowercased(), $0.value ?? "") }) { $1 }
        let tlsName = query["tls"] ?? (url.scheme?.lowercased() == "smtps" ? "implicit" : "starttls")
        guard let security = Security(rawValue: tlsName.lowercased()) else {
            throw Problem(description: "tls=\(tlsName) is not starttls, implicit or none")
        }
        self.host = host
        self.security = security
        self.port = url.port ?? (security == .implicit ? 465 : 587)
        self.username = url.user?.removingPercentEncoding
        self.password = url.password?.removingPercentEncoding ?? environment["MASTHEAD_SMTP_PASSWORD"]
        if let file = query["password_file"] {
            guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw Problem(description: "cannot read password_file \(file)")
            }
            self.password = contents.trimmingCharacters(in: .newlines)
        }
        if username != nil, password == nil {
            throw Problem(description: "a user is given but no password (URL, password_file or MASTHEAD_SMTP_PASSWORD)")
        }
        self.poolSize = try Self.integer(query["pool"], name: "pool", default: 4, range: 1...64)
        self.certificateAuthorityFile = query["ca"]
        if let ca = certificateAuthorityFile, !FileManager.default.fileExists(atPath: ca) {
            throw Problem(description: "ca file \(ca) does not exist")
        }
        self.heloName = query["helo"] ?? ProcessInfo.processInfo.hostName
        self.timeoutCap = nil
        self.messagesPerSecond = nil
        if let text = query["timeout"] { self.timeoutCap = .seconds(try Self.integer(text, name: "timeout", default: 0, range: 1...3600)) }
        if let text = query["rate"] { self.messagesPerSecond = Double(try Self.integer(text, name: "rate", default: 0, range: 1...100_000)) }
    }

    /// True when the server is this machine: STARTTLS is then optional.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// RFC 5321 §4.5.3.2 timeouts, capped by `timeout=`.
    func timeout(_ standard: Duration) -> Duration {
        guard let cap = timeoutCap else { return standard }
        return min(standard, cap)
    }

    /// The URL with any password replaced, for logs and errors.
    public static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text) else { return "smtp://…" }
        if url.password != nil { url.password = "***" }
        return url.string ?? "smtp://…"
    }

    private static func integer(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws(Problem) -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw Problem(description: "\(name)=\(text) is not a number in \(range.lowerBound)-\(range.upperBound)")
        }
        return number
    }
}
