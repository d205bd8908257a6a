// Lists a tree recursively (and stats every entry) below /data/tree/docs.
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int walk(const char *path) {
    DIR *directory = opendir(path);
    if (!directory) { perror(path); return 1; }
    struct dirent *entry;
    while ((entry = readdir(directory))) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
        char child[512];
        snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        struct stat info;
        if (stat(child, &info) != 0) { perror(child); return 1; }
        printf("%s %lld\n", child, (long long)info.st_size);
        if (S_ISDIR(info.st_mode) && walk(child)) return 1;
    }
    closedir(directory);
    return 0;
}

int main(void) { return walk("/data/tree/docs"); }
