import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Minimal HTTP calls against a live daemon (URLSession).
enum HTTP {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: String
    }

    static func get(_ url: String, headers: [String: String] = [:], timeout: TimeInterval = 30) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = timeout
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await send(request)
    }

    /// POSTs a JSON body.
    static func post(_ url: String, json body: String, timeout: TimeInterval = 30) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.timeoutInterval = timeout
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        return try await send(request)
    }

    private static func send(_ request: URLRequest) async throws -> Reply {
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return Reply(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self))
    }
}

extension HTTP {
    /// POSTs a JSON body and returns the status (for load spread over live daemons).
    static func postJSON(_ url: String, _ body: String, timeout: TimeInterval = 30) async throws -> Int {
        try await post(url, json: body, timeout: timeout).status
    }
}
