/*
 * batch: the non-interactive front. Runs the steps of the command line (or
 * the default probe) against the target, prints the transcript as annotated
 * text or JSON Lines, and turns the outcome into an exit code.
 */
#ifndef STARTLE_BATCH_H
#define STARTLE_BATCH_H

#include "cli.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_POLICY = 1,
	EXIT_USAGE = 2,
	EXIT_NETWORK = 3,
	EXIT_PROTOCOL = 4,
	EXIT_TLS = 5
};

/* Runs batch mode; returns the exit code. */
int batch_run(const struct cli_options *opts);

#endif
