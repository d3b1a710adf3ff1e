import ArgumentParser
import Foundation
import MastheadRuntime
import MastheadSettings

/// Turns a failure into one line on stderr and a non-zero exit status.
enum CommandFailure {
    /// Runs `work`; on error prints `masthead: <reason>` to stderr and exits 1
    /// (78 for a configuration error, like the daemon).
    static func reporting<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let exit as ExitCode {
            throw exit
        } catch let error as ConfigurationError {
            printError(error.description)
            throw ExitCode(ConfigurationError.exitStatus)
        } catch {
            printError("masthead: \(StoreFailure.describe(error))")
            throw ExitCode.failure
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
