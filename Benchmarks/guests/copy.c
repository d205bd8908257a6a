// Copies SRC to DST in 64 KiB chunks with read/write (fd_read/fd_write), printing nothing.
// Usage: copy SRC DST
#include <fcntl.h>
#include <unistd.h>

static char buffer[64 * 1024];

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    int in = open(argv[1], O_RDONLY);
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) return 1;
    for (;;) {
        ssize_t got = read(in, buffer, sizeof buffer);
        if (got < 0) return 1;
        if (got == 0) break;
        for (ssize_t done = 0; done < got;) {
            ssize_t put = write(out, buffer + done, (size_t)(got - done));
            if (put <= 0) return 1;
            done += put;
        }
    }
    return close(in) == 0 && close(out) == 0 ? 0 : 1;
}
