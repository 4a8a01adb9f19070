#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "escape.h"
#include "output.h"
#include "session.h"
#include "util.h"

/* A stream batch writes to, and the first error writing it. */
struct sink {
	FILE *f;
	const char *what, *path; /* "log", "recording"; path NULL for stdout */
	int err;                 /* errno of the first failed write, or 0 */
};

struct sinks {
	struct sink out, log, record;
	bool json, redact;
	struct output_options text, log_opts;
	int worst;                /* most severe finding so far, or -1 */
	enum finding_id worst_id; /* the first finding of that severity */
};

/* Flushes a sink and keeps the first error. */
static void
sink_flush(struct sink *k)
{
	errno = 0;
	if (k->f != NULL && (fflush(k->f) != 0 || ferror(k->f)) && k->err == 0)
		k->err = errno ? errno : EIO;
}

static void
on_event(void *arg, const struct transcript *t, const struct event *ev)
{
	struct sinks *k = arg;

	(void)t;
	if (ev->kind == EV_FINDING && (int)ev->severity > k->worst) {
		k->worst = (int)ev->severity;
		k->worst_id = ev->finding;
	}
	if (k->json)
		output_json(k->out.f, ev, k->redact);
	else
		output_text(k->out.f, ev, &k->text);
	sink_flush(&k->out);
	if (k->log.f != NULL) {
		output_text(k->log.f, ev, &k->log_opts);
		sink_flush(&k->log);
	}
	if (k->record.f != NULL) {
		output_json(k->record.f, ev, k->redact);
		sink_flush(&k->record);
	}
}

/* Opens the file of --log or --record, privately; says why not on stderr. */
static int
open_output(struct sink *k, const char *path, const char *what)
{
	char *cause = NULL;

	*k = (struct sink){.what = what, .path = path};
	if (path == NULL)
		return 0;
	k->f = util_open_private(path, false, &cause);
	if (k->f == NULL) {
		fprintf(stderr, "startle: the %s file %s\n", what, cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Closes a file sink and reports a write that failed; returns -1 then. */
static int
sink_close(struct sink *k)
{
	if (k->f != NULL && k->path != NULL) {
		sink_flush(k);
		if (fclose(k->f) != 0 && k->err == 0)
			k->err = errno ? errno : EIO;
		k->f = NULL;
	}
	if (k->err == 0)
		return 0;
	if (k->path == NULL) {
		fprintf(stderr,
		        "startle: writing the transcript to standard output failed: %s\n",
		        strerror(k->err));
		return -1;
	}
	char *esc =
	    escape_bytes((const unsigned char *)k->path, strlen(k->path), ESCAPE_TEXT);
	fprintf(stderr,
	        "startle: writing the %s to %s failed: %s; the file is incomplete\n",
	        k->what, esc ? esc : "?", strerror(k->err));
	free(esc);
	return -1;
}

/* Records a policy failure of the run as an error event. */
static void
batch_policy_error(struct transcript *t, enum phase phase, const char *msg)
{
	struct event ev = {.phase = phase, .dir = DIR_LOCAL, .kind = EV_ERROR};

	ev.text = (unsigned char *)msg;
	ev.len = strlen(msg);
	transcript_append(t, &ev);
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
	const struct script *sc = cfg->script;

	if (sc == NULL || sc->nlines == 0) {
		if (session_target(s)->mode == TLS_MODE_EXPLICIT)
			session_queue_starttls(s);
		else
			session_queue_capa(s);
		session_queue_quit(s);
		return;
	}
	for (size_t i = 0; i < sc->n && session_state(s) != SS_CLOSED; i++) {
		char *cause = NULL;
		if (script_queue_step(sc, i, s, &cause) != 0) {
			struct event ev = {
			    .phase = session_phase(s), .dir = DIR_LOCAL, .kind = EV_ERROR};
			ev.text = (unsigned char *)cause;
			ev.len = strlen(cause);
			transcript_append(t, &ev);
			free(cause);
			return;
		}
		session_run(s);
	}
}

int
batch_fail_on_exit(const struct batch_config *cfg, int rc, int worst)
{
	if (rc == EXIT_OK && cfg->fail_on_set && worst >= (int)cfg->fail_on)
		return EXIT_POLICY;
	return rc;
}

/* The policies checked after the session: --require-tls, then --fail-on.
 * They only turn a successful run into EXIT_POLICY. */
static int
batch_policies(const struct session_params *p, const struct batch_config *cfg,
               struct session *s, struct transcript *t, const struct sinks *k, int rc)
{
	if (rc != EXIT_OK)
		return rc;
	if (p->require_tls && session_phase(s) != PHASE_TLS) {
		batch_policy_error(t, session_phase(s),
		                   "--require-tls: the session never reached TLS");
		return EXIT_POLICY;
	}
	if (batch_fail_on_exit(cfg, rc, k->worst) != rc) {
		char *msg =
		    str_printf("--fail-on %s: finding %s is of severity %s",
		               severity_name(cfg->fail_on), finding_name(k->worst_id),
		               severity_name((enum severity)k->worst));
		batch_policy_error(t, session_phase(s), msg);
		free(msg);
		return EXIT_POLICY;
	}
	return rc;
}

int
batch_run(const struct session_params *p, const struct batch_config *cfg)
{
	struct sinks k = {.json = cfg->json, .redact = cfg->redact, .worst = -1};
	int rc;

	k.out = (struct sink){.f = stdout, .what = "transcript"};
	k.text.explain = !cfg->no_explain;
	k.text.records = cfg->records;
	k.text.redact = cfg->redact;
	k.text.color =
	    cfg->force_color ||
	    (!cfg->no_color && !util_no_color() && isatty(STDOUT_FILENO));
	k.log_opts.explain = true;
	k.log_opts.records = cfg->records;
	k.log_opts.redact = cfg->redact;
	if (open_output(&k.log, cfg->log, "log") != 0)
		return EXIT_USAGE;
	if (open_output(&k.record, cfg->record, "recording") != 0) {
		if (k.log.f)
			fclose(k.log.f);
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
	rc = batch_policies(p, cfg, s, t, &k, exit_for(session_failure(s)));
	session_close(s, session_state(s) == SS_CLOSED ? NULL
	                                               : "startle closed the connection");
	session_free(s);
	transcript_free(t);
	int werr = sink_close(&k.out);
	werr |= sink_close(&k.log);
	werr |= sink_close(&k.record);
	if (werr != 0 && rc == EXIT_OK)
		rc = EXIT_USAGE;
	return rc;
}
