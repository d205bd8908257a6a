// Reads its configuration from /data/etc/app.conf, then creates, writes, reads back and
// deletes three temporary files in /data/tmp.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
    FILE *config = fopen("/data/etc/app.conf", "r");
    if (!config) { perror("app.conf"); return 1; }
    char line[128];
    if (!fgets(line, sizeof line, config)) return 1;
    fclose(config);
    for (int i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "/data/tmp/work-%d", i);
        FILE *file = fopen(name, "w");
        if (!file) { perror(name); return 1; }
        fprintf(file, "%d %s", i, line);
        fclose(file);
        file = fopen(name, "r");
        if (!file || !fgets(line, sizeof line, file)) return 1;
        fclose(file);
        if (unlink(name) != 0) { perror(name); return 1; }
    }
    puts("done");
    return 0;
}
