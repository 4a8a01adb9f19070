/*
 * The sessions on the explorer's screen: each side's transcript and the
 * views fed from it, its session's life (start, reconnect, end), the lines
 * of the command line queued on it, and the log and recording its events go
 * to (under --compare each event tagged with its side, and the comparison
 * written at the end).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compareview.h"
#include "escape.h"
#include "export.h"
#include "output.h"
#include "ui_int.h"
#include "util.h"

static const char *const ui_side_names[UI_SIDES] = {"a", "b"};

/* Flushes the log or recording; the first failed write is said on screen
 * and makes the exit status 2. */
static void
ui_sink_flush(struct ui *u, FILE *f, const char *what)
{
	errno = 0;
	if (fflush(f) == 0 && !ferror(f))
		return;
	if (!u->write_failed)
		ui_message(u, TE_ERROR,
		           "writing the %s failed (%s): the file is incomplete", what,
		           strerror(errno ? errno : EIO));
	u->write_failed = true;
}

/* Writes one event of the side to a log (text) or a recording (JSON). */
static void
ui_side_write(const struct ui_side *d, FILE *f, bool json, const struct event *ev)
{
	struct output_options lo = {
	    .explain = true, .redact = d->u->cfg->redact, .session = d->name};

	if (json)
		output_record(f, ev, d->u->cfg->redact, d->name);
	else
		output_text(f, ev, &lo);
}

bool
ui_side_lesson_update(const struct ui_side *d, const struct event *ev)
{
	return lesson_update_side(&d->u->lesson, d->u->nsides > 1 ? d->index : 0, ev);
}

/* Transcript listener: keeps the side's details index and ladder, the
 * comparison, the lesson, the log and the recording. */
static void
ui_side_on_event(void *arg, const struct transcript *t, const struct event *ev)
{
	struct ui_side *d = arg;
	struct ui *u = d->u;

	dindex_update(&d->di, t, ev->seq - 1);
	ladder_update(&d->ladder, t, ev->seq - 1);
	if (u->nsides > 1)
		compare_observe(&d->cmp, t, ev);
	/* Stepping back in a replay refills the transcript with events the
	 * lesson has seen already. */
	if (u->lesson_active && !(u->replay != NULL && u->replay->rebuilding) &&
	    ui_side_lesson_update(d, ev))
		ui_lesson_progress(u);
	if (u->log != NULL) {
		ui_side_write(d, u->log, false, ev);
		ui_sink_flush(u, u->log, "log");
	}
	if (u->record != NULL) {
		ui_side_write(d, u->record, true, ev);
		ui_sink_flush(u, u->record, "recording");
	}
	/* The verdict follows the chain: --save-chain writes it now. */
	if (ev->kind == EV_TLS && ev->verdict != NULL && u->cfg->save_chain != NULL)
		ui_side_save_chain(d, u->cfg->save_chain);
	u->dirty = true;
}

void
ui_side_save_chain(struct ui_side *d, const char *path)
{
	const struct cert_info *chain[CERT_CHAIN_MAX];
	char *cause = NULL;
	bool replaced = false;
	int n;

	if (export_chain(d->t, chain, CERT_CHAIN_MAX) == 0) {
		ui_message(d->u, TE_ERROR,
		           "%s%sno certificate chain yet: the server presents it in the "
		           "TLS handshake (STARTTLS, or /starttls)",
		           d->name ? d->name : "", d->name ? ": " : "");
		return;
	}
	if ((n = export_save_chain(d->t, path, &replaced, &cause)) < 0) {
		ui_message(d->u, TE_ERROR, "%s", cause);
		free(cause);
		return;
	}
	char *esc = escape_bytes((const unsigned char *)path, strlen(path), ESCAPE_TEXT);
	ui_message(d->u, TE_INFO,
	           "%s%ssaved the chain (%d certificate%s, leaf first) as PEM to %s%s",
	           d->name ? d->name : "", d->name ? ": " : "", n, n == 1 ? "" : "s",
	           esc != NULL ? esc : "the file",
	           replaced ? ", replacing the file there" : "");
	free(esc);
}

/* Bounds the side's transcript (transcript.h): the log and the recording,
 * when kept, get every event first. */
static void
ui_side_budget(const struct ui *u, struct ui_side *d)
{
	char *note = output_copy_note(u->cfg->record, u->cfg->log);

	transcript_set_budget(d->t, u->cfg->budget, note);
	free(note);
}

