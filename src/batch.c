#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "output.h"
#include "session.h"
#include "util.h"

struct sinks {
	FILE *out;
	bool json;
	struct output_options text;
	FILE *log;
	FILE *record;
	struct output_options log_opts;
};

static void
on_event(void *arg, const struct transcript *t, const struct event *ev)
{
	struct sinks *k = arg;

	(void)t;
	if (k->json)
		output_json(k->out, ev);
	else
		output_text(k->out, ev, &k->text);
	fflush(k->out);
	if (k->log != NULL) {
		output_text(k->log, ev, &k->log_opts);
		fflush(k->log);
	}
	if (k->record != NULL) {
		output_json(k->record, ev);
		fflush(k->record);
	}
}

/* Opens the file of --log or --record, privately; says why not on stderr. */
static FILE *
open_output(const char *path, const char *what)
{
	char *cause = NULL;
	FILE *f = util_open_private(path, false, &cause);
	if (f == NULL) {
		fprintf(stderr, "startle: the %s file %s\n", what, cause);
		free(cause);
	}
	return f;
}

static int
exit_for(enum session_failure f)
{
	switch (f) {
	case FAIL_NONE:
		return EXIT_OK;
	case FAIL_POLICY:
		return EXIT_POLICY;
	case FAIL_NETWORK:
		return EXIT_NETWORK;
	case FAIL_PROTOCOL:
		return EXIT_PROTOCOL;
	case FAIL_TLS:
		return EXIT_TLS;
	}
	return EXIT_PROTOCOL;
}

/* Queues the steps given on the command line, or the default probe. */
static void
queue_steps(struct session *s, const struct batch_config *cfg, struct transcript *t)
{
	if (cfg->ncommands == 0) {
		if (session_target(s)->mode == TLS_MODE_EXPLICIT)
			session_queue_starttls(s);
		else
			session_queue_capa(s);
		session_queue_quit(s);
		return;
	}
	for (size_t i = 0; i < cfg->nsteps && session_state(s) != SS_CLOSED; i++) {
		if (cfg->steps[i].kind == BATCH_STEP_STARTTLS) {
			session_queue_starttls(s);
		} else {
			char *cause = NULL;
			if (session_queue_line(s, cfg->steps[i].line, &cause) != 0) {
				struct event ev = {.phase = session_phase(s),
				                   .dir = DIR_LOCAL,
				                   .kind = EV_ERROR};
				ev.text = (unsigned char *)cause;
				ev.len = strlen(cause);
				transcript_append(t, &ev);
				free(cause);
				return;
			}
		}
		session_run(s);
	}
}

int
batch_run(const struct session_params *p, const struct batch_config *cfg)
{
	struct sinks k = {.out = stdout, .json = cfg->json};
	int rc;

	k.text.explain = !cfg->no_explain;
	k.text.records = cfg->records;
	k.text.color =
	    !cfg->no_color && getenv("NO_COLOR") == NULL && isatty(STDOUT_FILENO);
	k.log_opts.explain = true;
	k.log_opts.records = cfg->records;
	if (cfg->log != NULL && (k.log = open_output(cfg->log, "log")) == NULL)
		return EXIT_USAGE;
	if (cfg->record != NULL &&
	    (k.record = open_output(cfg->record, "recording")) == NULL) {
		if (k.log)
			fclose(k.log);
		return EXIT_USAGE;
	}

	struct transcript *t = transcript_new();
	transcript_listen(t, on_event, &k);
	struct session *s = session_new(p, t);
	if (session_open(s) == 0) {
		session_run(s);
		queue_steps(s, cfg, t);
		session_run(s);
	}
	rc = exit_for(session_failure(s));
	if (rc == EXIT_OK && p->require_tls && session_phase(s) != PHASE_TLS) {
		struct event ev = {
		    .phase = session_phase(s), .dir = DIR_LOCAL, .kind = EV_ERROR};
		const char *msg = "--require-tls: the session never reached TLS";
		ev.text = (unsigned char *)msg;
		ev.len = strlen(msg);
		transcript_append(t, &ev);
		rc = EXIT_POLICY;
	}
	session_close(s, session_state(s) == SS_CLOSED ? NULL
	                                               : "startle closed the connection");
	session_free(s);
	transcript_free(t);
	if (k.log)
		fclose(k.log);
	if (k.record)
		fclose(k.record);
	return rc;
}
