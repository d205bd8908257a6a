// Our own declarations of the part of wasmtime's C API that Warden calls, written from the C
// API documentation (crates/c-api/include/wasmtime/*.h) and checked against the struct layouts
// of the pinned release (see Makefile: WASMTIME_VERSION). No wasmtime header is copied here.
//
// The library is not linked: `warden_wasmtime_open` loads it with dlopen (next to the calling
// executable, else in its ../lib/warden: `$ORIGIN` paths, see loader.c) and fills one table of
// function pointers. The `static inline` wrappers below give Swift the C API's own names
// without exporting a symbol of that name from our executable (which could interpose on the
// library's). Without the library everything still builds; only `open` fails, with dlerror's
// reason, which the worker reports as "engine unavailable".
#ifndef WARDEN_CWASMTIME_H
#define WARDEN_CWASMTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Opaque handles (owned by the library).
typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasm_valtype_t wasm_valtype_t;
typedef struct wasm_functype_t wasm_functype_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_module wasmtime_module_t;
typedef struct wasmtime_store wasmtime_store_t;
typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_linker wasmtime_linker_t;
typedef struct wasmtime_caller wasmtime_caller_t;

// wasm.h: vectors own their data; `*_delete` frees it.
typedef struct wasm_byte_vec_t {
    size_t size;
    char *data;
} wasm_byte_vec_t;

typedef struct wasm_valtype_vec_t {
    size_t size;
    wasm_valtype_t **data;
} wasm_valtype_vec_t;

// A module's imports (wasmtime_module_imports): module and field names, as byte vectors the
// import type owns.
typedef struct wasm_importtype_t wasm_importtype_t;
typedef struct wasm_importtype_vec_t {
    size_t size;
    wasm_importtype_t **data;
} wasm_importtype_vec_t;

// wasm_valkind_t: WASM_I32 = 0, WASM_I64 = 1, WASM_F32 = 2, WASM_F64 = 3.
typedef uint8_t wasm_valkind_t;
enum { WARDEN_WASM_I32 = 0, WARDEN_WASM_I64 = 1 };

// extern.h: the store-owned items, by value. Only their sizes and the fields named here matter
// to us; the private fields are the library's.
typedef struct wasmtime_func {
    uint64_t store_id;
    void *private_;
} wasmtime_func_t;

typedef struct wasmtime_memory {
    struct {
        uint64_t store_id;
        uint32_t private1;
    } base;
    uint32_t private2;
} wasmtime_memory_t;

// wasmtime_extern_kind_t: FUNC = 0, GLOBAL = 1, TABLE = 2, MEMORY = 3, SHAREDMEMORY = 4.
typedef uint8_t wasmtime_extern_kind_t;
enum { WARDEN_WASMTIME_EXTERN_FUNC = 0, WARDEN_WASMTIME_EXTERN_MEMORY = 3 };

// 32 bytes: a kind byte, then a union whose largest member (a global) takes 24.
typedef struct wasmtime_extern {
    wasmtime_extern_kind_t kind;
    union {
        wasmtime_func_t func;
        wasmtime_memory_t memory;
        uint64_t storage[3];
    } of;
} wasmtime_extern_t;

typedef struct wasmtime_instance {
    uint64_t store_id;
    size_t private_;
} wasmtime_instance_t;

// val.h: one untyped slot of an unchecked call's argument/result array (16 bytes: v128).
typedef union wasmtime_val_raw {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t v128[16];
    uint32_t anyref;
    uint32_t externref;
    void *funcref;
} wasmtime_val_raw_t;

// func.h: a host function without type information; results overwrite the arguments.
typedef wasm_trap_t *(*wasmtime_func_unchecked_callback_t)(void *env, wasmtime_caller_t *caller,
                                                            wasmtime_val_raw_t *args_and_results,
                                                            size_t num_args_and_results);

// trap.h: wasmtime_trap_code_t values Warden names.
typedef uint8_t wasmtime_trap_code_t;
enum {
    WARDEN_TRAP_STACK_OVERFLOW = 0,
    WARDEN_TRAP_MEMORY_OUT_OF_BOUNDS = 1,
    WARDEN_TRAP_HEAP_MISALIGNED = 2,
    WARDEN_TRAP_TABLE_OUT_OF_BOUNDS = 3,
    WARDEN_TRAP_INDIRECT_CALL_TO_NULL = 4,
    WARDEN_TRAP_BAD_SIGNATURE = 5,
    WARDEN_TRAP_INTEGER_OVERFLOW = 6,
    WARDEN_TRAP_INTEGER_DIVISION_BY_ZERO = 7,
    WARDEN_TRAP_BAD_CONVERSION_TO_INTEGER = 8,
    WARDEN_TRAP_UNREACHABLE_CODE_REACHED = 9,
    WARDEN_TRAP_INTERRUPT = 10,
    WARDEN_TRAP_OUT_OF_FUEL = 11,
};

