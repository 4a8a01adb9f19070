/*
 * demo: startle on its own lab server, with no network at all.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "demo.h"
#include "escape.h"
#include "lab.h"
#include "labcert.h"
#include "lesson.h"
#include "util.h"

/* What must go when startle goes, whichever way it goes. */
struct demo {
	struct lab *lab;
	pid_t lab_pid;
	char *ca_path;
};

/* The demo still running, for the exit path: atexit handlers take no
 * argument, and fatal() leaves through them. */
static struct demo *demo_live;

static void
demo_cleanup(struct demo *d)
{
	if (d->lab_pid > 0) {
		kill(d->lab_pid, SIGTERM);
		waitpid(d->lab_pid, NULL, 0);
		d->lab_pid = 0;
	}
	if (d->ca_path != NULL) {
		unlink(d->ca_path);
		free(d->ca_path);
		d->ca_path = NULL;
	}
}

static void
demo_at_exit(void)
{
	if (demo_live != NULL)
		demo_cleanup(demo_live);
}

/* A lesson names its scenario; only the lab knows which exist. */
static int
demo_check_lesson_scenario(const struct lesson *l, char **cause)
{
	const char *names[LAB_SCENARIO_COUNT];

	for (int i = 0; i < LAB_SCENARIO_COUNT; i++)
		names[i] = lab_scenario_name((enum lab_scenario)i);
	return lesson_check_scenario(l, names, LAB_SCENARIO_COUNT, cause);
}

static void
list_scenarios(FILE *f)
{
	for (int i = 0; i < LAB_SCENARIO_COUNT; i++)
		fprintf(f, "  %-20s %s\n", lab_scenario_name((enum lab_scenario)i),
		        lab_scenario_lesson((enum lab_scenario)i));
}

/* The lab's protocol and scenario: from the options, else from the lesson,
 * else SMTP and the honest server. Returns 0, or -1 after saying why. */
static int
demo_choose(const struct cli_options *o, struct lab_config *cfg)
{
	char *lesson_proto = NULL, *lesson_scenario = NULL, *cause = NULL;
	const char *proto_name = o->demo_proto, *scenario = o->scenario;
	int sc, proto, rc = 0;
	bool lesson_compare = false;

	if (o->lesson != NULL) {
		struct lesson l = {0};
		if (lesson_load(o->lesson, &l, &cause) != 0 ||
		    demo_check_lesson_scenario(&l, &cause) != 0) {
			fprintf(stderr, "startle: %s\n", cause);
			free(cause);
			lesson_free(&l);
			return -1;
		}
		lesson_proto = xstrdup(l.proto);
		lesson_scenario = xstrdup(l.scenario);
		lesson_compare = l.compare;
		lesson_free(&l);
		if (proto_name == NULL)
			proto_name = lesson_proto;
		if (scenario == NULL)
			scenario = lesson_scenario;
	}
	if (lesson_compare && o->demo_implicit) {
		fprintf(stderr, "startle: the %s lesson runs explicit and implicit TLS side by "
		                "side: leave out --implicit\n",
		        o->lesson);
		free(lesson_proto);
		free(lesson_scenario);
		return -1;
	}
	proto = proto_name != NULL ? proto_from_name(proto_name) : PROTO_SMTP;
	sc = scenario != NULL ? lab_scenario_from_name(scenario) : LAB_HONEST;
	if (sc < 0) {
		char *esc = escape_bytes((const unsigned char *)scenario, strlen(scenario),
		                         ESCAPE_TEXT);
		fprintf(stderr, "startle: unknown scenario \"%s\"; the lab knows:\n",
		        esc != NULL ? esc : "?");
		free(esc);
		list_scenarios(stderr);
		rc = -1;
	} else if (proto < 0) {
		char *esc = escape_bytes((const unsigned char *)proto_name,
		                         strlen(proto_name), ESCAPE_TEXT);
		fprintf(stderr,
		        "startle: unknown protocol \"%s\": use smtp, imap or pop3\n",
		        esc != NULL ? esc : "?");
		free(esc);
		rc = -1;
	}
	*cfg = (struct lab_config){
	    .proto = (enum proto_id)(proto < 0 ? PROTO_SMTP : proto),
	    .implicit = o->demo_implicit,
	    .both = o->compare || lesson_compare,
	    .scenario = (enum lab_scenario)(sc < 0 ? LAB_HONEST : sc),
	    .slow_ms = 2000,
	};
	if (rc == 0 && lab_check_config(cfg, &cause) != 0) {
		fprintf(stderr, "startle: %s\n", cause);
		free(cause);
		rc = -1;
	}
	free(lesson_proto);
	free(lesson_scenario);
	return rc;
}

/* A target on the lab's loopback address. */
static void
demo_target(struct target *t, enum proto_id proto, bool implicit, unsigned port)
{
	memset(t, 0, sizeof *t);
	t->proto = proto;
	t->mode = implicit ? TLS_MODE_IMPLICIT : TLS_MODE_EXPLICIT;
	snprintf(t->host, sizeof t->host, "127.0.0.1");
	t->host_is_ip = true;
	t->port = port;
	snprintf(t->scheme, sizeof t->scheme, "%s%s", proto_info(proto)->name,
	         implicit ? "s" : "");
}

/* Points the options at the running lab: its port (both, for --compare),
 * its CA, its name. */
static void
demo_aim(const struct demo *d, const struct lab_config *cfg, struct cli_options *o)
{
	demo_target(&o->target, cfg->proto, cfg->implicit, lab_port(d->lab));
	if (cfg->both)
		demo_target(&o->target_b, cfg->proto, true, lab_port_implicit(d->lab));
	if (o->cafile == NULL)
		o->cafile = d->ca_path;
	if (o->servername == NULL)
		o->servername = LABCERT_HOST;
}

struct demo *
demo_start(const struct cli_options *in, struct cli_options *out, int *exit_code)
{
	struct lab_config cfg;
	struct demo *d;
	char *cause = NULL;

	*out = *in;
	*exit_code = EXIT_USAGE;
	if (demo_choose(in, &cfg) != 0)
		return NULL;
	d = xcalloc(1, sizeof *d);
	*exit_code = EXIT_NETWORK;
	if ((d->lab = lab_new(&cfg, &cause)) == NULL) {
		fprintf(stderr, "startle: cannot start the lab server: %s\n", cause);
		free(cause);
		free(d);
		return NULL;
	}
	demo_live = d;
	atexit(demo_at_exit);
	if ((d->ca_path = labcert_write_ca(lab_certs(d->lab), &cause)) == NULL ||
	    (d->lab_pid = lab_spawn(d->lab, &cause)) < 0) {
		fprintf(stderr, "startle: cannot start the lab server: %s\n", cause);
		free(cause);
		d->lab_pid = 0;
		demo_stop(d);
		return NULL;
	}
	demo_aim(d, &cfg, out);
	out->compare = cfg.both; /* a compare lesson compares */
	*exit_code = EXIT_OK;
	return d;
}

void
demo_stop(struct demo *d)
{
	if (d == NULL)
		return;
	demo_cleanup(d);
	lab_free(d->lab);
	if (demo_live == d)
		demo_live = NULL;
	free(d);
}
