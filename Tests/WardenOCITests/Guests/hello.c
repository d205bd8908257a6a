// The Wasm container's module (and, built natively, the non-Wasm container's program):
//   hello                 prints a greeting and exits 0
//   hello exit N          prints the greeting and exits N
//   hello sleep N         sleeps N seconds (a long-running container to kill)
//   hello read PATH       prints the file, or "refused: <reason>"
//   hello write PATH TEXT writes TEXT to PATH, or prints "refused: <reason>"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "sleep") == 0) {
        printf("sleeping\n");
        fflush(stdout);
        sleep((unsigned)atoi(argv[2]));
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "read") == 0) {
        FILE *file = fopen(argv[2], "r");
        if (!file) { printf("refused: %s\n", strerror(errno)); return 3; }
        char buffer[256];
        size_t count = fread(buffer, 1, sizeof buffer - 1, file);
        buffer[count] = 0;
        printf("read: %s\n", buffer);
        fclose(file);
        return 0;
    }
    if (argc > 3 && strcmp(argv[1], "write") == 0) {
        FILE *file = fopen(argv[2], "w");
        if (!file) { printf("refused: %s\n", strerror(errno)); return 3; }
        fputs(argv[3], file);
        fclose(file);
        printf("wrote\n");
        return 0;
    }
    printf("hello from %s\n", argv[0]);
    return (argc > 2 && strcmp(argv[1], "exit") == 0) ? atoi(argv[2]) : 0;
}
