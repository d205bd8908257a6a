// N refused path_open calls ("../escape" beneath the first preopen, fd 3), straight through the
// WASI import: every iteration is exactly one refusal and one audit event. N is argv[1].
#include <stdlib.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1]) : 200000;
    for (long i = 0; i < count; i++) {
        __wasi_fd_t fd;
        if (__wasi_path_open(3, 0, "../escape", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd) != __WASI_ERRNO_NOTCAPABLE) return 1;
    }
    return 0;
}
