// Differential guest: symlink creation, readlink (incl. a short buffer), following links for
// open/stat, lstat, dangling links, links to directories, O_NOFOLLOW, escaping links, hard
// links.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT "/sandbox"

static void result(const char *what, long value) {
    if (value < 0) printf("%s = %ld errno=%d\n", what, value, errno);
    else printf("%s = %ld\n", what, value);
}

static void show_readlink(const char *path, size_t size) {
    char buffer[256];
    memset(buffer, 0, sizeof buffer);
    errno = 0;
    ssize_t n = readlink(path, buffer, size);
    if (n < 0) printf("readlink(%s, %zu) = -1 errno=%d\n", path, size, errno);
    else printf("readlink(%s, %zu) = %zd [%.*s]\n", path, size, n, (int)n, buffer);
}

static void show_open_read(const char *path, int flags) {
    char buffer[64];
    errno = 0;
    int fd = open(path, flags);
    if (fd < 0) { printf("open(%s, 0x%x) failed errno=%d\n", path, flags, errno); return; }
    ssize_t n = read(fd, buffer, sizeof buffer);
    close(fd);
    printf("open(%s, 0x%x) read %zd [%.*s]\n", path, flags, n, n > 0 ? (int)n : 0, buffer);
}

static const char *kind(mode_t mode) {
    return S_ISREG(mode) ? "file" : S_ISDIR(mode) ? "dir" : S_ISLNK(mode) ? "symlink" : "other";
}

// Directory sizes depend on the filesystem: print sizes of files and links only.
static long long size_of(const struct stat *st) { return S_ISDIR(st->st_mode) ? 0 : (long long)st->st_size; }

static void show_stats(const char *path) {
    struct stat st;
    errno = 0;
    if (lstat(path, &st) == 0) printf("lstat(%s): %s size=%lld\n", path, kind(st.st_mode), size_of(&st));
    else printf("lstat(%s) failed errno=%d\n", path, errno);
    errno = 0;
    if (stat(path, &st) == 0) printf("stat(%s): %s size=%lld\n", path, kind(st.st_mode), size_of(&st));
    else printf("stat(%s) failed errno=%d\n", path, errno);
}

int main(void) {
    int fd = open(ROOT "/target.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "target contents\n", 16);
    close(fd);
    mkdir(ROOT "/dir", 0755);
    fd = open(ROOT "/dir/inner.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "inner\n", 6);
    close(fd);

    result("symlink target.txt <- link", symlink("target.txt", ROOT "/link"));
    show_readlink(ROOT "/link", 255);
    show_readlink(ROOT "/link", 4);
    show_open_read(ROOT "/link", O_RDONLY);
    show_stats(ROOT "/link");

    result("symlink dir <- dlink", symlink("dir", ROOT "/dlink"));
    show_open_read(ROOT "/dlink/inner.txt", O_RDONLY);
    show_stats(ROOT "/dlink");

    result("symlink ../target.txt <- dir/up", symlink("../target.txt", ROOT "/dir/up"));
    show_readlink(ROOT "/dir/up", 255);
    show_open_read(ROOT "/dir/up", O_RDONLY);

    result("symlink link <- chain (link to link)", symlink("link", ROOT "/chain"));
    show_open_read(ROOT "/chain", O_RDONLY);

    result("symlink nowhere <- dangle", symlink("nowhere", ROOT "/dangle"));
    show_readlink(ROOT "/dangle", 255);
    show_open_read(ROOT "/dangle", O_RDONLY);
    show_stats(ROOT "/dangle");
    show_open_read(ROOT "/link", O_RDONLY | O_NOFOLLOW);

    result("symlink loop-a <- loop-b", symlink("loop-a", ROOT "/loop-b"));
    result("symlink loop-b <- loop-a", symlink("loop-b", ROOT "/loop-a"));
    show_open_read(ROOT "/loop-a", O_RDONLY);

    result("symlink target.txt <- link (exists)", symlink("target.txt", ROOT "/link"));
    show_readlink(ROOT "/target.txt", 255);
    show_readlink(ROOT "/missing", 255);

    // Links whose target leaves the preopen must not be followed (creating them may or may
    // not be allowed; following them never is).
    result("symlink ../../../../etc/passwd <- escape", symlink("../../../../etc/passwd", ROOT "/escape"));
    show_open_read(ROOT "/escape", O_RDONLY);

    // Creating a file through a dangling link creates the target.
    fd = open(ROOT "/dangle", O_CREAT | O_WRONLY, 0644);
    result("open(dangle, CREAT) ok", fd < 0 ? -1 : 0);
    if (fd >= 0) { write(fd, "made\n", 5); close(fd); }
    show_stats(ROOT "/nowhere");

    result("link target.txt -> hard", link(ROOT "/target.txt", ROOT "/hard"));
    show_open_read(ROOT "/hard", O_RDONLY);
    struct stat st;
    if (stat(ROOT "/target.txt", &st) == 0) printf("target.txt nlink=%lu\n", (unsigned long)st.st_nlink);

    result("unlink link", unlink(ROOT "/link"));
    show_stats(ROOT "/link");
    show_stats(ROOT "/target.txt");
    result("unlink dlink (link to dir)", unlink(ROOT "/dlink"));
    show_stats(ROOT "/dir");
    return 0;
}
