/*
 * lesson: short guided walkthroughs kept as text files (docs/lessons/NAME.lesson,
 * format in docs/lessons/README.md). Each step says what to type or watch and
 * is done when the session shows it happened, judged from transcript events.
 *
 * The model only: parsing, loading, progress. No curses; the lab's scenarios
 * are names here, checked by whoever starts the lab (lesson_check_scenario).
 * The Lesson tab is drawn by lessonview.
 */
#ifndef STARTLE_LESSON_H
#define STARTLE_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#include "transcript.h"

/* What completes a step. */
#define LESSON_WAITS(X)                                                                    \
	X(GREETING, "greeting", "the server's greeting arrived")                           \
	X(SENT, "sent", "the client sent a line whose command word is ARG")                \
	X(RECEIVED, "received", "a server line contains ARG (any case)")                   \
	X(PHASE, "phase", "the session reached phase ARG (plain, handshake, tls)")         \
	X(FINDING, "finding", "a finding with id ARG was reported")                        \
	X(VERDICT, "verdict", "the certificate verdict arrived")                           \
	X(CLOSED, "closed", "the connection ended")                                        \
	X(READ, "read", "nothing to wait for: the user moves on with /next")

enum lesson_wait {
#define LESSON_WAIT_ENUM(sym, name, text) LESSON_WAIT_##sym,
	LESSON_WAITS(LESSON_WAIT_ENUM)
#undef LESSON_WAIT_ENUM
	    LESSON_WAIT_COUNT
};

struct lesson_step {
	char *title;
	char *text; /* what to type or watch; may span lines */
	enum lesson_wait wait;
	char *arg; /* "" when the wait takes none */
	int side;  /* compare lessons: 0 the events of session a complete it, 1 of b */
};

struct lesson {
	char *name; /* file name without .lesson */
	char *title;
	char *proto;            /* "smtp", "imap", "pop3" */
	char *scenario;         /* lab scenario to run it against, lower-cased as written;
	                         * "honest" by default */
	unsigned scenario_line; /* line of "scenario:", 0 when defaulted */
	char *file;             /* the file name it was parsed as, for messages */
	char *next;             /* name of the lesson suggested afterwards, or NULL */
	bool compare;           /* "compare: yes": explicit (a) and implicit (b) side by side */
	struct lesson_step *steps;
	size_t nsteps;
	size_t current;    /* index of the step in progress; nsteps when done */
	bool client_spoke[2]; /* per session: a client line was seen, so later server
	                       * lines are no greeting */
};

/* Parses lesson text. Errors name the file and line ("x.lesson:7: ...").
 * Returns 0, or -1 with *cause (caller frees). */
int lesson_parse(const char *text, size_t len, const char *filename, struct lesson *out,
                 char **cause);

/* Loads NAME.lesson from $STARTLE_LESSONS, DATADIR/lessons, then
 * ./docs/lessons; or a path when name contains '/'. */
int lesson_load(const char *name, struct lesson *out, char **cause);

void lesson_free(struct lesson *l);

/* Calls fn with the name and title of each lesson found, sorted by name. */
void lesson_list(void (*fn)(void *arg, const char *name, const char *title), void *arg);

/* Feeds one event. Returns true if it completed the current step (which
 * then advances; several steps may complete on one event only one at a time). */
bool lesson_update(struct lesson *l, const struct event *ev);

/* The same for one session of a compare lesson (side 0: a, 1: b): only the
 * steps of that side advance on its events. */
bool lesson_update_side(struct lesson *l, int side, const struct event *ev);

/* Completes a "read" step (or any step, when forced by the user). */
void lesson_next(struct lesson *l);

bool lesson_done(const struct lesson *l);

/* What a step waits for, as the words after "waiting for:" ("you to send
 * EHLO"). Caller frees. */
char *lesson_waiting(const struct lesson_step *st);

/* Checks the lesson's scenario against the n names the lab knows (any case).
 * Returns 0, or -1 with *cause = "FILE:LINE: unknown scenario ...: use ..."
 * (caller frees). */
int lesson_check_scenario(const struct lesson *l, const char *const *known, size_t n,
                          char **cause);

#endif
