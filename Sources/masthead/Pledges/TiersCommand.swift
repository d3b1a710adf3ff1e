import MastheadRuntime
import ArgumentParser
import DonationPledges
import Foundation

/// `masthead tiers …`: what the support page offers, per currency.
struct TiersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiers",
        abstract: "Show and change the pledge tiers and each currency's minimum and maximum.",
        discussion: """
            A currency takes pledges once it has limits (`masthead tiers currency`); USD starts \
            with a $1 minimum and a $10,000 maximum. Amounts are typed as people write them \
            (5, 5.00, 1.500 for KWD). Every daemon reads the tiers from the database, so a change \
            applies at once everywhere.
            """,
        subcommands: [ListTiers.self, SetTier.self, RemoveTier.self, SetCurrencyLimits.self])
}

/// A currency code argument, checked against the currency table.
struct CurrencyArgument: ExpressibleByArgument {
    let currency: Currency

    init?(argument: String) {
        guard let currency = Currency.named(argument) else { return nil }
        self.currency = currency
    }
}

/// Parses an amount option in `currency`, or fails validation naming the option.
func parseAmount(_ text: String, in currency: Currency, option: String) throws -> Money {
    guard let money = Money.parse(text, currency: currency) else {
        throw ValidationError("\(option) '\(text)' is not an amount in \(currency.code) (digits, at most \(currency.exponent) after the point)")
    }
    return money
}

struct ListTiers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List each currency's limits and tiers.",
        discussion: """
            Example:
              masthead tiers list --format json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let offers = try await global.withServices { try await $0.offers.all() }
        let rows = offers.flatMap { offer in
            [TierRow(offer: offer, tier: nil)] + offer.tiers.map { TierRow(offer: offer, tier: $0) }
        }
        let listing = Listing<TierRow>(columns: [
            ("CURRENCY", \.currency), ("TIER", \.tier), ("INTERVAL", \.interval), ("AMOUNT", \.amount),
        ])
        print(try listing.render(rows, as: output.resolved), terminator: "")
    }

    struct TierRow: Encodable {
        let currency: String
        let tier: String
        let interval: String
        let amount: String
        let amountMinor: Int64

        init(offer: CurrencyOffer, tier: Tier?) {
            currency = offer.currency.code
            if let tier {
                self.tier = tier.name
                interval = tier.interval.rawValue
                amount = tier.amount.formatted
                amountMinor = tier.amount.minorUnits
            } else {
                self.tier = "(limits)"
                interval = offer.customAmount ? "custom amounts allowed" : "tiers only"
                amount = "\(offer.minimum.formatted) – \(offer.maximum.formatted)"
                amountMinor = offer.minimum.minorUnits
            }
        }
    }
}

struct SetTier: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Create or change a tier.",
        discussion: """
            The amount must lie within the currency's minimum and maximum.

            Examples:
              masthead tiers set supporter --currency USD --interval monthly --amount 5
              masthead tiers set friend --currency EUR --interval once --amount 1.00
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The tier's name (letters, digits, hyphens).") var name: String
    @Option(help: "ISO 4217 currency code.") var currency: CurrencyArgument
    @Option(help: "once, monthly or annual.") var interval: PledgeInterval
    @Option(help: "The amount, as people write it (5, 5.00).") var amount: String

    func validate() throws {
        guard PledgeOffers.isTierName(name) else { throw ValidationError(OfferError.invalidTierName.description) }
    }

    func run() async throws {
        let money = try parseAmount(amount, in: currency.currency, option: "--amount")
        try await global.withServices { _ = try await $0.offers.setTier(name, amount: money, interval: interval, actor: AdminActor.current) }
        print("tier \(name): \(money.formatted) \(interval.rawValue)")
    }
}

struct RemoveTier: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a tier (pledges already made keep its name).",
        discussion: """
            Example:
              masthead tiers remove sustainer --currency USD --interval monthly
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The tier's name.") var name: String
    @Option(help: "ISO 4217 currency code.") var currency: CurrencyArgument
    @Option(help: "once, monthly or annual.") var interval: PledgeInterval

    func run() async throws {
        let removed = try await global.withServices {
            try await $0.offers.removeTier(name, currency: currency.currency, interval: interval, actor: AdminActor.current)
        }
        guard removed else {
            CommandFailure.printError("masthead: no \(interval.rawValue) tier \(name) in \(currency.currency.code)")
            throw ExitCode.failure
        }
        print("removed tier \(name)")
    }
}

struct SetCurrencyLimits: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "currency",
        abstract: "Take pledges in a currency, or change its minimum and maximum.",
        discussion: """
            The minimum is what the support page promises ("support us for as little as $1"); the \
            maximum stops typos and card testing.

            Examples:
              masthead tiers currency EUR --minimum 1 --maximum 5000
              masthead tiers currency JPY --minimum 150 --maximum 1500000 --no-custom-amount
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "ISO 4217 currency code.") var currency: CurrencyArgument
    @Option(help: "Smallest pledge.") var minimum: String
    @Option(help: "Largest pledge.") var maximum: String
    @Flag(inversion: .prefixedNo, help: "Whether readers may type their own amount.") var customAmount = true

    func run() async throws {
        let low = try parseAmount(minimum, in: currency.currency, option: "--minimum")
        let high = try parseAmount(maximum, in: currency.currency, option: "--maximum")
        try await global.withServices {
            try await $0.offers.setLimits(minimum: low, maximum: high, customAmount: customAmount, actor: AdminActor.current)
        }
        print("\(currency.currency.code): \(low.formatted) – \(high.formatted)\(customAmount ? "" : ", tiers only")")
    }
}
