// poll_oneoff: clock subscriptions that really sleep, fd_read on stdin, regular files that are
// ready at once, and the error cases. The first argument picks a scenario.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define DIR 3

static void fail(const char *what, __wasi_errno_t e) {
    printf("FAIL %s errno=%d\n", what, e);
    __wasi_proc_exit(100);
}

static __wasi_timestamp_t now(__wasi_clockid_t id) {
    __wasi_timestamp_t t;
    __wasi_errno_t e = __wasi_clock_time_get(id, 1, &t);
    if (e) fail("clock_time_get", e);
    return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t userdata, __wasi_clockid_t id, __wasi_timestamp_t timeout,
                                       __wasi_subclockflags_t flags) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.precision = 1000;
    s.u.u.clock.flags = flags;
    return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t userdata, __wasi_eventtype_t type, __wasi_fd_t fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = type;
    s.u.u.fd_read.file_descriptor = fd;
    return s;
}

static void show_events(const __wasi_event_t *events, __wasi_size_t n) {
    for (__wasi_size_t i = 0; i < n; i++)
        printf("event userdata=%llu type=%d error=%d\n", (unsigned long long)events[i].userdata, events[i].type,
               events[i].error);
}

// Sleeps `ms` through a relative monotonic clock subscription; reports whether the elapsed
// monotonic time is at least the timeout and not absurdly more.
static void scenario_clock(__wasi_timestamp_t ms) {
    __wasi_subscription_t sub = clock_sub(0x1234, __WASI_CLOCKID_MONOTONIC, ms * 1000000ull, 0);
    __wasi_event_t ev[2];
    memset(ev, 0xEE, sizeof ev);
    __wasi_size_t n = 0;
    __wasi_timestamp_t t0 = now(__WASI_CLOCKID_MONOTONIC);
    __wasi_errno_t e = __wasi_poll_oneoff(&sub, ev, 1, &n);
    __wasi_timestamp_t elapsed = now(__WASI_CLOCKID_MONOTONIC) - t0;
    fprintf(stderr, "slept %llu ns for %llu ms\n", (unsigned long long)elapsed, (unsigned long long)ms);
    printf("poll errno=%d nevents=%u\n", e, (unsigned)n);
    show_events(ev, n);
    printf("slept-long-enough=%s not-too-long=%s\n", elapsed >= ms * 1000000ull ? "yes" : "no",
           elapsed < ms * 1000000ull + 3000000000ull ? "yes" : "no");
    // An absolute realtime deadline 100 ms ahead.
    sub = clock_sub(7, __WASI_CLOCKID_REALTIME, now(__WASI_CLOCKID_REALTIME) + 100000000ull,
                    __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    e = __wasi_poll_oneoff(&sub, ev, 1, &n);
    elapsed = now(__WASI_CLOCKID_MONOTONIC) - t0;
    printf("abstime errno=%d nevents=%u userdata=%llu waited=%s\n", e, (unsigned)n, (unsigned long long)ev[0].userdata,
           (elapsed >= 80000000ull && elapsed < 1100000000ull) ? "yes" : "no");
    // A zero timeout fires at once.
    sub = clock_sub(8, __WASI_CLOCKID_MONOTONIC, 0, 0);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    e = __wasi_poll_oneoff(&sub, ev, 1, &n);
    elapsed = now(__WASI_CLOCKID_MONOTONIC) - t0;
    printf("zero errno=%d nevents=%u userdata=%llu quick=%s\n", e, (unsigned)n, (unsigned long long)ev[0].userdata,
           elapsed < 500000000ull ? "yes" : "no");
    // Two clocks: only the earlier one fires.
    __wasi_subscription_t two[2] = {clock_sub(1, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0),
                                    clock_sub(2, __WASI_CLOCKID_MONOTONIC, 50000000ull, 0)};
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    e = __wasi_poll_oneoff(two, ev, 2, &n);
    elapsed = now(__WASI_CLOCKID_MONOTONIC) - t0;
    printf("two-clocks errno=%d nevents=%u first-userdata=%llu quick=%s\n", e, (unsigned)n,
           (unsigned long long)ev[0].userdata, elapsed < 2000000000ull ? "yes" : "no");
}

// stdin is a pipe: an fd_read subscription (with a long clock as a guard) fires once data is
// there; the guard's timeout is never reached.
// With `min_ms` > 0 the host writes only after that delay: the poll must have waited for it.
static void scenario_stdin(__wasi_timestamp_t min_ms) {
    __wasi_subscription_t subs[2] = {fd_sub(42, __WASI_EVENTTYPE_FD_READ, 0),
                                     clock_sub(99, __WASI_CLOCKID_MONOTONIC, 10000000000ull, 0)};
    __wasi_event_t ev[2];
    __wasi_size_t n = 0;
    if (min_ms) printf("polling\n");  // the host waits for this line before its delay
    __wasi_timestamp_t t0 = now(__WASI_CLOCKID_MONOTONIC);
    __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, 2, &n);
    __wasi_timestamp_t elapsed = now(__WASI_CLOCKID_MONOTONIC) - t0;
    fprintf(stderr, "stdin ready after %llu ns\n", (unsigned long long)elapsed);
    printf("poll errno=%d nevents=%u\n", e, (unsigned)n);
    show_events(ev, n);
    printf("before-guard=%s\n", elapsed < 9000000000ull ? "yes" : "no");
    if (min_ms) printf("waited-for-data=%s\n", elapsed >= min_ms * 1000000ull ? "yes" : "no");
    char buf[256];
    __wasi_iovec_t v = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t got = 0;
    e = __wasi_fd_read(0, &v, 1, &got);
    printf("read errno=%d data=<%.*s>\n", e, (int)got, buf);
}

