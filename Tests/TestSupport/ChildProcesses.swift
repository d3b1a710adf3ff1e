public import Foundation
import Synchronization

/// Starting the tests' child processes (our binaries, Python servers, nginx, curl) without one
/// inheriting another's pipes. Foundation's `Pipe()` descriptors are not close-on-exec, so a
/// server started on one thread while a command's pipe was open on another kept the write end
/// of that command's output: the command ended, its reader never saw end-of-file, and the test
/// waited for the server, which waited for the test (a whole run hung this way).
///
/// Every pipe a test hands a child comes from `pipe()` (both ends close-on-exec; the child's
/// copy, set up by `dup2` as its standard stream, is not), and every child starts through
/// `run(_:)`, one at a time, so no child starts while another's pipe is being made.
public enum ChildProcesses {
    private static let starting = Mutex(())

    /// A pipe whose ends no other child inherits.
    public static func pipe() -> Pipe {
        starting.withLock { _ in
            let pipe = Pipe()
            for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
                _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
            }
            return pipe
        }
    }

    /// Everything `handle` gives until end-of-file. Foundation's `readDataToEndOfFile()` traps
    /// on `EAGAIN`, and a full run once found a child's output pipe non-blocking (a descriptor
    /// number some library had set so before it was closed and reused): wait for data instead.
    public static func readToEnd(_ handle: FileHandle) -> Data {
        let descriptor = handle.fileDescriptor
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count < 0 && (errno == EAGAIN || errno == EINTR) {
                var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&waiting, 1, 1000)
            } else {
                // A descriptor closed under its reader is a close elsewhere of a number it no longer
                // owns; say so here rather than let the child die of a broken pipe, unexplained.
                precondition(count == 0 || errno != EBADF, "a pipe was closed under its reader: some code closed a descriptor twice")
                return data
            }
        }
    }

    /// The first line `handle` gives, without its newline; nil at end-of-file or once `deadline`
    /// passes first (a child that says on its output when it is ready, and what it chose).
    public static func firstLine(_ handle: FileHandle, until deadline: Date) -> String? {
        let descriptor = handle.fileDescriptor
        var line = [UInt8]()
        var byte: UInt8 = 0
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, Int32(min(left, 1) * 1000) + 1) >= 0 || errno == EINTR else { return nil }
            guard waiting.revents != 0 else { continue }
            let count = read(descriptor, &byte, 1)
            if count == 1 {
                if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
                line.append(byte)
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                return nil
            }
        }
    }

    /// Starts `process`, never at the same moment as another child.
    public static func run(_ process: Process) throws {
        try starting.withLock { _ in try process.run() }
    }
}
