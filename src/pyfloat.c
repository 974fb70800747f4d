/* Python's repr() of a float.  See pyfloat.h. */
#include "pyfloat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *python_float(double x, char *buf)
{
    /* the fewest significant digits that round-trip; 17 always do */
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, PYFLOAT_BYTES, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    /* %g drops the point of a whole number; Python keeps "3.0".  (Python
     * writes 1e+16 and up, and below 1e-4, with an exponent, as %g does.) */
    if (!strpbrk(buf, ".eni")) /* not 1.5, 1e+20, nan, inf */
        strncat(buf, ".0", PYFLOAT_BYTES - strlen(buf) - 1);
    return buf;
}
