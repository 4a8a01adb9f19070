/*
 * main: reads the command line, starts the lab for a demo, and hands each
 * front only what it needs: the session parameters and its own settings.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cli.h"
#include "config.h"
#include "conn.h"
#include "demo.h"
#include "escape.h"
#include "export.h"
#include "prompt.h"
#include "replay.h"
#include "tls.h"
#include "tlsbuild.h"
#include "ui.h"
#include "util.h"

/* Prints one of startle's sentences on stderr, escaped (escape.h): they quote
 * the command line, file names and server text. */
static void
say(const char *cause, const char *extra)
{
	char *esc = escape_bytes((const unsigned char *)cause, strlen(cause), ESCAPE_OWN);

	fprintf(stderr, "startle: %s\n%s", esc != NULL ? esc : "out of memory",
	        extra != NULL ? extra : "");
	free(esc);
}

/* --auth's password: from STARTLE_PASSWORD, else asked on the terminal
 * (never from the command line, where other users and the history see it).
 * Returns 0, or -1 after saying why. */
static int
get_password(struct cli_options *o)
{
	struct script_auth *a = &o->script.auth;
	const char *env = getenv("STARTLE_PASSWORD");
	char *cause = NULL;

	if (a->user == NULL)
		return 0;
	if (env != NULL) {
		a->password = xstrdup(env);
		return 0;
	}
	char *user =
	    escape_bytes((const unsigned char *)a->user, strlen(a->user), ESCAPE_TEXT);
	char *question = str_printf("startle: password for %s: ", user ? user : "?");
	a->password = prompt_secret(question, &cause);
	free(question);
	free(user);
	if (a->password == NULL) {
		char *msg = str_printf("--auth: %s", cause);
		say(msg, NULL);
		free(msg);
		free(cause);
		return -1;
	}
	return 0;
}

/* Parses the command line, then again with the configuration file's options
 * first (config.h), unless --no-config or the default file is missing.
 * Returns 0, or -1 with *cause. */
static int
parse_options(int argc, char **argv, struct cli_options *o, struct config *cfg,
              char **cause)
{
	bool named;

	memset(cfg, 0, sizeof *cfg);
	if (cli_parse(argc, argv, o, cause) != 0)
		return -1;
	if (o->help || o->version || o->no_config)
		return 0;
	char *path = config_path(o->config_file, &named);
	if (path == NULL)
		return 0;
	int rc = config_load(cfg, path, !named, cause);
	free(path);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	cli_free(o);
	return cli_parse_layered(cfg, argc, argv, o, cause);
}

/* --replay FILE: the recording read whole, then shown by the front asked
 * for; a recording made under --redact is shown redacted. */
static int
run_replay(const struct cli_options *o)
{
	struct replay r;
	char *cause = NULL;
	int rc;

	if (replay_load(o->replay, &r, &cause) != 0) {
		say(cause, NULL);
		free(cause);
		return EXIT_USAGE;
	}
	if (o->mode == MODE_BATCH) {
		struct batch_config cfg;
		cli_batch_config(o, &cfg);
		cfg.redact |= r.redact;
		rc = batch_replay(&r, &cfg);
	} else {
		struct ui_config ui;
		cli_ui_config(o, &ui);
		ui.redact |= r.redact;
		ui.replay_path = o->replay;
		rc = ui_run_replay(&r, &ui);
	}
	replay_free(&r);
	return rc;
}

/* Runs the front the options ask for; returns the exit code. */
static int
run_front(const struct cli_options *o)
{
	struct session_params p;
	char *cause = NULL;

	if (o->replay != NULL)
		return run_replay(o);

	if (cli_check_files(o, &cause) != 0) {
		say(cause, NULL);
		free(cause);
		return EXIT_USAGE;
	}
	cli_session_params(o, &p);
	if (o->mode == MODE_BATCH) {
		struct batch_config cfg;
		cli_batch_config(o, &cfg);
		if (o->compare) {
			struct session_params pb;
			cli_compare_params(o, &p, &pb);
			return batch_compare_run(&p, &pb, &cfg);
		}
		return batch_run(&p, &cfg);
	}
	struct ui_config ui;
	cli_ui_config(o, &ui);
	if (o->compare) {
		struct session_params pb;
		cli_compare_params(o, &p, &pb);
		return ui_run_compare(&p, &pb, &ui);
	}
	return ui_run(&p, &ui);
}

/* --export: prints the command another tool needs for the same connection
 * and connects nowhere. Returns the exit code. */
static int
main_export(const struct cli_options *o)
{
	struct export_options eo;
	struct export_command cmd;

	cli_export_options(o, &eo);
	export_build(o->export_tool, &eo, &cmd);
	char *text = export_format(&cmd, 0);
	export_command_free(&cmd);
	fputs(text, stdout);
	free(text);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		say("--export: writing to standard output failed", NULL);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Runs what the parsed options ask for and frees them; returns the exit
 * code. */
static int
main_run(struct cli_options *o)
{
	struct cli_options aimed;
	struct demo *demo = NULL;
	char *cause = NULL;
	int rc;

	if (o->help || o->version) {
		if (o->help)
			fputs(cli_help(), stdout);
		else
			printf("startle %s\n%s\n", STARTLE_VERSION, tlsbuild_describe());
		cli_free(o);
		return EXIT_OK;
	}
	if (o->export_set) {
		rc = main_export(o);
		cli_free(o);
		return rc;
	}
	if (cli_load_script(o, &cause) != 0) {
		say(cause, NULL);
		free(cause);
		cli_free(o);
		return EXIT_USAGE;
	}
	if (get_password(o) != 0) {
		cli_free(o);
		return EXIT_USAGE;
	}
	conn_ignore_sigpipe();
	if (tls_global_init(&cause) != 0) {
		say(cause, NULL);
		free(cause);
		cli_free(o);
		return EXIT_TLS;
	}
	aimed = *o;
	if (o->demo && (demo = demo_start(o, &aimed, &rc)) == NULL) {
		cli_free(o);
		return rc;
	}
	rc = run_front(&aimed);
	demo_stop(demo);
	cli_free(o);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli_options o;
	struct config cfg;
	char *cause = NULL;

	setlocale(LC_ALL, "");
	if (parse_options(argc, argv, &o, &cfg, &cause) != 0) {
		say(cause, cli_usage());
		fputc('\n', stderr);
		free(cause);
		cli_free(&o);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	int rc = main_run(&o);
	config_free(&cfg);
	return rc;
}
