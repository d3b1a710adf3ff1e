import Foundation
import Subprocess
import SystemPackage

/// Delivers through a sendmail-compatible program (`MASTHEAD_MAILER=sendmail:/usr/sbin/sendmail`):
/// `-i -f SENDER -- RECIPIENT` with the message on standard input. A non-zero exit status fails
/// the delivery with the program's standard error; `EX_TEMPFAIL` (75) is transient, other
/// failures permanent, as sendmail itself documents.
public struct SendmailMailer: Mailer {
    /// The program.
    public let path: String

    /// Exit status meaning "try again later" (sysexits.h).
    static let temporaryFailure: Int32 = 75

    /// Creates the mailer.
    public init(path: String) {
        self.path = path
    }

    public func deliver(_ delivery: Delivery) async throws(MailerError) {
        let status: TerminationStatus
        let diagnostics: String
        do {
            let result = try await run(
                .path(FilePath(path)),
                arguments: ["-i", "-f", delivery.sender, "--", delivery.recipient],
                input: .array(delivery.data),
                output: .discarded,
                error: .string(limit: 64 * 1024))
            status = result.terminationStatus
            diagnostics = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw .transient("cannot run \(path): \(error)")
        }
        switch status {
        case .exited(0):
            return
        case .exited(Self.temporaryFailure):
            throw .transient("\(path) exited 75 (temporary failure): \(diagnostics)")
        case .exited(let code):
            throw .permanent("\(path) exited \(code): \(diagnostics)")
        default:
            throw .transient("\(path) ended abnormally (\(status)): \(diagnostics)")
        }
    }
}
