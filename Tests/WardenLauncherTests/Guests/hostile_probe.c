// A tiny interpreter of hostile WASI preview1 calls, driven by argv.
//
// Every call goes straight to the raw `wasi_snapshot_preview1` imports (declared below with
// explicit pointer+length arguments), so nothing in wasi-libc rewrites paths, strips leading
// slashes, or picks rights on the guest's behalf. Each operation prints exactly one line:
//
//     #<index> <op> <errno-name>[ key=value]...
//
// where errno-name is the WASI name ("success", "notcapable", "loop", ...). Arguments:
//   FD    decimal or 0x-hex (0xffffffff is fine), or `$` for the fd of the last successful open
//   PATH  percent-decoded (`%00` puts a NUL byte in the path, `%25` is a literal percent)
//   OPEN FLAGS  any of: F follow symlinks, C creat, D directory, E excl, T trunc, R read rights,
//               W write rights, X every right, P directory rights (every right but the file
//               read/write and socket ones; inheriting: every right but the socket ones), L rights as wasi-libc asks (intersected with the
//               directory's inheriting rights), A append; `-` for none.
//
// Operations (argument count fixed per operation):
//   open FD PATH FLAGS          path_open; prints fd=N and keeps it open (`$`)
//   cat FD PATH FLAGS           path_open + read everything + close; prints data=...
//   stat FD PATH f|n            path_filestat_get; prints type=N size=N
//   settimes FD PATH f|n        path_filestat_set_times (atim=mtim=1234567890 s)
//   mkdir FD PATH | rmdir FD PATH | unlink FD PATH
//   rename FD PATH FD2 PATH2 | link FD PATH FD2 PATH2 (link: no symlink_follow)
//   linkf FD PATH FD2 PATH2     path_link with symlink_follow
//   symlink TARGET FD PATH      path_symlink
//   readlink FD PATH            prints link=...
//   close FD | renumber FD TO | prestat FD (prints name=...) | fdstat FD (type, rights)
//   write FD TEXT | read FD | setsize FD N | fsettimes FD | fstat FD
//   libcopen PATH rw|r|c        wasi-libc open(); errno is the WASI errno (wasi-libc's errno values)
//   repeat N OP...              runs the rest of the line N times, printing only the last result
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

typedef struct { uint32_t buf; uint32_t len; } iovec32;

IMPORT("path_open") int32_t raw_path_open(int32_t fd, int32_t dirflags, const char *path, int32_t len,
                                          int32_t oflags, int64_t base, int64_t inheriting, int32_t fdflags,
                                          uint32_t *out);
IMPORT("path_filestat_get") int32_t raw_path_filestat_get(int32_t fd, int32_t flags, const char *path, int32_t len,
                                                          void *out);
IMPORT("path_filestat_set_times") int32_t raw_path_filestat_set_times(int32_t fd, int32_t flags, const char *path,
                                                                      int32_t len, int64_t atim, int64_t mtim,
                                                                      int32_t fst);
IMPORT("path_create_directory") int32_t raw_path_create_directory(int32_t fd, const char *path, int32_t len);
IMPORT("path_remove_directory") int32_t raw_path_remove_directory(int32_t fd, const char *path, int32_t len);
IMPORT("path_unlink_file") int32_t raw_path_unlink_file(int32_t fd, const char *path, int32_t len);
IMPORT("path_rename") int32_t raw_path_rename(int32_t fd, const char *old, int32_t oldlen, int32_t newfd,
                                              const char *newp, int32_t newlen);
IMPORT("path_link") int32_t raw_path_link(int32_t oldfd, int32_t flags, const char *old, int32_t oldlen,
                                          int32_t newfd, const char *newp, int32_t newlen);
IMPORT("path_symlink") int32_t raw_path_symlink(const char *old, int32_t oldlen, int32_t fd, const char *newp,
                                                int32_t newlen);
