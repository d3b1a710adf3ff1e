/// A JSON value written by hand, keys sorted: webhook event bodies are built on every change's
/// write path (a sign-up's whole event now costs about 2% of its daemon CPU in `perf record`),
/// without an encoder and its intermediate containers per value.
public indirect enum JSONValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    /// A string, or `null` for nil.
    public static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    /// The JSON text.
    public var text: String {
        var output = ""
        write(into: &output)
        return output
    }

    func write(into output: inout String) {
        switch self {
        case .string(let text): JSONText.write(text, into: &output)
        case .integer(let number): output += String(number)
        case .null: output += "null"
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(into: &output)
            }
            output += "]"
        case .object(let fields):
            output += "{"
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                JSONText.write(key, into: &output)
                output += ":"
                fields[key, default: .null].write(into: &output)
            }
            output += "}"
        }
    }
}
