// Address-space primitives for guest linear memories (see CWardenMemory.h).
#include "CWardenMemory.h"

#include <sys/mman.h>

void *warden_memory_reserve(size_t bytes) {
    void *base = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return base == MAP_FAILED ? NULL : base;
}

int warden_memory_commit(void *base, size_t bytes) {
    return mprotect(base, bytes, PROT_READ | PROT_WRITE);
}

int warden_memory_release(void *base, size_t bytes) {
    return munmap(base, bytes);
}
