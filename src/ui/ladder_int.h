/*
 * ladder internals shared with the unit tests: a count of the steps the
 * module has created, folded into or drawn since the program started, so
 * tests can measure work rather than time.
 */
#ifndef STARTLE_LADDER_INT_H
#define STARTLE_LADDER_INT_H

#include <stddef.h>

/* Steps touched so far by ladder_update and ladder_rows together. */
size_t ladder_steps_touched(void);

#endif