/* An empty transcript for the side, with its ladder, budget and listener. */
static void
ui_side_new_transcript(struct ui_side *d)
{
	ladder_init(&d->ladder);
	d->ladder.redact = d->u->cfg->redact;
	d->t = transcript_new();
	ui_side_budget(d->u, d);
	transcript_listen(d->t, ui_side_on_event, d);
}

void
ui_side_init(struct ui *u, int i, const struct session_params *p)
{
	struct ui_side *d = &u->side[i];

	d->u = u;
	d->index = i;
	d->name = u->nsides > 1 ? ui_side_names[i] : NULL;
	d->params = *p;
	target_format(&p->target, d->target_text, sizeof d->target_text);
	tview_init(&d->tv);
	tview_init(&d->wire);
	dindex_init(&d->di);
	slines_init(&d->rows);
	compare_side_init(&d->cmp, ui_side_names[i], &p->target);
	ui_side_new_transcript(d);
}

void
ui_side_start(struct ui_side *d)
{
	d->s = session_new(&d->params, d->t);
	if (d->u->replay == NULL)
		session_open(d->s);
}

/* The last event of the side's transcript, or NULL. */
static const struct event *
ui_side_last(const struct ui_side *d)
{
	size_t n = transcript_count(d->t);

	return n > 0 ? transcript_get(d->t, n - 1) : NULL;
}

enum phase
ui_side_phase(const struct ui_side *d)
{
	const struct event *last;

	if (d->u->replay == NULL)
		return session_phase(d->s);
	last = ui_side_last(d);
	return last != NULL ? last->phase : PHASE_PLAIN;
}

bool
ui_side_closed(const struct ui_side *d)
{
	if (d->u->replay == NULL)
		return session_state(d->s) == SS_CLOSED;
	return d->di.closed;
}

int
ui_side_exit_code(const struct ui_side *d)
{
	if (d->u->replay == NULL)
		return session_exit_code(d->s);
	return d->cmp_closed ? d->cmp.exit : -1;
}

size_t
ui_side_plain_bytes(const struct ui_side *d)
{
	if (d->u->replay == NULL)
		return session_plain_bytes(d->s);
	return d->cmp_closed ? compare_plain_bytes(&d->cmp) : d->di.plain_bytes;
}

/* Closes the session for a reason; under --mx the connection's verdicts
 * are made first if its handshake never came. */
static void
ui_side_stop(struct ui_side *d, const char *why)
{
	session_close(d->s, why);
	if (d->mx != NULL && !mx_check_judged(d->mx))
		mx_check_judge(d->mx, d->t);
}

/* A new session on the side after ui_side_stop: fresh consent and figures. */
static void
ui_side_restart(struct ui_side *d)
{
	session_free(d->s);
	dindex_init(&d->di);
	d->exchange_consented = d->plaintext_consented = false;
	compare_side_init(&d->cmp, ui_side_names[d->index], &d->params.target);
	d->cmp_closed = false;
	ui_side_start(d);
}

/* Replay: the side afresh with an empty transcript, as a new session would
 * find it (no connection: ui_side_start does not open one in a replay). */
void
ui_side_rewind(struct ui_side *d)
{
	session_free(d->s);
	d->s = NULL;
	transcript_free(d->t);
	ladder_free(&d->ladder);
	ui_side_new_transcript(d);
	ui_side_restart(d);
}

bool
ui_side_reconnect(struct ui_side *d)
{
	ui_side_stop(d, "closed for /reconnect");
	struct tls_ticket *t = session_take_ticket(d->s);
	if (t != NULL) {
		/* the newest session; an older one stays when the last left none */
		tls_ticket_free(d->ticket);
		d->ticket = t;
	}
	d->params.resume = d->ticket;
	if (d->mx != NULL)
		mx_check_rearm(d->mx, d->t);
	ui_side_restart(d);
	return d->ticket != NULL;
}

/* The side's target in words under --mx: the MX host and the domain. */
static void
ui_side_mx_target(struct ui_side *d)
{
	const struct mx_host *hosts;
	size_t n = mx_check_hosts(d->mx, &hosts), i = mx_check_chosen(d->mx);

	snprintf(d->target_text, sizeof d->target_text, "%s:%u (MX %zu of %zu for %s)",
	         i < n ? hosts[i].name : "?", d->params.target.port, i + 1, n,
	         mx_check_domain(d->mx));
}

