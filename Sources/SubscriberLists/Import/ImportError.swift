/// Why an import could not start; each case says what to do. (Problems with single rows are
/// not errors: they are reported with their line number and the import goes on.)
public enum ImportError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened.
    case unreadable(path: String)
    /// The file has no header row.
    case emptyFile
    /// The header row could not be read.
    case unreadableHeader(reason: String)
    /// The header has no `email` column.
    case missingEmailColumn(found: [String])
    /// Two columns have the same name.
    case duplicateColumn(String)
    /// Neither `--newsletter` nor a `newsletter` column says where rows go.
    case noNewsletter
    /// `--newsletter` names no newsletter.
    case unknownNewsletter(String)
    /// Confirmed rows need a stated basis for consent.
    case confirmedNeedsBasis

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read \(path)"
        case .emptyFile: "the file is empty: it needs a header row naming at least an email column"
        case .unreadableHeader(let reason): "the header row cannot be read: \(reason)"
        case .missingEmailColumn(let found):
            "the header row has no email column (found: \(found.joined(separator: ", "))); name the address column \"email\""
        case .duplicateColumn(let name): "the header row names the column \"\(name)\" twice"
        case .noNewsletter: "say which newsletter the rows join: --newsletter SLUG, or a newsletter column"
        case .unknownNewsletter(let slug): "no newsletter has slug '\(slug)'; `masthead newsletters list` shows them"
        case .confirmedNeedsBasis:
            "importing confirmed subscribers needs --consent-basis \"...\" saying how they agreed (kept as proof of consent)"
        }
    }
}
