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

    /// Starts `process`, never at the same moment as another child.
    public static func run(_ process: Process) throws {
        try starting.withLock { _ in try process.run() }
    }
}
