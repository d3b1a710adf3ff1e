import CLibFuzzer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs libFuzzer with a property as its test: every input the fuzzer makes is handed to
/// `property`, and an input it answers with a failure stops the run like a crash, so libFuzzer
/// saves it (`crash-<sha1>`, which `Ops/fuzz/run` copies into `regressions/`).
///
/// Why not libFuzzer's own `main` and an `@_cdecl("LLVMFuzzerTestOneInput")` function: SwiftPM
/// compiles an executable's entry point as `<Module>_main` and links `main` to it, so a target
/// without one does not link, and with one libFuzzer's `main` never runs. `LLVMFuzzerRunDriver`
/// is libFuzzer's documented entry for a program that has its own `main`.
public enum FuzzDriver {
    /// The property of this process; libFuzzer's callback is a C function and cannot capture it.
    nonisolated(unsafe) private static var property: ([UInt8]) -> String? = { _ in nil }

    /// Parses libFuzzer's flags from the command line and fuzzes until a flag or a failure stops it.
    public static func run(_ property: @escaping ([UInt8]) -> String?) -> Never {
        Self.property = property
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, count in
            let input = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
            if let failure = FuzzDriver.property(input) { fatalError("fuzz property failed: \(failure)") }
            return 0
        }
        exit(status)
    }
}
