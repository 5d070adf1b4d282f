/*
 * heap.h — how the server's heap gives memory back to the system.
 *
 * The server's peak RSS is a goal (make bench: < 50 MB with 100,000 voters).
 * Opening a poll, loading its record and closing it each allocate and free
 * megabytes of small pieces (a roll of 100,000 names, parsed); glibc keeps
 * those pages after the free, so each such step raised the floor the next
 * one started from (make bench: 28 MB kept after opening two polls).
 */
#ifndef CONCLAVE_HEAP_H
#define CONCLAVE_HEAP_H

/* At start-up, before any thread: two malloc arenas (glibc gives every
 * allocating thread one, each keeping its own high-water mark: 69 MB peak
 * with one a thread), a fixed mmap threshold (1 MiB: larger blocks, such as
 * a board's frame, are mapped and unmapped, not left in the heap; glibc
 * would raise it to the largest block ever freed) and a trim threshold of
 * 8 MiB (free() does not hand back and refault the heap's top a cast at a
 * time; heap_release does it after the big steps). A no-op without glibc. */
void heap_configure(void);

/* After a step that freed megabytes: returns the heap's free pages to the
 * system (glibc's malloc_trim, a millisecond or two during which other
 * threads' allocations wait: not for every request). A no-op without glibc. */
void heap_release(void);

#endif
