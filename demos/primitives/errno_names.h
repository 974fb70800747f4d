/* errno_names: what a lock call answered, for rlock, mutex and process-lock, which show
 * calls that are refused.  "EPERM" for a result: line, and "EPERM
 * (Operation not permitted)" for the transcript. */
#ifndef CONCDEMO_ERRNO_NAMES_H
#define CONCDEMO_ERRNO_NAMES_H

/* "none" for 0; EDEADLK, ETIMEDOUT, EPERM, EBUSY, EOWNERDEAD,
 * ENOTRECOVERABLE, ECANCELED by name; "other" else. */
const char *errno_symbol(int error);

/* The symbol and strerror(), in a buffer of this thread's own. */
const char *errno_name(int error);

#endif
