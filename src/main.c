#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "batch.h"
#include "cli.h"
#include "conn.h"
#include "demo.h"
#include "tls.h"
#include "ui.h"

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
		rc = o.mode == MODE_BATCH ? batch_run(&o) : ui_run(&o);
	cli_free(&o);
	return rc;
}
