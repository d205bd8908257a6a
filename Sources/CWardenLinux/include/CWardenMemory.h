// Address-space primitives for guest linear memories: wasmtime's memory creator
// (CWasmtime/memory.c) reserves, commits and releases through these, so mmap, mprotect and
// munmap stay in this shim (the room rule: only WardenSystem and its C shim call libc system
// primitives).
//
// None of them takes a protection argument: a reservation is PROT_NONE and committed bytes are
// PROT_READ | PROT_WRITE, nothing else. A linear memory never needs more, and after the
// worker's exec lock the kernel would refuse PROT_EXEC anyway; here it cannot even be asked.
#ifndef CWARDENMEMORY_H
#define CWARDENMEMORY_H

#include <stddef.h>

/// Reserves `bytes` of address space, PROT_NONE and MAP_NORESERVE (private, anonymous): no
/// memory is committed until `warden_memory_commit`. NULL on failure, errno set.
void *warden_memory_reserve(size_t bytes);
/// Makes the first `bytes` of a reservation at `base` readable and writable; 0, or -1 with
/// errno set.
int warden_memory_commit(void *base, size_t bytes);
/// Unmaps a whole reservation; 0, or -1 with errno set.
int warden_memory_release(void *base, size_t bytes);

#endif
