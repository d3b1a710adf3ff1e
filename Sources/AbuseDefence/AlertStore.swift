public import Foundation
public import SideEffects

/// Where alerts are kept, for `masthead alerts list` and so the operator is mailed at most once
/// an hour per kind, however many daemons see the attack.
public protocol AlertStore: Sendable {
    /// Records `notice` as an open alert, unless one of its kind and subject is open already
    /// (another daemon raised it: then nothing is saved). `plan` is given when an alert of this
    /// kind last mailed the operator and returns the effects to save with it, and whether they
    /// mail the operator. Returns whether it was recorded.
    func raiseAlert(_ notice: AlertNotice, plan: @escaping @Sendable (_ lastMailed: Date?) -> (mails: Bool, effects: Effects)) async throws -> Bool
    /// Closes the open alert of `notice`'s kind and subject, saving `effects` with it.
    func clearAlert(_ notice: AlertNotice, effects: Effects) async throws
    /// Open alerts raised before `before` are closed: what a restarted daemon no longer watches.
    func clearAlerts(raisedBefore before: Date, at time: Date) async throws -> Int
    /// The newest alerts first: the open ones, or all when `includeCleared`.
    func alerts(includeCleared: Bool, limit: Int) async throws -> [AlertRow]
}

/// Where spent challenges are kept until they expire, so each is used once.
public protocol ChallengeStore: Sendable {
    /// Records challenge `id` as spent until `expires`; false when it already was. Forgets the
    /// ones expired by `now`.
    func spendChallenge(id: String, expires: Date, at now: Date) async throws -> Bool
}
