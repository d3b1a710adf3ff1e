import Foundation
import Testing

@testable import AbuseDefence

@Suite struct SpikeDetectorTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// `count` sign-ups spread evenly over `seconds` from `offset`, each from `network(i)` to `domain(i)`.
    func feed(
        _ detector: SpikeDetector, _ signal: TrafficSignal = .signups, count: Int, over seconds: Double, from offset: Double,
        network: (Int) -> String? = { _ in nil }, domain: (Int) -> String? = { _ in nil }
    ) -> [AlertChange] {
        (0..<count).flatMap { index in
            detector.observe(
                signal, network: network(index), domain: domain(index),
                at: start.addingTimeInterval(offset + seconds * Double(index) / Double(count)))
        }
    }

    @Test func aQuietSiteNeverAlerts() {
        let detector = SpikeDetector(settings: SpikeSettings(floor: 60))
        let changes = (0..<30).flatMap { minute in feed(detector, count: 40, over: 60, from: Double(minute) * 60) }
        #expect(changes.isEmpty)
        #expect(!detector.isAlerting([.signups]))
    }

    @Test func aRateOverTheFloorRaisesOneAlertThatEndsAfterTheCooldown() throws {
        let detector = SpikeDetector(settings: SpikeSettings(floor: 60, cooldown: 600))
        let changes = feed(detector, count: 300, over: 60, from: 0)
        #expect(changes.count == 1)
        let raised = try #require(changes.first)
        guard case .raised(let notice) = raised else { Issue.record("expected a raised alert, got \(raised)"); return }
        #expect(notice.kind == .signupRate)
        // The 61st sign-up within the minute tripped it: about 12 s in.
        #expect(notice.at.timeIntervalSince(start) < 13)
        #expect(detector.isAlerting([.signups]))
        #expect(!detector.isAlerting([.failedPayments]))
        // The condition last held at the last sign-up, just before 60 s.
        #expect(detector.tick(at: start.addingTimeInterval(60 + 590)).isEmpty)
        let cleared = detector.tick(at: start.addingTimeInterval(60 + 600))
        #expect(cleared.count == 1)
        #expect(!detector.isAlerting([.signups]))
    }

    @Test func theThresholdFollowsTheBaseline() {
        let detector = SpikeDetector(settings: SpikeSettings(factor: 5, floor: 60))
        // Two hours at 50 a minute: the baseline learns it, nothing alerts.
        var changes = (0..<120).flatMap { minute in feed(detector, count: 50, over: 60, from: Double(minute) * 60) }
        #expect(changes.isEmpty)
        let baseline = detector.rate(of: .signups, at: start.addingTimeInterval(120 * 60)).baseline
        #expect(abs(baseline - 50) < 2)
        // 200 a minute is four times normal: still under five.
        changes = feed(detector, count: 200, over: 60, from: 120 * 60)
        #expect(changes.isEmpty)
        // 400 is eight times: an alert.
        changes = feed(detector, count: 400, over: 60, from: 121 * 60)
        #expect(changes.map(\.kind) == [.signupRate])
    }

    @Test func theBaselineDoesNotLearnAnAttack() {
        let detector = SpikeDetector(settings: SpikeSettings(floor: 60, cooldown: 3600))
        for minute in 0..<30 { _ = feed(detector, count: 500, over: 60, from: Double(minute) * 60) }
        #expect(detector.isAlerting([.signups]))
        #expect(detector.rate(of: .signups, at: start.addingTimeInterval(30 * 60)).baseline < 30)
    }

    @Test func oneNetworkOrOneDomainWithMostOfABusyMinuteAlerts() {
        let detector = SpikeDetector(settings: SpikeSettings(factor: 1000, floor: 60, share: 0.5))
        // 100 sign-ups, 70 of them from 203.0.113.0/24 and to sms.example: both alert.
        let changes = feed(
            detector, count: 100, over: 60, from: 0, network: { $0 % 10 < 7 ? "203.0.113.0/24" : "198.51.100.\($0)/32" },
            domain: { $0 % 10 < 7 ? "sms.example" : "d\($0).example" })
        #expect(Set(changes.map(\.kind)) == [.signupRate, .signupNetwork, .signupDomain])
        #expect(changes.contains { if case .raised(let notice) = $0 { notice.subject == "203.0.113.0/24" } else { false } })
    }

    @Test func distinctNetworksAndDomainsAreCounted() {
        let detector = SpikeDetector(settings: SpikeSettings(floor: 1000))
        _ = feed(
            detector, count: 100, over: 30, from: 0, network: { "198.51.\($0 % 10).0/24" },
            domain: { $0 % 2 == 0 ? "gmail.com" : "d\($0 % 5).example" })
        #expect(detector.distinctSources(at: start.addingTimeInterval(30)) == (10, 5))
        #expect(detector.distinctSources(at: start.addingTimeInterval(100)) == (0, 0))
    }

    @Test func aLargeMailboxProviderIsNoConcentration() {
        let detector = SpikeDetector(settings: SpikeSettings(factor: 1000, floor: 60, share: 0.5))
        let changes = feed(detector, count: 59, over: 60, from: 0, domain: { _ in "gmail.com" })
        #expect(changes.isEmpty)
    }

    @Test func failedPaymentsHaveTheirOwnFloor() {
        let detector = SpikeDetector(settings: SpikeSettings(floor: 60, paymentFloor: 10))
        #expect(feed(detector, .failedPayments, count: 10, over: 60, from: 0).isEmpty)
        #expect(feed(detector, .failedPayments, count: 1, over: 1, from: 50).map(\.kind) == [.paymentFailures])
        #expect(detector.isAlerting([.failedPayments]))
        #expect(!detector.isAlerting([.signups, .confirmations]))
    }

    @Test func oldEventsLeaveTheWindow() {
        let detector = SpikeDetector(settings: SpikeSettings(floor: 60))
        _ = feed(detector, count: 50, over: 10, from: 0)
        #expect(detector.rate(of: .signups, at: start.addingTimeInterval(30)).lastMinute == 50)
        #expect(detector.rate(of: .signups, at: start.addingTimeInterval(75)).lastMinute == 0)
        // 50 then 50 more a minute later: never 61 within one minute.
        #expect(feed(detector, count: 50, over: 10, from: 70).isEmpty)
    }
}

extension AlertChange {
    var kind: AlertKind {
        switch self {
        case .raised(let notice), .cleared(let notice): notice.kind
        }
    }
}
