/*
 * batch: the non-interactive front. Runs the steps of the command line (or
 * the default probe) against the target, prints the transcript as annotated
 * text or JSON Lines, and turns the outcome into an exit code.
 */
#ifndef STARTLE_BATCH_H
#define STARTLE_BATCH_H

#include <stdbool.h>
#include <stddef.h>

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
	const char *log, *record; /* files for the text and the JSON Lines, or NULL */
};

/* Runs one session in batch mode (the caller has checked the files the
 * parameters name); returns the exit code. */
int batch_run(const struct session_params *p, const struct batch_config *cfg);

#endif
