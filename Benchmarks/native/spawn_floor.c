// The floor of warden's process shape for the wasmtime engine, with nothing of warden in it:
// a launcher that spawns one child, the child loads libwasmtime.so (dlopen, RTLD_NOW, as the
// wasmtime worker does) and exits, the launcher reaps it. No policy, no hardening, no module.
// Timed as a whole command beside `wasmtime run` (Benchmarks/engines.sh), it says how much of a
// start-up budget the two processes and the shared library take before any work is done.
//
//   spawn_floor LIBRARY        launcher + child that loads LIBRARY
//   spawn_floor -              launcher + child that loads nothing (the spawn alone)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--child") == 0) {
        if (strcmp(argv[2], "-") == 0) return 0;
        if (!dlopen(argv[2], RTLD_NOW | RTLD_LOCAL)) {
            fprintf(stderr, "spawn_floor: %s\n", dlerror());
            return 1;
        }
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: spawn_floor LIBRARY|-\n");
        return 2;
    }
    char *child[] = {argv[0], "--child", argv[1], NULL};
    pid_t pid;
    int error = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, child, environ);
    if (error != 0) {
        fprintf(stderr, "spawn_floor: posix_spawn: %s\n", strerror(error));
        return 1;
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
