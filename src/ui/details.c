/*
 * details: the tabs of the details pane and the status bar, built as styled
 * lines from the transcript and an index kept up to date event by event.
 * This file: the index, the row builder, the Help tab and the status bar;
 * the other tabs are in details_handshake.c, details_certs.c and
 * details_event.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "details.h"
#include "details_int.h"
#include "finding.h"
#include "proto.h"
#include "styled.h"
#include "tls.h"
#include "transcript.h"

/* Label column of "label  value" rows, and the narrowest pane that still
 * puts label and value side by side. */
#define LABEL_COLS 13
#define ROW_MIN_WIDTH 36

static const char *const tab_names[TAB_COUNT] = {
#define DETAILS_TAB_NAME(sym, name, short_name) [TAB_##sym] = name,
    DETAILS_TABS(DETAILS_TAB_NAME)
#undef DETAILS_TAB_NAME
};

static const char *const tab_short_names[TAB_COUNT] = {
#define DETAILS_TAB_SHORT(sym, name, short_name) [TAB_##sym] = short_name,
    DETAILS_TABS(DETAILS_TAB_SHORT)
#undef DETAILS_TAB_SHORT
};

const char *
details_tab_short_name(enum details_tab tab)
{
	return tab < TAB_COUNT ? tab_short_names[tab] : "";
}

const char *
details_tab_name(enum details_tab tab)
{
	return tab < TAB_COUNT ? tab_names[tab] : "";
}

/* The index */

void
dindex_init(struct dindex *d)
{
	memset(d, 0, sizeof *d);
	d->connect = d->greeting = d->starttls_sent = DETAILS_NONE;
	d->handshake_begin = d->tls_summary = d->verdict = DETAILS_NONE;
	d->last_finding = DETAILS_NONE;
}

static const struct {
	const char *scheme;
	enum proto_id proto;
} scheme_protos[] = {
    {"smtp", PROTO_SMTP},  {"submission", PROTO_SMTP}, {"smtps", PROTO_SMTP},
    {"imap", PROTO_IMAP},  {"imaps", PROTO_IMAP},      {"pop3", PROTO_POP3},
    {"pop3s", PROTO_POP3},
};

/* The protocol named by the scheme in the connect event's text
 * ("connected to imap://host:143 ..."); false if it cannot be told. */
static bool
session_proto(const struct dindex *d, const struct transcript *t, enum proto_id *proto)
{
	static const char prefix[] = "connected to ";
	const struct event *ev =
	    d->connect == DETAILS_NONE ? NULL : transcript_get(t, d->connect);
	const char *text, *end;

	if (ev == NULL || strncmp((const char *)ev->text, prefix, sizeof prefix - 1) != 0)
		return false;
	text = (const char *)ev->text + sizeof prefix - 1;
	end = strstr(text, "://");
	if (end == NULL)
		return false;
	for (size_t i = 0; i < sizeof scheme_protos / sizeof scheme_protos[0]; i++)
		if (strlen(scheme_protos[i].scheme) == (size_t)(end - text) &&
		    strncmp(text, scheme_protos[i].scheme, (size_t)(end - text)) == 0) {
			*proto = scheme_protos[i].proto;
			return true;
		}
	return false;
}

/* True if a client line is the STARTTLS (SMTP, IMAP after its tag) or STLS
 * (POP3) command. The protocol comes from the connect event; without one,
 * any protocol's form counts. */
static bool
is_starttls_line(const struct dindex *d, const struct transcript *t, const struct event *ev)
{
	static const enum proto_id protos[] = {PROTO_SMTP, PROTO_IMAP, PROTO_POP3};
	enum proto_id proto;

	if (session_proto(d, t, &proto))
		return proto_is_starttls(proto, ev->text, ev->len);
	for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
		if (proto_is_starttls(protos[i], ev->text, ev->len))
			return true;
	return false;
}

