/* Which sanitizer, if any, this binary was built with (make SANITIZE=...):
 * gcc says so with __SANITIZE_*__, clang with __has_feature. */
#ifndef CONCDEMO_SANITIZER_H
#define CONCDEMO_SANITIZER_H

#if defined(__SANITIZE_ADDRESS__)
#define CONCDEMO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONCDEMO_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define CONCDEMO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CONCDEMO_TSAN 1
#endif
#endif

/* ThreadSanitizer dies ("Thread limit (8128 threads) exceeded") past 8128
 * threads, and counts each coroutine (a fiber, to it) as one: the most a
 * lesson may have at once under it. */
#define TSAN_MOST_THREADS 7000

#endif
