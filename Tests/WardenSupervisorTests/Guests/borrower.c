// For warm workers (a worker wardend lent to `warden run`): copies standard input into
// /data/out (a read-write grant), says "wrote N" on standard output and "note" on standard
// error, then exits with argv[1] (default 0). Every descriptor of the run's layout is used.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    char buffer[256];
    size_t count = fread(buffer, 1, sizeof buffer, stdin);
    FILE *out = fopen("/data/out", "w");
    if (!out) return 9;
    fwrite(buffer, 1, count, out);
    fclose(out);
    printf("wrote %zu\n", count);
    fprintf(stderr, "note\n");
    return argc > 1 ? atoi(argv[1]) : 0;
}
