// sock_accept, sock_recv, sock_send, sock_shutdown on the listening socket at fd 3 (from
// --tcplisten): accept one connection, read one line (peeking first), echo it back, shut
// down the write side, wait for the peer to close. Then the error cases.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define LISTENER 3

static void fail(const char *what, __wasi_errno_t e) {
    printf("FAIL %s errno=%d\n", what, e);
    __wasi_proc_exit(100);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(LISTENER, &st);
    printf("listener fdstat errno=%d type=%d\n", e, st.fs_filetype);

    __wasi_fd_t conn = 0;
    e = __wasi_sock_accept(LISTENER, 0, &conn);
    if (e) fail("sock_accept", e);
    printf("accepted new-fd=%s\n", conn > LISTENER ? "yes" : "no");
    e = __wasi_fd_fdstat_get(conn, &st);
    printf("connection fdstat errno=%d type=%d\n", e, st.fs_filetype);

    char peek[4];
    __wasi_iovec_t pv = {(uint8_t *)peek, sizeof peek};
    __wasi_size_t n = 0;
    __wasi_roflags_t roflags = 0xffff;
    e = __wasi_sock_recv(conn, &pv, 1, __WASI_RIFLAGS_RECV_PEEK, &n, &roflags);
    printf("peek errno=%d data=<%.*s> roflags=%d\n", e, (int)n, peek, roflags);

    // Read until the newline, in small scattered pieces.
    char line[256];
    size_t len = 0;
    while (len == 0 || line[len - 1] != '\n') {
        if (len + 5 >= sizeof line) fail("line too long", 0);
        __wasi_iovec_t v[2] = {{(uint8_t *)line + len, 2}, {(uint8_t *)line + len + 2, 3}};
        e = __wasi_sock_recv(conn, v, 2, 0, &n, &roflags);
        if (e) fail("sock_recv", e);
        if (n == 0) fail("peer closed early", 0);
        len += n;
    }
    printf("received <%.*s>\n", (int)(len - 1), line);

    __wasi_ciovec_t out[3] = {{(const uint8_t *)"echo: ", 6}, {(const uint8_t *)line, len}};
    size_t want = 6 + len, sent = 0;
    // Loop on short sends (the gather vector is rebuilt from what is left).
    while (sent < want) {
        char flat[300];
        memcpy(flat, "echo: ", 6);
        memcpy(flat + 6, line, len);
        __wasi_ciovec_t rest = {(const uint8_t *)flat + sent, want - sent};
        if (sent == 0) e = __wasi_sock_send(conn, out, 2, 0, &n);
        else e = __wasi_sock_send(conn, &rest, 1, 0, &n);
        if (e) fail("sock_send", e);
        sent += n;
    }
    printf("sent %zu bytes\n", sent);

    e = __wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR);
    printf("shutdown-wr errno=%d\n", e);
    __wasi_ciovec_t more = {(const uint8_t *)"x", 1};
    e = __wasi_sock_send(conn, &more, 1, 0, &n);
    printf("send-after-shutdown %s\n", e == __WASI_ERRNO_PIPE ? "pipe" : "NOT-PIPE");
    // The peer closes after reading the echo: recv then reports end of stream.
    char tail[16];
    __wasi_iovec_t tv = {(uint8_t *)tail, sizeof tail};
    e = __wasi_sock_recv(conn, &tv, 1, 0, &n, &roflags);
    printf("recv-after-peer-close errno=%d n=%u\n", e, (unsigned)n);
    printf("close errno=%d\n", __wasi_fd_close(conn));

    // Errors: not a socket, a bad fd, a bad `how`, and a non-blocking accept with nothing pending.
    __wasi_fd_t other;
    printf("accept-bad-fd errno=%d\n", __wasi_sock_accept(99, 0, &other));
    printf("recv-bad-fd errno=%d\n", __wasi_sock_recv(99, &tv, 1, 0, &n, &roflags));
    printf("send-bad-fd errno=%d\n", __wasi_sock_send(99, &more, 1, 0, &n));
    printf("shutdown-bad-fd errno=%d\n", __wasi_sock_shutdown(99, __WASI_SDFLAGS_WR));
    e = __wasi_fd_fdstat_set_flags(LISTENER, __WASI_FDFLAGS_NONBLOCK);
    printf("listener nonblock errno=%d\n", e);
    e = __wasi_sock_accept(LISTENER, 0, &other);
    printf("accept-nothing-pending errno=%d\n", e);
    return 0;
}
