// args_get, args_sizes_get, environ_get, environ_sizes_get through the raw imports.
// Prints the counts and sizes, every string, and whether the strings are packed back to back
// in the buffer (each NUL-terminated), as the witx layout requires.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static int dump(const char *label, __wasi_size_t count, __wasi_size_t size, uint8_t **ptrs, uint8_t *buf) {
    printf("%s count=%u size=%u\n", label, (unsigned)count, (unsigned)size);
    uint8_t *expect = buf;
    int packed = 1;
    for (__wasi_size_t i = 0; i < count; i++) {
        if (ptrs[i] != expect) packed = 0;
        size_t len = strnlen((char *)ptrs[i], (size_t)(buf + size - ptrs[i]));
        if (ptrs[i] + len >= buf + size) { packed = 0; break; }  // not NUL-terminated in the buffer
        printf("%s[%u]=<%s>\n", label, (unsigned)i, (char *)ptrs[i]);
        expect = ptrs[i] + len + 1;
    }
    if (expect != buf + size) packed = 0;
    printf("%s packed=%s\n", label, packed ? "yes" : "no");
    return packed;
}

int main(void) {
    __wasi_size_t argc = 0, argsize = 0, envc = 0, envsize = 0;
    __wasi_errno_t e = __wasi_args_sizes_get(&argc, &argsize);
    if (e) { printf("args_sizes_get errno=%d\n", e); return 10; }
    // Poison the buffers so stale bytes would show.
    uint8_t **argv = malloc((argc + 1) * sizeof *argv);
    uint8_t *argbuf = malloc(argsize + 1);
    memset(argv, 0xAB, (argc + 1) * sizeof *argv);
    memset(argbuf, 'Z', argsize + 1);
    e = __wasi_args_get(argv, argbuf);
    if (e) { printf("args_get errno=%d\n", e); return 11; }
    // The host must not write past what it announced.
    if (argbuf[argsize] != 'Z' || argv[argc] != (uint8_t *)0xABABABAB) { printf("args overflow\n"); return 12; }
    int ok = dump("arg", argc, argsize, argv, argbuf);

    e = __wasi_environ_sizes_get(&envc, &envsize);
    if (e) { printf("environ_sizes_get errno=%d\n", e); return 13; }
    uint8_t **envp = malloc((envc + 1) * sizeof *envp);
    uint8_t *envbuf = malloc(envsize + 1);
    memset(envp, 0xAB, (envc + 1) * sizeof *envp);
    memset(envbuf, 'Z', envsize + 1);
    e = __wasi_environ_get(envp, envbuf);
    if (e) { printf("environ_get errno=%d\n", e); return 14; }
    if (envbuf[envsize] != 'Z' || envp[envc] != (uint8_t *)0xABABABAB) { printf("environ overflow\n"); return 15; }
    ok &= dump("env", envc, envsize, envp, envbuf);
    // libc's view, built from the same calls.
    printf("getenv(A)=%s\n", getenv("A") ? getenv("A") : "(null)");
    return ok ? 0 : 16;
}
