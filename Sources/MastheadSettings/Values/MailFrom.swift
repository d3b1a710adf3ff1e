import EmailAddress
import Foundation
public import Mail

/// The `mail.from` setting: `Ukraine Daily <news@example.org>` or a bare address.
public enum MailFrom {
    /// Parses and validates the setting; the address must pass ``EmailAddress``.
    public static func parse(_ text: String) throws(ConfigurationError) -> Mailbox {
        var name: String?
        var address = text.trimmingCharacters(in: .whitespaces)
        if let open = address.lastIndex(of: "<"), address.hasSuffix(">") {
            let display = address[..<open].trimmingCharacters(in: .whitespaces)
            name = display.isEmpty ? nil : display.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        do {
            return Mailbox(try EmailAddress(parsing: address).mailbox, displayName: name)
        } catch {
            throw ConfigurationError(.mailFrom, "'\(text)' is not an address like \"Ukraine Daily <news@example.org>\": \(error)")
        }
    }
}
