/// The Masthead release, printed by `--version` and in the start-up line.
public enum MastheadVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
