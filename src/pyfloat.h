/* print(x) for a Python float: the shortest digits that read back as the
 * same double, as Python's repr() gives them (3.0006830692291260 prints as
 * 3.000683069229126, and 3.0 keeps its ".0").  For the articles' own
 * `print(time.time() - start)` lines. */
#ifndef CONCDEMO_PYFLOAT_H
#define CONCDEMO_PYFLOAT_H
#include <stddef.h>

enum { PYFLOAT_BYTES = 32 };

/* Writes into buf (PYFLOAT_BYTES) and returns it. */
const char *python_float(double x, char *buf);

#endif