static __wasi_fd_t open_file(const char *path, __wasi_rights_t want) {
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(DIR, &st);
    if (e) fail("fdstat", e);
    __wasi_fd_t fd;
    e = __wasi_path_open(DIR, 0, path, 0, want & st.fs_rights_inheriting, 0, 0, &fd);
    if (e) fail(path, e);
    return fd;
}

// A regular file is always ready for reading and for writing: the event comes at once and
// the guard clock never fires.
static void poll_file(const char *label, __wasi_fd_t fd, __wasi_eventtype_t type) {
    __wasi_subscription_t subs[2] = {clock_sub(99, __WASI_CLOCKID_MONOTONIC, 10000000000ull, 0),
                                     fd_sub(type, type, fd)};
    __wasi_event_t ev[2];
    __wasi_size_t n = 0;
    __wasi_timestamp_t t0 = now(__WASI_CLOCKID_MONOTONIC);
    __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, 2, &n);
    __wasi_timestamp_t elapsed = now(__WASI_CLOCKID_MONOTONIC) - t0;
    printf("%s errno=%d nevents=%u quick=%s\n", label, e, (unsigned)n, elapsed < 2000000000ull ? "yes" : "no");
    show_events(ev, n);
}

static void scenario_file(void) {
    __wasi_fd_t fd = open_file("data.txt", __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                                               __WASI_RIGHTS_POLL_FD_READWRITE | __WASI_RIGHTS_FD_SEEK);
    poll_file("read", fd, __WASI_EVENTTYPE_FD_READ);
    poll_file("write", fd, __WASI_EVENTTYPE_FD_WRITE);
    // Both at once: at least one event, and never the guard clock.
    __wasi_subscription_t subs[3] = {clock_sub(99, __WASI_CLOCKID_MONOTONIC, 10000000000ull, 0),
                                     fd_sub(1, __WASI_EVENTTYPE_FD_READ, fd), fd_sub(2, __WASI_EVENTTYPE_FD_WRITE, fd)};
    __wasi_event_t ev[3];
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, 3, &n);
    int only_fd = n >= 1;
    for (__wasi_size_t i = 0; i < n; i++) if (ev[i].userdata == 99 || ev[i].error) only_fd = 0;
    printf("both errno=%d fd-events-only=%s\n", e, only_fd ? "yes" : "no");
}

static void scenario_errors(void) {
    __wasi_event_t ev[2];
    __wasi_size_t n = 77;
    __wasi_subscription_t sub = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 0, 0);
    printf("zero-subscriptions errno=%d\n", __wasi_poll_oneoff(&sub, ev, 0, &n));
    // A bad fd is reported in its event (or refuses the whole call with badf).
    __wasi_subscription_t bad[2] = {fd_sub(5, __WASI_EVENTTYPE_FD_READ, 99),
                                    clock_sub(6, __WASI_CLOCKID_MONOTONIC, 2000000000ull, 0)};
    n = 0;
    __wasi_timestamp_t t0 = now(__WASI_CLOCKID_MONOTONIC);
    __wasi_errno_t e = __wasi_poll_oneoff(bad, ev, 2, &n);
    __wasi_timestamp_t elapsed = now(__WASI_CLOCKID_MONOTONIC) - t0;
    if (e == __WASI_ERRNO_BADF) printf("bad-fd badf (call)\n");
    else if (e == 0 && n >= 1 && ev[0].userdata == 5 && ev[0].error == __WASI_ERRNO_BADF)
        printf("bad-fd badf (event) quick=%s\n", elapsed < 1000000000ull ? "yes" : "no");
    else printf("bad-fd UNEXPECTED errno=%d n=%u userdata=%llu error=%d\n", e, (unsigned)n,
                (unsigned long long)ev[0].userdata, ev[0].error);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) { printf("usage: fn_poll SCENARIO\n"); return 2; }
    if (strcmp(argv[1], "clock") == 0) scenario_clock(argc > 2 ? (__wasi_timestamp_t)atoi(argv[2]) : 300);
    else if (strcmp(argv[1], "stdin") == 0) scenario_stdin(argc > 2 ? (__wasi_timestamp_t)atoi(argv[2]) : 0);
    else if (strcmp(argv[1], "file") == 0) scenario_file();
    else if (strcmp(argv[1], "errors") == 0) scenario_errors();
    else { printf("unknown scenario %s\n", argv[1]); return 2; }
    return 0;
}
