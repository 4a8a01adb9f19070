#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "batch.h"
#include "cli.h"
#include "conn.h"
#include "demo.h"
#include "tls.h"
#include "ui.h"

/* What the explorer needs from the options: the session parameters (once
 * the files they name are checked) and its own settings. The UI itself never
 * reads the command line. */
static int
run_explorer(const struct cli_options *o)
{
	struct session_params params;
	struct ui_config cfg = {
	    .theme = o->theme,
	    .no_color = o->no_color,
	    .no_explain = o->no_explain,
	    .tls_records = o->records,
	    .log = o->log,
	    .record = o->record,
	    .lesson = o->lesson,
	    .demo_scenario = !o->demo      ? NULL
	                     : o->scenario ? o->scenario
	                                   : "honest",
	};
	char *cause = NULL;

	if (cli_check_files(o, &cause) != 0) {
		fprintf(stderr, "startle: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	cli_session_params(o, &params);
	return ui_run(&params, &cfg);
}

int
main(int argc, char **argv)
{
	struct cli_options o;
	char *cause = NULL;
	int rc;

	setlocale(LC_ALL, "");
	if (cli_parse(argc, argv, &o, &cause) != 0) {
		fprintf(stderr, "startle: %s\n%s\n", cause, cli_usage());
		free(cause);
		cli_free(&o);
		return EXIT_USAGE;
	}
	if (o.help) {
		fputs(cli_help(), stdout);
		cli_free(&o);
		return EXIT_OK;
	}
	if (o.version) {
		printf("startle %s\n", STARTLE_VERSION);
		cli_free(&o);
		return EXIT_OK;
	}
	if (o.mode != MODE_BATCH && o.mode != MODE_TUI) {
		fprintf(stderr,
		        "startle: --compare and --replay are not in this build yet\n%s\n",
		        cli_usage());
		cli_free(&o);
		return EXIT_USAGE;
	}
	conn_ignore_sigpipe();
	if (tls_global_init(&cause) != 0) {
		fprintf(stderr, "startle: %s\n", cause);
		free(cause);
		cli_free(&o);
		return EXIT_TLS;
	}
	if (o.demo)
		rc = demo_run(&o);
	else
		rc = o.mode == MODE_BATCH ? batch_run(&o) : run_explorer(&o);
	cli_free(&o);
	return rc;
}
