// OpenSSL's libcrypto (Debian libssl-dev), reached only through WardenLauncher's SHA256.
#include <openssl/crypto.h>
#include <openssl/evp.h>

// One-shot SHA-256 through EVP (the low-level SHA256_* calls are deprecated in OpenSSL 3).
// OPENSSL_INIT_NO_LOAD_CONFIG: warden computes digests, it does not want the host's
// openssl.cnf read (a file open and a parse on the start-up path, and a way for the host's
// configuration to swap in another provider). Returns 1 on success.
static inline int warden_sha256(const void *data, size_t count, unsigned char digest[32]) {
    if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1) return 0;
    unsigned int length = 0;
    return EVP_Digest(data, count, digest, &length, EVP_sha256(), NULL) == 1 && length == 32;
}
