/// One line of `masthead doctor`'s checklist: what was checked, how it came out, and what to
/// publish or change when it is wrong.
public struct Finding: Sendable, Equatable {
    public enum Mark: String, Sendable {
        /// ✔: as it should be.
        case pass = "✔"
        /// ✘: mail will suffer until it is fixed.
        case fail = "✘"
        /// !: could not be decided, or works but could be better.
        case warn = "!"
    }

    public var mark: Mark
    /// The check's short name: `SPF`, `DKIM s2026`, `DMARC`, `MX`, `HTTPS`, …
    public var check: String
    /// What was found.
    public var detail: String
    /// The exact record to publish or the change to make; nil when nothing is to be done.
    public var fix: String?

    public init(_ mark: Mark, _ check: String, _ detail: String, fix: String? = nil) {
        self.mark = mark
        self.check = check
        self.detail = detail
        self.fix = fix
    }
}
