// Differential guest: copies stdin to stdout in small odd-sized read()s, then prints a
// summary (bytes, lines, checksum). With stdin at EOF it prints just the summary.
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char buffer[7];
    long bytes = 0, lines = 0, reads = 0;
    unsigned long sum = 0;
    for (;;) {
        ssize_t n = read(0, buffer, sizeof buffer);
        if (n < 0) { printf("\nread error\n"); return 1; }
        if (n == 0) break;
        reads++;
        for (ssize_t i = 0; i < n; i++) {
            if (buffer[i] == '\n') lines++;
            sum = sum * 31 + (unsigned char)buffer[i];
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t put = write(1, buffer + done, (size_t)(n - done));
            if (put <= 0) return 1;
            done += put;
        }
        bytes += n;
    }
    // Reading again after EOF keeps returning 0.
    printf("\n[bytes=%ld lines=%ld checksum=%lu again=%zd]\n", bytes, lines, sum, read(0, buffer, 1));
    return 0;
}
