#include "message.h"

#include <stdio.h>
#include <string.h>

struct message message_list(void)
{
    return (struct message){ .is_list = true };
}

static void add(struct message *m, struct value v)
{
    if (m->count < MESSAGE_MAX_VALUES)
        m->values[m->count++] = v;
}

void message_add_int(struct message *m, long number)
{
    add(m, (struct value){ .kind = VALUE_INT, .number = number });
}

void message_add_none(struct message *m)
{
    add(m, (struct value){ .kind = VALUE_NONE });
}

void message_add_str(struct message *m, const char *text)
{
    struct value v = { .kind = VALUE_STR };
    snprintf(v.text, sizeof v.text, "%s", text);
    add(m, v);
}

struct message message_none(void)
{
    struct message m = { .is_list = false };
    message_add_none(&m);
    return m;
}

struct message message_str(const char *text)
{
    struct message m = { .is_list = false };
    message_add_str(&m, text);
    return m;
}

struct message message_int(long number)
{
    struct message m = { .is_list = false };
    message_add_int(&m, number);
    return m;
}

bool message_is_none(const struct message *m)
{
    return !m->is_list && m->count == 1 && m->values[0].kind == VALUE_NONE;
}

static void format_with(const struct message *m, const char *comma, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
#define PUT(...) used += (size_t)snprintf(buf + used, used < size ? size - used : 0, __VA_ARGS__)
    if (m->is_list)
        PUT("[");
    for (int k = 0; k < m->count; k++) {
        const struct value *v = &m->values[k];
        if (k > 0)
            PUT("%s", comma);
        if (v->kind == VALUE_INT)
            PUT("%ld", v->number);
        else if (v->kind == VALUE_NONE)
            PUT("None");
        else
            PUT("'%s'", v->text);
    }
    if (m->is_list)
        PUT("]");
#undef PUT
}

void message_format(const struct message *m, char *buf, size_t size)
{
    format_with(m, ", ", buf, size);
}

void message_format_packed(const struct message *m, char *buf, size_t size)
{
    format_with(m, ",", buf, size);
}
