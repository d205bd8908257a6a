// Differential guest: preopen enumeration (fd numbers and names), fdstat of a preopen,
// clocks and random (only success and sanity printed), sleep via poll_oneoff, sched_yield,
// memory growth.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
    // Preopens, as the runtime numbers them (wasi-libc does the same scan at start-up).
    for (__wasi_fd_t fd = 3; fd < 16; fd++) {
        __wasi_prestat_t prestat;
        __wasi_errno_t error = __wasi_fd_prestat_get(fd, &prestat);
        if (error == __WASI_ERRNO_BADF) { printf("fd %u: EBADF (end of preopens)\n", fd); break; }
        if (error != 0) { printf("fd %u: prestat error %u\n", fd, error); continue; }
        char name[256] = {0};
        size_t length = prestat.u.dir.pr_name_len;
        error = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, length < 255 ? length : 255);
        __wasi_fdstat_t stat;
        __wasi_errno_t serror = __wasi_fd_fdstat_get(fd, &stat);
        printf("fd %u: tag=%u name=[%.*s] len=%zu err=%u filetype=%u (fdstat err=%u)\n", fd,
               prestat.tag, (int)length, name, length, error, serror == 0 ? stat.fs_filetype : 255, serror);
    }

    // Clocks: success and monotonicity only.
    struct timespec a, b, res;
    int ra = clock_gettime(CLOCK_MONOTONIC, &a);
    int rb = clock_gettime(CLOCK_MONOTONIC, &b);
    printf("monotonic: %d %d nondecreasing=%d\n", ra, rb,
           (b.tv_sec > a.tv_sec) || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
    struct timespec now;
    printf("realtime: %d after-2020=%d\n", clock_gettime(CLOCK_REALTIME, &now), now.tv_sec > 1577836800);
    printf("clock_getres(MONOTONIC): %d positive=%d\n", clock_getres(CLOCK_MONOTONIC, &res),
           res.tv_sec > 0 || res.tv_nsec > 0);

    // Sleep 2 ms via poll_oneoff; it must not return early.
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec nap = {0, 2000000};
    int rs = nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long slept = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("nanosleep: %d slept>=2ms=%d\n", rs, slept >= 2000000);
    printf("sched_yield: %d\n", sched_yield());

    // Random: success, and 64 bytes not all equal.
    unsigned char bytes[64];
    memset(bytes, 0, sizeof bytes);
    __wasi_errno_t rr = __wasi_random_get(bytes, sizeof bytes);
    int distinct = 0;
    for (size_t i = 1; i < sizeof bytes; i++) distinct |= bytes[i] != bytes[0];
    printf("random_get: %u varied=%d\n", rr, distinct);
    printf("random_get(0 bytes): %u\n", __wasi_random_get(bytes, 0));

    // Memory growth: 16 MiB from malloc, touched, then released.
    size_t before = __builtin_wasm_memory_size(0);
    char *block = malloc(16 << 20);
    if (!block) { printf("malloc 16 MiB failed\n"); return 1; }
    for (size_t i = 0; i < (16u << 20); i += 4096) block[i] = (char)(i >> 12);
    long check = 0;
    for (size_t i = 0; i < (16u << 20); i += 4096) check += block[i];
    size_t after = __builtin_wasm_memory_size(0);
    printf("memory grew by >= 256 pages: %d check=%ld\n", after - before >= 256, check);
    printf("memory.grow(0) returns current size: %d\n", __builtin_wasm_memory_grow(0, 0) == after);
    free(block);

    // stdio descriptors exist.
    __wasi_fdstat_t st;
    for (int fd = 0; fd < 3; fd++) printf("fdstat(%d): err=%u\n", fd, __wasi_fd_fdstat_get(fd, &st));
    printf("fdstat(99): err=%u\n", __wasi_fd_fdstat_get(99, &st));
    return 0;
}