IMPORT("path_readlink") int32_t raw_path_readlink(int32_t fd, const char *path, int32_t len, char *buf,
                                                  int32_t buflen, uint32_t *used);
IMPORT("fd_close") int32_t raw_fd_close(int32_t fd);
IMPORT("fd_renumber") int32_t raw_fd_renumber(int32_t fd, int32_t to);
IMPORT("fd_prestat_get") int32_t raw_fd_prestat_get(int32_t fd, uint32_t *out);
IMPORT("fd_prestat_dir_name") int32_t raw_fd_prestat_dir_name(int32_t fd, char *buf, int32_t len);
IMPORT("fd_fdstat_get") int32_t raw_fd_fdstat_get(int32_t fd, void *out);
IMPORT("fd_filestat_get") int32_t raw_fd_filestat_get(int32_t fd, void *out);
IMPORT("fd_read") int32_t raw_fd_read(int32_t fd, const iovec32 *iovs, int32_t count, uint32_t *nread);
IMPORT("fd_write") int32_t raw_fd_write(int32_t fd, const iovec32 *iovs, int32_t count, uint32_t *nwritten);
IMPORT("fd_filestat_set_size") int32_t raw_fd_filestat_set_size(int32_t fd, int64_t size);
IMPORT("fd_filestat_set_times") int32_t raw_fd_filestat_set_times(int32_t fd, int64_t atim, int64_t mtim,
                                                                  int32_t fst);

static const char *const names[] = {
    "success", "2big", "acces", "addrinuse", "addrnotavail", "afnosupport", "again", "already", "badf",
    "badmsg", "busy", "canceled", "child", "connaborted", "connrefused", "connreset", "deadlk",
    "destaddrreq", "dom", "dquot", "exist", "fault", "fbig", "hostunreach", "idrm", "ilseq", "inprogress",
    "intr", "inval", "io", "isconn", "isdir", "loop", "mfile", "mlink", "msgsize", "multihop",
    "nametoolong", "netdown", "netreset", "netunreach", "nfile", "nobufs", "nodev", "noent", "noexec",
    "nolck", "nolink", "nomem", "nomsg", "noprotoopt", "nospc", "nosys", "notconn", "notdir", "notempty",
    "notrecoverable", "notsock", "notsup", "notty", "nxio", "overflow", "ownerdead", "perm", "pipe",
    "proto", "protonosupport", "prototype", "range", "rofs", "spipe", "srch", "stale", "timedout",
    "txtbsy", "xdev", "notcapable",
};

static const char *errname(int32_t e) {
    static char other[32];
    if (e >= 0 && e < (int32_t)(sizeof names / sizeof names[0])) return names[e];
    snprintf(other, sizeof other, "errno%d", (int)e);
    return other;
}

// Rights (wasi_snapshot_preview1 bit positions).
#define R(bit) (UINT64_C(1) << (bit))
static const uint64_t READ_RIGHTS = R(1) | R(2) | R(3) | R(5) | R(7) | R(14) | R(21) | R(27);
static const uint64_t WRITE_RIGHTS = R(0) | R(4) | R(6) | R(8) | R(22) | R(23);
static const uint64_t ALL_RIGHTS = (UINT64_C(1) << 30) - 1;
// Every right but the socket ones (sock_shutdown, sock_accept).
static const uint64_t NON_SOCKET_RIGHTS = ALL_RIGHTS & ~(R(28) | R(29));
// Everything a directory descriptor can use (no file read/write or socket rights).
static const uint64_t DIR_RIGHTS = NON_SOCKET_RIGHTS & ~(R(0) | R(1) | R(6) | R(8) | R(22));

static uint32_t last_fd = UINT32_MAX;
static char line[8192];
static size_t line_used;

static void out(const char *format, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void out(const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line + line_used, sizeof line - line_used, format, args);
    va_end(args);
    if (n > 0) line_used += (size_t)n < sizeof line - line_used ? (size_t)n : sizeof line - line_used - 1;
}

