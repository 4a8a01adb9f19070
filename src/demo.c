#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "demo.h"
#include "lab.h"
#include "labcert.h"
#include "lesson.h"
#include "ui.h"
#include "util.h"

/* What must go when startle goes, whichever way it goes. */
static struct {
	pid_t lab_pid;
	char *ca_path;
} left;

static void
demo_cleanup(void)
{
	if (left.lab_pid > 0) {
		kill(left.lab_pid, SIGTERM);
		waitpid(left.lab_pid, NULL, 0);
		left.lab_pid = 0;
	}
	if (left.ca_path != NULL) {
		unlink(left.ca_path);
		free(left.ca_path);
		left.ca_path = NULL;
	}
}

static void
list_scenarios(FILE *f)
{
	for (int i = 0; i < LAB_SCENARIO_COUNT; i++)
		fprintf(f, "  %-20s %s\n", lab_scenario_name((enum lab_scenario)i),
		        lab_scenario_lesson((enum lab_scenario)i));
}

/* A lesson names its lab scenario as a word; the lab knows which exist. */
static int
demo_check_lesson_scenario(const struct lesson *l, char **cause)
{
	const char *names[LAB_SCENARIO_COUNT];

	for (int i = 0; i < LAB_SCENARIO_COUNT; i++)
		names[i] = lab_scenario_name((enum lab_scenario)i);
	return lesson_check_scenario(l, names, LAB_SCENARIO_COUNT, cause);
}

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
demo_run(const struct cli_options *in)
{
	struct cli_options o = *in;
	const char *proto_name = o.demo_proto, *scenario = o.scenario;
	char *lesson_proto = NULL, *lesson_scenario = NULL;
	char *cause = NULL;
	struct lab *lab;
	int sc, proto, rc;

	if (o.lesson != NULL) {
		struct lesson l;
		if (lesson_load(o.lesson, &l, &cause) != 0 ||
		    demo_check_lesson_scenario(&l, &cause) != 0) {
			fprintf(stderr, "startle: %s\n", cause);
			free(cause);
			lesson_free(&l);
			return EXIT_USAGE;
		}
		lesson_proto = xstrdup(l.proto);
		lesson_scenario = xstrdup(l.scenario);
		lesson_free(&l);
		if (proto_name == NULL)
			proto_name = lesson_proto;
		if (scenario == NULL)
			scenario = lesson_scenario;
	}
	proto = proto_name != NULL ? proto_from_name(proto_name) : PROTO_SMTP;
	sc = scenario != NULL ? lab_scenario_from_name(scenario) : LAB_HONEST;
	if (proto < 0 || sc < 0) {
		if (sc < 0) {
			fprintf(stderr,
			        "startle: unknown scenario \"%s\"; the lab knows:\n",
			        scenario);
			list_scenarios(stderr);
		} else {
			fprintf(
			    stderr,
			    "startle: unknown protocol \"%s\": use smtp, imap or pop3\n",
			    proto_name);
		}
		free(lesson_proto);
		free(lesson_scenario);
		return EXIT_USAGE;
	}
	struct lab_config cfg = {
	    .proto = (enum proto_id)proto,
	    .implicit = o.demo_implicit,
	    .scenario = (enum lab_scenario)sc,
	    .slow_ms = 2000,
	};
	free(lesson_proto);
	free(lesson_scenario);
	if ((lab = lab_new(&cfg, &cause)) == NULL) {
		fprintf(stderr, "startle: cannot start the lab server: %s\n", cause);
		free(cause);
		return EXIT_NETWORK;
	}
	atexit(demo_cleanup);
	if ((left.ca_path = labcert_write_ca(lab_certs(lab), &cause)) == NULL ||
	    (left.lab_pid = lab_spawn(lab, &cause)) < 0) {
		fprintf(stderr, "startle: cannot start the lab server: %s\n", cause);
		free(cause);
		left.lab_pid = 0;
		lab_free(lab);
		demo_cleanup();
		return EXIT_NETWORK;
	}

	memset(&o.target, 0, sizeof o.target);
	o.target.proto = (enum proto_id)proto;
	o.target.mode = o.demo_implicit ? TLS_MODE_IMPLICIT : TLS_MODE_EXPLICIT;
	snprintf(o.target.host, sizeof o.target.host, "127.0.0.1");
	o.target.host_is_ip = true;
	o.target.port = lab_port(lab);
	snprintf(o.target.scheme, sizeof o.target.scheme, "%s%s",
	         proto_info(o.target.proto)->name, o.demo_implicit ? "s" : "");
	if (o.cafile == NULL)
		o.cafile = left.ca_path;
	if (o.servername == NULL)
		o.servername = LABCERT_HOST;
	rc = o.mode == MODE_BATCH ? batch_run(&o) : run_explorer(&o);
	demo_cleanup();
	lab_free(lab);
	return rc;
}
