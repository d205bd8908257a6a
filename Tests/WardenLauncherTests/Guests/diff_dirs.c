// Differential guest: mkdir, directory listings (sorted by the guest, with d_type), many
// entries (readdir cookies across several host buffers), rename (file, across directories,
// over an existing file, directory), unlink, rmdir, and the resulting tree.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT "/sandbox"

static void result(const char *what, int value) {
    if (value < 0) printf("%s = %d errno=%d\n", what, value, errno);
    else printf("%s = %d\n", what, value);
}

static const char *type_name(unsigned char type) {
    switch (type) {
    case DT_REG: return "file";
    case DT_DIR: return "dir";
    case DT_LNK: return "symlink";
    case DT_UNKNOWN: return "unknown";
    default: return "other";
    }
}

struct entry { char name[256]; unsigned char type; };

static int by_name(const void *a, const void *b) {
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

// Lists `path` sorted; `verbose` prints every entry, otherwise a summary.
static void list(const char *path, int verbose) {
    DIR *dir = opendir(path);
    if (!dir) { printf("opendir(%s) failed errno=%d\n", path, errno); return; }
    size_t count = 0, capacity = 16;
    struct entry *entries = malloc(capacity * sizeof *entries);
    struct dirent *e;
    errno = 0;
    while ((e = readdir(dir)) != NULL) {
        if (count == capacity) entries = realloc(entries, (capacity *= 2) * sizeof *entries);
        snprintf(entries[count].name, sizeof entries[count].name, "%s", e->d_name);
        entries[count].type = e->d_type;
        count++;
    }
    if (errno != 0) printf("readdir(%s) errno=%d\n", path, errno);
    closedir(dir);
    qsort(entries, count, sizeof *entries, by_name);
    printf("list %s: %zu entries\n", path, count);
    if (verbose) {
        for (size_t i = 0; i < count; i++) {
            char full[512];
            snprintf(full, sizeof full, "%s/%s", path, entries[i].name);
            struct stat st;
            int is_dot = strcmp(entries[i].name, ".") == 0 || strcmp(entries[i].name, "..") == 0;
            if (!is_dot && lstat(full, &st) == 0 && S_ISREG(st.st_mode))
                printf("  %s (%s, %lld bytes)\n", entries[i].name, type_name(entries[i].type), (long long)st.st_size);
            else
                printf("  %s (%s)\n", entries[i].name, type_name(entries[i].type));
        }
    } else if (count > 0) {
        unsigned long hash = 5381;
        for (size_t i = 0; i < count; i++)
            for (const char *c = entries[i].name; *c; c++) hash = hash * 33 + (unsigned char)*c;
        printf("  first=%s last=%s namehash=%lu\n", entries[0].name, entries[count - 1].name, hash);
    }
    free(entries);
}

static void touch(const char *path, const char *text) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) { printf("create(%s) failed errno=%d\n", path, errno); return; }
    if (text) write(fd, text, strlen(text));
    close(fd);
}

int main(void) {
    list(ROOT, 1);
    result("mkdir d", mkdir(ROOT "/d", 0755));
    result("mkdir d/sub", mkdir(ROOT "/d/sub", 0755));
    result("mkdir d/sub/deeper", mkdir(ROOT "/d/sub/deeper", 0755));
    touch(ROOT "/d/b.txt", "bee");
    touch(ROOT "/d/a.txt", "a");
    touch(ROOT "/d/c.txt", "seeeee");
    touch(ROOT "/d/sub/x", "");
    touch(ROOT "/d/with space.txt", "space");
    touch(ROOT "/d/\xc3\xa9t\xc3\xa9.txt", "utf8");
    list(ROOT "/d", 1);
    list(ROOT "/d/sub", 1);
    list(ROOT "/d/sub/deeper", 1);

    result("rename d/a.txt -> d/z.txt", rename(ROOT "/d/a.txt", ROOT "/d/z.txt"));
    result("rename d/b.txt -> d/sub/b.txt", rename(ROOT "/d/b.txt", ROOT "/d/sub/b.txt"));
    result("rename d/c.txt -> d/z.txt (replace)", rename(ROOT "/d/c.txt", ROOT "/d/z.txt"));
    result("rename d/sub -> d/sub2", rename(ROOT "/d/sub", ROOT "/d/sub2"));
    result("rename d/sub2/deeper -> d/deeper (up)", rename(ROOT "/d/sub2/deeper", ROOT "/d/deeper"));
    result("rename d/deeper -> d/empty (dir)", rename(ROOT "/d/deeper", ROOT "/d/empty"));
    result("mkdir d/empty2", mkdir(ROOT "/d/empty2", 0755));
    result("rename d/empty -> d/empty2 (replace empty dir)", rename(ROOT "/d/empty", ROOT "/d/empty2"));
    result("rename d/z.txt -> d/z.txt (same)", rename(ROOT "/d/z.txt", ROOT "/d/z.txt"));
    list(ROOT "/d", 1);
    list(ROOT "/d/sub2", 1);

    result("open d/sub2/../z.txt", close(open(ROOT "/d/sub2/../z.txt", O_RDONLY)) == 0 ? 0 : -1);
    result("unlink d/z.txt", unlink(ROOT "/d/z.txt"));
    result("unlink d/z.txt again", unlink(ROOT "/d/z.txt"));
    result("rmdir d/sub2 (not empty)", rmdir(ROOT "/d/sub2"));
    result("unlink d/sub2/x", unlink(ROOT "/d/sub2/x"));
    result("unlink d/sub2/b.txt", unlink(ROOT "/d/sub2/b.txt"));
    result("rmdir d/sub2", rmdir(ROOT "/d/sub2"));
    result("rmdir d/sub2 again", rmdir(ROOT "/d/sub2"));
    result("rmdir d/empty2", rmdir(ROOT "/d/empty2"));
    list(ROOT "/d", 1);

    // Enough entries that readdir needs several host calls and resumes from cookies.
    result("mkdir many", mkdir(ROOT "/many", 0755));
    char path[128];
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, ROOT "/many/entry-with-a-longish-name-%04d", i);
        touch(path, NULL);
    }
    list(ROOT "/many", 0);
    for (int i = 0; i < 300; i += 2) {
        snprintf(path, sizeof path, ROOT "/many/entry-with-a-longish-name-%04d", i);
        if (unlink(path) != 0) printf("unlink %d errno=%d\n", i, errno);
    }
    list(ROOT "/many", 0);

    // rewinddir/seekdir/telldir round trip: re-reading from a remembered position.
    DIR *dir = opendir(ROOT "/d");
    int before = 0, after = 0;
    while (readdir(dir)) before++;
    rewinddir(dir);
    while (readdir(dir)) after++;
    closedir(dir);
    printf("rewinddir: %d then %d entries\n", before, after);

    list(ROOT, 1);
    return 0;
}