static void out_escaped(const char *key, const char *data, size_t len) {
    out(" %s=", key);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c > 32 && c < 127 && c != '%') out("%c", c);
        else out("%%%02X", c);
    }
}

static uint32_t parse_fd(const char *text) {
    if (strcmp(text, "$") == 0) return last_fd;
    return (uint32_t)strtoul(text, NULL, 0);
}

// Percent-decodes into a static buffer; returns the byte length.
static int32_t decode(const char *text, char *buffer, size_t capacity) {
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < capacity; p++) {
        if (p[0] == '%' && p[1] && p[2]) {
            char hex[3] = {p[1], p[2], 0};
            buffer[n++] = (char)strtol(hex, NULL, 16);
            p += 2;
        } else {
            buffer[n++] = *p;
        }
    }
    buffer[n] = 0;
    return (int32_t)n;
}

static char path_a[4096], path_b[4096];

static int32_t do_open(uint32_t fd, const char *path, int32_t len, const char *flags, uint32_t *opened) {
    int32_t dirflags = 0, oflags = 0, fdflags = 0;
    uint64_t base = 0, inheriting = 0;
    int libc_rights = 0;
    for (const char *f = flags; *f; f++) {
        switch (*f) {
        case 'F': dirflags |= 1; break;
        case 'C': oflags |= 1; break;
        case 'D': oflags |= 2; break;
        case 'E': oflags |= 4; break;
        case 'T': oflags |= 8; break;
        case 'R': base |= READ_RIGHTS; inheriting |= READ_RIGHTS; break;
        case 'W': base |= WRITE_RIGHTS; inheriting |= WRITE_RIGHTS; break;
        case 'X': base |= ALL_RIGHTS; inheriting |= ALL_RIGHTS; break;
        case 'P': base |= DIR_RIGHTS; inheriting |= NON_SOCKET_RIGHTS; break;
        case 'L': libc_rights = 1; break;
        case 'A': fdflags |= 1; break;
        default: break;
        }
    }
    if (libc_rights) {
        // As wasi-libc's openat: every right except the access-mode ones not asked for,
        // intersected with what the directory passes on.
        uint8_t stat[24];
        int32_t e = raw_fd_fdstat_get((int32_t)fd, stat);
        if (e != 0) return e;
        uint64_t dir_inheriting;
        memcpy(&dir_inheriting, stat + 16, 8);
        uint64_t max = ~(R(0) | R(1) | R(6) | R(8) | R(14) | R(22)) | base;
        base = max & dir_inheriting;
        inheriting = dir_inheriting;
    }
    return raw_path_open((int32_t)fd, dirflags, path, len, oflags, (int64_t)base, (int64_t)inheriting, fdflags,
                         opened);
}

static int32_t read_all(uint32_t fd) {
    char buffer[4096];
    size_t total = 0;
    for (;;) {
        iovec32 iov = {(uint32_t)(uintptr_t)(buffer + total), (uint32_t)(sizeof buffer - total)};
        uint32_t n = 0;
        int32_t e = raw_fd_read((int32_t)fd, &iov, 1, &n);
        if (e != 0) {
            out_escaped("data", buffer, total);
            return e;
        }
        if (n == 0 || total + n >= sizeof buffer) { total += n; break; }
        total += n;
    }
    out_escaped("data", buffer, total);
    return 0;
}

