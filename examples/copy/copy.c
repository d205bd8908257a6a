// Demo guest: copies /in/input.txt (read-only grant) to /out/output.txt (read-write grant),
// then tries three things it was never granted. Each is refused by Warden's WASI layer and
// reported as an audit event on stderr.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void attempt(const char *what, const char *path, int flags) {
    int fd = open(path, flags, 0644);
    if (fd >= 0) {
        printf("  %-34s %s: OPENED (this must not happen)\n", what, path);
        close(fd);
    } else {
        printf("  %-34s %s: refused (%s)\n", what, path, strerror(errno));
    }
}

int main(void) {
    FILE *in = fopen("/in/input.txt", "r");
    FILE *out = fopen("/out/output.txt", "w");
    if (!in || !out) {
        perror("copy: open");
        return 1;
    }
    char buffer[4096];
    size_t total = 0, n;
    while ((n = fread(buffer, 1, sizeof buffer, in)) > 0) total += fwrite(buffer, 1, n, out);
    fclose(in);
    fclose(out);
    printf("copied %zu bytes from /in/input.txt to /out/output.txt\n", total);

    printf("now trying what the policy does not grant:\n");
    attempt("escape with '..' from /out:", "/out/../secret.txt", O_RDONLY);
    attempt("write into the read-only /in:", "/in/input.txt", O_WRONLY | O_TRUNC);
    attempt("follow a symlink out of /in:", "/in/etc-link/passwd", O_RDONLY);
    return 0;
}
