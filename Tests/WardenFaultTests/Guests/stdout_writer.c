// Writes lines to standard output until a write fails (its reader went away), then says so on
// standard error and exits 3. A bound keeps it finite if no write ever fails.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    static const char line[] = "a line of output nobody reads\n";
    for (long i = 0; i < 10000000; i++) {
        if (write(1, line, sizeof line - 1) < 0) {
            fprintf(stderr, "write failed after %ld lines: %s\n", i, strerror(errno));
            return 3;
        }
    }
    return 0;
}
