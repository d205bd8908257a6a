#include "CWardenHardening.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

/* An empty network namespace made on a short-lived thread of the launcher, so the kernel's
 * set-up (0.5-0.8 ms: loopback, sysctl tables, proc entries) overlaps the launcher's own
 * work and the worker's exec. The thread runs no Swift and allocates nothing: a thread
 * that page-faults or grows the heap contends with the main thread for the memory map. */
struct warden_netns_job {
    pthread_t thread;
    int fd;
    int error;
};

static void *make_netns(void *argument) {
    struct warden_netns_job *job = argument;
    /* unshare(CLONE_NEWNET) moves only this thread, which ends right after. */
    if (unshare(CLONE_NEWNET) != 0) {
        job->error = errno;
        return NULL;
    }
    job->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (job->fd < 0) job->error = errno;
    return NULL;
}

struct warden_netns_job *warden_netns_begin(void) {
    struct warden_netns_job *job = calloc(1, sizeof *job);
    if (job == NULL) return NULL;
    job->fd = -1;
    pthread_attr_t attributes;
    if (pthread_attr_init(&attributes) != 0) {
        free(job);
        return NULL;
    }
    int started = pthread_attr_setstacksize(&attributes, 64 * 1024) == 0
        && pthread_create(&job->thread, &attributes, make_netns, job) == 0;
    pthread_attr_destroy(&attributes);
    if (!started) {
        free(job);
        return NULL;
    }
    return job;
}

int warden_netns_end(struct warden_netns_job *job) {
    pthread_join(job->thread, NULL);
    int fd = job->fd, error = job->error;
    free(job);
    if (fd < 0) errno = error;
    return fd;
}
