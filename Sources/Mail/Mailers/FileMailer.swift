import Foundation

/// Development mailer: writes each message to `DIRECTORY/outbox-<id>.eml`, with the envelope
/// sender in a `Return-Path` field on top, as the final MTA would record it (RFC 5321 §4.4).
///
/// Files are written to a temporary name and renamed, so a reader of the directory never sees
/// half a message; naming them after the outbox row makes a re-send after a crash replace the
/// file instead of adding a second copy.
public struct FileMailer: Mailer {
    /// Where the files go.
    public let directory: String

    /// Creates the mailer; the directory is created on first delivery.
    public init(directory: String) {
        self.directory = directory
    }

    public func deliver(_ delivery: Delivery) async throws(MailerError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .transient("cannot create \(directory): \(error.localizedDescription)")
        }
        let final = directory + "/outbox-\(delivery.outboxID).eml"
        let temporary = directory + "/.outbox-\(delivery.outboxID).eml.tmp"
        let contents = Data("Return-Path: <\(delivery.sender)>\r\n".utf8) + Data(delivery.data)
        guard manager.createFile(atPath: temporary, contents: contents) else {
            throw .transient("cannot write \(temporary)")
        }
        guard rename(temporary, final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .transient("cannot rename \(temporary) to \(final): \(reason)")
        }
    }
}
