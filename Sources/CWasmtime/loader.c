// Loads wasmtime's C API library at run time (see CWasmtime.h for why it is not linked).
#include "CWasmtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

struct warden_wasmtime_api warden_wasmtime;

// Where a bare file name is looked for: next to the worker (the build tree) and in
// ../lib/warden (installed). The dynamic loader expands $ORIGIN in a dlopen path to the
// directory of the calling executable, as it would in a RUNPATH. The worker has no RUNPATH:
// one makes the loader search every directory in it, with its glibc-hwcaps, tls and platform
// subdirectories (about 40 failed openat and stat calls), for each of the worker's own
// libraries (libseccomp, libcap, libc...), which live in the system directories: 0.08 ms of
// every start (Benchmarks/README.md).
static const char *const directories[] = {"$ORIGIN/", "$ORIGIN/../lib/warden/"};

// RTLD_LOCAL: the library's symbols serve only this table. RTLD_NOW: every relocation is
// resolved now, before hardening, never lazily later.
static void *open_library(const char *library, char *error, size_t capacity) {
    if (strchr(library, '/') != NULL) {
        void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) {
            const char *reason = dlerror();
            snprintf(error, capacity, "%s", reason ? reason : "dlopen failed");
        }
        return handle;
    }
    size_t used = 0;
    for (size_t i = 0; i < sizeof directories / sizeof directories[0]; i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s%s", directories[i], library) >= (int)sizeof path) {
            snprintf(error, capacity, "%s: name too long", library);
            return NULL;
        }
        void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (handle != NULL) return handle;
        // Every place tried is reported: "$ORIGIN/libwasmtime.so: cannot open shared object
        // file: No such file or directory; $ORIGIN/../lib/warden/libwasmtime.so: ...".
        const char *reason = dlerror();
        if (used < capacity) {
            int written = snprintf(error + used, capacity - used, "%s%s", used ? "; " : "",
                                   reason ? reason : "dlopen failed");
            if (written > 0) used += (size_t)written;
        }
    }
    return NULL;
}

int warden_wasmtime_open(const char *library, char *error, size_t capacity) {
    void *handle = open_library(library, error, capacity);
    if (handle == NULL) return -1;
    struct warden_wasmtime_api api;
#define WARDEN_RESOLVE(name)                                                            \
    *(void **)(&api.name) = dlsym(handle, #name);                                       \
    if (api.name == NULL) {                                                             \
        snprintf(error, capacity, "%s does not export %s (not the pinned wasmtime?)", library, #name); \
        dlclose(handle);                                                                \
        return -1;                                                                      \
    }
#define WARDEN_RESOLVE_VALUE(type, name, params, args) WARDEN_RESOLVE(name)
#define WARDEN_RESOLVE_VOID(name, params, args) WARDEN_RESOLVE(name)
    WARDEN_WASMTIME_FUNCTIONS(WARDEN_RESOLVE_VALUE, WARDEN_RESOLVE_VOID)
#undef WARDEN_RESOLVE_VALUE
#undef WARDEN_RESOLVE_VOID
#undef WARDEN_RESOLVE
    warden_wasmtime = api;
    return 0;
}
