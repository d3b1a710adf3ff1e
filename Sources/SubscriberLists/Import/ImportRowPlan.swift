/// What importing one row writes, decided from the state of its membership before the row.
/// Both stores apply it the same way: the membership when it changes, a consent record when it
/// is active, and a confirmation when the import asks for one (and none went out in the cap's
/// window).
public struct ImportRowPlan: Sendable, Equatable {
    /// What the row does to the membership.
    public var outcome: ImportRowOutcome
    /// Whether the membership row is written (it is new or its state changes).
    public var writesMembership: Bool
    /// Whether a consent record is kept (the membership is now active).
    public var recordsConsent: Bool
    /// Whether a confirmation email is due.
    public var asksConfirmation: Bool

    /// The plan for `row` of an import with `options`, when the membership is now in `current`.
    public init(row: ImportRow, current: SubscriptionStatus?, options: ImportOptions) {
        self.init(wanted: row.state, current: current, options: options)
    }

    /// The plan for a row asking for `wanted`: a row's plan depends on nothing else of it, so a
    /// store deciding rows in SQL can tabulate every plan (the SQLite store's staged import).
    public init(wanted: SubscriptionStatus, current: SubscriptionStatus?, options: ImportOptions) {
        outcome = ImportRowOutcome.deciding(current: current, wanted: wanted)
        writesMembership = outcome == .added || outcome == .updated
        recordsConsent = writesMembership && wanted.isActive
        asksConfirmation = recordsConsent && options.sendConfirmations && wanted == .pending
    }

    /// The action consent records of imports carry.
    public static let consentAction = "import"
}

/// A subscriber's details an import may complete: what is blank is filled from the file and
/// what is there is never overwritten, so running an import again changes nothing.
public struct SubscriberDetails: Sendable, Equatable {
    public var name: String?
    public var locale: String?
    public var attributes: [String: String]

    /// Creates details.
    public init(name: String?, locale: String?, attributes: [String: String]) {
        self.name = name
        self.locale = locale
        self.attributes = attributes
    }

    /// The details once `row` has filled the blanks.
    public func filled(from row: ImportRow) -> SubscriberDetails {
        SubscriberDetails(
            name: name ?? row.name, locale: locale ?? row.locale, attributes: attributes.merging(row.attributes) { old, _ in old })
    }
}
