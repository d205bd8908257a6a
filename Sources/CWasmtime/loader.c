// Loads wasmtime's C API library at run time (see CWasmtime.h for why it is not linked).
#include "CWasmtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

struct warden_wasmtime_api warden_wasmtime;

int warden_wasmtime_open(const char *library, char *error, size_t capacity) {
    // RTLD_LOCAL: the library's symbols serve only this table. RTLD_NOW: every relocation is
    // resolved now, before hardening, never lazily later.
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(error, capacity, "%s", reason ? reason : "dlopen failed");
        return -1;
    }
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
