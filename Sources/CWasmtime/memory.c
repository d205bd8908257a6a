// Linear memories for the wasmtime engine, with Warden's memory ceiling (see CWasmtime.h).
// wasmtime's own store limiter would refuse growth too, but silently; the ceiling must be
// reported (the `limit` audit event), as WasmKit's resource limiter reports it.
//
// The mappings themselves (reserve, commit read/write, release) are CWardenLinux's
// (CWardenMemory.h): only WardenSystem's shim calls the system's memory primitives, and its
// functions cannot ask for anything but PROT_NONE or PROT_READ | PROT_WRITE.
#include "CWasmtime.h"
#include "CWardenMemory.h"

#include <stdlib.h>

struct warden_linear_memory {
    uint8_t *base;
    size_t size;      // read/write bytes, from base
    size_t capacity;  // bytes it may grow to without moving (the reservation, guard excluded)
    size_t mapped;    // the whole PROT_NONE reservation, guard included
    warden_memory_ceiling_t *ceiling;
};

static uint8_t *get_memory(void *env, size_t *byte_size, size_t *byte_capacity) {
    struct warden_linear_memory *memory = env;
    *byte_size = memory->size;
    *byte_capacity = memory->capacity;
    return memory->base;
}

static wasmtime_error_t *grow_memory(void *env, size_t new_size) {
    struct warden_linear_memory *memory = env;
    if (new_size <= memory->size) return NULL;
    if (new_size > memory->ceiling->ceiling) {
        if (memory->ceiling->refused) memory->ceiling->refused(memory->ceiling->context, new_size);
        return warden_wasmtime.wasmtime_error_new("memory growth refused by the memory limit");
    }
    if (new_size > memory->capacity) return warden_wasmtime.wasmtime_error_new("memory growth beyond the reservation");
    // Read/write only: the exec lock would refuse anything else, and nothing else is needed.
    if (warden_memory_commit(memory->base, new_size) != 0) {
        return warden_wasmtime.wasmtime_error_new("mprotect failed while growing memory");
    }
    memory->size = new_size;
    return NULL;
}

static void release_memory(void *env) {
    struct warden_linear_memory *memory = env;
    warden_memory_release(memory->base, memory->mapped);
    free(memory);
}

static wasmtime_error_t *new_memory(void *env, const wasm_memorytype_t *type, size_t minimum, size_t maximum,
                                    size_t reserved, size_t guard, wasmtime_linear_memory_t *result) {
    (void)type;
    warden_memory_ceiling_t *ceiling = env;
    if (minimum > ceiling->ceiling) {
        if (ceiling->refused) ceiling->refused(ceiling->context, minimum);
        return warden_wasmtime.wasmtime_error_new("initial memory size exceeds the memory limit");
    }
    // wasmtime asks for a reservation when its compiled code elides bounds checks (32-bit
    // memories: 4 GiB); otherwise reserve up to the smaller of the type's maximum and the
    // ceiling, so the memory never has to move.
    size_t capacity = reserved;
    if (capacity == 0) capacity = maximum < ceiling->ceiling ? maximum : ceiling->ceiling;
    if (capacity < minimum) capacity = minimum;
    size_t mapped = capacity + guard;
    if (mapped < capacity || mapped == 0) return warden_wasmtime.wasmtime_error_new("memory reservation overflows");
    void *base = warden_memory_reserve(mapped);
    if (base == NULL) return warden_wasmtime.wasmtime_error_new("cannot reserve address space for a linear memory");
    if (minimum > 0 && warden_memory_commit(base, minimum) != 0) {
        warden_memory_release(base, mapped);
        return warden_wasmtime.wasmtime_error_new("cannot make a linear memory read/write");
    }
    struct warden_linear_memory *memory = malloc(sizeof *memory);
    if (memory == NULL) {
        warden_memory_release(base, mapped);
        return warden_wasmtime.wasmtime_error_new("out of memory");
    }
    *memory = (struct warden_linear_memory){ base, minimum, capacity, mapped, ceiling };
    *result = (wasmtime_linear_memory_t){ memory, get_memory, grow_memory, release_memory };
    return NULL;
}

void warden_wasmtime_set_memory_ceiling(wasm_config_t *config, warden_memory_ceiling_t *ceiling) {
    wasmtime_memory_creator_t creator = { ceiling, new_memory, NULL };
    warden_wasmtime.wasmtime_config_host_memory_creator_set(config, &creator);
}
