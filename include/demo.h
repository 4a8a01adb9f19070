/*
 * demo: startle on its own lab server, with no network at all. Starts the lab
 * (include/lab.h) in a child process on an ephemeral loopback port, trusts the
 * lab's CA for this session only, runs the explorer (or batch mode), and
 * cleans up — the lab process and the CA file — on every way out.
 */
#ifndef STARTLE_DEMO_H
#define STARTLE_DEMO_H

#include "cli.h"

/* Runs --demo / --lesson; returns the exit code. */
int demo_run(const struct cli_options *opts);

#endif
