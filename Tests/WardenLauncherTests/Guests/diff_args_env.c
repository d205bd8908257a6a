// Differential guest: prints its arguments and its whole environment (sorted), plus a few
// getenv lookups. argv[0] is printed as its last path component only: wasmtime passes the
// module's file name, warden the module path as given.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show(const char *name) {
    const char *value = getenv(name);
    if (value) printf("getenv(%s)=[%s]\n", name, value);
    else printf("getenv(%s)=unset\n", name);
}

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    const char *slash = strrchr(argv[0], '/');
    printf("argv[0] basename=[%s]\n", slash ? slash + 1 : argv[0]);
    for (int i = 1; i < argc; i++) {
        printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));
    }
    printf("argv[argc]=%s\n", argv[argc] == NULL ? "NULL" : "non-NULL");

    size_t count = 0;
    while (environ && environ[count]) count++;
    char **sorted = malloc((count + 1) * sizeof *sorted);
    if (!sorted) return 1;
    for (size_t i = 0; i < count; i++) sorted[i] = environ[i];
    qsort(sorted, count, sizeof *sorted, compare);
    printf("environ count=%zu\n", count);
    for (size_t i = 0; i < count; i++) printf("environ[%zu]=[%s]\n", i, sorted[i]);
    free(sorted);

    show("GREETING");
    show("EMPTY");
    show("WITH_EQUALS");
    show("UNICODE");
    show("HOME");
    show("PATH");
    show("MISSING");
    return 0;
}
