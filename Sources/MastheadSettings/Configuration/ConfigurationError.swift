/// A configuration the process must not start with; the message names the setting.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The setting at fault, if one is.
    public let setting: Setting?
    /// What is wrong and, where possible, what to do.
    public let problem: String

    /// The conventional exit status for a configuration error (`EX_CONFIG` from sysexits.h).
    public static let exitStatus: Int32 = 78

    /// Creates an error about one setting.
    public init(_ setting: Setting?, _ problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String {
        guard let setting else { return "configuration: \(problem)" }
        return "configuration: \(setting.label): \(problem)"
    }
}
