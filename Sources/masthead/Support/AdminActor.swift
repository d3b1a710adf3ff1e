import Foundation

/// Who the audit trail records for a CLI action: `admin:` and the operating-system user.
enum AdminActor {
    static var current: String {
        let user = ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.userName
        return "admin:" + (user.isEmpty ? "unknown" : user)
    }
}
