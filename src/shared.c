#define _DEFAULT_SOURCE /* MAP_ANONYMOUS: memory with no file behind it */
#include "shared.h"

#include <sys/mman.h>

void *shared_memory(size_t size)
{
    void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return memory == MAP_FAILED ? NULL : memory; /* anonymous memory starts zeroed */
}

void shared_memory_free(void *memory, size_t size)
{
    if (memory)
        munmap(memory, size);
}
