#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "transcript.h"
#include "util.h"

struct listener {
	transcript_listener fn;
	void *arg;
};

/* A run of consecutive bulk events no longer kept: every index of it maps
 * to one marker event that says how much is gone. */
struct elided {
	size_t first, last; /* indexes */
	size_t lines, bytes;
	struct event *marker;
	bool stale; /* lines or bytes changed since the marker's text was written */
};

/* What each event is, for the budget. */
enum keep { KEEP_ALWAYS, KEEP_BULK, KEEP_GONE };

struct transcript {
	struct event **events;
	unsigned char *keep; /* enum keep of each event */
	size_t count, cap;
	size_t budget;     /* bytes of bulk events kept at most; 0: no limit */
	size_t bulk_bytes; /* bytes of the bulk events kept */
	size_t plain_kept; /* bytes of plaintext lines kept whatever the budget */
	size_t evict_from; /* no bulk event is kept below this index */
	struct elided *runs;
	size_t nruns, runs_cap;
	char *copy_note; /* where the full copy is, for the markers, or NULL */
	struct listener listeners[8];
	size_t nlisteners;
	double start_ms;
	double start_wall; /* wall clock at start_ms, seconds since 1970 */
};

static const char *const kind_names[EV_COUNT] = {
#define EVENT_KIND_NAME(sym, name) [EV_##sym] = name,
    EVENT_KINDS(EVENT_KIND_NAME)
#undef EVENT_KIND_NAME
};

const char *
event_kind_name(enum event_kind k)
{
	return kind_names[k];
}

const char *
phase_name(enum phase p)
{
	static const char *const names[] = {"plain", "handshake", "tls"};
	return names[p];
}

const char *
dir_name(enum dir d)
{
	static const char *const names[] = {"client", "server", "local"};
	return names[d];
}

struct transcript *
transcript_new(void)
{
	struct transcript *t = xcalloc(1, sizeof *t);
	struct timespec now;

	t->start_ms = util_now_ms();
	clock_gettime(CLOCK_REALTIME, &now);
	t->start_wall = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	return t;
}

void
event_free_parts(struct event *ev)
{
	free(ev->explain);
	free(ev->tls);
	free(ev->verdict);
	if (ev->cert != NULL) {
		cert_info_free(ev->cert);
		free(ev->cert);
	}
	free(ev->record);
	free(ev->message);
	if (ev->dns != NULL) {
		for (size_t i = 0; i < ev->dns->n; i++)
			free(ev->dns->records[i]);
		free(ev->dns->records);
		free(ev->dns);
	}
	if (ev->policy != NULL) {
		for (size_t i = 0; i < ev->policy->nmx; i++)
			free(ev->policy->mx[i]);
		for (size_t i = 0; i < ev->policy->nrua; i++)
			free(ev->policy->rua[i]);
		free(ev->policy->mx);
		free(ev->policy->rua);
		free(ev->policy);
	}
}

/* An appended event and its text are one allocation (the text follows the
 * struct); a marker's text is its own. */
static void
event_free(struct event *ev)
{
	if (ev->text != (unsigned char *)(ev + 1))
		free(ev->text);
	event_free_parts(ev);
	free(ev);
}

void
transcript_free(struct transcript *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->count; i++)
		if (t->keep[i] != KEEP_GONE)
			event_free(t->events[i]);
	for (size_t i = 0; i < t->nruns; i++)
		event_free(t->runs[i].marker);
	free(t->runs);
	free(t->events);
	free(t->keep);
	free(t->copy_note);
	free(t);
}

void
transcript_set_budget(struct transcript *t, size_t bytes, const char *copy_note)
{
	t->budget = bytes;
	free(t->copy_note);
	t->copy_note = copy_note != NULL ? xstrdup(copy_note) : NULL;
}

/* The bytes an event holds in memory, as the budget counts them. */
static size_t
event_size(const struct event *ev)
{
	return sizeof *ev + ev->len + 1 + (ev->explain ? strlen(ev->explain) + 1 : 0) +
	       (ev->record ? sizeof *ev->record : 0);
}

/* Bulk is what a long session is made of: lines and wire records inside
 * TLS, and plaintext lines past TRANSCRIPT_PLAIN_KEEP bytes (a plaintext
 * phase is a few kilobytes unless a server floods it). Everything else
 * (phases, TLS, certificates, findings, errors, notes) is always kept. */
