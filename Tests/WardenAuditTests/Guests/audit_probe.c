// One guest for every audit event a module can cause, chosen by argv[1]:
//   escape N      path_open("../escape") beneath the first preopen N times; prints the refusals
//   escape N then-spin   the same, then loops forever (a wall-time kill right after a flood)
//   escape N paced MS    the same, sleeping MS milliseconds after each (a flood over time)
//   write PATH    open PATH for writing (creating it); prints 0 on success or the errno
//   read PATH     open PATH for reading; prints 0 or the errno
//   grow PAGES    memory.grow by PAGES; prints the result (-1 when refused)
//   spin          loops forever (fuel, cpu-time, wall-time)
//   sleep S       sleeps S seconds (the worker can be killed meanwhile)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *mode = argv[1];
    if (strcmp(mode, "escape") == 0) {
        long count = argc > 2 ? atol(argv[2]) : 1, refused = 0;
        long pause = argc > 4 && strcmp(argv[3], "paced") == 0 ? atol(argv[4]) : 0;
        for (long i = 0; i < count; i++) {
            __wasi_fd_t fd;
            __wasi_errno_t error = __wasi_path_open(3, 0, "../escape", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
            if (error == __WASI_ERRNO_NOTCAPABLE) refused++; else if (error == 0) __wasi_fd_close(fd);
            if (pause > 0) usleep((useconds_t)pause * 1000);
        }
        printf("%ld\n", refused);
        if (argc > 3 && strcmp(argv[3], "then-spin") == 0) {
            fflush(stdout);
            volatile unsigned long counter = 0;
            for (;;) counter++;
        }
        return 0;
    }
    if (strcmp(mode, "write") == 0 || strcmp(mode, "read") == 0) {
        int writing = mode[0] == 'w';
        int fd = open(argv[2], writing ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY, 0644);
        if (fd < 0) { printf("%d\n", errno); return 1; }
        if (writing) write(fd, "x", 1);
        close(fd);
        printf("0\n");
        return 0;
    }
    if (strcmp(mode, "grow") == 0) {
        long result = (long)__builtin_wasm_memory_grow(0, (unsigned long)atol(argv[2]));
        printf("%ld\n", result);
        return 0;
    }
    if (strcmp(mode, "spin") == 0) {
        volatile unsigned long counter = 0;
        for (;;) counter++;
    }
    if (strcmp(mode, "sleep") == 0) {
        sleep((unsigned)atoi(argv[2]));
        return 0;
    }
    return 2;
}
