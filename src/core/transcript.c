#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "transcript.h"
#include "util.h"

struct listener {
	transcript_listener fn;
	void *arg;
};

struct transcript {
	struct event **events;
	size_t count, cap;
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

static void
event_free(struct event *ev)
{
	free(ev->text);
	free(ev->explain);
	free(ev->tls);
	free(ev->verdict);
	if (ev->cert != NULL) {
		cert_info_free(ev->cert);
		free(ev->cert);
	}
	free(ev->record);
	free(ev);
}

void
transcript_free(struct transcript *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->count; i++)
		event_free(t->events[i]);
	free(t->events);
	free(t);
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
	return d;
}

const struct event *
transcript_append(struct transcript *t, const struct event *src)
{
	struct event *ev = xmalloc(sizeof *ev);

	*ev = *src;
	ev->seq = t->count + 1;
	ev->t = transcript_now(t);
	ev->wall = t->start_wall + ev->t;
	ev->text = xmemdup(src->text ? src->text : (const unsigned char *)"", src->len);
	ev->explain = src->explain ? xstrdup(src->explain) : NULL;
	ev->tls = src->tls ? xmemdup(src->tls, sizeof *src->tls) : NULL;
	ev->verdict = src->verdict ? xmemdup(src->verdict, sizeof *src->verdict) : NULL;
	ev->cert = src->cert ? cert_copy(src->cert) : NULL;
	ev->record = src->record ? xmemdup(src->record, sizeof *src->record) : NULL;
	if (t->count == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->events = xrealloc(t->events, t->cap * sizeof *t->events);
	}
	t->events[t->count++] = ev;
	for (size_t i = 0; i < t->nlisteners; i++)
		t->listeners[i].fn(t->listeners[i].arg, t, ev);
	return ev;
}

size_t
transcript_count(const struct transcript *t)
{
	return t->count;
}

const struct event *
transcript_get(const struct transcript *t, size_t i)
{
	return i < t->count ? t->events[i] : NULL;
}

double
transcript_now(const struct transcript *t)
{
	return (util_now_ms() - t->start_ms) / 1000.0;
}
