// Differential guest: file create/write/read/seek/stat/truncate/append/pread/pwrite/readv/
// writev/fsync/utimens inside the preopen /sandbox. Prints results, sizes and errno values
// (numeric, WASI numbering via wasi-libc), never inodes or current times.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define ROOT "/sandbox"

static void result(const char *what, long value) {
    if (value < 0) printf("%s = %ld errno=%d\n", what, value, errno);
    else printf("%s = %ld\n", what, value);
}

static const char *kind(mode_t mode) {
    if (S_ISREG(mode)) return "file";
    if (S_ISDIR(mode)) return "dir";
    if (S_ISLNK(mode)) return "symlink";
    if (S_ISCHR(mode)) return "chardev";
    if (S_ISBLK(mode)) return "blockdev";
    if (S_ISFIFO(mode)) return "fifo";
    if (S_ISSOCK(mode)) return "socket";
    return "unknown";
}

static void show_stat(const char *path) {
    struct stat st;
    errno = 0;
    if (stat(path, &st) != 0) {
        printf("stat(%s) failed errno=%d\n", path, errno);
        return;
    }
    // Directory sizes depend on the filesystem; print them for files only.
    if (S_ISDIR(st.st_mode)) printf("stat(%s): %s\n", path, kind(st.st_mode));
    else printf("stat(%s): %s size=%lld\n", path, kind(st.st_mode), (long long)st.st_size);
}

static void show_contents(const char *path) {
    char buffer[256];
    int fd = open(path, O_RDONLY);
    if (fd < 0) { printf("open(%s) failed errno=%d\n", path, errno); return; }
    ssize_t n = read(fd, buffer, sizeof buffer);
    close(fd);
    printf("contents(%s) n=%zd: [", path, n);
    for (ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buffer[i];
        if (c >= 32 && c < 127) putchar(c); else printf("\\x%02x", c);
    }
    printf("]\n");
}

