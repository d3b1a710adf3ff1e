import Foundation

/// An email address a reader typed, validated and normalised.
///
/// ```swift
/// let address = try EmailAddress(parsing: "Anna@Bücher.example")
/// address.localPart      // "Anna"            (as typed, NFC)
/// address.domain         // "bücher.example"  (Unicode, lower case)
/// address.asciiDomain    // "xn--bcher-kva.example"
/// address.normalized     // "anna@xn--bcher-kva.example"  (what we store and compare)
/// ```
///
/// Normalisation: the input is taken as given (callers trim surrounding whitespace at the API
/// edge, never here), converted to Unicode NFC; the domain is lower-cased and converted to
/// IDNA A-labels (IDNA 2008 with UTS #46 non-transitional processing, via libidn2); the local
/// part is kept as typed for display but compared case-insensitively for ASCII letters, so
/// `Anna@Example.org` and `anna@example.ORG` are one subscriber. There is no provider-specific
/// rewriting: Gmail's dots and `+tags` are kept, because they are the reader's choice.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The part before the `@`, as typed (after NFC); quoted forms keep their quotes.
    public let localPart: String
    /// The domain in Unicode (U-labels), lower case; a literal keeps its brackets.
    public let domain: String
    /// The domain in ASCII (A-labels), lower case: what DNS and SMTP see.
    public let asciiDomain: String
    /// True when the local part has non-ASCII characters, so delivery needs SMTPUTF8 (RFC 6531).
    public let requiresSMTPUTF8: Bool

    /// The form we store and compare: ASCII letters of the local part lower-cased, A-label domain.
    public var normalized: String { Self.lowercasedASCII(localPart) + "@" + asciiDomain }

    /// The address to put in SMTP commands and headers: local part as typed, A-label domain.
    public var mailbox: String { localPart + "@" + asciiDomain }

    /// The address for people: local part as typed, Unicode domain.
    public var description: String { localPart + "@" + domain }

    /// Longest local part, in octets (RFC 5321 §4.5.3.1.1).
    public static let maximumLocalPartLength = 64
    /// Longest address, in octets: the 256-octet path less its angle brackets.
    public static let maximumLength = 254
    /// Longest domain, in octets of its ASCII form.
    public static let maximumDomainLength = 253
    /// Longest domain label, in octets of its ASCII form.
    public static let maximumLabelLength = 63

    /// Parses and validates `text`, or throws the precise reason it is not acceptable.
    public init(parsing text: String, options: AddressParsingOptions = .strict) throws(AddressProblem) {
        guard !text.isEmpty else { throw .empty }
        // ASCII is already in NFC; only other text pays for the Foundation conversion.
        let text = text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
        let (local, domain, quoted) = try Self.split(text, options: options)
        guard !local.isEmpty else { throw .emptyLocalPart }
        guard !domain.isEmpty else { throw .emptyDomain }

        let smtpUTF8 = quoted ? try LocalPart.checkQuoted(local) : try LocalPart.checkDotAtom(local)
        guard local.utf8.count <= Self.maximumLocalPartLength else { throw .localPartTooLong }
        let names = try DomainName.normalize(domain, allowsLiteral: options.allowsDomainLiteral)
        guard local.utf8.count + 1 + names.ascii.utf8.count <= Self.maximumLength else { throw .addressTooLong }

        self.localPart = local
        self.domain = names.unicode
        self.asciiDomain = names.ascii
        self.requiresSMTPUTF8 = smtpUTF8
    }

    /// Finds the `@` that separates local part and domain (outside a quoted local part), after
    /// refusing display names and stray whitespace or control characters.
    ///
    /// Works on Unicode scalars, not characters: a combining mark after `@` or `.` must not
    /// hide the separator inside one grapheme.
    private static func split(
        _ text: String, options: AddressParsingOptions
    ) throws(AddressProblem) -> (local: String, domain: String, quoted: Bool) {
        let scalars = text.unicodeScalars
        if scalars.first == "\"" {
            guard options.allowsQuotedLocalPart else { throw .quotedLocalPart }
            guard let end = LocalPart.endOfQuotedString(in: scalars) else { throw .malformedQuotedLocalPart }
            let local = String(scalars[..<end])
            let rest = scalars[end...]
            guard let at = rest.first else { throw .missingAt }
            guard at == "@" else { throw .malformedQuotedLocalPart }
            let domain = rest.dropFirst()
            guard !domain.contains("@") else { throw .multipleAt }
            guard !domain.contains("<"), !domain.contains(">") else { throw .displayNameOrAngleBrackets }
            try refuseWhitespaceOrControl(domain)
            try LocalPart.refuseControlInQuotes(local.unicodeScalars)
            return (local, String(domain), true)
        }
        guard !scalars.contains("<"), !scalars.contains(">") else { throw .displayNameOrAngleBrackets }
        try refuseWhitespaceOrControl(scalars)
        let pieces = scalars.split(separator: "@", omittingEmptySubsequences: false)
        guard pieces.count > 1 else { throw .missingAt }
        guard pieces.count == 2 else { throw .multipleAt }
        return (String(pieces[0]), String(pieces[1]), false)
    }

    /// Spaces (any Unicode kind), line breaks, control characters and invisible characters
    /// (format characters such as bidi overrides, zero-width spaces and joiners, BOM; variation
    /// selectors and other default-ignorables) are refused anywhere: they hide what an address
    /// really is. Then private-use, noncharacter and unassigned code points, which mean nothing
    /// agreed. The zero-width (non-)joiners, which IDNA allows in a few contexts, are refused
    /// too: registries' label rules leave them out, and they are the classic invisible twin.
    static func refuseWhitespaceOrControl(_ scalars: some Sequence<Unicode.Scalar>) throws(AddressProblem) {
        for scalar in scalars {
            if scalar.isInvisible { throw .whitespaceOrControl }
            if scalar.isUnusable { throw .unusableCharacter(scalar) }
        }
    }

    /// What a reader typed, without white space at either end: Unicode's White_Space, the set
    /// Foundation's `.whitespacesAndNewlines` names. Trimmed scalar by scalar, so a combining
    /// mark after a leading space stays and is refused; `trimmingCharacters(in:)` cost about
    /// 3 µs a sign-up.
    public static func trimmingWhiteSpace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    static func lowercasedASCII(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return text }
        return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
