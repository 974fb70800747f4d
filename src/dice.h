/* The lessons' own random choices, repeatable with --seed, as Python's
 * random.randint.  Each thread or role rolls its own dice (a stream), so a
 * seed gives the same choices whatever the scheduler does. */
#ifndef CONCDEMO_DICE_H
#define CONCDEMO_DICE_H

struct dice {
    unsigned long long state;
};

/* Dice for one stream of the run's --seed (stream 0, 1, 2, ...). */
struct dice dice_for(unsigned long long stream);

/* random.randint(lo, hi): a whole number from lo to hi, both included. */
long randint(struct dice *dice, long lo, long hi);

#endif
