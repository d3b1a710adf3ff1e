import EmailAddress
import Testing

@testable import NewsletterSignup

/// The address a reader typed loses the white space around it, and nothing else.
@Suite struct AddressTrimmingTests {
    @Test(arguments: [
        "  anna@example.org\n",
        "\t\r\nanna@example.org\r\n",
        "\u{3000}anna@example.org\u{2028}",
        "\u{00A0}anna@example.org\u{0085}\u{2029}\u{202F}",
    ])
    func whiteSpaceAroundTheAddressIsDropped(_ typed: String) throws {
        #expect(try SignupService.validatedAddress(typed).normalized == "anna@example.org")
    }

    @Test func whatIsNotWhiteSpaceStaysAndIsJudged() {
        // A combining mark after a leading space is not trimmed with the space.
        #expect(throws: SignupError.invalidAddress(.leadingCombiningMark)) {
            try SignupService.validatedAddress(" \u{0301}anna@example.org")
        }
        // A zero-width space is a format character, not white space.
        #expect(throws: SignupError.invalidAddress(.whitespaceOrControl)) {
            try SignupService.validatedAddress("anna@example.org\u{200B}")
        }
        #expect(throws: SignupError.invalidAddress(.empty)) { try SignupService.validatedAddress(" \u{3000}\n ") }
        #expect(EmailAddress.trimmingWhiteSpace(" a b ") == "a b")
    }
}