static void
dindex_line(struct dindex *d, const struct transcript *t, const struct event *ev,
            size_t idx)
{
	if (ev->dir == DIR_LOCAL)
		return;
	if (ev->phase == PHASE_PLAIN) {
		d->plain_lines++;
		d->plain_bytes += ev->len + 2;
	} else {
		d->tls_lines++;
	}
	if (ev->dir == DIR_SERVER && d->greeting == DETAILS_NONE)
		d->greeting = idx;
	if (ev->dir == DIR_CLIENT && ev->phase == PHASE_PLAIN && is_starttls_line(d, t, ev))
		d->starttls_sent = idx;
}

/* A new handshake starts a new chain, record list and verdict. */
static void
dindex_handshake(struct dindex *d, size_t idx)
{
	d->handshake_begin = idx;
	d->tls_summary = d->verdict = DETAILS_NONE;
	d->ncerts = 0;
	d->nrecords = 0;
	d->records_after = 0;
	d->nmessages = 0;
}

void
dindex_update(struct dindex *d, const struct transcript *t, size_t idx)
{
	const struct event *ev = transcript_get(t, idx);

	if (ev == NULL)
		return;
	if (ev->kind == EV_CLOSE || ev->kind == EV_ERROR)
		d->closed = true;
	switch (ev->kind) {
	case EV_CONNECT:
		/* A new connection (/reconnect): what the tabs and the status bar
		 * say is about it alone. */
		dindex_init(d);
		d->connect = idx;
		break;
	case EV_LINE:
		dindex_line(d, t, ev, idx);
		break;
	case EV_PHASE:
		if (ev->phase == PHASE_HANDSHAKE)
			dindex_handshake(d, idx);
		break;
	case EV_TLS:
		if (ev->tls != NULL)
			d->tls_summary = idx;
		if (ev->verdict != NULL)
			d->verdict = idx;
		break;
	case EV_CERT:
		if (ev->cert != NULL && d->ncerts < sizeof d->certs / sizeof d->certs[0])
			d->certs[d->ncerts++] = idx;
		break;
	case EV_NOTE:
		if (ev->message != NULL && d->nmessages < HSDECRYPT_MESSAGES_MAX)
			d->messages[d->nmessages++] = idx;
		if (ev->record == NULL)
			break;
		if (ev->phase == PHASE_HANDSHAKE && d->nrecords < DINDEX_MAX_RECORDS)
			d->records[d->nrecords++] = idx;
		else
			d->records_after++;
		break;
	case EV_FINDING:
		if ((unsigned)ev->severity < 3)
			d->findings[ev->severity]++;
		d->last_finding = idx;
		break;
	default:
		break;
	}
}

const struct event *
details_event_at(const struct transcript *t, size_t idx)
{
	return idx == DETAILS_NONE ? NULL : transcript_get(t, idx);
}

/* Building panes */

void
dpane_init(struct dpane *p, struct slines *out, int width)
{
	p->out = out;
	p->width = width < 1 ? 1 : width;
	p->tag = -1;
	sline_init(&p->cur);
	p->indent = 0;
}

/* Wraps the line being built into the output and starts a new one. */
void
dpane_flush(struct dpane *p)
{
	size_t first = p->out->n;
	int indent = p->indent > p->width / 2 ? p->width / 2 : p->indent;

	if (p->cur.len == 0)
		slines_push(p->out);
	else
		sline_wrap(&p->cur, p->width, indent, TE_DEFAULT, p->out);
	for (size_t i = first; i < p->out->n; i++)
		p->out->v[i].tag = p->tag;
	sline_clear(&p->cur);
	p->indent = 0;
}

void
dpane_done(struct dpane *p)
{
	sline_free(&p->cur);
}

void
dpane_blank(struct dpane *p)
{
	if (p->out->n > 0 && p->out->v[p->out->n - 1].len > 0)
		dpane_flush(p);
}

void
dpane_title(struct dpane *p, const char *title)
{
	dpane_blank(p);
	sline_add(&p->cur, TE_TITLE, title);
	dpane_flush(p);
}

