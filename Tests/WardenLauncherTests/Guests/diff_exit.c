// Differential guest: exit status. Usage: diff_exit MODE CODE, MODE one of
//   return     return CODE from main (stdio flushed by libc)
//   exit       exit(CODE) from a nested call (stdio flushed)
//   _Exit      _Exit(CODE): proc_exit without flushing stdio (buffered text is lost)
//   proc_exit  fflush, then __wasi_proc_exit(CODE) directly
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

__attribute__((noinline)) static void nested(int code) {
    printf("nested exit %d\n", code);
    exit(code);
}

int main(int argc, char **argv) {
    if (argc != 3) { printf("usage\n"); return 2; }
    int code = atoi(argv[2]);
    printf("mode=%s code=%d\n", argv[1], code);
    if (strcmp(argv[1], "return") == 0) return code;
    if (strcmp(argv[1], "exit") == 0) nested(code);
    if (strcmp(argv[1], "_Exit") == 0) {
        printf("this line stays in the stdio buffer");
        _Exit(code);
    }
    if (strcmp(argv[1], "proc_exit") == 0) {
        fflush(stdout);
        __wasi_proc_exit((__wasi_exitcode_t)code);
    }
    printf("unknown mode\n");
    return 2;
}
