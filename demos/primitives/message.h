/* message: what the articles pass between threads and processes, such as
 * [42, None, 'hello'].
 *
 * Python pickles any object into bytes and back.  C has no pickle, so a
 * message here is a short list of tagged values in a fixed-size struct: a
 * queue copies it whole, and a pipe sends its bytes.  Both ends are this
 * same program, so both agree on its layout. */
#ifndef CONCDEMO_MESSAGE_H
#define CONCDEMO_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

enum value_kind { VALUE_INT, VALUE_NONE, VALUE_STR };

struct value {
    enum value_kind kind;
    long number;   /* VALUE_INT */
    char text[24]; /* VALUE_STR */
};

enum { MESSAGE_MAX_VALUES = 4 };

struct message {
    bool is_list; /* [a, b, c], or a single value such as None or 'xxx' */
    int count;
    struct value values[MESSAGE_MAX_VALUES];
};

/* Building one: message_list(), then add its values in order. */
struct message message_list(void);
struct message message_none(void);             /* None */
struct message message_str(const char *text);  /* 'xxx' */
struct message message_int(long number);       /* 1 */
void message_add_int(struct message *m, long number);
void message_add_none(struct message *m);
void message_add_str(struct message *m, const char *text);

bool message_is_none(const struct message *m);

/* As Python prints it: "[42, None, 'hello']". */
void message_format(const struct message *m, char *buf, size_t size);

/* The same without spaces, for a result value: "[42,None,'hello']". */
void message_format_packed(const struct message *m, char *buf, size_t size);

#endif
