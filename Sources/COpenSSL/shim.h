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
#endif
