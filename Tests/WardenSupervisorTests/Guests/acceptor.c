// A long-lived daemon that accepts by itself: the listening socket wardend granted is
// preopened at fd 3 (sock_accept). Each connection gets "accepted N\n" and is closed; the
// count shows it is one instance serving them all.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

int main(void) {
    for (int served = 1;; served++) {
        __wasi_fd_t connection = 0;
        __wasi_errno_t error = __wasi_sock_accept(3, 0, &connection);
        if (error) return 10 + error;
        char text[32];
        int length = snprintf(text, sizeof text, "accepted %d\n", served);
        __wasi_ciovec_t out = {(const uint8_t *)text, (size_t)length};
        __wasi_size_t sent = 0;
        __wasi_sock_send(connection, &out, 1, 0, &sent);
        __wasi_fd_close(connection);
    }
}
