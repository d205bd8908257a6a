// proc_exit, proc_raise, sched_yield and random_get through the raw imports.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

// wasi-libc dropped the declaration of proc_raise; the import is still in the ABI.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t raw_proc_raise(int32_t sig);

static void scenario_exit(unsigned code) {
    printf("about to exit with %u\n", code);
    fflush(stdout);
    __wasi_proc_exit(code);
}

static void scenario_raise(int sig) {
    printf("raising %d\n", sig);
    fflush(stdout);
    int32_t e = raw_proc_raise(sig);
    printf("raise returned errno=%d\n", (int)e);
}

static void scenario_yield(void) {
    int errors = 0;
    for (int i = 0; i < 1000; i++) if (__wasi_sched_yield()) errors++;
    printf("sched_yield x1000 errors=%d\n", errors);
}

static void scenario_random(void) {
    uint8_t a[32], b[32];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    __wasi_errno_t e1 = __wasi_random_get(a, sizeof a), e2 = __wasi_random_get(b, sizeof b);
    int zeros = 0;
    for (int i = 0; i < 32; i++) zeros += a[i] == 0;
    printf("random errno=%d,%d differ=%s mostly-nonzero=%s\n", e1, e2, memcmp(a, b, sizeof a) ? "yes" : "no",
           zeros < 8 ? "yes" : "no");
    uint8_t guard[8];
    memset(guard, 0x5A, sizeof guard);
    printf("zero-length errno=%d untouched=%s\n", __wasi_random_get(guard, 0), guard[0] == 0x5A ? "yes" : "no");
    // A partial fill stays inside the requested range.
    memset(guard, 0x5A, sizeof guard);
    __wasi_errno_t e = __wasi_random_get(guard, 3);
    int outside = 0;
    for (int i = 3; i < 8; i++) outside += guard[i] != 0x5A;
    printf("partial errno=%d written-outside=%d\n", e, outside);
    // 1 MiB in one call (more than getrandom's 32 MiB-1 chunking needs, but past 256-byte
    // getentropy limits): every byte value appears, each roughly 4096 times.
    size_t size = 1 << 20;
    uint8_t *big = calloc(size, 1);
    e = __wasi_random_get(big, size);
    unsigned counts[256] = {0};
    for (size_t i = 0; i < size; i++) counts[big[i]]++;
    unsigned lo = ~0u, hi = 0;
    for (int i = 0; i < 256; i++) { if (counts[i] < lo) lo = counts[i]; if (counts[i] > hi) hi = counts[i]; }
    // Tail must be filled too (a short fill would leave zeros at the end).
    int tail_zeros = 0;
    for (size_t i = size - 64; i < size; i++) tail_zeros += big[i] == 0;
    printf("1MiB errno=%d histogram-ok=%s tail-filled=%s\n", e, (lo > 3500 && hi < 4700) ? "yes" : "no",
           tail_zeros < 8 ? "yes" : "no");
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) { printf("usage: fn_proc SCENARIO\n"); return 2; }
    if (strcmp(argv[1], "exit") == 0) scenario_exit(argc > 2 ? (unsigned)strtoul(argv[2], 0, 10) : 0);
    else if (strcmp(argv[1], "raise") == 0) scenario_raise(argc > 2 ? atoi(argv[2]) : 0);
    else if (strcmp(argv[1], "yield") == 0) scenario_yield();
    else if (strcmp(argv[1], "random") == 0) scenario_random();
    else if (strcmp(argv[1], "return") == 0) { printf("returning %d from main\n", atoi(argv[2])); return atoi(argv[2]); }
    else { printf("unknown scenario %s\n", argv[1]); return 2; }
    printf("end of main\n");
    return 0;
}
