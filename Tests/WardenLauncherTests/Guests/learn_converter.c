// A converter: upper-cases every file in /data/in into /data/out, and tries once to read
// a file outside its grant (which learn must list, never grant).
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    DIR *in = opendir("/data/in");
    if (!in) { perror("/data/in"); return 1; }
    struct dirent *entry;
    while ((entry = readdir(in))) {
        if (entry->d_name[0] == '.') continue;
        char from[512], to[512];
        snprintf(from, sizeof from, "/data/in/%s", entry->d_name);
        snprintf(to, sizeof to, "/data/out/%s", entry->d_name);
        FILE *source = fopen(from, "r"), *target = fopen(to, "w");
        if (!source || !target) { perror(entry->d_name); return 1; }
        int c;
        while ((c = fgetc(source)) != EOF) fputc(toupper(c), target);
        fclose(source);
        fclose(target);
    }
    closedir(in);
    FILE *outside = fopen("/data/../../etc/passwd", "r");
    if (outside) return 2;
    puts("converted");
    return 0;
}
