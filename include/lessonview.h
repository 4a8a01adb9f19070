/*
 * lessonview: the Lesson tab, drawn from the lesson model (lesson.h) as
 * styled lines.
 */
#ifndef STARTLE_LESSONVIEW_H
#define STARTLE_LESSONVIEW_H

#include "lesson.h"
#include "styled.h"

/* The pane: title, progress ("step 2 of 6"), finished steps ticked, the
 * current step's text, and what it waits for; wrapped to width. */
void lessonview_rows(const struct lesson *l, int width, struct slines *out);

#endif
