// OpenSSL's libcrypto (Debian libssl-dev), reached only through WardenLauncher's SHA256.
// SHA256_Init/Update/Final are deprecated in OpenSSL 3 but present through 3.x; they call
// the SHA-256 block function directly (the CPU's SHA extensions where present). Every path
// through EVP (EVP_Digest, and the one-shot SHA256(), which OpenSSL 3 routes through
// EVP_Q_digest) first initializes the provider machinery: 1.0-1.2 ms for the first digest in
// a process, 22 us for 30 KB after it (Benchmarks/README.md), paid by every `warden run`
// that hashes a module. A libcrypto without them gets the EVP path.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/sha.h>

// SHA-256 of `count` bytes. Returns 1 on success.
static inline int warden_sha256(const void *data, size_t count, unsigned char digest[32]) {
#if OPENSSL_VERSION_MAJOR < 4 && !defined(OPENSSL_NO_DEPRECATED_3_0)
    SHA256_CTX context;
    return SHA256_Init(&context) == 1 && SHA256_Update(&context, data, count) == 1 && SHA256_Final(digest, &context) == 1;
#else
    // OPENSSL_INIT_NO_LOAD_CONFIG: warden computes digests, it does not want the host's
    // openssl.cnf read (a file open and a parse on the start-up path, and a way for the
    // host's configuration to swap in another provider).
    if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1) return 0;
    unsigned int length = 0;
    return EVP_Digest(data, count, digest, &length, EVP_sha256(), NULL) == 1 && length == 32;
#endif
}
