import COpenSSL
public import Foundation

/// An X.509 certificate whose public key checks RSA signatures another party makes: Amazon
/// SNS's signing certificate, which an operator downloads once and pins (Masthead never fetches a
/// certificate a message points at).
///
/// ```swift
/// let pinned = try SigningCertificate.read(pem: text)
/// let genuine = pinned.contains { $0.isValidSignature(signature, of: message, digest: .sha256) }
/// ```
public final class SigningCertificate: @unchecked Sendable {
    // Read-only once made; OpenSSL 3 verifies with one key from several threads at once.
    private let certificate: OpaquePointer
    private let key: OpaquePointer

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The hash a signature was made over: SNS's SignatureVersion 1 is SHA-1, 2 is SHA-256.
    public enum Digest: Sendable {
        case sha1, sha256
    }

    private init(certificate: OpaquePointer, key: OpaquePointer) {
        self.certificate = certificate
        self.key = key
    }

    deinit {
        EVP_PKEY_free(key)
        X509_free(certificate)
    }

    /// Every certificate in `pem` (one file may hold the current and the next one, for a
    /// rotation); throws when there is none, or one whose key is not RSA.
    public static func read(pem: String) throws(Failure) -> [SigningCertificate] {
        let bytes = Array(pem.utf8)
        let certificates: [SigningCertificate] = bytes.withUnsafeBufferPointer { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return [] }
            defer { BIO_free(bio) }
            var read: [SigningCertificate] = []
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                guard let key = X509_get_pubkey(certificate) else {
                    X509_free(certificate)
                    continue
                }
                read.append(SigningCertificate(certificate: certificate, key: key))
            }
            ERR_clear_error()  // the read past the last certificate leaves "no start line"
            return read
        }
        guard !certificates.isEmpty else { throw Failure(description: "no PEM certificate") }
        guard certificates.allSatisfy({ EVP_PKEY_get_base_id($0.key) == EVP_PKEY_RSA }) else {
            throw Failure(description: "a certificate whose key is not RSA")
        }
        return certificates
    }

    /// Whether the certificate's validity has ended by `time`.
    public func hasExpired(at time: Date) -> Bool {
        var seconds = time_t(time.timeIntervalSince1970)
        return X509_cmp_time(X509_get0_notAfter(certificate), &seconds) < 0
    }

    /// Whether `signature` is the certificate key's PKCS #1 v1.5 signature of `message`.
    public func isValidSignature(_ signature: [UInt8], of message: [UInt8], digest: Digest) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        let algorithm = digest == .sha1 ? EVP_sha1() : EVP_sha256()
        guard EVP_DigestVerifyInit(context, nil, algorithm, nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }
}
