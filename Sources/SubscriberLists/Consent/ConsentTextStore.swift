public import SideEffects

/// Where consent texts are kept (`consent_texts`, append-only). Implementations: `SQLiteStore`
/// and `PostgresStore`.
public protocol ConsentTextStore: Sendable {
    /// Stores `text` with its effects unless a text already has its version and locale; returns
    /// nil when it stored it, else the text that was there (left as it was).
    func addConsentText(_ text: ConsentText, effects: Effects) async throws -> ConsentText?

    /// Every stored text, by version then locale. There are few (a handful per year).
    func consentTexts() async throws -> [ConsentText]
}
