// The parts of OpenSSL's libcrypto that Masthead calls: HMAC, random bytes, constant-time compare,
// and DKIM's keys (RSA and Ed25519: generating, PEM, signing, the public key for DNS); certificates whose
// keys check providers' signatures.
#ifndef MASTHEAD_COPENSSL_SHIM_H
#define MASTHEAD_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/err.h>

/* Keys an HMAC-SHA256 context. The parameter names are C string literals, so they outlive the
   call (OSSL_PARAM keeps pointers, not copies). */
static inline int masthead_hmac_sha256_init(EVP_MAC_CTX *ctx, const unsigned char *key, size_t length) {
    OSSL_PARAM parameters[] = {
        OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_init(ctx, key, length, parameters);
}
#endif
