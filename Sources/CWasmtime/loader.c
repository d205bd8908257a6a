// Loads wasmtime's C API library at run time (see CWasmtime.h for why it is not linked).
#include "CWasmtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

struct warden_wasmtime_api warden_wasmtime;

// Where a bare file name is looked for: next to the worker (the build tree), then in its
// ../lib/warden (installed). The dynamic loader expands $ORIGIN in a dlopen path to the
// directory of the calling executable, as it would in a RUNPATH. The worker has no RUNPATH:
// one makes the loader search every directory in it, with its glibc-hwcaps, tls and platform
// subdirectories (about 40 failed openat and stat calls), for each of the worker's own
// libraries (libseccomp, libcap, libc...), which live in the system directories: 0.08 ms of
// every start (Benchmarks/README.md).
static const char *const directories[] = {"$ORIGIN/", "$ORIGIN/../lib/warden/"};
static const char *const places[] = {"next to the worker", "in its ../lib/warden"};
#define PLACES (sizeof directories / sizeof directories[0])

// RTLD_LOCAL: the library's symbols serve only this table. RTLD_NOW: every relocation is
// resolved now, before hardening, never lazily later.
static void *open_path(const char *path, char *reason, size_t capacity) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *text = dlerror();
        snprintf(reason, capacity, "%s", text ? text : "dlopen failed");
    }
    return handle;
}

// dlerror's text for "$ORIGIN/...NAME" starts with that path: shown from NAME on, it reads as
// the loader's own search did ("libwasmtime.so: cannot open shared object file: ...").
static const char *from_name(const char *reason, const char *directory) {
    size_t length = strlen(directory);
    return strncmp(reason, directory, length) == 0 ? reason + length : reason;
}

static void *open_library(const char *library, char *error, size_t capacity) {
    if (strchr(library, '/') != NULL) return open_path(library, error, capacity);
    char reasons[PLACES][512];
    for (size_t i = 0; i < PLACES; i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s%s", directories[i], library) >= (int)sizeof path) {
            snprintf(error, capacity, "%s: name too long", library);
            return NULL;
        }
        void *handle = open_path(path, reasons[i], sizeof reasons[i]);
        if (handle != NULL) return handle;
    }
    const char *first = from_name(reasons[0], directories[0]);
    const char *second = from_name(reasons[1], directories[1]);
    if (strcmp(first, second) == 0) {
        snprintf(error, capacity, "%s (looked %s, then %s)", first, places[0], places[1]);
    } else {
        snprintf(error, capacity, "%s (%s); %s (%s)", first, places[0], second, places[1]);
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