/* A paragraph of startle's own words, indented by two columns. */
void
dpane_text(struct dpane *p, enum theme_element e, const char *text)
{
	sline_add(&p->cur, TE_DEFAULT, "  ");
	sline_add(&p->cur, e, text);
	p->indent = 2;
	dpane_flush(p);
}

/* Starts a "label  value" row; the caller appends the value to the returned
 * line and calls dpane_flush. Narrow panes get the label on a line of its own. */
struct sline *
dpane_row(struct dpane *p, const char *label)
{
	if (p->width >= ROW_MIN_WIDTH) {
		sline_addf(&p->cur, TE_LABEL, "  %-*s", LABEL_COLS, label);
		p->indent = 2 + LABEL_COLS;
		return &p->cur;
	}
	if (label[0] != '\0') {
		sline_add(&p->cur, TE_LABEL, label);
		dpane_flush(p);
	}
	sline_add(&p->cur, TE_DEFAULT, "  ");
	p->indent = 2;
	return &p->cur;
}

/* A row whose value is startle's own text in one element. */
void
dpane_pair(struct dpane *p, const char *label, enum theme_element e, const char *value)
{
	sline_add(dpane_row(p, label), e, value);
	dpane_flush(p);
}

/* A row whose value comes from outside (a server, the user) and is escaped. */
void
dpane_pair_escaped(struct dpane *p, const char *label, const char *value)
{
	const char *v = value != NULL ? value : "";

	sline_add_escaped(dpane_row(p, label), TE_VALUE, TE_ESCAPED,
	                  (const unsigned char *)v, strlen(v));
	dpane_flush(p);
}

void
dpane_pair_own(struct dpane *p, const char *label, enum theme_element e, const char *value)
{
	sline_add_own(dpane_row(p, label), e, TE_ESCAPED, (const unsigned char *)value,
	              strlen(value));
	dpane_flush(p);
}

void
dpane_text_own(struct dpane *p, enum theme_element e, const char *text)
{
	sline_add(&p->cur, TE_DEFAULT, "  ");
	sline_add_own(&p->cur, e, TE_ESCAPED, (const unsigned char *)text, strlen(text));
	p->indent = 2;
	dpane_flush(p);
}

/* Formats a byte count: "412 B", "12.5 KiB", "3.1 MiB". */
void
details_format_bytes(size_t n, char *buf, size_t size)
{
	if (n < 10240)
		snprintf(buf, size, "%zu B", n);
	else if (n < 10 * 1024 * 1024)
		snprintf(buf, size, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, size, "%.1f MiB", (double)n / (1024 * 1024));
}

/* Help tab */

void
details_help(const struct details_help_row *rows, size_t n, int width, struct slines *out)
{
	struct dpane p;
	int keycols = 0;

	dpane_init(&p, out, width);
	for (size_t i = 0; i < n; i++) {
		int w = utf8_width(rows[i].keys, strlen(rows[i].keys));
		if (w > keycols)
			keycols = w;
	}
	if (keycols > 24)
		keycols = 24;
	bool side = 2 + keycols + 2 + 16 <= p.width;
	dpane_title(&p, "Keys and commands");
	for (size_t i = 0; i < n; i++) {
		const char *keys = rows[i].keys;
		int w = utf8_width(keys, strlen(keys));
		sline_add(&p.cur, TE_DEFAULT, "  ");
		sline_add(&p.cur, TE_HINT_KEY, keys);
		if (!side || w > keycols) {
			p.indent = 4;
			dpane_flush(&p);
			sline_add(&p.cur, TE_DEFAULT, "    ");
		} else {
			sline_addf(&p.cur, TE_DEFAULT, "%*s", keycols - w + 2, "");
		}
		sline_add(&p.cur, TE_DEFAULT, rows[i].what);
		p.indent = side ? 2 + keycols + 2 : 4;
		dpane_flush(&p);
	}
	dpane_done(&p);
}

/* Status bar */

static void
status_sep(struct sline *out)
{
	sline_add(out, TE_STATUS, " \xc2\xb7 ");
}

