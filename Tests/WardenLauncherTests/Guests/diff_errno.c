// Differential guest: numeric errno values (WASI numbering, via wasi-libc) of common
// failures. Seeded tree: file.txt, dir/, full/ (with full/entry), other/ (empty).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT "/sandbox"

static void check(const char *what, long value) {
    if (value < 0) printf("%-44s -> -1 errno=%d\n", what, errno);
    else printf("%-44s -> ok (%ld)\n", what, value);
}

// open(), closing the descriptor on success so nothing leaks.
static long try_open(const char *path, int flags) {
    errno = 0;
    int fd = open(path, flags, 0644);
    if (fd >= 0) { close(fd); return 0; }
    return -1;
}

int main(void) {
    printf("ENOENT=%d EEXIST=%d ENOTDIR=%d EISDIR=%d ENOTEMPTY=%d EBADF=%d EINVAL=%d\n",
           ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EBADF, EINVAL);

    // ENOENT
    check("open missing O_RDONLY", try_open(ROOT "/missing", O_RDONLY));
    check("open missing/child O_CREAT", try_open(ROOT "/missing/child", O_CREAT | O_WRONLY));
    check("stat missing", (errno = 0, stat(ROOT "/missing", &(struct stat){0})));
    check("unlink missing", (errno = 0, unlink(ROOT "/missing")));
    check("rmdir missing", (errno = 0, rmdir(ROOT "/missing")));
    check("mkdir missing/a/b", (errno = 0, mkdir(ROOT "/missing/a/b", 0755)));
    check("rename missing -> x", (errno = 0, rename(ROOT "/missing", ROOT "/x")));
    check("opendir missing", (errno = 0, opendir(ROOT "/missing") ? 0 : -1));
    check("readlink missing", (errno = 0, readlink(ROOT "/missing", (char[8]){0}, 8)));

    // EEXIST
    check("open file.txt O_CREAT|O_EXCL", try_open(ROOT "/file.txt", O_CREAT | O_EXCL | O_WRONLY));
    check("open dir O_CREAT|O_EXCL", try_open(ROOT "/dir", O_CREAT | O_EXCL | O_WRONLY));
    check("mkdir dir (exists)", (errno = 0, mkdir(ROOT "/dir", 0755)));
    check("mkdir file.txt (exists)", (errno = 0, mkdir(ROOT "/file.txt", 0755)));
    check("symlink x <- file.txt (exists)", (errno = 0, symlink("x", ROOT "/file.txt")));
    check("link file.txt -> dir (exists)", (errno = 0, link(ROOT "/file.txt", ROOT "/dir")));

    // ENOTDIR
    check("open file.txt/child", try_open(ROOT "/file.txt/child", O_RDONLY));
    check("open file.txt O_DIRECTORY", try_open(ROOT "/file.txt", O_RDONLY | O_DIRECTORY));
    check("opendir file.txt", (errno = 0, opendir(ROOT "/file.txt") ? 0 : -1));
    check("rmdir file.txt", (errno = 0, rmdir(ROOT "/file.txt")));
    check("mkdir file.txt/sub", (errno = 0, mkdir(ROOT "/file.txt/sub", 0755)));
    check("stat file.txt/", (errno = 0, stat(ROOT "/file.txt/", &(struct stat){0})));
    check("rename dir -> file.txt", (errno = 0, rename(ROOT "/dir", ROOT "/file.txt")));

    // EISDIR
    check("open dir O_WRONLY", try_open(ROOT "/dir", O_WRONLY));
    check("open dir O_RDWR", try_open(ROOT "/dir", O_RDWR));
    check("open dir O_CREAT|O_WRONLY", try_open(ROOT "/dir", O_CREAT | O_WRONLY));
    check("rename file.txt -> dir", (errno = 0, rename(ROOT "/file.txt", ROOT "/dir")));
    int dfd = open(ROOT "/dir", O_RDONLY | O_DIRECTORY);
    char byte;
    check("read on a directory fd", (errno = 0, read(dfd, &byte, 1)));
    close(dfd);

    // ENOTEMPTY
    check("rmdir full", (errno = 0, rmdir(ROOT "/full")));
    check("rename other -> full", (errno = 0, rename(ROOT "/other", ROOT "/full")));

    // EBADF and friends
    int ro = open(ROOT "/file.txt", O_RDONLY);
    check("write on O_RDONLY fd", (errno = 0, write(ro, "x", 1)));
    check("ftruncate on O_RDONLY fd", (errno = 0, ftruncate(ro, 0)));
    close(ro);
    int wo = open(ROOT "/file.txt", O_WRONLY);
    check("read on O_WRONLY fd", (errno = 0, read(wo, &byte, 1)));
    close(wo);
    check("close(1234)", (errno = 0, close(1234)));
    check("read(1234)", (errno = 0, read(1234, &byte, 1)));
    check("lseek(1234)", (errno = 0, lseek(1234, 0, SEEK_SET)));
    check("fstat(1234)", (errno = 0, fstat(1234, &(struct stat){0})));
    check("close(ro) again", (errno = 0, close(ro)));

    // EINVAL
    check("readlink file.txt (not a link)", (errno = 0, readlink(ROOT "/file.txt", (char[8]){0}, 8)));
    check("rename dir -> dir/inside", (errno = 0, rename(ROOT "/dir", ROOT "/dir/inside")));
    check("lseek SET -5", (errno = 0, lseek(ro = open(ROOT "/file.txt", O_RDONLY), -5, SEEK_SET)));

    close(ro);

    // Unlinking a directory.
    check("unlink dir", (errno = 0, unlink(ROOT "/dir")));

    // ENAMETOOLONG
    char name[400];
    memset(name, 'n', sizeof name);
    memcpy(name, ROOT "/", strlen(ROOT "/"));
    name[sizeof name - 1] = 0;
    check("open 390-byte component", try_open(name, O_RDONLY));

    // Leaving the sandbox.
    check("open ../outside", try_open(ROOT "/../outside", O_RDONLY));
    check("open dir/../../outside", try_open(ROOT "/dir/../../outside", O_RDONLY));
    check("open /not-a-preopen/x", try_open("/not-a-preopen/x", O_RDONLY));
    check("mkdir ../escape", (errno = 0, mkdir(ROOT "/../escape", 0755)));

    // State after all of the above: nothing changed.
    struct stat st;
    check("stat file.txt", (errno = 0, stat(ROOT "/file.txt", &st)));
    printf("file.txt size=%lld\n", (long long)st.st_size);
    check("stat full/entry", (errno = 0, stat(ROOT "/full/entry", &st)));
    check("stat other", (errno = 0, stat(ROOT "/other", &st)));
    return 0;
}
