import MastheadSettings

/// The `mastheadd --help` text, generated from the settings table so it cannot drift.
enum DaemonHelp {
    static var text: String {
        var lines = [
            "USAGE: mastheadd [--SETTING VALUE ...]",
            "",
            "Serves Masthead over HTTP: newsletter sign-up, health, readiness and metrics.",
            "Each setting is read from its flag, else its environment variable, else the",
            "configuration file given by --config, else its development default.",
            "",
            "SETTINGS:",
        ]
        for setting in Setting.all {
            lines.append("  \(setting.flag) / \(setting.environmentName)")
            lines.append("      \(setting.summary) (default: \(setting.defaultValue))")
        }
        lines += [
            "",
            "OPTIONS:",
            "  --version               Print the version and exit.",
            "  -h, --help              Print this help and exit.",
            "",
            "Exit status: 0 after a clean stop (SIGTERM/SIGINT), 78 for a configuration the",
            "daemon refuses (the message names the setting), 1 for any other failure.",
        ]
        return lines.joined(separator: "\n")
    }
}
