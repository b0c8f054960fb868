#ifndef TUSK_CLIBPQ_SHIM_H
#define TUSK_CLIBPQ_SHIM_H

// libpq's public API, plus the few system calls Tusk's LibPQ layer needs to wait on a
// connection's socket with a precise timeout (ppoll) and to wake a waiting connection thread.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

/// poll(2) with a nanosecond timeout; NULL waits indefinitely.
static inline int tusk_ppoll(struct pollfd *fds, nfds_t count, const struct timespec *timeout) {
#ifdef __linux__
    return ppoll(fds, count, timeout, NULL);
#else
    int millis = timeout == NULL ? -1 : (int)(timeout->tv_sec * 1000 + (timeout->tv_nsec + 999999) / 1000000);
    return poll(fds, count, millis);
#endif
}

/// Names the calling thread (visible in `top -H` and debuggers); at most 15 characters on Linux.
static inline void tusk_set_thread_name(const char *name) {
#ifdef __linux__
    pthread_setname_np(pthread_self(), name);
#elif defined(__APPLE__)
    pthread_setname_np(name);
#endif
}

#endif
