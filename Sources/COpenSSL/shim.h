// The parts of OpenSSL's libcrypto that Masthead calls: HMAC, random bytes, constant-time compare.
#ifndef MASTHEAD_COPENSSL_SHIM_H
#define MASTHEAD_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/opensslv.h>
#endif
