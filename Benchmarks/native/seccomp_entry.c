// The kernel's fixed cost of seccomp on a system call, whatever the filter says: nanoseconds
// per 1-byte write(2) to /dev/null, first with no filter, then under a one-instruction filter
// that allows everything. Prints "plain_ns filtered_ns". Context for warden's seccomp figure:
// no filter, however small, costs less than this difference.
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static double best_per_write(int fd, int count) {
    char byte = 'x';
    double best = 1e18;
    for (int round = 0; round < 7; round++) {
        double start = nanoseconds();
        for (int i = 0; i < count; i++)
            if (write(fd, &byte, 1) != 1) return -1;
        double per = (nanoseconds() - start) / count;
        if (per < best) best = per;
    }
    return best;
}

int main(void) {
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0) { perror("/dev/null"); return 1; }
    double plain = best_per_write(fd, 1000000);
    struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog program = { .len = 1, .filter = &allow };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
        perror("seccomp");
        return 1;
    }
    double filtered = best_per_write(fd, 1000000);
    printf("%.1f %.1f\n", plain, filtered);
    return 0;
}
