#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "lessonview.h"
#include "styled.h"

/* Wraps s into out (continuation rows indented by indent) and empties s. */
static void
lessonview_emit(struct sline *s, int width, int indent, struct slines *out)
{
	sline_wrap(s, width, indent, TE_DEFAULT, out);
	sline_clear(s);
}

/* The step text: lines that do not start with a blank are joined into
 * paragraphs; indented lines (what to type) keep their own rows; a blank
 * line separates paragraphs. */
static void
lessonview_text_rows(const char *text, int width, struct slines *out)
{
	struct sline para;
	const char *p = text;

	sline_init(&para);
	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		size_t lead = strspn(p, " ");
		if (len == 0 || lead > 0) {
			if (para.len > 0)
				lessonview_emit(&para, width, 0, out);
			if (len == 0) {
				slines_push(out);
			} else {
				sline_addn(&para, TE_HINT_KEY, p, len);
				lessonview_emit(&para, width, (int)lead + 2, out);
			}
		} else {
			if (para.len > 0)
				sline_add(&para, TE_DEFAULT, " ");
			sline_addn(&para, TE_DEFAULT, p, len);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (para.len > 0)
		lessonview_emit(&para, width, 0, out);
	sline_free(&para);
}

void
lessonview_rows(const struct lesson *l, int width, struct slines *out)
{
	struct sline s;
	bool done = lesson_done(l);

	sline_init(&s);
	sline_add(&s, TE_TITLE, l->title);
	lessonview_emit(&s, width, 2, out);
	if (done)
		sline_addf(&s, TE_GOOD, "all %zu steps done", l->nsteps);
	else
		sline_addf(&s, TE_LABEL, "step %zu of %zu", l->current + 1, l->nsteps);
	sline_addf(&s, TE_INFO, " · %s · scenario %s", l->proto, l->scenario);
	lessonview_emit(&s, width, 2, out);
	slines_push(out);
	for (size_t i = 0; i < l->current && i < l->nsteps; i++) {
		sline_add(&s, TE_GOOD, "✓ ");
		sline_add(&s, TE_EXPLAIN, l->steps[i].title);
		lessonview_emit(&s, width, 2, out);
	}
	if (done) {
		slines_push(out);
		sline_add(&s, TE_GOOD, "Lesson complete: every step is done.");
		lessonview_emit(&s, width, 0, out);
		if (l->next != NULL)
			sline_addf(&s, TE_HINT, "Suggested next lesson: %s", l->next);
		else
			sline_add(&s, TE_HINT, "That was the last lesson of this series.");
		lessonview_emit(&s, width, 0, out);
		sline_free(&s);
		return;
	}
	const struct lesson_step *st = &l->steps[l->current];
	char *waiting = lesson_waiting(st);
	sline_add(&s, TE_LABEL, "▸ ");
	sline_add(&s, TE_LABEL, st->title);
	lessonview_emit(&s, width, 2, out);
	lessonview_text_rows(st->text, width, out);
	slines_push(out);
	sline_add(&s, TE_HINT, "waiting for: ");
	sline_add(&s, TE_HINT, waiting);
	free(waiting);
	lessonview_emit(&s, width, 2, out);
	sline_free(&s);
}