// Runs one operation starting at argv[i]; returns how many arguments it consumed (0 = unknown).
static int run(int argc, char **argv, int i, int32_t *result) {
    const char *op = argv[i];
    int left = argc - i - 1;
    char **a = argv + i + 1;
#define NEED(n) do { if (left < (n)) { fprintf(stderr, "%s needs %d arguments\n", op, n); exit(2); } } while (0)
    if (!strcmp(op, "open")) {
        NEED(3);
        int32_t len = decode(a[1], path_a, sizeof path_a);
        uint32_t opened = UINT32_MAX;
        *result = do_open(parse_fd(a[0]), path_a, len, a[2], &opened);
        if (*result == 0) { last_fd = opened; out(" fd=%u", opened); }
        return 4;
    }
    if (!strcmp(op, "cat")) {
        NEED(3);
        int32_t len = decode(a[1], path_a, sizeof path_a);
        uint32_t opened = UINT32_MAX;
        *result = do_open(parse_fd(a[0]), path_a, len, a[2], &opened);
        if (*result == 0) {
            *result = read_all(opened);
            raw_fd_close((int32_t)opened);
        }
        return 4;
    }
    if (!strcmp(op, "stat") || !strcmp(op, "settimes")) {
        NEED(3);
        int32_t len = decode(a[1], path_a, sizeof path_a);
        int32_t flags = a[2][0] == 'f' ? 1 : 0;
        if (op[1] == 't') {
            uint8_t st[64];
            *result = raw_path_filestat_get((int32_t)parse_fd(a[0]), flags, path_a, len, st);
            if (*result == 0) {
                uint64_t size;
                memcpy(&size, st + 32, 8);
                out(" type=%u size=%llu", st[16], (unsigned long long)size);
            }
        } else {
            int64_t t = INT64_C(1234567890) * 1000000000;
            *result = raw_path_filestat_set_times((int32_t)parse_fd(a[0]), flags, path_a, len, t, t, 1 | 4);
        }
        return 4;
    }
    if (!strcmp(op, "mkdir") || !strcmp(op, "rmdir") || !strcmp(op, "unlink") || !strcmp(op, "readlink")) {
        NEED(2);
        int32_t fd = (int32_t)parse_fd(a[0]);
        int32_t len = decode(a[1], path_a, sizeof path_a);
        if (op[0] == 'm') *result = raw_path_create_directory(fd, path_a, len);
        else if (op[0] == 'r' && op[2] == 'd') *result = raw_path_remove_directory(fd, path_a, len);
        else if (op[0] == 'u') *result = raw_path_unlink_file(fd, path_a, len);
        else {
            char buffer[512];
            uint32_t used = 0;
            *result = raw_path_readlink(fd, path_a, len, buffer, sizeof buffer, &used);
            if (*result == 0) out_escaped("link", buffer, used);
        }
        return 3;
    }
    if (!strcmp(op, "rename") || !strcmp(op, "link") || !strcmp(op, "linkf")) {
        NEED(4);
        int32_t la = decode(a[1], path_a, sizeof path_a);
        int32_t lb = decode(a[3], path_b, sizeof path_b);
        if (op[0] == 'r')
            *result = raw_path_rename((int32_t)parse_fd(a[0]), path_a, la, (int32_t)parse_fd(a[2]), path_b, lb);
        else
            *result = raw_path_link((int32_t)parse_fd(a[0]), op[4] == 'f' ? 1 : 0, path_a, la,
                                    (int32_t)parse_fd(a[2]), path_b, lb);
        return 5;
    }
    if (!strcmp(op, "symlink")) {
        NEED(3);
        int32_t la = decode(a[0], path_a, sizeof path_a);
        int32_t lb = decode(a[2], path_b, sizeof path_b);
        *result = raw_path_symlink(path_a, la, (int32_t)parse_fd(a[1]), path_b, lb);
        return 4;
    }
    if (!strcmp(op, "close")) { NEED(1); *result = raw_fd_close((int32_t)parse_fd(a[0])); return 2; }
    if (!strcmp(op, "renumber")) {
        NEED(2);
        *result = raw_fd_renumber((int32_t)parse_fd(a[0]), (int32_t)parse_fd(a[1]));
        return 3;
    }
    if (!strcmp(op, "prestat")) {
        NEED(1);
        uint32_t prestat[2] = {0, 0};
        int32_t fd = (int32_t)parse_fd(a[0]);
        *result = raw_fd_prestat_get(fd, prestat);
        if (*result == 0) {
            char name[256];
            uint32_t n = prestat[1] < sizeof name ? prestat[1] : sizeof name - 1;
            int32_t e = raw_fd_prestat_dir_name(fd, name, (int32_t)n);
            if (e == 0) out_escaped("name", name, n);
            else out(" name_errno=%s", errname(e));
        }
        return 2;
    }
    if (!strcmp(op, "fdstat")) {
        NEED(1);
        uint8_t st[24];
        *result = raw_fd_fdstat_get((int32_t)parse_fd(a[0]), st);
        if (*result == 0) {
            uint64_t base, inheriting;
            memcpy(&base, st + 8, 8);
            memcpy(&inheriting, st + 16, 8);
            out(" type=%u base=0x%llx inheriting=0x%llx", st[0], (unsigned long long)base,
                (unsigned long long)inheriting);
        }
        return 2;
    }
    if (!strcmp(op, "fstat")) {
        NEED(1);
        uint8_t st[64];
        *result = raw_fd_filestat_get((int32_t)parse_fd(a[0]), st);
        if (*result == 0) {
            uint64_t size;
            memcpy(&size, st + 32, 8);
            out(" type=%u size=%llu", st[16], (unsigned long long)size);
        }
        return 2;
    }
    if (!strcmp(op, "write")) {
        NEED(2);
        int32_t len = decode(a[1], path_a, sizeof path_a);
        iovec32 iov = {(uint32_t)(uintptr_t)path_a, (uint32_t)len};
        uint32_t n = 0;
        *result = raw_fd_write((int32_t)parse_fd(a[0]), &iov, 1, &n);
        if (*result == 0) out(" n=%u", n);
        return 3;
    }
    if (!strcmp(op, "read")) { NEED(1); *result = read_all(parse_fd(a[0])); return 2; }
    if (!strcmp(op, "setsize")) {
        NEED(2);
        *result = raw_fd_filestat_set_size((int32_t)parse_fd(a[0]), (int64_t)strtoll(a[1], NULL, 0));
        return 3;
    }
    if (!strcmp(op, "fsettimes")) {
        NEED(1);
        int64_t t = INT64_C(1234567890) * 1000000000;
        *result = raw_fd_filestat_set_times((int32_t)parse_fd(a[0]), t, t, 1 | 4);
        return 2;
    }
    if (!strcmp(op, "libcopen")) {
        NEED(2);
        int mode = !strcmp(a[1], "rw") ? O_RDWR : !strcmp(a[1], "c") ? (O_RDWR | O_CREAT) : O_RDONLY;
        errno = 0;
        int fd = open(a[0], mode, 0644);
        *result = fd < 0 ? errno : 0;
        if (fd >= 0) { out(" fd=%d", fd); last_fd = (uint32_t)fd; }
        return 3;
    }
    return 0;
}

int main(int argc, char **argv) {
    int index = 0;
    for (int i = 1; i < argc;) {
        line_used = 0;
        line[0] = 0;
        int32_t result = -1;
        const char *op = argv[i];
        int used;
        if (!strcmp(op, "repeat") && i + 2 < argc) {
            long times = strtol(argv[i + 1], NULL, 0);
            op = argv[i + 2];
            used = 0;
            for (long k = 0; k < times; k++) {
                line_used = 0;
                line[0] = 0;
                used = run(argc, argv, i + 2, &result);
                if (!used) break;
            }
            if (used) used += 2;
        } else {
            used = run(argc, argv, i, &result);
        }
        if (used <= 0) {
            fprintf(stderr, "unknown operation %s\n", argv[i]);
            return 2;
        }
        printf("#%d %s %s%s\n", index++, op, errname(result), line);
        fflush(stdout);
        i += used;
    }
    return 0;
}