// config.h: a custom allocator for linear memories (Warden's memory ceiling lives there).
typedef struct wasm_memorytype_t wasm_memorytype_t;
typedef uint8_t *(*wasmtime_memory_get_callback_t)(void *env, size_t *byte_size, size_t *byte_capacity);
typedef wasmtime_error_t *(*wasmtime_memory_grow_callback_t)(void *env, size_t new_size);
typedef struct wasmtime_linear_memory {
    void *env;
    wasmtime_memory_get_callback_t get_memory;
    wasmtime_memory_grow_callback_t grow_memory;
    void (*finalizer)(void *);
} wasmtime_linear_memory_t;
typedef wasmtime_error_t *(*wasmtime_new_memory_callback_t)(void *env, const wasm_memorytype_t *type, size_t minimum,
                                                            size_t maximum, size_t reserved_size_in_bytes,
                                                            size_t guard_size_in_bytes, wasmtime_linear_memory_t *memory_ret);
typedef struct wasmtime_memory_creator {
    void *env;
    wasmtime_new_memory_callback_t new_memory;
    void (*finalizer)(void *);
} wasmtime_memory_creator_t;

// The functions Warden calls: X(return type, name, parameters, arguments) for those that
// return a value, V(name, parameters, arguments) for those that do not.
#define WARDEN_WASMTIME_FUNCTIONS(X, V) \
    X(wasm_config_t *, wasm_config_new, (void), ()) \
    V(wasmtime_config_consume_fuel_set, (wasm_config_t *config, bool enable), (config, enable)) \
    V(wasmtime_config_parallel_compilation_set, (wasm_config_t *config, bool enable), (config, enable)) \
    V(wasmtime_config_memory_init_cow_set, (wasm_config_t *config, bool enable), (config, enable)) \
    V(wasmtime_config_signals_based_traps_set, (wasm_config_t *config, bool enable), (config, enable)) \
    V(wasmtime_config_max_wasm_stack_set, (wasm_config_t *config, size_t size), (config, size)) \
    V(wasmtime_config_cranelift_opt_level_set, (wasm_config_t *config, uint8_t level), (config, level)) \
    V(wasmtime_config_host_memory_creator_set, (wasm_config_t *config, wasmtime_memory_creator_t *creator), (config, creator)) \
    X(wasm_engine_t *, wasm_engine_new_with_config, (wasm_config_t *config), (config)) \
    V(wasm_engine_delete, (wasm_engine_t *engine), (engine)) \
    X(wasmtime_error_t *, wasmtime_module_new, (wasm_engine_t *engine, const uint8_t *wasm, size_t length, wasmtime_module_t **result), (engine, wasm, length, result)) \
    X(wasmtime_error_t *, wasmtime_module_serialize, (wasmtime_module_t *module, wasm_byte_vec_t *result), (module, result)) \
    X(wasmtime_error_t *, wasmtime_module_deserialize, (wasm_engine_t *engine, const uint8_t *bytes, size_t length, wasmtime_module_t **result), (engine, bytes, length, result)) \
    V(wasmtime_module_delete, (wasmtime_module_t *module), (module)) \
    V(wasmtime_module_imports, (const wasmtime_module_t *module, wasm_importtype_vec_t *out), (module, out)) \
    X(const wasm_byte_vec_t *, wasm_importtype_module, (const wasm_importtype_t *type), (type)) \
    X(const wasm_byte_vec_t *, wasm_importtype_name, (const wasm_importtype_t *type), (type)) \
    V(wasm_importtype_vec_delete, (wasm_importtype_vec_t *vector), (vector)) \
    X(wasmtime_store_t *, wasmtime_store_new, (wasm_engine_t *engine, void *data, void (*finalizer)(void *)), (engine, data, finalizer)) \
    X(wasmtime_context_t *, wasmtime_store_context, (wasmtime_store_t *store), (store)) \
    V(wasmtime_store_limiter, (wasmtime_store_t *store, int64_t memory_size, int64_t table_elements, int64_t instances, int64_t tables, int64_t memories), (store, memory_size, table_elements, instances, tables, memories)) \
    V(wasmtime_store_delete, (wasmtime_store_t *store), (store)) \
    X(wasmtime_error_t *, wasmtime_context_set_fuel, (wasmtime_context_t *context, uint64_t fuel), (context, fuel)) \
    X(wasmtime_error_t *, wasmtime_context_get_fuel, (const wasmtime_context_t *context, uint64_t *fuel), (context, fuel)) \
    X(wasmtime_linker_t *, wasmtime_linker_new, (wasm_engine_t *engine), (engine)) \
    V(wasmtime_linker_delete, (wasmtime_linker_t *linker), (linker)) \
    X(wasmtime_error_t *, wasmtime_linker_define_func_unchecked, (wasmtime_linker_t *linker, const char *module, size_t module_length, const char *name, size_t name_length, const wasm_functype_t *type, wasmtime_func_unchecked_callback_t callback, void *data, void (*finalizer)(void *)), (linker, module, module_length, name, name_length, type, callback, data, finalizer)) \
    X(wasmtime_error_t *, wasmtime_linker_instantiate, (const wasmtime_linker_t *linker, wasmtime_context_t *context, const wasmtime_module_t *module, wasmtime_instance_t *instance, wasm_trap_t **trap), (linker, context, module, instance, trap)) \
    X(bool, wasmtime_instance_export_get, (wasmtime_context_t *context, const wasmtime_instance_t *instance, const char *name, size_t name_length, wasmtime_extern_t *item), (context, instance, name, name_length, item)) \
    X(bool, wasmtime_caller_export_get, (wasmtime_caller_t *caller, const char *name, size_t name_length, wasmtime_extern_t *item), (caller, name, name_length, item)) \
    X(uint8_t *, wasmtime_memory_data, (const wasmtime_context_t *context, const wasmtime_memory_t *memory), (context, memory)) \
    X(size_t, wasmtime_memory_data_size, (const wasmtime_context_t *context, const wasmtime_memory_t *memory), (context, memory)) \
    X(wasmtime_error_t *, wasmtime_func_call_unchecked, (wasmtime_context_t *context, const wasmtime_func_t *func, wasmtime_val_raw_t *args_and_results, size_t count, wasm_trap_t **trap), (context, func, args_and_results, count, trap)) \
    X(wasm_valtype_t *, wasm_valtype_new, (wasm_valkind_t kind), (kind)) \
    V(wasm_valtype_vec_new, (wasm_valtype_vec_t *out, size_t size, wasm_valtype_t *const data[]), (out, size, data)) \
    V(wasm_valtype_vec_new_empty, (wasm_valtype_vec_t *out), (out)) \
    X(wasm_functype_t *, wasm_functype_new, (wasm_valtype_vec_t *params, wasm_valtype_vec_t *results), (params, results)) \
    V(wasm_functype_delete, (wasm_functype_t *type), (type)) \
    V(wasmtime_error_message, (const wasmtime_error_t *error, wasm_byte_vec_t *message), (error, message)) \
    V(wasmtime_error_delete, (wasmtime_error_t *error), (error)) \
    X(wasmtime_error_t *, wasmtime_error_new, (const char *message), (message)) \
    X(wasm_trap_t *, wasmtime_trap_new, (const char *message, size_t length), (message, length)) \
    V(wasm_trap_message, (const wasm_trap_t *trap, wasm_byte_vec_t *message), (trap, message)) \
    X(bool, wasmtime_trap_code, (const wasm_trap_t *trap, wasmtime_trap_code_t *code), (trap, code)) \
    V(wasm_trap_delete, (wasm_trap_t *trap), (trap)) \
    V(wasm_byte_vec_delete, (wasm_byte_vec_t *vector), (vector))