int main(void) {
    char buffer[128];

    // Create and write.
    int fd = open(ROOT "/a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    result("open(a.txt, CREAT|WRONLY|TRUNC) ok", fd < 0 ? -1 : 0);
    result("write hello world", write(fd, "hello world\n", 12));
    result("lseek CUR after write", lseek(fd, 0, SEEK_CUR));
    result("read on write-only fd", read(fd, buffer, 4));
    result("close", close(fd));
    show_stat(ROOT "/a.txt");

    // Read, seek in every direction.
    fd = open(ROOT "/a.txt", O_RDWR);
    result("open(a.txt, RDWR) ok", fd < 0 ? -1 : 0);
    memset(buffer, 0, sizeof buffer);
    result("read 5", read(fd, buffer, 5));
    printf("read bytes: [%s]\n", buffer);
    result("lseek CUR", lseek(fd, 0, SEEK_CUR));
    result("lseek END-3", lseek(fd, -3, SEEK_END));
    memset(buffer, 0, sizeof buffer);
    result("read rest", read(fd, buffer, sizeof buffer - 1));
    printf("read bytes: [%s]\n", buffer[0] == 'l' ? "ld\\n" : buffer);
    result("read at EOF", read(fd, buffer, sizeof buffer));
    result("lseek SET 100", lseek(fd, 100, SEEK_SET));
    result("write Z at 100", write(fd, "Z", 1));
    result("lseek SET -1", lseek(fd, -1, SEEK_SET));
    result("lseek CUR -1000", lseek(fd, -1000, SEEK_CUR));
    struct stat st;
    result("fstat", fstat(fd, &st));
    printf("fstat: %s size=%lld\n", kind(st.st_mode), (long long)st.st_size);

    // Positional I/O leaves the offset alone.
    char one = 1;
    result("pread 1 @100", pread(fd, &one, 1, 100));
    printf("byte@100=%d\n", one);
    result("pread 1 @50 (hole)", pread(fd, &one, 1, 50));
    printf("byte@50=%d\n", one);
    result("pread @1000 (past EOF)", pread(fd, &one, 1, 1000));
    result("pwrite J @0", pwrite(fd, "J", 1, 0));
    result("lseek CUR after pread/pwrite", lseek(fd, 0, SEEK_CUR));

    // Truncate down and up.
    result("ftruncate 5", ftruncate(fd, 5));
    result("fstat", fstat(fd, &st));
    printf("size after ftruncate 5 = %lld\n", (long long)st.st_size);
    result("ftruncate 4096", ftruncate(fd, 4096));
    result("fstat", fstat(fd, &st));
    printf("size after ftruncate 4096 = %lld\n", (long long)st.st_size);
    result("ftruncate 5", ftruncate(fd, 5));
    result("fsync", fsync(fd));
    result("fdatasync", fdatasync(fd));
    result("close", close(fd));
    show_contents(ROOT "/a.txt");

    // Append mode: every write lands at the end.
    fd = open(ROOT "/a.txt", O_WRONLY | O_APPEND);
    result("open(a.txt, WRONLY|APPEND) ok", fd < 0 ? -1 : 0);
    result("lseek SET 0", lseek(fd, 0, SEEK_SET));
    result("write +app", write(fd, "+app", 4));
    result("lseek CUR after append", lseek(fd, 0, SEEK_CUR));
    result("close", close(fd));
    show_contents(ROOT "/a.txt");

    // Gather/scatter. A runtime may transfer fewer bytes than asked (wasmtime handles one
    // iovec per call), so loop like a careful program would and print only the totals.
    fd = open(ROOT "/v.txt", O_CREAT | O_RDWR | O_EXCL, 0600);
    result("open(v.txt, CREAT|RDWR|EXCL) ok", fd < 0 ? -1 : 0);
    {
        char p1[] = "one,", p3[] = "two,three";
        struct iovec out[3] = {{p1, 4}, {p1, 0}, {p3, 9}};
        long written = 0;
        int idx = 0;
        while (idx < 3) {
            ssize_t n = writev(fd, out + idx, 3 - idx);
            if (n < 0) { printf("writev errno=%d\n", errno); break; }
            written += n;
            while (idx < 3 && (size_t)n >= out[idx].iov_len) { n -= (ssize_t)out[idx].iov_len; idx++; }
            if (idx < 3) { out[idx].iov_base = (char *)out[idx].iov_base + n; out[idx].iov_len -= (size_t)n; }
        }
        printf("writev total=%ld\n", written);
        result("lseek SET 0", lseek(fd, 0, SEEK_SET));
        char a[3] = {0}, b[20] = {0};
        struct iovec in[2] = {{a, 2}, {b, sizeof b - 1}};
        long got = 0;
        idx = 0;
        while (idx < 2) {
            ssize_t n = readv(fd, in + idx, 2 - idx);
            if (n <= 0) { if (n < 0) printf("readv errno=%d\n", errno); break; }
            got += n;
            while (idx < 2 && (size_t)n >= in[idx].iov_len) { n -= (ssize_t)in[idx].iov_len; idx++; }
            if (idx < 2) { in[idx].iov_base = (char *)in[idx].iov_base + n; in[idx].iov_len -= (size_t)n; }
        }
        printf("readv total=%ld: [%.2s] [%s]\n", got, a, b);
    }
    result("close", close(fd));

    // A larger file written in odd-sized chunks, read back in other chunks, checksummed.
    fd = open(ROOT "/big.bin", O_CREAT | O_WRONLY, 0644);
    unsigned char chunk[777];
    long total = 0;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof chunk; i++) chunk[i] = (unsigned char)((round * 31 + i * 7) & 0xff);
        ssize_t n = write(fd, chunk, sizeof chunk);
        if (n != (ssize_t)sizeof chunk) { printf("short write %zd errno=%d\n", n, errno); break; }
        total += n;
    }
    close(fd);
    printf("big.bin written=%ld\n", total);
    fd = open(ROOT "/big.bin", O_RDONLY);
    unsigned long sum = 0, got = 0;
    unsigned char in4k[4096];
    for (;;) {
        ssize_t n = read(fd, in4k, sizeof in4k);
        if (n <= 0) { if (n < 0) printf("read errno=%d\n", errno); break; }
        for (ssize_t i = 0; i < n; i++) sum = sum * 131 + in4k[i];
        got += (unsigned long)n;
    }
    close(fd);
    printf("big.bin read=%lu checksum=%lu\n", got, sum);
    show_stat(ROOT "/big.bin");

    // Explicit timestamps are deterministic; current times are not printed.
    struct timespec times[2] = {{1000000000, 0}, {1234567890, 500}};
    result("utimensat", utimensat(AT_FDCWD, ROOT "/v.txt", times, 0));
    result("stat v.txt", stat(ROOT "/v.txt", &st));
    printf("v.txt atime=%lld mtime=%lld.%09ld size=%lld\n", (long long)st.st_atim.tv_sec,
           (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec, (long long)st.st_size);

    // Directory and pre-seeded file.
    show_stat(ROOT);
    show_stat(ROOT "/seed.txt");
    show_contents(ROOT "/seed.txt");
    show_stat(ROOT "/./sub/../seed.txt");
    result("access(seed.txt, R_OK)", access(ROOT "/seed.txt", R_OK));
    result("access(nope, F_OK)", access(ROOT "/nope", F_OK));
    return 0;
}
