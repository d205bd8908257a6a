// 1,000,000 one-byte fd_write calls to stdout, straight through the WASI import (no stdio
// buffering), so each iteration is exactly one host call. Count may be given as argv[1].
#include <stdlib.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1]) : 1000000;
    static const uint8_t byte[1] = {'x'};
    const __wasi_ciovec_t iov = {.buf = byte, .buf_len = 1};
    for (long i = 0; i < count; i++) {
        __wasi_size_t written = 0;
        if (__wasi_fd_write(1, &iov, 1, &written) != 0 || written != 1) return 1;
    }
    return 0;
}
