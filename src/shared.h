/* Memory that forked children share with the parent, rather than copy. */
#ifndef CONCDEMO_SHARED_H
#define CONCDEMO_SHARED_H

#include <stddef.h>

/* Zeroed shared memory (mmap MAP_SHARED); NULL if the system refused.
 * Free it with its size. */
void *shared_memory(size_t size);
void shared_memory_free(void *memory, size_t size);

#endif
