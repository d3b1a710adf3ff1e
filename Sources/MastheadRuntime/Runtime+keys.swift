public import Foundation
public import Logging
public import MastheadSettings
public import Signing

extension Runtime {
    /// Loads the keys file. In development a missing file is created (mode 0600) with a warning
    /// when `creating` allows it (the daemon's start); in production it must exist and be
    /// private to its owner.
    public static func loadKeys(
        configuration: MastheadConfiguration, logger: Logger, now: () -> Date, creating: Bool = true
    ) throws -> KeyRing {
        let path = configuration.keysPath
        let production = configuration.environment == .production
        do {
            let (ring, added) = try KeyRingFile.loadAddingAddressSecret(path: path, requirePrivate: production)
            if added { logger.warning("added an address secret to an older keys file", metadata: ["keys": "\(path)"]) }
            return ring
        } catch .missing(let path) where !production && creating {
            let ring = try KeyRing.generate(at: now())
            try KeyRingFile.save(ring, path: path)
            logger.warning(
                "generated a development signing key; production needs a managed keys file",
                metadata: ["keys": "\(path)"])
            return ring
        } catch .missing(let path) where !production {
            throw ConfigurationError(
                .keys,
                "no keys file at \(Self.absolute(path)); run masthead where mastheadd runs, or point MASTHEAD_KEYS at its keys file "
                    + "(mastheadd creates one on its first start in development; masthead keys generate makes one)")
        } catch {
            throw ConfigurationError(.keys, error.description)
        }
    }
}
