/*
 * heap.c — glibc heap settings and trimming (see heap.h).
 */
#include <stdlib.h>             /* defines __GLIBC__ */
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "heap.h"

#define HEAP_ARENAS         2
#define HEAP_MMAP_THRESHOLD (1 << 20)   /* above a cast's savepoint journal */
#define HEAP_TRIM_THRESHOLD (8 << 20)   /* free() leaves that much; heap_release */

void heap_configure(void)
{
#ifdef __GLIBC__
    mallopt(M_ARENA_MAX, HEAP_ARENAS);
    mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_THRESHOLD);
    mallopt(M_TRIM_THRESHOLD, HEAP_TRIM_THRESHOLD);
#endif
}

void heap_release(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}
