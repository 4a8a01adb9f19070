/*
 * batch: the non-interactive front. Runs the steps of the command line (or
 * the default probe) against the target, prints the transcript as annotated
 * text or JSON Lines, and turns the outcome into an exit code.
 */
#ifndef STARTLE_BATCH_H
#define STARTLE_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "mx.h"
#include "script.h"
#include "session.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_POLICY = 1,
	EXIT_USAGE = 2,
	EXIT_NETWORK = 3,
	EXIT_PROTOCOL = 4,
	EXIT_TLS = 5
};

/* What batch mode does beside the session itself. */
struct batch_config {
	const struct script *script; /* in order; no lines: the default probe */
	bool json;                   /* JSON Lines instead of text on stdout */
	bool no_explain, records, no_color;
	bool force_color; /* colour escapes even when stdout is not a terminal */
	const char *log, *record; /* files for the text and the JSON Lines, or NULL */
	bool redact;              /* --redact: credential lines as a marker (output.h) */
	bool fail_on_set;         /* --fail-on given: */
	enum severity fail_on;    /* exit 1 after a finding at least this severe */
	size_t budget;            /* bytes of bulk the transcript keeps (transcript.h) */
	const struct mx_options *mx; /* --mx: HOST is a mail domain (mx.h), or NULL */
	bool reconnect; /* --reconnect: after the session, a second one to the same
	                 * server with the same steps, offering to resume the first's
	                 * TLS session (as s_client -reconnect) */
	const char *save_chain; /* --save-chain: the chain as PEM here, or NULL */
};

/* The --fail-on rule: the exit after a session that ended with rc and whose
 * most severe finding was worst (-1: none). rc is kept unless it is EXIT_OK;
 * then EXIT_POLICY if --fail-on is set and worst is at least as severe. */
int batch_fail_on_exit(const struct batch_config *cfg, int rc, int worst);

/* Runs one session in batch mode (the caller has checked the files the
 * parameters name); returns the exit code: the session's (exit_code), then
 * EXIT_POLICY for --require-tls or --fail-on if the session itself ended
 * well; a file that cannot be opened is EXIT_USAGE before connecting. A write
 * to stdout, the log or the recording that fails is reported on stderr at
 * the end and makes the exit EXIT_USAGE unless the session's exit is already
 * non-zero, which is kept. */
int batch_run(const struct session_params *p, const struct batch_config *cfg);

/* --compare: runs two sessions side by side in one loop, each line of
 * output marked with its session ("a", "b"), then the comparison (text: a
 * table and the differences in words; JSON: one "compare" event). A typed
 * line goes to both, the upgrade (--starttls, a STARTTLS/STLS line) only to
 * an explicit side. Returns the worse of the two exit codes (the higher). */
int batch_compare_run(const struct session_params *a, const struct session_params *b,
                      const struct batch_config *cfg);

struct replay;

/* --replay FILE --batch: prints a recording (replay.h) again as the session
 * printed it -- text or JSON Lines, with the comparison after a compare
 * recording -- and writes the log and recording the config asks for.
 * Returns 0, or EXIT_USAGE when a file cannot be opened or written. */
int batch_replay(const struct replay *r, const struct batch_config *cfg);

#endif
