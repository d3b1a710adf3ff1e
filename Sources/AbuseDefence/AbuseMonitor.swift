public import Foundation
public import Logging
public import ServiceLifecycle
public import Signing
public import SideEffects
public import DNSLookup

/// The daemon's abuse watch: feeds the ``SpikeDetector``, saves what it raises and clears
/// (with the operator's email, at most one an hour per kind, and the `alert.raised` event),
/// logs it, and says whether a challenge is required now. Runs a tick every few seconds so
/// alerts end when traffic stops altogether.
public final class AbuseMonitor: Service, Sendable {
    public let detector: SpikeDetector?
    let store: any AlertStore
    let mode: ChallengeMode
    let recipient: String?
    let started: Date
    let now: @Sendable () -> Date
    let logger: Logger

    /// `detector` nil: detection off (alerts never raise; `adaptive` then never requires a proof).
    public init(
        detector: SpikeDetector?, store: any AlertStore, mode: ChallengeMode, recipient: String?,
        now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.detector = detector
        self.store = store
        self.mode = mode
        self.recipient = recipient
        self.now = now
        self.started = now()
        self.logger = logger
    }

    /// Whether a request for `purpose` needs a proof of work now.
    public func challengeRequired(_ purpose: ChallengePurpose) -> Bool {
        switch mode {
        case .off: false
        case .always: true
        case .adaptive: detector?.isAlerting(purpose == .signup ? [.signups, .confirmations] : [.failedPayments]) ?? false
        }
    }

    /// Counts a sign-up from `client` to an address at `domain`.
    public func signup(client: IPAddress?, domain: String?) async {
        await observe(.signups, network: client.map(Self.network), domain: domain)
    }

    /// Counts a confirmation or a failed payment.
    public func observe(_ signal: TrafficSignal) async {
        await observe(signal, network: nil, domain: nil)
    }

    private func observe(_ signal: TrafficSignal, network: String?, domain: String?) async {
        guard let detector else { return }
        let changes = detector.observe(signal, network: network, domain: domain, at: now())
        if !changes.isEmpty { await save(changes) }
    }

    /// Ends quiet alerts; the first tick also closes alerts a previous run left open.
    public func tick() async {
        guard let detector else { return }
        let changes = detector.tick(at: now())
        if !changes.isEmpty { await save(changes) }
    }

    public func run() async throws {
        do {
            let closed = try await store.clearAlerts(raisedBefore: started, at: now())
            if closed > 0 { logger.notice("closed alerts left open by an earlier run", metadata: ["count": "\(closed)"]) }
        } catch {
            logger.warning("could not close earlier alerts", metadata: ["error": "\(error)"])
        }
        guard detector != nil else {
            // Nothing to tick, but a service that returns stops the daemon: wait for the end.
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await Task.sleep(for: .seconds(5))
            await tick()
        }
    }

    private func save(_ changes: [AlertChange]) async {
        let recipient = self.recipient
        for change in changes {
            do {
                switch change {
                case .raised(let notice):
                    logger.warning(
                        "alert raised: \(notice.detail)", metadata: ["alert": "\(notice.kind.rawValue)", "subject": "\(notice.subject)"])
                    _ = try await store.raiseAlert(notice) { lastMailed in
                        let mails = recipient != nil && (lastMailed.map { notice.at.timeIntervalSince($0) >= 3600 } ?? true)
                        return (mails, .alertRaised(notice, recipient: mails ? recipient : nil))
                    }
                case .cleared(let notice):
                    logger.notice("alert cleared", metadata: ["alert": "\(notice.kind.rawValue)", "subject": "\(notice.subject)"])
                    try await store.clearAlert(notice, effects: .alertCleared(notice))
                }
            } catch {
                logger.error("could not save an alert", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The network a client belongs to for the share check: its /24 (IPv4) or /48 (IPv6).
    static func network(_ address: IPAddress) -> String {
        let kept = address.isIPv4 ? 3 : 6
        let masked = Array(address.bytes.prefix(kept)) + Array(repeating: 0, count: address.bytes.count - kept)
        return "\(IPAddress(bytes: masked))/\(kept * 8)"
    }
}