static enum keep
event_keep(struct transcript *t, const struct event *ev)
{
	bool line = ev->kind == EV_LINE;
	bool record = ev->kind == EV_NOTE && ev->record != NULL;

	if (!line && !record)
		return KEEP_ALWAYS;
	if (ev->phase == PHASE_TLS)
		return KEEP_BULK;
	if (t->plain_kept + ev->len <= TRANSCRIPT_PLAIN_KEEP) {
		t->plain_kept += ev->len;
		return KEEP_ALWAYS;
	}
	return KEEP_BULK;
}

/* Writes the marker's text: how much of the run is gone, and where it is. */
static void
elided_text(const struct transcript *t, struct elided *r)
{
	r->stale = false;
	free(r->marker->text);
	char *s = str_printf("%zu event%s (%zu bytes) not kept in memory: over the "
	                     "transcript's budget of %zu bytes%s%s",
	                     r->lines, r->lines == 1 ? "" : "s", r->bytes, t->budget,
	                     t->copy_note ? "; the full copy is in " : "",
	                     t->copy_note ? t->copy_note : "");
	r->marker->text = (unsigned char *)s;
	r->marker->len = strlen(s);
}

/* Drops event i from memory into the run that ends just before it, or a
 * new one. */
static void
elide(struct transcript *t, size_t i)
{
	struct event *ev = t->events[i];
	struct elided *r = t->nruns ? &t->runs[t->nruns - 1] : NULL;

	if (r == NULL || r->last + 1 != i) {
		if (t->nruns == t->runs_cap) {
			t->runs_cap = t->runs_cap ? t->runs_cap * 2 : 16;
			t->runs = xrealloc(t->runs, t->runs_cap * sizeof *t->runs);
		}
		r = &t->runs[t->nruns++];
		*r = (struct elided){.first = i, .last = i};
		r->marker = xcalloc(1, sizeof *r->marker);
		*r->marker = (struct event){.seq = ev->seq, .t = ev->t, .wall = ev->wall,
		                            .phase = ev->phase, .dir = DIR_LOCAL,
		                            .kind = EV_NOTE};
	}
	r->last = i;
	r->lines++;
	r->bytes += ev->len;
	r->stale = true; /* written when read: a flood drops thousands a second */
	t->bulk_bytes -= event_size(ev);
	event_free(ev);
	t->events[i] = r->marker;
	t->keep[i] = KEEP_GONE;
}

/* Drops the oldest bulk events until the rest fit the budget; the newest
 * event always stays. */
static void
enforce_budget(struct transcript *t)
{
	while (t->budget > 0 && t->bulk_bytes > t->budget && t->evict_from + 1 < t->count) {
		size_t i = t->evict_from++;
		if (t->keep[i] == KEEP_BULK)
			elide(t, i);
	}
}

/* The run that holds dropped event i. */
static struct elided *
run_of(const struct transcript *t, size_t i)
{
	size_t lo = 0, hi = t->nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->runs[mid].last < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &t->runs[lo];
}

bool
transcript_elided(const struct transcript *t, size_t i, size_t *first, size_t *last)
{
	if (i >= t->count || t->keep[i] != KEEP_GONE)
		return false;
	const struct elided *r = run_of(t, i);
	if (first != NULL)
		*first = r->first;
	if (last != NULL)
		*last = r->last;
	return true;
}

size_t
transcript_next(const struct transcript *t, size_t i)
{
	size_t last;

	if (transcript_elided(t, i, NULL, &last))
		return last + 1;
	return i + 1;
}

size_t
transcript_kept_bytes(const struct transcript *t)
{
	return t->bulk_bytes;
}

int
transcript_listen(struct transcript *t, transcript_listener fn, void *arg)
{
	if (t->nlisteners == sizeof t->listeners / sizeof t->listeners[0])
		return -1;
	t->listeners[t->nlisteners++] = (struct listener){fn, arg};
	return 0;
}

