// clock_res_get and clock_time_get for realtime, monotonic, process and thread CPU time,
// plus the invalid-clock errors. Prints realtime seconds so the host can compare.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static __wasi_timestamp_t now(__wasi_clockid_t id) {
    __wasi_timestamp_t t = 0;
    __wasi_errno_t e = __wasi_clock_time_get(id, 1, &t);
    if (e) { printf("clock_time_get(%u) errno=%d\n", (unsigned)id, e); __wasi_proc_exit(20); }
    return t;
}

static volatile unsigned long sink;

// Spins until the CPU clock `cpu` has advanced `ns` (or 20 s of monotonic time pass, which
// would mean the clock is stuck); returns the CPU clock's advance.
static __wasi_timestamp_t burn(__wasi_clockid_t cpu, __wasi_timestamp_t ns) {
    __wasi_timestamp_t c0 = now(cpu), m0 = now(__WASI_CLOCKID_MONOTONIC), c = c0;
    while (c - c0 < ns && now(__WASI_CLOCKID_MONOTONIC) - m0 < 20000000000ull) {
        for (int i = 0; i < 10000; i++) sink += i;
        c = now(cpu);
    }
    return c - c0;
}

int main(int argc, char **argv) {
    // wasmtime's preview1 has no CPU-time clocks; "--no-cpu" lets it check the rest.
    int cpu = !(argc > 1 && strcmp(argv[1], "--no-cpu") == 0);
    const char *names[] = {"realtime", "monotonic", "process_cputime", "thread_cputime"};
    for (__wasi_clockid_t id = 0; id < (cpu ? 4 : 2); id++) {
        __wasi_timestamp_t res = 0;
        __wasi_errno_t e = __wasi_clock_res_get(id, &res);
        printf("res %s errno=%d plausible=%s\n", names[id], e, (res > 0 && res <= 1000000000ull) ? "yes" : "no");
    }
    __wasi_timestamp_t res;
    if (cpu) {
        printf("res invalid errno=%d\n", __wasi_clock_res_get(4, &res));
        printf("time invalid errno=%d\n", __wasi_clock_time_get(4, 0, &res));
        printf("time huge-id errno=%d\n", __wasi_clock_time_get(0xffffffffu, 0, &res));
    }

    __wasi_timestamp_t real = now(__WASI_CLOCKID_REALTIME);
    printf("realtime_seconds=%llu\n", (unsigned long long)(real / 1000000000ull));

    __wasi_timestamp_t m1 = now(__WASI_CLOCKID_MONOTONIC), m2 = now(__WASI_CLOCKID_MONOTONIC);
    printf("monotonic nondecreasing=%s\n", m2 >= m1 ? "yes" : "no");
    // Spin 100 ms of monotonic time: each CPU clock must advance most of it (we are busy).
    if (cpu) {
        // Busy for 50 ms of CPU time by each clock: both must get there (and not leap ahead).
        __wasi_timestamp_t p = burn(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 50000000ull);
        printf("process_cputime advanced=%s\n", (p >= 50000000ull && p < 5000000000ull) ? "yes" : "no");
        __wasi_timestamp_t t = burn(__WASI_CLOCKID_THREAD_CPUTIME_ID, 50000000ull);
        printf("thread_cputime advanced=%s\n", (t >= 50000000ull && t < 5000000000ull) ? "yes" : "no");
    } else {
        burn(__WASI_CLOCKID_MONOTONIC, 100000000ull);
    }
    __wasi_timestamp_t m3 = now(__WASI_CLOCKID_MONOTONIC);
    printf("monotonic advanced=%s\n", (m3 - m2 >= 50000000ull) ? "yes" : "no");
    return 0;
}
