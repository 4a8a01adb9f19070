/*
 * ui: the interactive explorer. A split-pane curses screen over one session:
 * transcript, details tabs, status, a readline input line. One poll() loop
 * over the terminal, the socket, a signal self-pipe and timers. The UI reads
 * the transcript and the session's state; it never touches sockets or TLS.
 * The terminal is restored on every way out.
 */
#ifndef STARTLE_UI_H
#define STARTLE_UI_H

#include "cli.h"

/* Runs the explorer until the user leaves; returns the exit code. */
int ui_run(const struct cli_options *opts);

#endif
