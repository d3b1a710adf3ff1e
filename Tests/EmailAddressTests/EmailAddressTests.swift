import EmailAddress
import Foundation
import PropertyBased
import Testing

/// The address parser against the RFC-derived table, and its normalisation properties.
@Suite struct EmailAddressTests {
    @Test func theTableHasAtLeast200Cases() {
        #expect(EmailAddressCases.all.count >= 200)
    }

    @Test(arguments: EmailAddressCases.all)
    func parsesAsTheRFCsSay(_ example: EmailAddressCases.Case) {
        let outcome = Result { () throws(AddressProblem) in try EmailAddress(parsing: example.input, options: example.options) }
        switch (example.expected, outcome) {
        case (.valid(let normalized, let smtpUTF8), .success(let address)):
            #expect(address.normalized == normalized)
            #expect(address.requiresSMTPUTF8 == smtpUTF8)
        case (.invalid(let problem), .failure(let actual)):
            if case .idnaConversionFailed = problem {
                #expect(actual.code == "idna_conversion_failed", "got \(actual)")
            } else {
                #expect(actual == problem)
            }
        case (.valid(let normalized, _), .failure(let actual)):
            Issue.record("expected \(normalized), got \(actual)")
        case (.invalid(let problem), .success(let address)):
            Issue.record("expected \(problem), got \(address.normalized)")
        }
    }

    @Test func partsOfAnInternationalAddress() throws {
        let address = try EmailAddress(parsing: "Dörte@Sörensen.Example.com")
        #expect(address.localPart == "Dörte")
        #expect(address.domain == "sörensen.example.com")
        #expect(address.asciiDomain == "xn--srensen-90a.example.com")
        #expect(address.mailbox == "Dörte@xn--srensen-90a.example.com")
        #expect(address.description == "Dörte@sörensen.example.com")
        #expect(address.requiresSMTPUTF8)
    }

    @Test func handWrittenALabelsShowTheirUnicodeForm() throws {
        let address = try EmailAddress(parsing: "user@xn--bcher-kva.example")
        #expect(address.domain == "bücher.example")
    }

    @Test func oneSubscriberWhateverTheCase() throws {
        let first = try EmailAddress(parsing: "Anna@Example.org")
        let second = try EmailAddress(parsing: "anna@example.ORG")
        #expect(first.normalized == second.normalized)
        #expect(first.localPart == "Anna")
    }

    @Test func noProviderSpecificRewriting() throws {
        #expect(try EmailAddress(parsing: "first.last+news@gmail.com").normalized == "first.last+news@gmail.com")
        #expect(try EmailAddress(parsing: "firstlast@gmail.com").normalized != (try EmailAddress(parsing: "first.last@gmail.com").normalized))
    }

    @Test func problemsHaveStableCodesAndSentences() {
        #expect(AddressProblem.invalidCharacter(",", .localPart).code == "invalid_character")
        #expect(AddressProblem.invalidCharacter(",", .localPart).description == "the local part contains ',', which is not allowed there")
        #expect(AddressProblem.missingAt.description == "the address has no @")
    }

    // MARK: properties

    /// Addresses built from the characters the grammar allows, valid or not.
    static let pieces = "abcXYZ019.+-_'!#$%&*/=?^`{|}~@éßü用户".map { String($0) }
        + ["a", "b", "@example.org", "@bücher.example", "@EXAMPLE.com", ".", "@", "xn--", "-"]
    static let candidates = Gen<String?>.element(of: pieces).array(of: 1...24).map { $0.compactMap { $0 }.joined() }

    @Test func normalizedIsIdempotent() async {
        await propertyCheck(count: 2000, input: Self.candidates) { text in
            guard let address = try? EmailAddress(parsing: text) else { return }
            let again = try? EmailAddress(parsing: address.normalized)
            #expect(again?.normalized == address.normalized, "\(text)")
        }
    }

    @Test func normalizedNeverExceedsTheLimits() async {
        let long = Gen<String?>.element(of: ["a", "é", "用", ".", "-", "x"]).array(of: 1...90).map { $0.compactMap { $0 }.joined() }
        await propertyCheck(count: 1000, input: long, long) { local, domain in
            for text in ["\(local)@\(domain).example", "\(local)@example.\(domain)", "\(local)@\(domain)"] {
                guard let address = try? EmailAddress(parsing: text) else { continue }
                #expect(address.normalized.utf8.count <= EmailAddress.maximumLength)
                #expect(address.localPart.utf8.count <= EmailAddress.maximumLocalPartLength)
                #expect(address.asciiDomain.utf8.count <= EmailAddress.maximumDomainLength)
                #expect(address.asciiDomain.split(separator: ".").allSatisfy { $0.utf8.count <= EmailAddress.maximumLabelLength })
            }
        }
    }

    @Test func neverCrashesOnArbitraryUnicode() async {
        let scalars = Gen<UInt32>.value(in: 0...0x10FFFF).array(of: 0...40).map { values in
            String(String.UnicodeScalarView(values.compactMap(Unicode.Scalar.init)))
        }
        await propertyCheck(count: 2000, input: scalars) { text in
            _ = try? EmailAddress(parsing: text)
        }
    }
}
