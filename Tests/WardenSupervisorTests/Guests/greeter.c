// Per-connection guest: reads one line from the connection (stdin) and answers on stdout
// "hello <line> #<n>", where n counts the connections this instance has served. A fresh
// instance per connection means n is always 1: nothing carries over between connections.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int served = 0;

int main(void) {
    char line[256];
    size_t used = 0;
    while (used < sizeof line - 1) {
        ssize_t n = read(0, line + used, 1);
        if (n <= 0 || line[used] == '\n') break;
        used += (size_t)n;
    }
    line[used] = 0;
    served++;
    char out[320];
    int length = snprintf(out, sizeof out, "hello %s #%d\n", line, served);
    write(1, out, (size_t)length);
    return 0;
}
