import Foundation

/// The committed inputs of one fuzz target, `Ops/fuzz/corpus/<target>/` and
/// `Ops/fuzz/regressions/<target>/`, which the libraries' `FuzzCorpusTests` replay through the
/// fuzzers' properties without the fuzzer.
public enum FuzzInputs {
    public static func of(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Ops/fuzz")
        var inputs: [(name: String, bytes: [UInt8])] = []
        for folder in ["corpus", "regressions"] {
            let directory = fuzz.appendingPathComponent(folder).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                inputs.append(("\(folder)/\(target)/\(name)", Array(try Data(contentsOf: directory.appendingPathComponent(name)))))
            }
        }
        return inputs
    }

    /// Runs every committed input of `target` through `check`; returns how many there were and,
    /// for each that broke the property, its name and what broke.
    public static func replay(_ target: String, through check: ([UInt8]) -> String?) throws -> (count: Int, failures: [String]) {
        let inputs = try of(target)
        return (inputs.count, inputs.compactMap { input in check(input.bytes).map { "\(input.name): \($0)" } })
    }
}
