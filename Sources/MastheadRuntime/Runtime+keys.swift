public import Foundation
public import Logging
public import MastheadSettings
public import Signing

extension Runtime {
    /// Loads the keys file. In development a missing file is created (mode 0600) with a warning;
    /// in production it must exist and be private to its owner.
    public static func loadKeys(
        configuration: MastheadConfiguration, logger: Logger, now: () -> Date
    ) throws -> KeyRing {
        let path = configuration.keysPath
        let production = configuration.environment == .production
        do {
            let (ring, added) = try KeyRingFile.loadAddingAddressSecret(path: path, requirePrivate: production)
            if added { logger.warning("added an address secret to an older keys file", metadata: ["keys": "\(path)"]) }
            return ring
        } catch .missing(let path) where !production {
            let ring = try KeyRing.generate(at: now())
            try KeyRingFile.save(ring, path: path)
            logger.warning(
                "generated a development signing key; production needs a managed keys file",
                metadata: ["keys": "\(path)"])
            return ring
        } catch {
            throw ConfigurationError(.keys, error.description)
        }
    }
}
