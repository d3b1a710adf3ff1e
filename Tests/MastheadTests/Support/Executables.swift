import Foundation
import GRDB
import Synchronization
import TestSupport

/// Runs the built `masthead` and `mastheadd` binaries, which sit beside the test bundle.
enum Executables {
    static var directory: String {
        // The test runner is an executable in the build directory; so are ours.
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: runner).deletingLastPathComponent().path
    }

    static func path(_ name: String) -> String { directory + "/" + name }

    /// The result of a finished command.
    struct Outcome: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs our executable `name arguments…` to completion in `workingDirectory`.
    static func run(
        _ name: String, _ arguments: [String], in workingDirectory: String,
        environment: [String: String] = [:]
    ) async throws -> Outcome {
        try await runProgram(path(name), arguments, in: workingDirectory, environment: environment)
    }

    /// Runs any program to completion and captures its output. The wait is on a thread of its
    /// own (`offThePool`): a test that held one of the 2-core machine's two shared threads for
    /// as long as its program ran stalled every other test beside it (a 1 s timeout once took 70 s).
    static func runProgram(
        _ program: String, _ arguments: [String], in workingDirectory: String = "/",
        environment: [String: String] = [:]
    ) async throws -> Outcome {
        try await offThePool { try runProgramOnThisThread(program, arguments, in: workingDirectory, environment: environment) }
    }

    /// `runProgram` for where nothing can wait asynchronously (a static initialiser, `atexit`).
    static func runProgramOnThisThread(
        _ program: String, _ arguments: [String], in workingDirectory: String = "/", environment: [String: String] = [:]
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        process.environment = cleanEnvironment.merging(environment) { $1 }
        let out = ChildProcesses.pipe()
        let err = ChildProcesses.pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try ChildProcesses.run(process)
        // Read before waiting so a full pipe cannot block the child.
        let stdout = ChildProcesses.readToEnd(out.fileHandleForReading)
        let stderr = ChildProcesses.readToEnd(err.fileHandleForReading)
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// The test process's environment without our own settings, so a developer's shell cannot leak in.
    static var cleanEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MASTHEAD_") }
    }
}

extension Executables {
    /// Sets `directory` up as an operator does before a first `masthead` data command when the
    /// daemon has not run there yet (the data commands create neither): `masthead keys generate`
    /// and `masthead db migrate`, with `environment` (say, `MASTHEAD_DATABASE`).
    static func prepareDeployment(in directory: String, environment: [String: String] = [:]) async throws {
        for step in [["keys", "generate"], ["db", "migrate"]] {
            let outcome = try await run("masthead", step, in: directory, environment: environment)
            guard outcome.status == 0 else {
                throw PreparationFailure(description: "masthead \(step.joined(separator: " ")): \(outcome.stderr)")
            }
        }
    }

    struct PreparationFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Rows of a query through GRDB, one string per row (first column).
    static func runSQL(_ sql: String, database: String) throws -> [String] {
        try DatabaseQueue(path: database).read { db in try String.fetchAll(db, sql: sql) }
    }
}
