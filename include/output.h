/*
 * output: the two written forms of a transcript event, shared by every front
 * that writes files or streams: the annotated text of batch mode and --log,
 * and the JSON Lines of --json and --record (schema in docs/startle.1).
 * Server bytes go through escape.h; nothing is written unescaped.
 *
 * Redaction (--redact): an event marked secret (a credential line) is shown
 * and written as OUTPUT_REDACTED_FORM with its byte count instead of its
 * bytes, and its explanation (which may decode it) as OUTPUT_REDACTED_EXPLAIN;
 * JSON adds "redacted":true. Every front uses output_shown_text and
 * output_shown_explain for this, so the rule lives here.
 */
#ifndef STARTLE_OUTPUT_H
#define STARTLE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "target.h"
#include "transcript.h"

struct output_options {
	bool explain; /* text: print explanation lines */
	bool records; /* text: print TLS record lines after the handshake too */
	bool color;   /* text: colour the markers (for terminals) */
	bool redact;  /* hide secret events (--redact) */
	const char *session; /* --compare: the side ("a", "b") before each line */
};

#define OUTPUT_REDACTED_FORM "[redacted: %zu bytes]"
#define OUTPUT_REDACTED_EXPLAIN "a credential line, hidden by --redact"
#define OUTPUT_REDACTED_MAX 48 /* room for the marker of any length */

/* True if ev is hidden when redact is set: a secret event. */
bool output_hides(const struct event *ev, bool redact);

/* The bytes to show for ev: its own, or under redaction the marker, written
 * into buf. Sets *len. */
const unsigned char *output_shown_text(const struct event *ev, bool redact,
                                       char buf[OUTPUT_REDACTED_MAX], size_t *len);

/* The explanation to show for ev (NULL if none). */
const char *output_shown_explain(const struct event *ev, bool redact);

/* The two-character marker of an event: "->", "<-", "~>", "<~", "==", "!!", "**". */
const char *output_marker(const struct event *ev);

/* Writes one event as annotated text (one line, plus explanation lines). */
void output_text(FILE *f, const struct event *ev, const struct output_options *o);

/* Writes one event as one JSON object on one line; with redact set, a
 * secret event's text is the marker and "redacted":true is added. session
 * ("a", "b" under --compare, else NULL) becomes the "session" field. */
void output_json(FILE *f, const struct event *ev, bool redact, const char *session);

/* The form of a recording (--record, /record; docs/recording.md): a header
 * line, then one line an event -- output_json's object with a "replay"
 * object added that holds what redrawing needs -- then, under --compare,
 * the compare event. A reader refuses a version it does not know. */
#define OUTPUT_RECORDING_VERSION 1

/* The header: {"kind":"recording","version":1,...} with the sessions' names
 * ("a", "b"; NULL alone) and targets, and whether --redact was in force. */
void output_recording_header(FILE *f, const struct target *const *targets,
                             const char *const *names, size_t n, bool redact);

/* One event of a recording: output_json's object plus "replay". */
void output_record(FILE *f, const struct event *ev, bool redact, const char *session);

struct compare_side;

/* The compare event of --compare (DESIGN.md): both sides, same_chain and the
 * differences, one JSON object on one line. */
void output_compare_json(FILE *f, const struct compare_side *a, const struct compare_side *b,
                         char *const *diffs, size_t ndiffs);

/* The same as text: a table with a column a side, then the differences in
 * words. */
void output_compare_text(FILE *f, const struct compare_side *a, const struct compare_side *b,
                         char *const *diffs, size_t ndiffs);

/* Where the full copy of a session is, for the transcript's markers of what
 * it dropped from memory (transcript_set_budget): "PATH (--record)" or
 * "PATH (--log)", escaped, or NULL when neither is written. Caller frees. */
char *output_copy_note(const char *record, const char *log);

/* An event's wall-clock time as ISO 8601 UTC with milliseconds,
 * "2026-12-03T16:05:01.123Z", into buf (at least 32 bytes). */
void output_wall_time(const struct event *ev, char *buf, size_t size);

#endif
