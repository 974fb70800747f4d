/* tour: `concdemo tour`, the classroom walkthrough.  The lessons in teaching
 * order; for each its title, where in the articles it comes from, the
 * article's program, its explanation, then the lesson run as a child
 * process of this binary, then a pause for the teacher. */
#ifndef CONCDEMO_TOUR_H
#define CONCDEMO_TOUR_H

#include "options.h"

/* argv is main's whole argv: argv[0] finds this binary again when
 * /proc/self/exe cannot.  Returns the exit status. */
int tour_main(int argc, char **argv);

/* Its options, --from, --only, --speed and --color, in that order. */
extern const struct option_spec tour_option_specs[];

#endif
