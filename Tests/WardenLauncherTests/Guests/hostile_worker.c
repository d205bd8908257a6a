/* Test-only: a compromised warden-worker. It speaks the control protocol badly on purpose
 * (impossible signals, half frames, oversized frames, closed sockets, lies followed by a
 * different death, a refused syscall after closing the control socket) so the tests can show
 * the launcher never hangs, crashes or believes it. Built with gcc at test time; installed
 * as "warden-worker" next to a hard link of warden. Written during the boundary review. */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <linux/audit.h>
#include <stddef.h>

static FILE *logf;
static unsigned char buf[1 << 16];
static size_t blen;
static void b_u8(uint8_t v) { buf[blen++] = v; }
static void b_u32(uint32_t v) { memcpy(buf + blen, &v, 4); blen += 4; }
static void b_str(const char *s) { b_u32(strlen(s)); memcpy(buf + blen, s, strlen(s)); blen += strlen(s); }

static int send_frame(const unsigned char *p, size_t n, int fd) {
    unsigned char out[1 << 16 + 4];
    uint32_t len = n; memcpy(out, &len, 4); memcpy(out + 4, p, n);
    struct iovec v = { out, n + 4 };
    union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr a; } c;
    struct msghdr m; memset(&m, 0, sizeof m); m.msg_iov = &v; m.msg_iovlen = 1;
    if (fd >= 0) {
        m.msg_control = c.b; m.msg_controllen = sizeof c.b;
        struct cmsghdr *h = CMSG_FIRSTHDR(&m); h->cmsg_level = SOL_SOCKET; h->cmsg_type = SCM_RIGHTS; h->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(h), &fd, sizeof(int));
    }
    return sendmsg(3, &m, MSG_NOSIGNAL);
}
static void msg_reset(void) { blen = 0; }
static void send_msg(int fd) { send_frame(buf, blen, fd); }

static void read_config(void) {
    uint32_t len; if (read(3, &len, 4) != 4) exit(90);
    char *p = malloc(len); size_t got = 0;
    while (got < len) { ssize_t n = read(3, p + got, len - got); if (n <= 0) exit(91); got += n; }
    fprintf(logf, "config %u bytes\n", len);
}

static int install_listener(void) {
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof f / sizeof f[0], f };
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    int fd = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    fprintf(logf, "listener fd %d errno %d\n", fd, errno); fflush(logf);
    return fd;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    logf = fopen("/dev/null", "a");
    /* The mode is the file name of the "mode" file next to this executable (the worker gets
       no environment and no arguments). */
    char self[4096] = {0}, mode[64] = {0};
    if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) _exit(92);
    char *slash = strrchr(self, '/'); if (slash) strcpy(slash + 1, "mode");
    FILE *mf = fopen(self, "r"); if (!mf || fscanf(mf, "%63s", mode) != 1) _exit(93); fclose(mf);
    fprintf(logf, "pid %d mode %s\n", getpid(), mode);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    read_config();
    if (!strcmp(mode, "sigmax")) { msg_reset(); b_u8(6); b_u32(0x7fffffff); send_msg(-1); _exit(0); }
    if (!strcmp(mode, "signeg")) { msg_reset(); b_u8(6); b_u32((uint32_t)-128); send_msg(-1); _exit(0); }
    if (!strcmp(mode, "huge")) { uint32_t l = 0xffffffffu; write(3, &l, 4); sleep(3600); }
    if (!strcmp(mode, "closectl")) { close(3); sleep(3600); }
    if (!strcmp(mode, "readynolistener")) { msg_reset(); b_u8(1); b_u32(0); send_msg(-1); sleep(3600); }
    if (!strcmp(mode, "exitedloop")) { msg_reset(); b_u8(5); b_u32(0); send_msg(-1); sleep(3600); }
    if (!strcmp(mode, "exitedkilled")) { msg_reset(); b_u8(5); b_u32(0); send_msg(-1); usleep(100000); raise(SIGKILL); }
    if (!strcmp(mode, "partial") || !strcmp(mode, "notify") || !strcmp(mode, "closenotify")) {
        int l = install_listener();
        msg_reset(); b_u8(8); send_msg(l); close(l);
        msg_reset(); b_u8(1); b_u32(0); send_msg(-1);  /* ready */
        if (!strcmp(mode, "partial")) { uint32_t len = 100; write(3, &len, 4); write(3, "abc", 3); }
        if (!strcmp(mode, "closenotify")) close(3);
        usleep(200000);
        fprintf(logf, "calling getppid\n");
        long r = syscall(__NR_getppid);
        fprintf(logf, "getppid -> %ld errno %d\n", r, errno);
        _exit(0);
    }
    if (!strcmp(mode, "flood") || !strcmp(mode, "floodfd")) {
        for (int i = 0; i < 100000; i++) {
            msg_reset(); b_u8(2); b_str("path_open"); b_u8(0); b_u8(0); b_u8(1); b_str("../../etc/passwd"); b_str("escape-attempt"); b_str("notcapable");
            send_msg(!strcmp(mode, "floodfd") ? 0 : -1);
        }
        msg_reset(); b_u8(5); b_u32(0); send_msg(-1); _exit(0);
    }
    if (!strcmp(mode, "fdhold")) {
        /* pass fds with frames of every type, then pause so the launcher's fd table can be inspected */
        for (int i = 0; i < 50; i++) { msg_reset(); b_u8(8); send_msg(0); }
        for (int i = 0; i < 50; i++) { msg_reset(); b_u8(1); b_u32(0); send_msg(0); }
        sleep(2); msg_reset(); b_u8(99); send_msg(0); sleep(3600);
    }
    if (!strcmp(mode, "exitedspin")) { msg_reset(); b_u8(5); b_u32(0); send_msg(-1); struct rlimit r = {1, 2}; setrlimit(RLIMIT_CPU, &r); for (volatile unsigned long x = 0;; x++); }
    if (!strcmp(mode, "earlyexit")) { _exit(7); }
    _exit(0);
}