/* Deep-copies a certificate so the event owns every string. */
static struct cert_info *
cert_copy(const struct cert_info *c)
{
	struct cert_info *d = xmalloc(sizeof *d);

	*d = *c;
	d->subject = c->subject ? xstrdup(c->subject) : NULL;
	d->issuer = c->issuer ? xstrdup(c->issuer) : NULL;
	d->serial = c->serial ? xstrdup(c->serial) : NULL;
	for (size_t i = 0; i < c->nsan; i++)
		d->san[i] = xstrdup(c->san[i]);
	d->der = c->der ? xmemdup(c->der, c->der_len) : NULL;
	return d;
}

/* Deep-copies a DNS answer so the event owns its records. */
static struct dns_event *
dns_event_copy(const struct dns_event *s)
{
	struct dns_event *d = xmemdup(s, sizeof *s);

	d->records = xcalloc(s->n + 1, sizeof *d->records);
	for (size_t i = 0; i < s->n; i++)
		d->records[i] = xstrdup(s->records[i]);
	return d;
}

/* Copies n strings into a new array (NULL-terminated). */
static char **
strings_copy(char *const *s, size_t n)
{
	char **d = xcalloc(n + 1, sizeof *d);

	for (size_t i = 0; i < n; i++)
		d[i] = xstrdup(s[i]);
	return d;
}

/* Deep-copies a policy so the event owns its lists. */
static struct policy_event *
policy_event_copy(const struct policy_event *s)
{
	struct policy_event *d = xmemdup(s, sizeof *s);

	d->mx = strings_copy(s->mx, s->nmx);
	d->rua = strings_copy(s->rua, s->nrua);
	return d;
}

/* Appends a copy of src, timed now or (recorded) at src's own times. */
static const struct event *
append(struct transcript *t, const struct event *src, bool recorded)
{
	struct event *ev = xmalloc(sizeof *ev + src->len + 1);

	*ev = *src;
	ev->seq = t->count + 1;
	if (!recorded) {
		ev->t = transcript_now(t);
		ev->wall = t->start_wall + ev->t;
	}
	ev->text = (unsigned char *)(ev + 1);
	if (src->len > 0)
		memcpy(ev->text, src->text, src->len);
	ev->text[src->len] = '\0';
	ev->explain = src->explain ? xstrdup(src->explain) : NULL;
	ev->tls = src->tls ? xmemdup(src->tls, sizeof *src->tls) : NULL;
	ev->verdict = src->verdict ? xmemdup(src->verdict, sizeof *src->verdict) : NULL;
	ev->cert = src->cert ? cert_copy(src->cert) : NULL;
	ev->record = src->record ? xmemdup(src->record, sizeof *src->record) : NULL;
	ev->message = src->message ? xmemdup(src->message, sizeof *src->message) : NULL;
	ev->dns = src->dns ? dns_event_copy(src->dns) : NULL;
	ev->policy = src->policy ? policy_event_copy(src->policy) : NULL;
	if (t->count == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->events = xrealloc(t->events, t->cap * sizeof *t->events);
		t->keep = xrealloc(t->keep, t->cap);
	}
	t->keep[t->count] = (unsigned char)event_keep(t, ev);
	if (t->keep[t->count] == KEEP_BULK)
		t->bulk_bytes += event_size(ev);
	t->events[t->count++] = ev;
	for (size_t i = 0; i < t->nlisteners; i++)
		t->listeners[i].fn(t->listeners[i].arg, t, ev);
	enforce_budget(t);
	return ev;
}

const struct event *
transcript_append(struct transcript *t, const struct event *src)
{
	return append(t, src, false);
}

const struct event *
transcript_append_recorded(struct transcript *t, const struct event *src)
{
	return append(t, src, true);
}

size_t
transcript_count(const struct transcript *t)
{
	return t->count;
}

const struct event *
transcript_get(const struct transcript *t, size_t i)
{
	if (i >= t->count)
		return NULL;
	if (t->keep[i] == KEEP_GONE) {
		struct elided *r = run_of(t, i);
		if (r->stale)
			elided_text(t, r);
	}
	return t->events[i];
}

double
transcript_now(const struct transcript *t)
{
	return (util_now_ms() - t->start_ms) / 1000.0;
}

bool
transcript_is_injected(const struct event *ev)
{
	return ev->kind == EV_NOTE && ev->dir == DIR_SERVER && ev->record == NULL &&
	       ev->message == NULL;
}
