// Native baseline for guests/write1m.c: one write(2) syscall per byte.
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1]) : 1000000;
    for (long i = 0; i < count; i++) {
        if (write(1, "x", 1) != 1) return 1;
    }
    return 0;
}
