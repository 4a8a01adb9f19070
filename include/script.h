/*
 * script: the lines a session is given to send, in order — from -c and
 * --starttls, from a --script file or from standard input (the habit of
 * piping commands into s_client). A script is text, one protocol line a line;
 * a line "/starttls" runs the upgrade dance, "//" at the start of a line
 * stands for one "/", a blank line is sent as a blank line. Pure: the caller
 * reads the file.
 */
#ifndef STARTLE_SCRIPT_H
#define STARTLE_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"

struct session;

enum script_step_kind {
	SCRIPT_LINE,     /* send a line */
	SCRIPT_STARTTLS, /* the upgrade dance */
	SCRIPT_AUTH      /* the SASL exchange of the script's auth (--auth) */
};

/* Who to log in as, for SCRIPT_AUTH steps. */
struct script_auth {
	const char *user;
	enum auth_mech mech;
	char *password; /* owned; cleared and freed with the script */
};

struct script_step {
	enum script_step_kind kind;
	const char *line; /* SCRIPT_LINE: the line without CRLF, "" for a blank one */
};

struct script {
	struct script_step *steps;
	size_t n;
	size_t nlines; /* how many steps send lines of their own (lines, auth) */
	char **texts;  /* the parsed texts the lines point into (owned) */
	size_t ntexts;
	struct script_auth auth;
};

/* Scripts larger than this are refused (a script is typed, not a mailbox). */
#define SCRIPT_MAX_BYTES (1024 * 1024)

/* Appends a step; line is not copied (it must outlive the script). */
void script_add(struct script *sc, enum script_step_kind kind, const char *line);

/* Appends the lines of a script text (len bytes, not NUL-terminated) that
 * came from name ("FILE", "standard input"). Returns 0, or -1 with *cause
 * naming the line: a NUL byte, a slash command other than /starttls, a text
 * over SCRIPT_MAX_BYTES. A final line without its line end counts; a CR
 * before the LF is dropped. */
int script_parse(struct script *sc, const char *text, size_t len, const char *name,
                 char **cause);

/* Queues step i on the session (a line, the upgrade dance, or the SASL
 * exchange). Returns 0, or -1 with *cause when the session refuses it. */
int script_queue_step(const struct script *sc, size_t i, struct session *s, char **cause);

void script_free(struct script *sc);

#endif