#define WARDEN_WASMTIME_POINTER(type, name, params, args) type(*name) params;
#define WARDEN_WASMTIME_VOID_POINTER(name, params, args) void(*name) params;
struct warden_wasmtime_api {
    WARDEN_WASMTIME_FUNCTIONS(WARDEN_WASMTIME_POINTER, WARDEN_WASMTIME_VOID_POINTER)
};
#undef WARDEN_WASMTIME_POINTER
#undef WARDEN_WASMTIME_VOID_POINTER

/// Filled by `warden_wasmtime_open`; all null before.
extern struct warden_wasmtime_api warden_wasmtime;

/// Loads `library` (a file name looked for in `$ORIGIN` and `$ORIGIN/../lib/warden`, or a path) and
/// resolves every function above. 0 on success; -1 with the reason in `error` (dlerror's text,
/// or the first missing symbol). Call once, before hardening: it maps executable code.
int warden_wasmtime_open(const char *library, char *error, size_t capacity);

/// Warden's memory ceiling, enforced where linear memory is allocated and grown: growth past
/// `ceiling` bytes fails (memory.grow returns -1, as on WasmKit) and `refused` is told the size
/// asked for, so the refusal becomes a `limit` audit event. Set `refused` and `context` before
/// the first instance; the engine keeps a pointer to this for its whole life.
typedef void (*warden_memory_refused_t)(void *context, size_t requested);
typedef struct warden_memory_ceiling {
    size_t ceiling;
    warden_memory_refused_t refused;
    void *context;
} warden_memory_ceiling_t;

/// Installs a memory creator enforcing `ceiling` on `config`: each linear memory reserves its
/// whole address range (plus wasmtime's guard) PROT_NONE up front and becomes read/write as it
/// grows; nothing is ever mapped executable.
void warden_wasmtime_set_memory_ceiling(wasm_config_t *config, warden_memory_ceiling_t *ceiling);

#define WARDEN_WASMTIME_WRAPPER(type, name, params, args) \
    static inline type name params { return warden_wasmtime.name args; }
#define WARDEN_WASMTIME_VOID_WRAPPER(name, params, args) \
    static inline void name params { warden_wasmtime.name args; }
WARDEN_WASMTIME_FUNCTIONS(WARDEN_WASMTIME_WRAPPER, WARDEN_WASMTIME_VOID_WRAPPER)
#undef WARDEN_WASMTIME_WRAPPER
#undef WARDEN_WASMTIME_VOID_WRAPPER

#endif
