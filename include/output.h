/*
 * output: the two written forms of a transcript event, shared by every front
 * that writes files or streams: the annotated text of batch mode and --log,
 * and the JSON Lines of --json and --record (schema in docs/startle.1).
 * Server bytes go through escape.h; nothing is written unescaped.
 */
#ifndef STARTLE_OUTPUT_H
#define STARTLE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "transcript.h"

struct output_options {
	bool explain; /* text: print explanation lines */
	bool records; /* text: print TLS record lines after the handshake too */
	bool color;   /* text: colour the markers (for terminals) */
};

/* The two-character marker of an event: "->", "<-", "~>", "<~", "==", "!!", "**". */
const char *output_marker(const struct event *ev);

/* Writes one event as annotated text (one line, plus explanation lines). */
void output_text(FILE *f, const struct event *ev, const struct output_options *o);

/* Writes one event as one JSON object on one line. */
void output_json(FILE *f, const struct event *ev);

#endif
