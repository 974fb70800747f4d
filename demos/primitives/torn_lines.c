#include "torn_lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool start_gun_load(struct start_gun *gun)
{
    int ends[2];
    if (pipe(ends) != 0)
        return false;
    gun->wait_end = ends[0];
    gun->fire_end = ends[1];
    return true;
}

void start_gun_wait(struct start_gun *gun)
{
    close(gun->fire_end); /* else this child would keep the gun from ever going off */
    char go;
    while (read(gun->wait_end, &go, 1) < 0 && errno == EINTR)
        ;
    close(gun->wait_end);
}

void start_gun_fire(struct start_gun *gun)
{
    close(gun->wait_end);
    close(gun->fire_end); /* the last write end: every waiter reads end of file at once */
}

char *read_to_end(int fd, size_t *length)
{
    size_t used = 0, room = 4096;
    char *text = malloc(room);
    if (!text)
        return NULL;
    for (;;) {
        if (room - used < 2048) {
            char *bigger = realloc(text, room * 2);
            if (!bigger) {
                free(text);
                errno = ENOMEM;
                return NULL;
            }
            text = bigger;
            room *= 2;
        }
        ssize_t n = read(fd, text + used, room - used - 1);
        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int error = errno;
            free(text);
            errno = error;
            return NULL;
        }
        used += (size_t)n;
    }
    text[used] = '\0';
    *length = used;
    return text;
}

/* "hello world N", N one of 0 .. processes-1, written without leading zeros. */
static bool whole_line(const char *line, size_t length, int processes)
{
    static const char words[] = "hello world ";
    size_t prefix = sizeof words - 1;
    if (length <= prefix || memcmp(line, words, prefix) != 0)
        return false;
    char number[16];
    size_t digits = length - prefix;
    if (digits >= sizeof number)
        return false;
    memcpy(number, line + prefix, digits);
    number[digits] = '\0';
    int n = -1, used = 0;
    if (sscanf(number, "%d%n", &n, &used) != 1 || (size_t)used != digits || number[0] == '+' ||
        number[0] == '-' || (number[0] == '0' && digits > 1))
        return false;
    return n >= 0 && n < processes;
}

void tally_lines(const char *text, int processes, struct line_tally *tally)
{
    *tally = (struct line_tally){ 0, 0, NULL, 0 };
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        tally->lines++;
        if (!end || !whole_line(line, length, processes)) { /* a line with no newline is torn too */
            if (!tally->first_torn) {
                tally->first_torn = line;
                tally->first_torn_length = length;
            }
            tally->torn++;
        }
        line += length + (end ? 1 : 0);
    }
}
