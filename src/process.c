#define _GNU_SOURCE /* prctl(PR_SET_PDEATHSIG) */
#include "process.h"

#include "refusal.h"

#include "clock.h"
#include "events.h"
#include "lesson.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sanitizer.h"

#ifdef CONCDEMO_TSAN
/* ThreadSanitizer ends a child forked from a threaded process (and the
 * engine's watcher thread makes every lesson one) as soon as the child
 * starts a thread, unless told not to; the queue lesson's children start
 * their queue's feeder thread.  TSAN_OPTIONS still adds to this. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "die_after_fork=0";
}
#endif

enum { MAX_CHILDREN = 1024 };

/* The children alive, so that a stop can end them all; and every child ever
 * started, so that the process-table check counts only ours. */
static pthread_mutex_t children_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t children[MAX_CHILDREN];
static bool stopping;
static pid_t *started_pids;
static size_t started_count, started_room;

static bool started_here(pid_t pid)
{
    for (size_t k = 0; k < started_count; k++)
        if (started_pids[k] == pid)
            return true;
    return false;
}

static void forget_child(pid_t pid)
{
    pthread_mutex_lock(&children_lock);
    for (int k = 0; k < MAX_CHILDREN; k++)
        if (children[k] == pid)
            children[k] = 0;
    pthread_mutex_unlock(&children_lock);
}

long children_alive(void)
{
    long alive = 0;
    pthread_mutex_lock(&children_lock);
    for (int k = 0; k < MAX_CHILDREN; k++)
        alive += children[k] != 0;
    pthread_mutex_unlock(&children_lock);
    return alive;
}

pid_t child_start(int (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&children_lock);
    int slot = 0;
    while (slot < MAX_CHILDREN && children[slot])
        slot++;
    if (stopping || slot == MAX_CHILDREN) {
        pthread_mutex_unlock(&children_lock);
        errno = stopping ? ECANCELED : EAGAIN;
        return -1;
    }
    if (started_count == started_room) {
        size_t room = started_room ? started_room * 2 : 64;
        pid_t *bigger = realloc(started_pids, room * sizeof *bigger);
        if (!bigger) {
            pthread_mutex_unlock(&children_lock);
            errno = ENOMEM;
            return -1;
        }
        started_pids = bigger;
        started_room = room;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_unlock(&children_lock); /* the parent held it to fork; this copy of its thread holds it now */
        clock_set_stop_notifier(NULL); /* the parent's watcher thread is not here */
        transcript_forget_actor();     /* nor is the thread that spoke as "main" */
        /* The child: the default signals back, and death with its parent. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(128 + SIGKILL);
        /* Ctrl-C at a terminal reaches the whole process group.  A child
         * must not die inside a wait on a process-shared condition (glibc
         * would then wait for it for ever), so it ignores SIGINT and SIGTERM:
         * the parent first wakes every wait, then ends its children with
         * SIGKILL. */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        sigset_t none;
        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, NULL);
        _exit(fn(arg)); /* _exit: the parent's stdio and atexit are not ours */
    }
    if (pid > 0) {
        children[slot] = pid;
        started_pids[started_count++] = pid;
    }
    pthread_mutex_unlock(&children_lock);
    return pid;
}

int child_join(pid_t pid)
{
    /* Wait for it to end, forget it, then reap it: once reaped, its pid may
     * be reused, and a stop must not kill a stranger. */
    siginfo_t info;
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    forget_child(pid);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    events_process_gone((int)pid); /* what it was doing, for --timeline, ended here */
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

bool child_is_alive(pid_t pid)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int rc;
    while ((rc = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT)) < 0 && errno == EINTR)
        ;
    return rc == 0 && info.si_pid != pid;
}

int child_join_timeout(pid_t pid, double seconds)
{
    /* waitid() with WNOHANG looks without waiting; between looks, a
     * millisecond's sleep.  Python's join(timeout) waits on a pipe the child
     * holds instead, which would cost every child a descriptor. */
    double deadline = lesson_now() + seconds;
    for (;;) {
        if (!child_is_alive(pid))
            return child_join(pid);
        if (lesson_stop_requested() || lesson_now() >= deadline)
            return CHILD_RUNNING;
        struct timespec slice = { 0, 1000000 };
        nanosleep(&slice, NULL);
    }
}

void children_stop_all(void)
{
    pthread_mutex_lock(&children_lock);
    stopping = true;
    for (int k = 0; k < MAX_CHILDREN; k++)
        if (children[k])
            kill(children[k], SIGKILL);
    pthread_mutex_unlock(&children_lock);
}

void report_process_refusal(int error, long alive)
{
    if (error == ENOMEM) { /* fork() found no memory for the copy: ulimit -v, not -u */
        report_no_memory(N_("ask for fewer processes"), "a new process, with %ld running", alive);
        return;
    }
    struct rlimit nproc;
    char limit[64];
    snprintf(limit, sizeof limit, "%s", _("unlimited"));
    if (getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY)
        snprintf(limit, sizeof limit, "%llu", (unsigned long long)nproc.rlim_cur);
    fprintf(stderr, _("%s: the system refused to start a process (%s) with %ld running; ulimit -u is %s; "
                      "raise it, or ask for fewer processes\n"),
            lesson_who(), strerror(error), alive, limit);
}

long children_in_process_table(void)
{
    DIR *proc = opendir("/proc");
    if (!proc)
        return 0;
    long found = 0;
    pid_t me = getpid();
    struct dirent *entry;
    while ((entry = readdir(proc))) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
            continue;
        char path[64], stat[512];
        snprintf(path, sizeof path, "/proc/%.20s/stat", entry->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = '\0';
        /* "pid (comm) state ppid ...": comm may hold spaces, so start after its ')' */
        char *close_paren = strrchr(stat, ')');
        char state;
        long ppid;
        if (close_paren && sscanf(close_paren + 1, " %c %ld", &state, &ppid) == 2 && ppid == (long)me &&
            started_here((pid_t)atol(entry->d_name)))
            found++;
    }
    closedir(proc);
    free(started_pids);
    started_pids = NULL;
    started_count = started_room = 0;
    return found;
}

int threads_in_process(void)
{
    DIR *tasks = opendir("/proc/self/task");
    if (!tasks)
        return -1;
    int count = 0;
    for (struct dirent *d; (d = readdir(tasks));)
        if (d->d_name[0] != '.')
            count++;
    closedir(tasks);
    return count;
}

enum { CHILD_STACK_BYTES = 1024 * 1024 };

int child_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg, void **stack)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *mapping = mmap(NULL, page + CHILD_STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED)
        return EAGAIN;
    mprotect(mapping, page, PROT_NONE); /* a guard: an overflow faults, and tramples nothing */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, mapping + page, CHILD_STACK_BYTES);
    int error = pthread_create(thread, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    if (error) {
        child_thread_stack_free(mapping);
        return error;
    }
    if (stack)
        *stack = mapping;
    return 0;
}

void child_thread_stack_free(void *stack)
{
    if (stack)
        munmap(stack, (size_t)sysconf(_SC_PAGESIZE) + CHILD_STACK_BYTES);
}
