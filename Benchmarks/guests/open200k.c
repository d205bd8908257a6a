// 200,000 open+close pairs of an existing file inside a preopened directory. Through
// wasi-libc each pair is one path_open and one fd_close host call.
// Usage: open200k PATH [COUNT]
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    long count = argc > 2 ? atol(argv[2]) : 200000;
    for (long i = 0; i < count; i++) {
        int fd = open(argv[1], O_RDONLY);
        if (fd < 0 || close(fd) != 0) return 1;
    }
    return 0;
}