int
ui_side_mx_begin(struct ui_side *d, const struct mx_options *o)
{
	int rc = 0;
	char *esc;

	fprintf(stderr, "startle: checking the mail domain %s (MX, TLSA, MTA-STS, TLS-RPT)\n",
	        d->params.target.host);
	d->mx = mx_check_begin(o, &d->params, d->t, &rc);
	if (d->mx != NULL) {
		ui_side_mx_target(d);
		return 0;
	}
	for (size_t i = 0; i < transcript_count(d->t); i++) {
		const struct event *ev = transcript_get(d->t, i);
		if (ev == NULL || ev->kind != EV_ERROR)
			continue;
		esc = escape_bytes(ev->text, ev->len, ESCAPE_OWN);
		fprintf(stderr, "startle: %s\n", esc != NULL ? esc : "?");
		free(esc);
	}
	return rc;
}

int
ui_side_mx_choose(struct ui_side *d, unsigned n, char **cause)
{
	const struct mx_host *hosts;
	size_t count = mx_check_hosts(d->mx, &hosts);

	if (n == 0 || n > count || hosts[n - 1].naddrs == 0) {
		*cause = n == 0 || n > count
		             ? str_printf("/mx takes the number of an MX host, 1 to %zu", count)
		             : str_printf("MX host %u (%s) has no usable address", n,
		                          hosts[n - 1].name);
		return -1;
	}
	ui_side_stop(d, "closed for /mx");
	if (mx_check_choose(d->mx, n, &d->params, d->t, cause) != 0)
		return -1;
	/* another host: the last TLS session is not offered to it */
	tls_ticket_free(d->ticket);
	d->ticket = NULL;
	d->params.resume = NULL;
	ui_side_mx_target(d);
	ui_side_restart(d);
	return 0;
}

void
ui_side_refresh(struct ui_side *d)
{
	/* --mx: the verdicts once the handshake is over, or the session is. */
	if (d->mx != NULL && d->s != NULL && !mx_check_judged(d->mx) &&
	    (d->di.verdict != (size_t)-1 || session_state(d->s) == SS_CLOSED))
		mx_check_judge(d->mx, d->t);
	if (d->u->nsides < 2 || d->s == NULL || d->u->replay != NULL)
		return;
	compare_set_plain_bytes(&d->cmp, session_plain_bytes(d->s));
	if (!d->cmp_closed && session_state(d->s) == SS_CLOSED) {
		compare_close(&d->cmp, session_exit_code(d->s));
		d->cmp_closed = true;
		d->u->dirty = true;
	}
}

void
ui_side_end(struct ui_side *d)
{
	if (d->u->replay != NULL)
		return;
	if (d->s != NULL && session_state(d->s) != SS_CLOSED)
		session_close(d->s, "startle closed the connection (quit)");
	ui_side_refresh(d);
}

void
ui_side_free(struct ui_side *d)
{
	session_free(d->s);
	d->s = NULL;
	mx_check_free(d->mx);
	d->mx = NULL;
	transcript_free(d->t);
	d->t = NULL;
	slines_free(&d->rows);
	ladder_free(&d->ladder);
	tls_ticket_free(d->ticket);
	d->ticket = NULL;
}

const char *
ui_side_where(const struct ui_side *d)
{
	if (ui_side_closed(d))
		return "closed";
	if (session_in_data(d->s))
		return "data";
	if (ui_side_phase(d) == PHASE_TLS)
		return "tls";
	if (ui_side_phase(d) == PHASE_HANDSHAKE)
		return "handshake";
	return "plain";
}

void
ui_set_aim(struct ui *u, enum compareview_aim aim)
{
	if (u->nsides < 2) {
		ui_message(u, TE_ERROR,
		           "/a, /b and /both aim lines at a side under --compare; "
		           "there is one session here");
		return;
	}
	u->aim = aim;
	if (aim == AIM_BOTH)
		ui_message(
		    u, TE_INFO,
		    "lines go to a and b (STARTTLS and /starttls to the explicit side)");
	else
		ui_message(u, TE_INFO,
		           "lines go to %s only (%s, %s TLS); F9 or /both aims at both",
		           u->side[aim == AIM_A ? 0 : 1].name,
		           u->side[aim == AIM_A ? 0 : 1].target_text,
		           tls_mode_name(u->side[aim == AIM_A ? 0 : 1].cmp.mode));
}

