// The address fuzzer's property, and the test that replays its seed corpus and every input it
// ever crashed on. Ops/fuzz's target FuzzAddress compiles this same file (a symlink, built with
// FUZZING defined, which hides the suite), so the property is written once.
import EmailAddress
#if !FUZZING
import Foundation
import Testing
import TestSupport
#endif

/// What must hold for any bytes handed to the address parser, beyond not crashing: an address
/// it accepts is within the RFC limits and reads back, from each of the forms it gives out, as
/// the same address.
enum AddressFuzzProperty {
    /// Both legal-but-unusual forms allowed: the parser's widest path.
    static let permissive = AddressParsingOptions(allowsQuotedLocalPart: true, allowsDomainLiteral: true)

    /// Nil when the property holds for `input`; otherwise what broke.
    static func check(_ input: [UInt8]) -> String? {
        // Invalid UTF-8 becomes U+FFFD, as it does when a request body is read into a String.
        let text = String(decoding: input, as: UTF8.self)
        let strict = parse(text, .strict)
        let loose = parse(text, permissive)
        if let strict {
            // The options only open the quoted and literal paths; any other address parses alike.
            guard strict == loose else { return "accepted strictly but not alike when permissive: \(strict.normalized)" }
            if let failure = checkAccepted(strict, options: .strict) { return failure }
        }
        if let loose, let failure = checkAccepted(loose, options: permissive) { return failure }
        return nil
    }

    /// Nil when parsing is refused (after rendering the refusal, as the HTTP layer does).
    private static func parse(_ text: String, _ options: AddressParsingOptions) -> EmailAddress? {
        do {
            return try EmailAddress(parsing: text, options: options)
        } catch {
            // Rendering the refusal is part of the path a bad input takes (the form shows it).
            _ = (error.code, error.description)
            return nil
        }
    }

    private static func checkAccepted(_ address: EmailAddress, options: AddressParsingOptions) -> String? {
        let shown = address.normalized.debugDescription
        guard address.localPart.utf8.count <= EmailAddress.maximumLocalPartLength else { return "local part too long: \(shown)" }
        guard address.asciiDomain.utf8.count <= EmailAddress.maximumDomainLength else { return "domain too long: \(shown)" }
        guard address.mailbox.utf8.count <= EmailAddress.maximumLength else { return "address too long: \(shown)" }
        // A literal's canonical form is `[IPv6:…]`, so only host names must be all lower case.
        let literal = address.asciiDomain.hasPrefix("[")
        guard address.asciiDomain.utf8.allSatisfy({ $0 < 0x80 && (literal || !($0 >= 0x41 && $0 <= 0x5A)) }) else {
            return "A-label domain not lower-case ASCII: \(shown)"
        }
        guard address.requiresSMTPUTF8 == address.localPart.utf8.contains(where: { $0 >= 0x80 }) else {
            return "requiresSMTPUTF8 disagrees with the local part: \(shown)"
        }
        // What we store, what SMTP sees and what people see must each read back as this address.
        guard let again = parse(address.normalized, options), again.normalized == address.normalized else {
            return "the normalised form does not re-parse to itself: \(shown)"
        }
        guard parse(address.mailbox, options) == address else { return "the mailbox form reads back differently: \(shown)" }
        guard parse(address.description, options) == address else {
            return "the Unicode form reads back differently: \(address.description.debugDescription)"
        }
        return nil
    }
}

#if !FUZZING
/// Every seed and every saved crash input of the address fuzzer, without the fuzzer.
@Suite struct FuzzCorpusTests {
    @Test func everySeedAndRegressionKeepsTheAddressProperty() throws {
        let (count, failures) = try FuzzInputs.replay("FuzzAddress", through: AddressFuzzProperty.check)
        #expect(count > 0, "no corpus found under Ops/fuzz/corpus/FuzzAddress")
        #expect(failures.isEmpty, "\(failures)")
    }
}

#endif
