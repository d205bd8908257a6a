// Differential guest: traps. Prints (and flushes) a line, then traps the way argv[1] says.
// Both runtimes must exit with 134 and keep the flushed output.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile int zero = 0, seven = 7;
volatile uint32_t far_address = 0xfffffff0u;
volatile int sink;

__attribute__((noinline)) static int recurse(int n) {
    if (n == 0) return sink;
    int r = recurse(n - 1);
    sink = r;
    return r + n;
}

typedef int (*unary)(int);
static int identity(int x) { return x; }

int main(int argc, char **argv) {
    const char *how = argc > 1 ? argv[1] : "unreachable";
    printf("before trap: %s\n", how);
    fflush(stdout);
    if (strcmp(how, "unreachable") == 0) __builtin_trap();
    if (strcmp(how, "abort") == 0) abort();
    if (strcmp(how, "divzero") == 0) printf("%d\n", seven / zero);
    if (strcmp(how, "oob") == 0) printf("%d\n", *(volatile int *)(uintptr_t)far_address);
    if (strcmp(how, "stack") == 0) printf("%d\n", recurse(100000000));
    if (strcmp(how, "indirect") == 0) {
        volatile uintptr_t bogus = 12345;  // not a valid table index
        unary f = (unary)bogus;
        printf("%d\n", f(1) + identity(0));
    }
    printf("after trap?\n");
    return 0;
}