void
ui_switch_side(struct ui *u, int i)
{
	if (u->nsides < 2 || i < 0 || i >= u->nsides)
		return;
	if (u->cur != &u->side[i])
		u->event_details = false;
	u->cur = &u->side[i];
	u->details_scroll = 0;
	u->dirty = true;
}

unsigned
ui_aimed_sides(const struct ui *u, const char *line)
{
	if (u->nsides < 2)
		return COMPAREVIEW_SIDE_A;
	return compareview_sides(u->aim, &u->side[0].cmp, &u->side[1].cmp, line);
}

struct ui_side *
ui_side_next_in_time(struct ui *u, const size_t next[UI_SIDES])
{
	struct ui_side *first = NULL;
	double at = 0;

	for (int i = 0; i < u->nsides; i++) {
		struct ui_side *d = &u->side[i];
		if (next[i] >= transcript_count(d->t))
			continue;
		double w = transcript_get(d->t, next[i])->wall;
		if (first == NULL || w < at) {
			first = d;
			at = w;
		}
	}
	return first;
}

void
ui_record_header(const struct ui *u, FILE *f)
{
	const struct target *targets[UI_SIDES];
	const char *names[UI_SIDES];

	for (int i = 0; i < u->nsides; i++) {
		targets[i] = &u->side[i].params.target;
		names[i] = u->side[i].name;
	}
	output_recording_header(f, targets, names, (size_t)u->nsides, u->cfg->redact);
}

FILE *
ui_open_sink(struct ui *u, const char *path, bool json)
{
	char *cause = NULL;
	FILE *f = util_open_private(path, false, &cause);
	size_t next[UI_SIDES] = {0};
	struct ui_side *d;

	if (f == NULL) {
		ui_message(u, TE_ERROR, "%s", cause);
		free(cause);
		return NULL;
	}
	if (json)
		ui_record_header(u, f);
	/* Both sides' events so far, in the order they happened. */
	while ((d = ui_side_next_in_time(u, next)) != NULL)
	{
		ui_side_write(d, f, json, transcript_get(d->t, next[d->index]));
		next[d->index] = transcript_next(d->t, next[d->index]);
	}
	fflush(f);
	return f;
}

void
ui_write_comparison(struct ui *u)
{
	const struct compare_side *a = &u->side[0].cmp, *b = &u->side[1].cmp;
	char *diffs[COMPARE_DIFF_MAX];

	if (u->nsides < 2 || (u->log == NULL && u->record == NULL))
		return;
	size_t nd = compare_differences(a, b, diffs, COMPARE_DIFF_MAX);
	if (u->log != NULL) {
		output_compare_text(u->log, a, b, diffs, nd);
		ui_sink_flush(u, u->log, "log");
	}
	if (u->record != NULL) {
		output_compare_json(u->record, a, b, diffs, nd);
		ui_sink_flush(u, u->record, "recording");
	}
	compare_free_differences(diffs, nd);
}

/* Whether a step of the command line's script goes to the side: all of
 * them alone; under --compare the upgrade only to an explicit side, as in
 * batch mode. */
static bool
ui_step_is_for(const struct ui_side *d, const struct script_step *st)
{
	if (d->u->nsides < 2)
		return true;
	if (st->kind == SCRIPT_STARTTLS)
		return d->cmp.mode == TLS_MODE_EXPLICIT;
	return st->kind != SCRIPT_LINE || compare_line_goes_to(&d->cmp, st->line);
}

void
ui_queue_script(struct ui *u, const struct script *sc)
{
	for (int k = 0; k < u->nsides; k++) {
		struct ui_side *d = &u->side[k];
		for (size_t i = 0; sc != NULL && i < sc->n; i++) {
			char *cause = NULL;
			if (!ui_step_is_for(d, &sc->steps[i]))
				continue;
			if (script_queue_step(sc, i, d->s, &cause) != 0) {
				ui_message(u, TE_ERROR, "%s%s%s", d->name ? d->name : "",
				           d->name ? ": " : "", cause);
				free(cause);
				break;
			}
		}
	}
}
