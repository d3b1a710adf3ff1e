import Configuration
import Synchronization

/// Typed reads of settings that turn every unusable value into a ``ConfigurationError``.
///
/// `ConfigReader`'s non-throwing readers return nil for a value they cannot convert; the
/// ``ConversionProblems`` reporter sees those failures, and each read checks it, so a value of
/// the wrong type is reported instead of silently replaced by the default.
struct SettingValues {
    let reader: ConfigReader
    let problems: ConversionProblems

    mutating func string(_ setting: Setting) throws(ConfigurationError) -> String? {
        let value = reader.string(forKey: ConfigKey(setting.key))
        try problems.check(setting, expected: "text")
        return value
    }

    mutating func int(_ setting: Setting) throws(ConfigurationError) -> Int? {
        let value = reader.int(forKey: ConfigKey(setting.key))
        try problems.check(setting, expected: "a whole number")
        return value
    }

    mutating func bool(_ setting: Setting) throws(ConfigurationError) -> Bool? {
        guard let text = try string(setting) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigurationError(setting, "'\(text)' is neither true nor false")
        }
    }

    /// A list: a comma-separated string in flags and the environment, an array or string in files.
    mutating func strings(_ setting: Setting) throws(ConfigurationError) -> [String]? {
        let list = reader.stringArray(forKey: ConfigKey(setting.key))
        if problems.hasProblem(setting) {
            problems.clear(setting)
            let single = reader.string(forKey: ConfigKey(setting.key))
            try problems.check(setting, expected: "a list of text")
            return single?.split(separator: ",").map(String.init)
        }
        return list
    }
}

/// Collects the keys whose values a provider had but could not convert.
final class ConversionProblems: AccessReporter, Sendable {
    private let failures = Mutex<Set<String>>([])

    func report(_ event: AccessEvent) {
        let failed = event.conversionError != nil || event.providerResults.contains { result in
            if case .failure = result.result { return true }
            return false
        }
        guard failed else { return }
        let key = event.metadata.key.components.joined(separator: ".")
        failures.withLock { _ = $0.insert(key) }
    }

    func hasProblem(_ setting: Setting) -> Bool {
        failures.withLock { $0.contains(setting.key) }
    }

    func clear(_ setting: Setting) {
        failures.withLock { _ = $0.remove(setting.key) }
    }

    func check(_ setting: Setting, expected: String) throws(ConfigurationError) {
        if hasProblem(setting) { throw ConfigurationError(setting, "the value is not \(expected)") }
    }
}
