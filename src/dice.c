#include "dice.h"

#include "options.h"

struct dice dice_for(unsigned long long stream)
{
    unsigned long long seed = (unsigned long long)option_int("seed");
    return (struct dice){ (seed + 1) * 0x9E3779B97F4A7C15ULL ^ (stream + 1) * 0xD1B54A32D192ED03ULL };
}

/* splitmix64: small, fast, and good enough for choosing sleeps. */
static unsigned long long next(struct dice *dice)
{
    unsigned long long z = (dice->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

long randint(struct dice *dice, long lo, long hi)
{
    unsigned long long span = (unsigned long long)(hi - lo) + 1;
    return lo + (long)(next(dice) % span);
}
