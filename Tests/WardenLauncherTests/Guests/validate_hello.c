// The seed of the validation mutation corpus (ValidationTests): a small wasi-libc program whose
// bytes are mutated at test time. A few functions of different shapes give the mutations
// locals, blocks, loops, calls and memory accesses to land in.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned checksum(const char *text) {
    unsigned sum = 0;
    for (size_t i = 0; text[i]; i++) sum = sum * 31 + (unsigned char)text[i];
    return sum;
}

static long long fold(int count, double scale) {
    long long total = 0;
    for (int i = 0; i < count; i++) total += (long long)(i * scale) ^ (i << 3);
    return total;
}

int main(int argc, char **argv) {
    const char *name = argc > 1 ? argv[1] : "world";
    char buffer[64];
    snprintf(buffer, sizeof buffer, "hello %s", name);
    printf("%s %u %lld\n", buffer, checksum(buffer), fold((int)strlen(buffer), 1.5));
    return 0;
}
