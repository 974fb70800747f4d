#include "errno_names.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *errno_symbol(int error)
{
    switch (error) {
    case 0: return "none";
    case EDEADLK: return "EDEADLK";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EPERM: return "EPERM";
    case EBUSY: return "EBUSY";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    case ECANCELED: return "ECANCELED";
    default: return "other";
    }
}

const char *errno_name(int error)
{
    static _Thread_local char text[96];
    if (error == 0)
        return "0, accepted";
    snprintf(text, sizeof text, "%s (%s)", errno_symbol(error), strerror(error));
    return text;
}
