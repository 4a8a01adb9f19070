/*
 * demo: startle on its own lab server, with no network at all. Starts the lab
 * (include/lab.h) in a child process on an ephemeral loopback port and trusts
 * the lab's CA for this session only; the lab process and the CA file go on
 * every way out (demo_stop, a normal exit, fatal()).
 */
#ifndef STARTLE_DEMO_H
#define STARTLE_DEMO_H

#include "cli.h"

struct demo;

/* Starts the lab for --demo / --lesson and copies the options into out,
 * aimed at it (target, CA file, server name; the CA path lives as long as the
 * demo). Returns the demo, or NULL with *exit_code after printing why. */
struct demo *demo_start(const struct cli_options *in, struct cli_options *out,
                        int *exit_code);

/* Stops the lab and removes the CA file. */
void demo_stop(struct demo *d);

#endif
