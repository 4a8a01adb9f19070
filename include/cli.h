/*
 * cli: the command line, parsed into options without side effects. Every
 * mistake comes back as one sentence; the caller prints it with the usage line
 * and exits 2.
 */
#ifndef STARTLE_CLI_H
#define STARTLE_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "batch.h"
#include "config.h"
#include "export.h"
#include "mx.h"
#include "script.h"
#include "ui.h"
#include "session.h"
#include "target.h"

enum cli_mode { MODE_TUI, MODE_BATCH };

struct cli_options {
	enum cli_mode mode;
	struct target target;
	bool compare;           /* --compare: two sessions side by side */
	struct target target_b; /* --compare: the second target */
	struct script script;    /* -c and --starttls in the order given */
	const char *script_file; /* --script FILE ("-": standard input), or NULL */
	size_t script_at;        /* how many steps came before --script */
	bool require_tls, verify, json, no_color, no_explain, records;
	bool force_color; /* --color=always: colours even when not a terminal or NO_COLOR */
	const char *servername, *cafile, *log, *record, *keylog, *theme, *ehlo;
	const char *client_cert, *client_key; /* --cert FILE, --key FILE */
	bool demo;              /* --demo or --lesson: against startle's lab server */
	const char *demo_proto; /* smtp (default), imap or pop3 */
	bool demo_implicit;     /* --demo with --implicit */
	const char *scenario;   /* --scenario NAME (demo) */
	const char *lesson;     /* --lesson NAME */
	int tls_min, tls_max;   /* 0, 12, 13 */
	const char *ciphers, *groups, *alpn; /* what TLS offers (tls.h), or NULL */
	bool reconnect; /* --reconnect: batch connects twice, resuming */
	int timeout_s;
	unsigned memory_mib; /* --memory: the transcript's budget for bulk, 0: none */
	bool help, version;
	const char *config_file; /* --config FILE, or NULL */
	bool no_config;          /* --no-config */
	bool redact, insecure;   /* --redact, --insecure */
	bool fail_on_set;        /* --fail-on given */
	enum severity fail_on;   /* --fail-on info|warn|danger */
	bool mx;                 /* --mx: the target is a mail domain */
	struct mx_options mx_opts; /* --mx-host, --dns-config, --require-dane, ... */
	bool export_set;              /* --export TOOL: print its command, connect not */
	enum export_tool export_tool;
	const char *save_chain; /* --save-chain FILE: the presented chain as PEM */
	const char *replay;        /* --replay FILE: a recording instead of a target */
};

/* Parses argv. Returns 0, or -1 with *cause (caller frees). opts->steps is
 * allocated; free it with cli_free. */
int cli_parse(int argc, char **argv, struct cli_options *opts, char **cause);
void cli_free(struct cli_options *opts);

/* Like cli_parse, with cfg's options (a configuration file, config.h) read
 * first, so the command line wins. An error in cfg is "FILE:LINE: ...". The
 * option strings point into cfg and argv: keep both while opts is used.
 * cfg may be NULL. */
int cli_parse_layered(const struct config *cfg, int argc, char **argv,
                      struct cli_options *opts, char **cause);

/* The session parameters the options ask for (with --compare, the first
 * side's). */
void cli_session_params(const struct cli_options *opts, struct session_params *p);

/* --compare: the parameters of both sides (the same but for the target). */
void cli_compare_params(const struct cli_options *opts, struct session_params *a,
                        struct session_params *b);

/* Reads the --script file (or standard input for "-", or for batch mode with
 * no -c when standard input is not a terminal) into opts->script at its
 * place among the -c steps. Returns 0, or -1 with *cause. */
int cli_load_script(struct cli_options *opts, char **cause);

/* The settings of the batch front the options ask for (steps point into
 * opts). */
void cli_batch_config(const struct cli_options *opts, struct batch_config *cfg);

/* What --export builds its command from. */
void cli_export_options(const struct cli_options *opts, struct export_options *eo);

/* The settings of the explorer the options ask for. */
void cli_ui_config(const struct cli_options *opts, struct ui_config *cfg);

/* Checks that the files the options name can be used (the CA file is
 * readable). Returns 0, or -1 with *cause. */
int cli_check_files(const struct cli_options *opts, char **cause);

/* The one-screen help text and the one-line usage. */
const char *cli_usage(void);
const char *cli_help(void);

#endif