static void
status_findings(const struct dindex *d, struct sline *out)
{
	static const struct {
		enum severity sev;
		enum theme_element elem;
	} order[] = {
	    {SEV_DANGER, TE_FINDING_DANGER},
	    {SEV_WARN, TE_FINDING_WARN},
	    {SEV_INFO, TE_FINDING_INFO},
	};
	bool any = false;

	if (d->findings[0] + d->findings[1] + d->findings[2] == 0)
		return;
	status_sep(out);
	sline_add(out, TE_STATUS, "findings: ");
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		unsigned n = d->findings[order[i].sev];
		if (n == 0)
			continue;
		if (any)
			sline_add(out, TE_STATUS, ", ");
		sline_addf(out, order[i].elem, "%u %s", n, severity_name(order[i].sev));
		any = true;
	}
}

/* How much of the status to leave out, least useful first. */
enum status_cut { STATUS_FULL, STATUS_NO_CIPHER, STATUS_SHORT_EXPOSURE, STATUS_NO_GROUP };

static void
details_status_cut(const struct dindex *d, const struct transcript *t, enum status_cut cut,
                   struct sline *out)
{
	const struct event *sev = details_event_at(t, d->tls_summary);
	const struct event *vev = details_event_at(t, d->verdict);
	char bytes[32];

	details_format_bytes(d->plain_bytes, bytes, sizeof bytes);
	if (d->plain_lines == 0)
		sline_add(out, TE_STATUS,
		          cut >= STATUS_SHORT_EXPOSURE ? "plain: 0 B"
		                                       : "plaintext: nothing exposed");
	else if (cut >= STATUS_SHORT_EXPOSURE)
		sline_addf(out, TE_STATUS, "plain: %s", bytes);
	else
		sline_addf(out, TE_STATUS, "plaintext: %zu line%s, %s exposed",
		           d->plain_lines, d->plain_lines == 1 ? "" : "s", bytes);
	status_sep(out);
	if (sev != NULL && sev->tls != NULL) {
		const struct tls_summary *s = sev->tls;
		sline_add_escaped(out, TE_STATUS, TE_ESCAPED,
		                  (const unsigned char *)s->version,
		                  strnlen(s->version, sizeof s->version));
		if (cut < STATUS_NO_CIPHER) {
			sline_add(out, TE_STATUS, " ");
			sline_add_escaped(out, TE_STATUS, TE_ESCAPED,
			                  (const unsigned char *)s->cipher,
			                  strnlen(s->cipher, sizeof s->cipher));
		}
		if (s->group[0] != '\0' && cut < STATUS_NO_GROUP) {
			sline_add(out, TE_STATUS, " ");
			sline_add_escaped(out, TE_STATUS, TE_ESCAPED,
			                  (const unsigned char *)s->group,
			                  strnlen(s->group, sizeof s->group));
		}
	} else if (d->handshake_begin != DETAILS_NONE && d->closed) {
		sline_add(out, TE_BAD, "TLS handshake FAILED");
	} else if (d->handshake_begin != DETAILS_NONE) {
		sline_add(out, TE_INFO, "TLS handshake under way");
	} else {
		sline_add(out, TE_INFO, "no TLS yet");
	}
	if (vev != NULL && vev->verdict != NULL) {
		const struct cert_verdict *v = vev->verdict;
		status_sep(out);
		if (v->verified && v->name_match)
			sline_add(out, TE_GOOD, "cert: trusted");
		else if (!v->verified)
			sline_add(out, TE_BAD,
			          v->name_match ? "cert: NOT TRUSTED"
			                        : "cert: NOT TRUSTED, name mismatch");
		else
			sline_add(out, TE_BAD, "cert: name mismatch");
	}
	status_findings(d, out);
}

void
details_status_fit(const struct dindex *d, const struct transcript *t, int width,
                   struct sline *out)
{
	for (enum status_cut cut = STATUS_FULL;; cut++) {
		sline_clear(out);
		details_status_cut(d, t, cut, out);
		if (sline_width(out) <= width || cut == STATUS_NO_GROUP)
			return;
	}
}
