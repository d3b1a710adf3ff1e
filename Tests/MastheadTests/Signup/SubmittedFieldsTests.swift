import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import Testing

@testable import MastheadHTTP

/// How a request body becomes fields, through the real router: JSON values that are not
/// strings are named in the 422, numbers keep their text, and a browser is told apart from a
/// script by its `Accept` header in any case.
@Suite(.timeLimit(.minutes(2))) struct SubmittedFieldsTests {
    struct Problem: Decodable {
        struct FieldError: Decodable {
            let field: String
            let code: String
        }
        let status: Int
        let type: String
        let errors: [FieldError]?
    }

    func post(_ client: some TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/subscriptions", method: .post, headers: SignupHTTP.jsonHeaders, body: ByteBuffer(string: body))
    }

    func problem(_ response: TestResponse) throws -> Problem {
        #expect(response.headers[.contentType] == "application/problem+json")
        return try JSONDecoder().decode(Problem.self, from: Data(response.body.readableBytesView))
    }

    @Test func jsonValuesOfTheWrongTypeAreNamed() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.application.test(.router) { client in
            for (body, field) in [
                (#"{"email": true, "newsletters": ["ukraine-daily"]}"#, "email"),
                (#"{"email": {"at": "example.org"}, "newsletters": ["ukraine-daily"]}"#, "email"),
                (#"{"email": "a@example.org", "newsletters": ["ukraine-daily", 7]}"#, "newsletters"),
            ] {
                let response = try await post(client, body)
                #expect(response.status == .unprocessableContent, "\(body)")
                let problem = try problem(response)
                #expect(problem.errors?.map(\.field) == [field], "\(body)")
                #expect(problem.errors?.first?.code == "wrong_type", "\(body)")
            }
            for body in [#"["a@example.org"]"#, #"{"email": "a@example.org""#, #"{"email": "a\u12"}"#, "not json"] {
                let response = try await post(client, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(try problem(response).type == "urn:masthead:problem:malformed-body", "\(body)")
            }
        }
        #expect(try await test.sql("SELECT count(*) FROM subscribers").first == "0")
    }

    @Test func escapesNullsAndNumbersReadAsTheirText() throws {
        let fields = try SubmittedFields.json(
            Array(#"{"email": "\u0410nna@example.org", "name": null, "amount_minor": 500, "amount": 12.50, "tags": []}"#.utf8))
        #expect(fields.first("email") == "Аnna@example.org")
        #expect(fields.first("name") == nil)
        #expect(fields.first("amount_minor") == "500")
        // Kept as written: the amount's own check decides what 12.50 means.
        #expect(fields.first("amount") == "12.50")
        #expect(fields.all("tags").isEmpty)
    }

    @Test func formFieldsArePercentDecodedAsUTF8() throws {
        let fields = try SubmittedFields.form("a=1+2%2B3&b=%E2%9c%93&c[]=x&c%5B%5D=y&c=z&empty=&flag&%D1%96%D0%BC%27%D1%8F=%D0%86")
        #expect(fields.first("a") == "1 2+3")
        #expect(fields.first("b") == "✓")
        #expect(fields.all("c") == ["x", "y", "z"])
        #expect(fields.first("empty") == "")
        #expect(fields.first("flag") == "")
        #expect(fields.first("ім'я") == "І")
        for broken in ["a=%", "a=%4", "a=%zz", "a=%E2%9C", "a=%FF", "%C3=1"] {
            #expect(throws: ProblemDetails.self, "\(broken)") { try SubmittedFields.form(broken) }
        }
    }

    @Test func aBrowserIsRecognisedInAnyCase() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.application.test(.router) { client in
            for accept in ["TEXT/HTML", "application/xhtml+xml, Text/Html;q=0.9"] {
                var headers = SignupHTTP.formHeaders
                headers[.accept] = accept
                let response = try await client.execute(
                    uri: "/v1/subscriptions", method: .post, headers: headers,
                    body: SignupHTTP.form([("email", "olena@example.org"), ("newsletters", "ukraine-daily")]))
                #expect(response.status == .accepted, "\(accept)")
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true, "\(accept)")
            }
            let script = try await SignupHTTP.signUp(client, ["email": "taras@example.org", "newsletters": ["ukraine-daily"]])
            #expect(script.headers[.contentType]?.hasPrefix("application/json") == true)
        }
        #expect(Request.contains(Array("a, text/HTMl".utf8), lowercased: Array("text/html".utf8)))
        #expect(!Request.contains(Array("text/htm".utf8), lowercased: Array("text/html".utf8)))
        #expect(!Request.contains([], lowercased: Array("text/html".utf8)))
    }

    @Test func theSpikeDetectorCountsTheTypedDomainTrimmedAndLowerCased() {
        #expect(SubscriptionsController.domain(of: "anna@ Example.ORG \n") == "example.org")
        #expect(SubscriptionsController.domain(of: "a@b@Mail.example\u{3000}") == "mail.example")
        #expect(SubscriptionsController.domain(of: "anna@ ") == nil)
        #expect(SubscriptionsController.domain(of: "no-at-sign") == nil)
        #expect(SubscriptionsController.domain(of: nil) == nil)
    }

    @Test func accessLogDurationHasTwoDecimals() {
        #expect(RequestObservationMiddleware.milliseconds(.nanoseconds(0)) == "0.00")
        #expect(RequestObservationMiddleware.milliseconds(.nanoseconds(4_999)) == "0.00")
        #expect(RequestObservationMiddleware.milliseconds(.nanoseconds(5_000)) == "0.01")
        #expect(RequestObservationMiddleware.milliseconds(.microseconds(90)) == "0.09")
        #expect(RequestObservationMiddleware.milliseconds(.microseconds(1_234)) == "1.23")
        #expect(RequestObservationMiddleware.milliseconds(.milliseconds(12_345)) == "12345.00")
        #expect(RequestObservationMiddleware.milliseconds(.microseconds(999_996)) == "1000.00")
    }
}
