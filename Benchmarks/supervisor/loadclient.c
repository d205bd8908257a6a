// Connection load and latency client for per-connection services.
//
//   loadclient HOST PORT CONCURRENCY SECONDS [MAX_PER_THREAD]
//
// CONCURRENCY threads each loop: connect, send "bench\n", read until the server closes,
// check the answer is non-empty, close. Latency is connect() start -> end of response (EOF).
// Prints one line of key=value pairs: connections, failures, p50_us, p90_us, p99_us, max_us,
// per_second. A failure is a refused/reset connection or an empty answer.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in target;
static double seconds;
static long max_per_thread;

struct worker {
    pthread_t thread;
    uint32_t *latencies;  // microseconds
    long count, capacity, failures;
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *run(void *argument) {
    struct worker *w = argument;
    double end = now() + seconds;
    char buffer[4096];
    while (now() < end && (max_per_thread == 0 || w->count + w->failures < max_per_thread)) {
        double start = now();
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int ok = 0;
        if (fd >= 0 && connect(fd, (struct sockaddr *)&target, sizeof target) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (write(fd, "bench\n", 6) == 6) {
                long total = 0;
                ssize_t n;
                while ((n = read(fd, buffer, sizeof buffer)) > 0) total += n;
                ok = n == 0 && total > 0;
            }
        }
        if (fd >= 0) close(fd);
        if (!ok) { w->failures++; continue; }
        if (w->count == w->capacity) {
            w->capacity = w->capacity ? w->capacity * 2 : 4096;
            w->latencies = realloc(w->latencies, (size_t)w->capacity * sizeof *w->latencies);
        }
        w->latencies[w->count++] = (uint32_t)((now() - start) * 1e6);
    }
    return NULL;
}

static int compare(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: loadclient HOST PORT CONCURRENCY SECONDS [MAX_PER_THREAD]\n"); return 64; }
    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &target.sin_addr);
    int concurrency = atoi(argv[3]);
    seconds = atof(argv[4]);
    max_per_thread = argc > 5 ? atol(argv[5]) : 0;
    struct worker *workers = calloc((size_t)concurrency, sizeof *workers);
    double started = now();
    for (int i = 0; i < concurrency; i++) pthread_create(&workers[i].thread, NULL, run, &workers[i]);
    long total = 0, failures = 0;
    for (int i = 0; i < concurrency; i++) {
        pthread_join(workers[i].thread, NULL);
        total += workers[i].count;
        failures += workers[i].failures;
    }
    double elapsed = now() - started;
    uint32_t *all = malloc((size_t)(total ? total : 1) * sizeof *all);
    long at = 0;
    for (int i = 0; i < concurrency; i++) {
        memcpy(all + at, workers[i].latencies, (size_t)workers[i].count * sizeof *all);
        at += workers[i].count;
    }
    qsort(all, (size_t)total, sizeof *all, compare);
#define PCT(p) (total ? all[(long)((total - 1) * (p))] : 0)
    printf("connections=%ld failures=%ld p50_us=%u p90_us=%u p99_us=%u max_us=%u per_second=%.0f\n",
           total, failures, PCT(0.50), PCT(0.90), PCT(0.99), total ? all[total - 1] : 0, total / elapsed);
    return failures ? 1 : 0;
}
