/*
 * ui: the interactive explorer. A split-pane curses screen over one session:
 * transcript, details tabs, status, a readline input line; or under
 * --compare over two, side by side, with a comparison pane. One poll() loop
 * over the terminal, the sockets, a signal self-pipe and timers. The UI reads
 * the transcript and the session's state; it never touches sockets or TLS.
 * The terminal is restored on every way out.
 *
 * The caller (main) turns the command line into session parameters and a
 * ui_config; the UI never reads the command line itself.
 */
#ifndef STARTLE_UI_H
#define STARTLE_UI_H

#include <stdbool.h>

#include "mx.h"
#include "script.h"
#include "session.h"

/* How the explorer looks and what it does besides the session. */
struct ui_config {
	const char *theme;  /* theme name or path; NULL: the default theme */
	bool no_color;      /* attributes only (NO_COLOR in the environment too) */
	bool force_color;   /* colours whatever NO_COLOR says (--color=always) */
	bool no_explain;    /* start with explanations hidden */
	bool tls_records;   /* show TLS records in the transcript */
	const char *log;    /* write the annotated transcript here, or NULL */
	const char *record; /* write the session as JSON Lines here, or NULL */
	const char *lesson; /* start this lesson, or NULL */
	bool redact;        /* --redact: credential lines shown as a marker (output.h) */
	/* Against startle's lab: the scenario the first hint names; NULL otherwise. */
	const char *demo_scenario;
	/* Lines (-c, --starttls, --script) to send once connected, or NULL. */
	const struct script *script;
	size_t budget; /* bytes of bulk each transcript keeps (--memory; 0: all) */
	const char *save_chain; /* --save-chain: each chain as PEM here, or NULL */
	/* --mx: the target is a mail domain, checked before connecting; NULL
	 * otherwise. */
	const struct mx_options *mx;
	const char *replay_path; /* --replay: the recording's path, for messages */
};

/* Runs the explorer over a session with params until the user leaves;
 * returns the exit code. */
int ui_run(const struct session_params *params, const struct ui_config *cfg);

/* --compare: runs the explorer over two sessions side by side, a and b,
 * until the user leaves; returns the exit code. A typed line goes to both
 * (the upgrade only to an explicit side) unless aimed at one; the log and
 * the recording tag each event with its side and end with the
 * comparison. */
int ui_run_compare(const struct session_params *a, const struct session_params *b,
                   const struct ui_config *cfg);

struct replay;

/* --replay FILE: the explorer over a recording (replay.h), with no
 * connection: each session's events are appended to its transcript as the
 * user steps or plays through them, so every pane shows them as it would
 * live; nothing is sent anywhere. Returns the exit code (0, or 2 when the
 * terminal cannot be used). */
int ui_run_replay(const struct replay *r, const struct ui_config *cfg);

#endif
