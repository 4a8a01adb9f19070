/*
 * replay: a recording (--record, /record; the format is docs/recording.md)
 * read back into events, so that any front can show a session again with no
 * server: batch prints them, the explorer steps through them.
 *
 * Reading is bounded and strict. A line longer than REPLAY_LINE_MAX, JSON
 * nested deeper than REPLAY_DEPTH_MAX or with more than REPLAY_TOKENS_MAX
 * values, more than REPLAY_EVENTS_MAX events or REPLAY_BYTES_MAX bytes of
 * them is refused; so is anything that is not what startle writes: a file
 * with no header (made by an older startle, or --json output), a version this
 * startle does not know, a line cut short, an unknown kind, field or value,
 * a session the header does not name. Every refusal is one sentence,
 * "FILE:LINE: what was wrong", and the whole file is refused: a front never
 * shows half a recording.
 */
#ifndef STARTLE_REPLAY_H
#define STARTLE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"
#include "target.h"
#include "transcript.h"

#define REPLAY_LINE_MAX (4u * 1024 * 1024)
#define REPLAY_DEPTH_MAX 8
#define REPLAY_TOKENS_MAX 65536
#define REPLAY_EVENTS_MAX (2 * SESSION_MAX_EVENTS)
#define REPLAY_BYTES_MAX (1024u * 1024 * 1024)
#define REPLAY_SIDES 2

/* One session of the recording: its name and target, and what the
 * comparison at the end said of it (under --compare). */
struct replay_side {
	const char *name; /* "a", "b"; NULL alone */
	struct target target;
	size_t nevents;
	bool summarised;    /* the compare event gave: */
	size_t plain_bytes; /* its plaintext bytes on the wire */
	int exit;           /* its exit code */
};

/* One event and the session it belongs to (an index into sides). */
struct replay_event {
	int side;
	struct event ev;
};

struct replay {
	unsigned version;
	bool redact; /* the recording was made under --redact */
	struct replay_side side[REPLAY_SIDES];
	int nsides;                  /* 1, or 2 for a comparison */
	struct replay_event *events; /* in the order they were recorded */
	size_t n, cap;
	bool have_compare;  /* the compare event was there */
	size_t bytes;       /* held by the events, against REPLAY_BYTES_MAX */
	unsigned long line; /* lines read so far */
};

/* Reads the recording at path into r. Returns 0, or -1 with *cause
 * ("FILE:LINE: ...", the path escaped) and r empty. */
int replay_load(const char *path, struct replay *r, char **cause);

/* The same from text in memory; name stands for the file in messages. */
int replay_parse(const char *name, const char *text, size_t len, struct replay *r,
                 char **cause);

void replay_free(struct replay *r);

#endif
