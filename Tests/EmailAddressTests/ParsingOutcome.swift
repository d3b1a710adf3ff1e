import EmailAddress

/// What parsing one input gives, for tests that check a single rule.
enum ParsingOutcome: Equatable, CustomStringConvertible {
    /// Accepted, with its normalised form.
    case accepted(String)
    /// Refused for this reason.
    case refused(AddressProblem)

    init(_ input: String, options: AddressParsingOptions = .strict) {
        do throws(AddressProblem) {
            self = .accepted(try EmailAddress(parsing: input, options: options).normalized)
        } catch {
            self = .refused(error)
        }
    }

    var description: String {
        switch self {
        case .accepted(let normalized): "accepted as \(normalized)"
        case .refused(let problem): "refused: \(problem.code) (\(problem))"
        }
    }
}
