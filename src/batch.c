#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "compare.h"
#include "escape.h"
#include "export.h"
#include "output.h"
#include "replay.h"
#include "session.h"
#include "util.h"

/* The buffer of each output that is not a terminal. */
#define SINK_BUFFER (64 * 1024)

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
};

/* Where the events of one session go: the sinks, under the session's name
 * ("a", "b" under --compare, else NULL), and the worst finding it saw. */
struct tap {
	struct sinks *k;
	const char *session;
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

/* The signal that interrupted the run (SIGINT, SIGTERM, SIGHUP), or 0. */
static volatile sig_atomic_t batch_signal;

static void
batch_on_signal(int sig)
{
	batch_signal = sig;
}

/* Interrupt, termination and hang-up end the run in order: the session
 * stops, everything so far is written out, then the signal takes its
 * usual course (batch_finish). */
static void
batch_catch_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = batch_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Writes out whatever the sinks hold (session_params.before_wait); false
 * once a signal asked to stop. */
static bool
sinks_flush(void *arg)
{
	struct sinks *k = arg;

	sink_flush(&k->out);
	sink_flush(&k->log);
	sink_flush(&k->record);
	return batch_signal == 0;
}

/* Records what ended the run early (a policy, a step the session refused,
 * a signal) as an error event. */
static void
batch_error(struct transcript *t, enum phase phase, const char *msg)
{
	struct event ev = {.phase = phase, .dir = DIR_LOCAL, .kind = EV_ERROR};

	ev.text = (unsigned char *)msg;
	ev.len = strlen(msg);
	transcript_append(t, &ev);
}

/* A sentence of batch's own in the transcript. */
static void
batch_note(struct transcript *t, const char *msg)
{
	struct event ev = {.phase = PHASE_PLAIN, .dir = DIR_LOCAL, .kind = EV_NOTE};

	ev.text = (unsigned char *)msg;
	ev.len = strlen(msg);
	transcript_append(t, &ev);
}

/* --save-chain, once the session is over: the chain the server presented
 * as PEM, and a note saying where it went. No chain turns a good exit into
 * EXIT_POLICY, a file that cannot be written into EXIT_USAGE. */
static int
batch_save_chain(const struct batch_config *cfg, struct transcript *t, int rc)
{
	const struct cert_info *chain[CERT_CHAIN_MAX];
	char *cause = NULL, *msg;
	bool replaced = false;
	int n = -1;

	if (cfg->save_chain == NULL)
		return rc;
	bool have = export_chain(t, chain, CERT_CHAIN_MAX) > 0;
	enum phase phase = have ? PHASE_TLS : PHASE_PLAIN;
	struct event ev = {.phase = phase, .dir = DIR_LOCAL, .kind = EV_NOTE};
	if (have)
		n = export_save_chain(t, cfg->save_chain, &replaced, &cause);
	if (n < 0) {
		msg = str_printf("--save-chain: %s",
		                 have ? cause
		                      : "the session never reached TLS: no certificate "
		                        "chain to save, nothing was written");
		batch_error(t, phase, msg);
		free(msg);
		free(cause);
		return rc != EXIT_OK ? rc : have ? EXIT_USAGE : EXIT_POLICY;
	}
	msg = str_printf("saved the chain the server presented (%d certificate%s, leaf "
	                 "first) as PEM to %s%s",
	                 n, n == 1 ? "" : "s", cfg->save_chain,
	                 replaced ? ", replacing the file there" : "");
	ev.text = (unsigned char *)msg;
	ev.len = strlen(msg);
	transcript_append(t, &ev);
	free(msg);
	return rc;
}

/* Says in the transcript that a signal ended the run. */
static void
batch_interrupted(struct transcript *t, enum phase phase)
{
	char *msg = str_printf("%s: startle stopped here; everything before this "
	                       "line was written out",
	                       strsignal(batch_signal));
	batch_error(t, phase, msg);
	free(msg);
}

/* After the run: a signal that interrupted it now ends the process as it
 * would have (the usual exit status for it); else rc. */
static int
batch_finish(int rc)
{
	if (batch_signal != 0) {
		signal(batch_signal, SIG_DFL);
		raise(batch_signal);
	}
	return rc;
}

static void
on_event(void *arg, const struct transcript *t, const struct event *ev)
{
	struct tap *tap = arg;
	struct sinks *k = tap->k;

	(void)t;
	if (ev->kind == EV_FINDING && (int)ev->severity > tap->worst) {
		tap->worst = (int)ev->severity;
		tap->worst_id = ev->finding;
	}
	k->text.session = k->log_opts.session = tap->session;
	if (k->json)
		output_json(k->out.f, ev, k->redact, tap->session);
	else
		output_text(k->out.f, ev, &k->text);
	if (k->log.f != NULL)
		output_text(k->log.f, ev, &k->log_opts);
	if (k->record.f != NULL)
		output_record(k->record.f, ev, k->redact, tap->session);
	/* Buffered: written out at each change of phase, before every wait
	 * for the server (sinks_flush) and at the end. */
	if (ev->kind == EV_PHASE || ev->kind == EV_CLOSE || ev->kind == EV_ERROR)
		sinks_flush(k);
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


/* True if the command line gives lines to send; else the default probe runs. */
static bool
has_script(const struct batch_config *cfg)
{
	return cfg->script != NULL && cfg->script->nlines > 0;
}

/* The default probe: the upgrade dance where TLS is explicit, the
 * capabilities where it is already on, then the polite end. */
static void
queue_probe(struct session *s)
{
	if (session_target(s)->mode == TLS_MODE_EXPLICIT)
		session_queue_starttls(s);
	else
		session_queue_capa(s);
	session_queue_quit(s);
}

/* Queues the steps given on the command line, or the default probe. */
static void
queue_steps(struct session *s, const struct batch_config *cfg, struct transcript *t)
{
	const struct script *sc = cfg->script;

	if (!has_script(cfg)) {
		queue_probe(s);
		return;
	}
	for (size_t i = 0; i < sc->n && session_state(s) != SS_CLOSED && batch_signal == 0;
	     i++) {
		char *cause = NULL;
		if (script_queue_step(sc, i, s, &cause) != 0) {
			batch_error(t, session_phase(s), cause);
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
               struct session *s, struct transcript *t, const struct tap *tap, int rc)
{
	if (rc != EXIT_OK)
		return rc;
	if (p->require_tls && session_phase(s) != PHASE_TLS) {
		batch_error(t, session_phase(s),
		                   "--require-tls: the session never reached TLS");
		return EXIT_POLICY;
	}
	if (batch_fail_on_exit(cfg, rc, tap->worst) != rc) {
		char *msg =
		    str_printf("--fail-on %s: finding %s is of severity %s",
		               severity_name(cfg->fail_on), finding_name(tap->worst_id),
		               severity_name((enum severity)tap->worst));
		batch_error(t, session_phase(s), msg);
		free(msg);
		return EXIT_POLICY;
	}
	return rc;
}

/* Opens standard output, the log and the recording as the config asks.
 * Returns 0, or -1 after saying why (nothing left open). */
static int
sinks_open(struct sinks *k, const struct batch_config *cfg)
{
	*k = (struct sinks){.json = cfg->json, .redact = cfg->redact};
	k->out = (struct sink){.f = stdout, .what = "transcript"};
	k->text.explain = !cfg->no_explain;
	k->text.records = cfg->records;
	k->text.redact = cfg->redact;
	k->text.color = cfg->force_color ||
	                (!cfg->no_color && !util_no_color() && isatty(STDOUT_FILENO));
	k->log_opts.explain = true;
	k->log_opts.records = cfg->records;
	k->log_opts.redact = cfg->redact;
	if (open_output(&k->log, cfg->log, "log") != 0)
		return -1;
	if (open_output(&k->record, cfg->record, "recording") != 0) {
		if (k->log.f)
			fclose(k->log.f);
		return -1;
	}
	/* Whole blocks to files and pipes, whole lines to a terminal. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, SINK_BUFFER);
	if (k->log.f != NULL)
		setvbuf(k->log.f, NULL, _IOFBF, SINK_BUFFER);
	if (k->record.f != NULL)
		setvbuf(k->record.f, NULL, _IOFBF, SINK_BUFFER);
	return 0;
}

/* Starts the recording, if one is kept, with its header: the n sessions'
 * targets under their names (NULL alone). */
static void
sinks_header(struct sinks *k, const struct session_params *const *ps,
             const char *const *names, size_t n)
{
	const struct target *targets[2];

	if (k->record.f == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		targets[i] = &ps[i]->target;
	output_recording_header(k->record.f, targets, names, n, k->redact);
}

/* Closes the sinks; a failed write turns a good rc into EXIT_USAGE. */
static int
sinks_close(struct sinks *k, int rc)
{
	int werr = sink_close(&k->out);
	werr |= sink_close(&k->log);
	werr |= sink_close(&k->record);
	return werr != 0 && rc == EXIT_OK ? EXIT_USAGE : rc;
}

/* Bounds the transcript's memory: batch has written each event out by the
 * time it would be dropped. */
static void
batch_budget(struct transcript *t, const struct batch_config *cfg)
{
	char *note = output_copy_note(cfg->record, cfg->log);

	transcript_set_budget(t, cfg->budget, note);
	free(note);
}

/* Ends a session: closes it unless it closed itself, and frees it. */
static void
batch_end(struct session *s)
{
	session_close(s, session_state(s) == SS_CLOSED ? NULL
	                                               : "startle closed the connection");
	session_free(s);
}

/* One session of the run: connect, the steps, the policies; returns its
 * exit code and hands out the TLS session it leaves to resume (--reconnect). */
static int
batch_session(const struct session_params *p, const struct batch_config *cfg,
              struct transcript *t, const struct tap *tap, struct mx_check *mx,
              struct tls_ticket **ticket)
{
	struct session *s = session_new(p, t);
	int rc;

	if (session_open(s) == 0) {
		session_run(s);
		queue_steps(s, cfg, t);
		session_run(s);
	}
	if (batch_signal != 0)
		batch_interrupted(t, session_phase(s));
	rc = session_exit_code(s);
	if (mx != NULL)
		rc = mx_check_end(mx, t, rc);
	rc = batch_policies(p, cfg, s, t, tap, rc);
	session_close(s, session_state(s) == SS_CLOSED ? NULL
	                                               : "startle closed the connection");
	if (ticket != NULL)
		*ticket = session_take_ticket(s);
	session_free(s);
	return rc;
}

/* --reconnect: the same server again, offering the first session's TLS
 * session; the worse exit of the two. */
static int
batch_reconnect(const struct session_params *sp, const struct batch_config *cfg,
                struct transcript *t, const struct tap *tap, struct tls_ticket *ticket,
                int rc)
{
	struct session_params again = *sp;

	again.resume = ticket;
	if (ticket == NULL)
		batch_note(t, "--reconnect: the first connection left no TLS session to "
		              "resume (no TLS, or the server gave no ticket); connecting "
		              "again with a full handshake");
	else
		batch_note(t, "--reconnect: connecting again, offering to resume the first "
		              "connection's TLS session");
	int rc2 = batch_session(&again, cfg, t, tap, NULL, NULL);
	tls_ticket_free(ticket);
	return rc2 > rc ? rc2 : rc;
}

int
batch_run(const struct session_params *p, const struct batch_config *cfg)
{
	struct sinks k;
	struct tls_ticket *ticket = NULL;
	int rc;

	if (sinks_open(&k, cfg) != 0)
		return EXIT_USAGE;
	sinks_header(&k, &p, (const char *const[]){NULL}, 1);
	struct tap tap = {.k = &k, .worst = -1};
	struct session_params sp = *p;
	sp.before_wait = sinks_flush;
	sp.wait_arg = &k;
	/* JSON, the log and the recording carry explanations; plain text may not */
	sp.no_explain = cfg->no_explain && !cfg->json && cfg->log == NULL && cfg->record == NULL;
	struct transcript *t = transcript_new();
	batch_budget(t, cfg);
	transcript_listen(t, on_event, &tap);
	struct mx_check *mx = NULL;
	if (cfg->mx != NULL && (mx = mx_check_begin(cfg->mx, &sp, t, &rc)) == NULL) {
		transcript_free(t);
		return batch_finish(sinks_close(&k, rc));
	}
	batch_catch_signals();
	rc = batch_session(&sp, cfg, t, &tap, mx, cfg->reconnect ? &ticket : NULL);
	mx_check_free(mx);
	if (cfg->reconnect && batch_signal == 0)
		rc = batch_reconnect(&sp, cfg, t, &tap, ticket, rc);
	rc = batch_save_chain(cfg, t, rc);
	transcript_free(t);
	return batch_finish(sinks_close(&k, rc));
}

/* The comparison after both sides: to standard output, the log and the
 * recording. */
static void
sinks_comparison(struct sinks *k, const struct compare_side *a, const struct compare_side *b)
{
	char *diffs[COMPARE_DIFF_MAX];
	size_t nd = compare_differences(a, b, diffs, COMPARE_DIFF_MAX);

	if (k->json)
		output_compare_json(k->out.f, a, b, diffs, nd);
	else
		output_compare_text(k->out.f, a, b, diffs, nd);
	if (k->log.f != NULL)
		output_compare_text(k->log.f, a, b, diffs, nd);
	if (k->record.f != NULL)
		output_compare_json(k->record.f, a, b, diffs, nd);
	compare_free_differences(diffs, nd);
}

/* One side of --compare in batch mode. */
struct side {
	struct tap tap;
	struct compare_side cmp;
	const struct session_params *p;
	struct transcript *t;
	struct session *s;
	size_t next;   /* the next script step */
	bool probed;   /* the default probe is queued */
	bool finished; /* no more steps: closed, or to be closed */
};

/* Queues the side's next step once its session is idle: the default probe,
 * or the next script step meant for it (the upgrade only goes to an explicit
 * side). A step that cannot be queued ends the side's script. */
static void
side_advance(struct side *d, const struct batch_config *cfg)
{
	const struct script *sc = cfg->script;

	if (d->finished || !session_idle(d->s))
		return;
	if (session_state(d->s) == SS_CLOSED) {
		d->finished = true;
		return;
	}
	if (!has_script(cfg)) {
		d->finished = d->probed;
		if (!d->probed)
			queue_probe(d->s);
		d->probed = true;
		return;
	}
	while (d->next < sc->n && session_idle(d->s)) {
		const struct script_step *st = &sc->steps[d->next++];
		bool mine = st->kind == SCRIPT_STARTTLS
		                ? d->cmp.mode == TLS_MODE_EXPLICIT
		                : st->kind != SCRIPT_LINE || compare_line_goes_to(&d->cmp, st->line);
		char *cause = NULL;
		if (!mine)
			continue;
		if (script_queue_step(sc, (size_t)(st - sc->steps), d->s, &cause) != 0) {
			batch_error(d->t, session_phase(d->s), cause);
			free(cause);
			d->finished = true;
			return;
		}
	}
	if (d->next >= sc->n && session_idle(d->s))
		d->finished = true;
}

/* Waits for either session and lets each handle what came. */
static void
sides_poll(struct side *sides, size_t n)
{
	struct pollfd fds[2];
	int timeout = -1;

	for (size_t i = 0; i < n; i++) {
		struct session *s = sides[i].s;
		fds[i] = (struct pollfd){.fd = session_fd(s), .events = session_poll_events(s)};
		int t = session_timeout_ms(s);
		if (fds[i].fd >= 0 && t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
	}
	if (!sinks_flush(sides[0].tap.k))
		return;
	int r = poll(fds, (nfds_t)n, timeout);
	for (size_t i = 0; i < n; i++) {
		if (r > 0 && fds[i].fd >= 0 && fds[i].revents != 0)
			session_io(sides[i].s, fds[i].revents);
		session_timeout(sides[i].s);
	}
}

static void
side_start(struct side *d, const char *name, const struct session_params *p,
           struct sinks *k, const struct batch_config *cfg)
{
	memset(d, 0, sizeof *d);
	d->p = p;
	d->tap = (struct tap){.k = k, .session = name, .worst = -1};
	compare_side_init(&d->cmp, name, &p->target);
	d->t = transcript_new();
	batch_budget(d->t, cfg);
	transcript_listen(d->t, on_event, &d->tap);
	transcript_listen(d->t, compare_observe, &d->cmp);
	d->s = session_new(p, d->t);
	if (session_open(d->s) != 0)
		d->finished = true;
}

/* Runs both sides until each has finished its steps, closing each as it
 * does, so a slow side never holds up the other. */
static void
sides_run(struct side *sides, const struct batch_config *cfg)
{
	for (;;) {
		bool open = false;
		for (int i = 0; i < 2; i++) {
			struct side *d = &sides[i];
			compare_set_plain_bytes(&d->cmp, session_plain_bytes(d->s));
			side_advance(d, cfg);
			if (d->finished && session_state(d->s) != SS_CLOSED)
				session_close(d->s, "startle closed the connection");
			open |= session_fd(d->s) >= 0;
		}
		if (!open || batch_signal != 0)
			return;
		sides_poll(sides, 2);
	}
}

int
batch_compare_run(const struct session_params *pa, const struct session_params *pb,
                  const struct batch_config *cfg)
{
	static const char *const names[2] = {"a", "b"};
	const struct session_params *ps[2] = {pa, pb};
	struct side sides[2];
	struct sinks k;
	int rc = EXIT_OK;

	if (sinks_open(&k, cfg) != 0)
		return EXIT_USAGE;
	sinks_header(&k, ps, names, 2);
	batch_catch_signals();
	for (int i = 0; i < 2; i++)
		side_start(&sides[i], names[i], ps[i], &k, cfg);
	sides_run(sides, cfg);
	for (int i = 0; i < 2 && batch_signal != 0; i++)
		batch_interrupted(sides[i].t, session_phase(sides[i].s));
	for (int i = 0; i < 2; i++) {
		struct side *d = &sides[i];
		int code = batch_policies(d->p, cfg, d->s, d->t, &d->tap,
		                          session_exit_code(d->s));
		compare_set_plain_bytes(&d->cmp, session_plain_bytes(d->s));
		compare_close(&d->cmp, code);
		if (code > rc)
			rc = code;
	}
	sinks_comparison(&k, &sides[0].cmp, &sides[1].cmp);
	for (int i = 0; i < 2; i++) {
		batch_end(sides[i].s);
		transcript_free(sides[i].t);
	}
	return batch_finish(sinks_close(&k, rc));
}

/* One session of a recording being printed again. */
struct replay_side_out {
	struct tap tap;
	struct compare_side cmp;
	struct transcript *t;
};

int
batch_replay(const struct replay *r, const struct batch_config *cfg)
{
	struct replay_side_out out[REPLAY_SIDES];
	const struct target *targets[REPLAY_SIDES];
	const char *names[REPLAY_SIDES];
	struct sinks k;

	if (sinks_open(&k, cfg) != 0)
		return EXIT_USAGE;
	for (int i = 0; i < r->nsides; i++) {
		const struct replay_side *rs = &r->side[i];
		targets[i] = &rs->target;
		names[i] = rs->name;
		out[i].tap = (struct tap){.k = &k, .session = rs->name, .worst = -1};
		compare_side_init(&out[i].cmp, rs->name != NULL ? rs->name : "a", &rs->target);
		out[i].t = transcript_new();
		batch_budget(out[i].t, cfg);
		transcript_listen(out[i].t, on_event, &out[i].tap);
		transcript_listen(out[i].t, compare_observe, &out[i].cmp);
	}
	if (k.record.f != NULL)
		output_recording_header(k.record.f, targets, names, (size_t)r->nsides, k.redact);
	for (size_t i = 0; i < r->n; i++)
		transcript_append_recorded(out[r->events[i].side].t, &r->events[i].ev);
	if (r->nsides > 1 && r->have_compare) {
		for (int i = 0; i < r->nsides; i++) {
			compare_set_plain_bytes(&out[i].cmp, r->side[i].plain_bytes);
			compare_close(&out[i].cmp, r->side[i].exit);
		}
		sinks_comparison(&k, &out[0].cmp, &out[1].cmp);
	}
	for (int i = 0; i < r->nsides; i++)
		transcript_free(out[i].t);
	return sinks_close(&k, EXIT_OK);
}
