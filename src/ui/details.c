/*
 * details: the tabs of the details pane and the status bar, built as styled
 * lines from the transcript and an index kept up to date event by event.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "details.h"
#include "finding.h"
#include "proto.h"
#include "record.h"
#include "styled.h"
#include "tls.h"
#include "transcript.h"

#define NONE ((size_t)-1)

/* Label column of "label  value" rows, and the narrowest pane that still
 * puts label and value side by side. */
#define LABEL_COLS 13
#define ROW_MIN_WIDTH 36

/* The narrowest pane where records are shown as an aligned table. */
#define RECORD_TABLE_WIDTH 48

/* SANs listed per certificate before "and N more". */
#define SAN_SHOWN 8

/* Bytes of an event shown in the hex dump. */
#define HEXDUMP_CAP 4096

static const char *const tab_names[TAB_COUNT] = {
#define DETAILS_TAB_NAME(sym, name) [TAB_##sym] = name,
    DETAILS_TABS(DETAILS_TAB_NAME)
#undef DETAILS_TAB_NAME
};

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
	d->connect = d->greeting = d->starttls_sent = NONE;
	d->handshake_begin = d->tls_summary = d->verdict = NONE;
	d->last_finding = NONE;
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
	const struct event *ev = d->connect == NONE ? NULL : transcript_get(t, d->connect);
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
	if (ev->dir == DIR_SERVER && d->greeting == NONE)
		d->greeting = idx;
	if (ev->dir == DIR_CLIENT && ev->phase == PHASE_PLAIN && is_starttls_line(d, t, ev))
		d->starttls_sent = idx;
}

/* A new handshake starts a new chain, record list and verdict. */
static void
dindex_handshake(struct dindex *d, size_t idx)
{
	d->handshake_begin = idx;
	d->tls_summary = d->verdict = NONE;
	d->ncerts = 0;
	d->nrecords = 0;
	d->records_after = 0;
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
		if (d->connect == NONE)
			d->connect = idx;
		d->closed = false;
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

static const struct event *
dindex_event(const struct transcript *t, size_t idx)
{
	return idx == NONE ? NULL : transcript_get(t, idx);
}

/* Building panes */

/* A builder's state: where lines go, at which width, the row being built. */
struct pane {
	struct slines *out;
	int width;
	int tag;
	struct sline cur;
	int indent; /* continuation indent of cur */
};

static void
pane_init(struct pane *p, struct slines *out, int width)
{
	p->out = out;
	p->width = width < 1 ? 1 : width;
	p->tag = -1;
	sline_init(&p->cur);
	p->indent = 0;
}

/* Wraps the line being built into the output and starts a new one. */
static void
pane_flush(struct pane *p)
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

static void
pane_done(struct pane *p)
{
	sline_free(&p->cur);
}

static void
pane_blank(struct pane *p)
{
	if (p->out->n > 0 && p->out->v[p->out->n - 1].len > 0)
		pane_flush(p);
}

static void
pane_title(struct pane *p, const char *title)
{
	pane_blank(p);
	sline_add(&p->cur, TE_TITLE, title);
	pane_flush(p);
}

/* A paragraph of startle's own words, indented by two columns. */
static void
pane_text(struct pane *p, enum theme_element e, const char *text)
{
	sline_add(&p->cur, TE_DEFAULT, "  ");
	sline_add(&p->cur, e, text);
	p->indent = 2;
	pane_flush(p);
}

/* Starts a "label  value" row; the caller appends the value to the returned
 * line and calls pane_flush. Narrow panes get the label on a line of its own. */
static struct sline *
pane_row(struct pane *p, const char *label)
{
	if (p->width >= ROW_MIN_WIDTH) {
		sline_addf(&p->cur, TE_LABEL, "  %-*s", LABEL_COLS, label);
		p->indent = 2 + LABEL_COLS;
		return &p->cur;
	}
	if (label[0] != '\0') {
		sline_add(&p->cur, TE_LABEL, label);
		pane_flush(p);
	}
	sline_add(&p->cur, TE_DEFAULT, "  ");
	p->indent = 2;
	return &p->cur;
}

/* A row whose value is startle's own text in one element. */
static void
pane_pair(struct pane *p, const char *label, enum theme_element e, const char *value)
{
	sline_add(pane_row(p, label), e, value);
	pane_flush(p);
}

/* A row whose value comes from outside (a server, the user) and is escaped. */
static void
pane_pair_escaped(struct pane *p, const char *label, const char *value)
{
	const char *v = value != NULL ? value : "";

	sline_add_escaped(pane_row(p, label), TE_VALUE, TE_ESCAPED,
	                  (const unsigned char *)v, strlen(v));
	pane_flush(p);
}

/* Formats a byte count: "412 B", "12.5 KiB", "3.1 MiB". */
static void
format_bytes(size_t n, char *buf, size_t size)
{
	if (n < 10240)
		snprintf(buf, size, "%zu B", n);
	else if (n < 10 * 1024 * 1024)
		snprintf(buf, size, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, size, "%.1f MiB", (double)n / (1024 * 1024));
}

/* Handshake tab */

/* Reads "in 1.2 ms" from the connect event's text (written by the session). */
static bool
connect_ms_from_text(const struct event *ev, double *ms)
{
	const char *text = (const char *)ev->text, *hit = NULL;

	for (const char *q = text; (q = strstr(q, " in ")) != NULL; q++)
		hit = q + 4;
	if (hit == NULL || *hit < '0' || *hit > '9')
		return false;
	double v = 0, scale = 1;
	const char *p = hit;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			v += (*p - '0') * (scale /= 10);
	if (strncmp(p, " ms", 3) != 0)
		return false;
	*ms = v;
	return true;
}

static void
timing_row(struct pane *p, const char *label, double ms, const char *what)
{
	sline_addf(pane_row(p, label), TE_VALUE, "%.1f ms", ms < 0 ? 0 : ms);
	if (what != NULL)
		sline_addf(&p->cur, TE_DEFAULT, " %s", what);
	pane_flush(p);
}

static void
handshake_timings(struct pane *p, const struct dindex *d, const struct transcript *t,
                  const struct tls_summary *sum)
{
	const struct event *conn = dindex_event(t, d->connect);
	const struct event *greet = dindex_event(t, d->greeting);
	const struct event *st = dindex_event(t, d->starttls_sent);
	const struct event *hs = dindex_event(t, d->handshake_begin);
	double ms;

	if (conn == NULL && greet == NULL && hs == NULL && sum == NULL)
		return;
	pane_title(p, "Timings");
	if (conn != NULL) {
		if (connect_ms_from_text(conn, &ms))
			timing_row(p, "Connect", ms, "for the TCP handshake");
		else
			timing_row(p, "Connect", conn->t * 1000, "after start");
	}
	if (greet != NULL && conn != NULL)
		timing_row(p, "Greeting", (greet->t - conn->t) * 1000, "after connect");
	if (st != NULL && hs != NULL && d->handshake_begin > d->starttls_sent)
		timing_row(p, "STARTTLS", (hs->t - st->t) * 1000,
		           "from the command to the go-ahead");
	else if (hs != NULL && st == NULL)
		pane_pair(p, "STARTTLS", TE_DEFAULT,
		          "none: implicit TLS, the handshake came first");
	if (sum != NULL)
		timing_row(p, "Handshake", sum->handshake_ms, NULL);
}

static void
summary_rows(struct pane *p, const struct tls_summary *sum)
{
	char in[32], outb[32];

	pane_pair_escaped(p, "Version", sum->version);
	pane_pair_escaped(p, "Cipher", sum->cipher);
	pane_pair_escaped(p, "Group", sum->group[0] ? sum->group : "unknown");
	if (sum->sni[0] != '\0')
		pane_pair_escaped(p, "SNI", sum->sni);
	else
		pane_pair(p, "SNI", TE_VALUE, "not sent");
	pane_pair(p, "Resumed", TE_VALUE, sum->resumed ? "yes" : "no");
	format_bytes(sum->bytes_in, in, sizeof in);
	format_bytes(sum->bytes_out, outb, sizeof outb);
	sline_addf(pane_row(p, "Wire"), TE_VALUE, "%u records in (%s), %u out (%s)",
	           sum->records_in, in, sum->records_out, outb);
	pane_flush(p);
}

/* What is known about a record's content, as an eavesdropper reads it. */
static void
record_message(const struct tls_record *rec, char *buf, size_t size)
{
	const char *name;

	buf[0] = '\0';
	if (rec->type == 22 && rec->hs_type != 0) {
		name = tls_handshake_type_name(rec->hs_type);
		if (name != NULL)
			snprintf(buf, size, "%s", name);
		else
			snprintf(buf, size, "handshake type %u", rec->hs_type);
	} else if (rec->type == 23) {
		snprintf(buf, size, "encrypted");
	} else if (rec->type == 21 && rec->head_len >= 2) {
		const char *alert = record_alert_name(rec->head[1]);
		if (alert != NULL)
			snprintf(buf, size, "%s alert %s",
			         rec->head[0] == 2 ? "fatal" : "warning", alert);
		else
			snprintf(buf, size, "%s alert %u",
			         rec->head[0] == 2 ? "fatal" : "warning", rec->head[1]);
	}
}

static void
record_row(struct pane *p, const struct tls_record *rec, size_t idx)
{
	char msg[64];
	struct sline *l = &p->cur;

	record_message(rec, msg, sizeof msg);
	sline_add(l, TE_DEFAULT, "  ");
	sline_add(l, rec->dir == TLS_DIR_OUT ? TE_CLIENT_TLS : TE_SERVER_TLS,
	          rec->dir == TLS_DIR_OUT ? "->" : "<-");
	if (p->width >= RECORD_TABLE_WIDTH) {
		sline_addf(l, TE_VALUE, " %-18s", tls_record_type_name(rec->type));
		sline_addf(l, TE_VALUE, " %6zu B", rec->length);
	} else {
		sline_addf(l, TE_VALUE, " %s %zu B", tls_record_type_name(rec->type),
		           rec->length);
	}
	if (msg[0] != '\0')
		sline_addf(l, TE_INFO, "  %s", msg);
	p->indent = 6;
	p->tag = (int)idx;
	pane_flush(p);
	p->tag = -1;
}

/* Explains what the records show, for the negotiated version. */
static void
records_explained(struct pane *p, const struct tls_summary *sum)
{
	if (sum == NULL)
		return;
	pane_blank(p);
	if (strcmp(sum->version, "TLSv1.3") == 0) {
		pane_text(
		    p, TE_EXPLAIN,
		    "TLS 1.3: only ClientHello and ServerHello travel readable. After "
		    "ServerHello the rest of the handshake (EncryptedExtensions, the "
		    "certificate, CertificateVerify, Finished) travels encrypted inside "
		    "application_data records, so an eavesdropper sees only their sizes, "
		    "not who the server claims to be.");
		pane_text(
		    p, TE_EXPLAIN,
		    "A one-byte change_cipher_spec record, if present, is a dummy kept for "
		    "middleboxes (RFC 8446 appendix D.4).");
	} else if (strcmp(sum->version, "TLSv1.2") == 0) {
		pane_text(
		    p, TE_EXPLAIN,
		    "TLS 1.2: the whole handshake travels readable, certificate included: "
		    "an eavesdropper can see which certificate the server presented. "
		    "Encryption starts after change_cipher_spec; the Finished messages are "
		    "the first encrypted records.");
	}
}

static void
handshake_records(struct pane *p, const struct dindex *d, const struct transcript *t,
                  const struct tls_summary *sum)
{
	char more[128];

	if (d->nrecords == 0 && d->records_after == 0)
		return;
	pane_title(p, "Records on the wire");
	for (size_t i = 0; i < d->nrecords; i++) {
		const struct event *ev = transcript_get(t, d->records[i]);
		if (ev != NULL && ev->record != NULL)
			record_row(p, ev->record, d->records[i]);
	}
	if (d->records_after > 0) {
		snprintf(more, sizeof more, "and %lu more record%s %s", d->records_after,
		         d->records_after == 1 ? "" : "s",
		         d->nrecords < DINDEX_MAX_RECORDS
		             ? "after the handshake: application data carrying the dialogue"
		             : "not listed");
		pane_text(p, TE_INFO, more);
	}
	records_explained(p, sum);
}

void
details_handshake(const struct dindex *d, const struct transcript *t, int width,
                  struct slines *out)
{
	const struct event *sev = dindex_event(t, d->tls_summary);
	const struct tls_summary *sum = sev != NULL ? sev->tls : NULL;
	struct pane p;

	pane_init(&p, out, width);
	pane_title(&p, "TLS handshake");
	if (sum != NULL) {
		summary_rows(&p, sum);
	} else if (d->handshake_begin != NONE) {
		pane_text(
		    &p, TE_INFO,
		    "The handshake is under way, or it failed (the transcript says why). "
		    "The records seen so far are listed below.");
	} else {
		pane_text(
		    &p, TE_DEFAULT,
		    "No TLS yet: this connection is in plaintext, and everything on it can "
		    "be read by anyone on the path.");
		pane_text(
		    &p, TE_DEFAULT,
		    "Once TLS starts, this tab shows the version, cipher and key exchange "
		    "group that were negotiated, how long each step took, and every TLS "
		    "record that crossed the wire.");
		pane_text(
		    &p, TE_HINT,
		    "To start TLS, type STARTTLS (STLS for POP3), or /starttls to run the "
		    "whole upgrade: capabilities, STARTTLS, handshake, capabilities "
		    "again.");
	}
	handshake_timings(&p, d, t, sum);
	handshake_records(&p, d, t, sum);
	pane_done(&p);
}

/* Certificates tab */

static void
cert_validity_note(struct sline *l, const struct cert_info *c, time_t now)
{
	if (now < c->not_before) {
		sline_add(l, TE_BAD, "  not yet valid");
	} else if (now > c->not_after) {
		long days = (long)((now - c->not_after) / 86400);
		if (days > 0)
			sline_addf(l, TE_BAD, "  expired %ld day%s ago", days,
			           days == 1 ? "" : "s");
		else
			sline_add(l, TE_BAD, "  expired");
	} else {
		long days = (long)((c->not_after - now) / 86400);
		sline_addf(l, days < 14 ? TE_FINDING_WARN : TE_GOOD,
		           "  valid for %ld more day%s", days, days == 1 ? "" : "s");
	}
}

static void
cert_sans(struct pane *p, const struct cert_info *c)
{
	size_t total = c->nsan_total > c->nsan ? c->nsan_total : c->nsan;
	size_t shown = c->nsan < SAN_SHOWN ? c->nsan : SAN_SHOWN;
	char more[64];

	if (total == 0) {
		pane_pair(p, "Names", TE_INFO, "none (no subjectAltName)");
		return;
	}
	for (size_t i = 0; i < shown; i++)
		pane_pair_escaped(p, i == 0 ? "Names" : "", c->san[i]);
	if (total > shown) {
		snprintf(more, sizeof more, "and %zu more", total - shown);
		pane_pair(p, shown == 0 ? "Names" : "", TE_INFO, more);
	}
}

static const char *
cert_role(const struct cert_info *c)
{
	if (c->depth == 0)
		return "leaf, the server's own";
	return c->self_signed ? "root" : "intermediate";
}

/* Every field of one certificate as rows. */
static void
cert_rows(struct pane *p, const struct cert_info *c, time_t now)
{
	char when[32];
	struct sline *l;

	pane_pair_escaped(p, "Subject", c->subject);
	pane_pair_escaped(p, "Issuer", c->issuer);
	pane_pair_escaped(p, "Serial", c->serial);
	cert_format_time(c->not_before, when, sizeof when);
	pane_pair(p, "Not before", TE_VALUE, when);
	cert_format_time(c->not_after, when, sizeof when);
	l = pane_row(p, "Not after");
	sline_add(l, TE_VALUE, when);
	cert_validity_note(l, c, now);
	pane_flush(p);
	cert_sans(p, c);
	l = pane_row(p, "Key");
	sline_add_escaped(l, TE_VALUE, TE_ESCAPED, (const unsigned char *)c->key,
	                  strnlen(c->key, sizeof c->key));
	if (cert_key_is_weak(c))
		sline_add(l, TE_BAD, "  weak");
	pane_flush(p);
	l = pane_row(p, "Signature");
	sline_add_escaped(l, TE_VALUE, TE_ESCAPED, (const unsigned char *)c->sig,
	                  strnlen(c->sig, sizeof c->sig));
	if (!c->self_signed && cert_sig_is_weak(c))
		sline_add(l, TE_BAD, "  weak");
	pane_flush(p);
	pane_pair(p, "SHA-256", TE_HEX, c->sha256);
	pane_pair(p, "SPKI SHA-256", TE_HEX, c->spki_sha256);
	pane_pair(p, "CA", TE_VALUE,
	          c->is_ca
	              ? (c->self_signed ? "yes, self-signed" : "yes: may sign certificates")
	              : "no");
}

/* The verdict in words, good in TE_GOOD and bad in TE_BAD. */
static void
verdict_rows(struct pane *p, const struct cert_verdict *v)
{
	struct sline *l;
	const char *err = v->verify_error;
	size_t elen = strnlen(err, sizeof v->verify_error);

	l = pane_row(p, "Chain");
	if (v->verified) {
		sline_add(l, TE_GOOD, "trusted: it leads to a root in the trust store");
	} else {
		sline_add(l, TE_BAD, "NOT TRUSTED");
		if (elen > 0) {
			sline_add(l, TE_BAD, ": ");
			sline_add_escaped(l, TE_BAD, TE_ESCAPED, (const unsigned char *)err,
			                  elen);
		}
		if (v->verify_error_depth >= 0)
			sline_addf(l, TE_BAD, " (at depth %d)", v->verify_error_depth);
	}
	pane_flush(p);

	const char *name = v->name_checked;
	size_t nlen = strnlen(name, sizeof v->name_checked);
	l = pane_row(p, "Name");
	if (nlen == 0)
		sline_add(l, v->name_match ? TE_GOOD : TE_BAD,
		          v->name_match ? "matches" : "no name was checked");
	else {
		sline_add(l, v->name_match ? TE_GOOD : TE_BAD,
		          v->name_match ? "matches "
		                        : "MISMATCH: the certificate does not name ");
		sline_add_escaped(l, v->name_match ? TE_GOOD : TE_BAD, TE_ESCAPED,
		                  (const unsigned char *)name, nlen);
	}
	pane_flush(p);

	if (v->expired)
		pane_pair(p, "Dates", TE_BAD, "a certificate in the chain has expired");
	else if (v->not_yet_valid)
		pane_pair(p, "Dates", TE_BAD,
		          "a certificate in the chain is not valid yet");
	else
		pane_pair(p, "Dates", TE_GOOD,
		          "every certificate is within its validity period");
	if (v->self_signed)
		pane_pair(p, "Signer", TE_BAD,
		          "self-signed: nobody vouches for this certificate");
	if (v->weak_key)
		pane_pair(p, "Key", TE_BAD, "a certificate in the chain has a weak key");
	if (v->weak_signature)
		pane_pair(p, "Signature", TE_BAD,
		          "a certificate is signed with MD5 or SHA-1");
}

void
details_certs(const struct dindex *d, const struct transcript *t, int width,
              struct slines *out)
{
	const struct event *vev = dindex_event(t, d->verdict);
	time_t now = time(NULL);
	struct pane p;
	char title[64];

	pane_init(&p, out, width);
	/* The verdict first: it is what the reader wants to know. */
	if (vev != NULL && vev->verdict != NULL) {
		pane_title(&p, "Verdict");
		verdict_rows(&p, vev->verdict);
	} else if (d->ncerts > 0) {
		pane_title(&p, "Verdict");
		pane_text(&p, TE_INFO, "not known yet");
	}
	pane_title(&p, "Certificate chain, leaf first");
	if (d->ncerts == 0) {
		if (d->tls_summary != NONE)
			pane_text(&p, TE_BAD, "The server sent no certificate.");
		else if (d->handshake_begin != NONE)
			pane_text(&p, TE_DEFAULT,
			          "No certificate yet: the handshake is under way.");
		else
			pane_text(&p, TE_DEFAULT,
			          "No certificate yet: the server presents its chain "
			          "during the TLS "
			          "handshake. Type STARTTLS (STLS for POP3), or /starttls, "
			          "to start "
			          "it.");
	}
	for (size_t i = 0; i < d->ncerts; i++) {
		const struct event *ev = transcript_get(t, d->certs[i]);
		if (ev == NULL || ev->cert == NULL)
			continue;
		snprintf(title, sizeof title, "Certificate %d: %s", ev->cert->depth,
		         cert_role(ev->cert));
		p.tag = (int)d->certs[i];
		pane_title(&p, title);
		cert_rows(&p, ev->cert, now);
		p.tag = -1;
	}
	pane_done(&p);
}

/* Help tab */

void
details_help(const struct details_help_row *rows, size_t n, int width, struct slines *out)
{
	struct pane p;
	int keycols = 0;

	pane_init(&p, out, width);
	for (size_t i = 0; i < n; i++) {
		int w = utf8_width(rows[i].keys, strlen(rows[i].keys));
		if (w > keycols)
			keycols = w;
	}
	if (keycols > 24)
		keycols = 24;
	bool side = 2 + keycols + 2 + 16 <= p.width;
	pane_title(&p, "Keys and commands");
	for (size_t i = 0; i < n; i++) {
		const char *keys = rows[i].keys;
		int w = utf8_width(keys, strlen(keys));
		sline_add(&p.cur, TE_DEFAULT, "  ");
		sline_add(&p.cur, TE_HINT_KEY, keys);
		if (!side || w > keycols) {
			p.indent = 4;
			pane_flush(&p);
			sline_add(&p.cur, TE_DEFAULT, "    ");
		} else {
			sline_addf(&p.cur, TE_DEFAULT, "%*s", keycols - w + 2, "");
		}
		sline_add(&p.cur, TE_DEFAULT, rows[i].what);
		p.indent = side ? 2 + keycols + 2 : 4;
		pane_flush(&p);
	}
	pane_done(&p);
}

/* One event */

static const struct {
	unsigned flag;
	const char *name;
} line_flag_names[] = {
    {PROTO_LINE_GREETING, "greeting"},
    {PROTO_LINE_END, "completes the reply"},
    {PROTO_LINE_CAPS, "capabilities"},
    {PROTO_LINE_UNTAGGED, "untagged"},
    {PROTO_LINE_LITERAL, "inside a literal"},
    {PROTO_LINE_STUFFED, "dot-stuffed"},
    {PROTO_LINE_BARE_LF, "ended by a bare LF"},
    {PROTO_LINE_LONG, "longer than the protocol allows"},
    {PROTO_LINE_TRUNCATED, "truncated"},
};

static enum theme_element
event_text_elem(const struct event *ev)
{
	static const enum theme_element lines[2][2] = {
	    {TE_CLIENT_PLAIN, TE_SERVER_PLAIN},
	    {TE_CLIENT_TLS, TE_SERVER_TLS},
	};
	static const enum theme_element sev[3] = {TE_FINDING_INFO, TE_FINDING_WARN,
	                                          TE_FINDING_DANGER};

	switch (ev->kind) {
	case EV_LINE:
		if (ev->dir == DIR_LOCAL)
			return TE_INFO;
		return lines[ev->phase != PHASE_PLAIN][ev->dir == DIR_SERVER];
	case EV_FINDING:
		return (unsigned)ev->severity < 3 ? sev[ev->severity] : TE_FINDING_WARN;
	case EV_ERROR:
		return TE_ERROR;
	case EV_PHASE:
		return TE_BOUNDARY;
	default:
		return TE_INFO;
	}
}

/* The "RFC ..." reference inside an explanation, up to ')' or ';'. */
static bool
explain_reference(const char *explain, char *buf, size_t size)
{
	const char *r = strstr(explain, "RFC ");
	size_t n = 0;

	if (r == NULL)
		return false;
	while (r[n] != '\0' && r[n] != ')' && r[n] != ';' && r[n] != ',')
		n++;
	while (n > 0 && r[n - 1] == ' ')
		n--;
	snprintf(buf, size, "%.*s", (int)n, r);
	return true;
}

/* Bytes per hex dump row that fit the width: 16, 8, 4, 2 or 1. */
static size_t
hexdump_per_row(int width)
{
	size_t k = 16;

	/* "  0000  " + "xx " per byte (+1 gap for 16) + "|" ascii "|" */
	while (k > 1 && (int)(8 + 3 * k + (k == 16) + 2 + k) > width)
		k /= 2;
	return k;
}

static void
hexdump(struct pane *p, const unsigned char *data, size_t len)
{
	size_t shown = len > HEXDUMP_CAP ? HEXDUMP_CAP : len;
	size_t k = hexdump_per_row(p->width);
	char note[96];

	snprintf(note, sizeof note, "Bytes (%zu)", len);
	pane_title(p, note);
	for (size_t off = 0; off < shown; off += k) {
		struct sline *l = &p->cur;
		sline_addf(l, TE_LABEL, "  %04zx  ", off);
		for (size_t i = 0; i < k; i++) {
			if (off + i < shown)
				sline_addf(l, TE_HEX, "%02x ", data[off + i]);
			else
				sline_add(l, TE_DEFAULT, "   ");
			if (k == 16 && i == 7)
				sline_add(l, TE_DEFAULT, " ");
		}
		sline_add(l, TE_DEFAULT, "|");
		for (size_t i = 0; i < k && off + i < shown; i++) {
			unsigned char c = data[off + i];
			if (c >= 0x20 && c < 0x7f)
				sline_addn(l, TE_DEFAULT, (const char *)&c, 1);
			else
				sline_add(l, TE_ESCAPED, ".");
		}
		sline_add(l, TE_DEFAULT, "|");
		p->indent = 8;
		pane_flush(p);
	}
	if (len > shown) {
		snprintf(note, sizeof note, "showing the first %d of %zu bytes",
		         HEXDUMP_CAP, len);
		pane_text(p, TE_INFO, note);
	}
}

static void
event_line_fields(struct pane *p, const struct event *ev)
{
	char buf[32];
	bool any = false;
	struct sline *l;

	snprintf(buf, sizeof buf, "%zu bytes", ev->len);
	pane_pair(p, "Length", TE_VALUE, buf);
	if (ev->line_flags == 0)
		return;
	l = pane_row(p, "Flags");
	for (size_t i = 0; i < sizeof line_flag_names / sizeof line_flag_names[0]; i++) {
		if (!(ev->line_flags & line_flag_names[i].flag))
			continue;
		sline_addf(l, TE_VALUE, "%s%s", any ? ", " : "", line_flag_names[i].name);
		any = true;
	}
	pane_flush(p);
}

static void
event_record_fields(struct pane *p, const struct tls_record *rec)
{
	char buf[64];
	struct sline *l;

	pane_pair(p, "Record", TE_VALUE,
	          rec->dir == TLS_DIR_OUT ? "sent by startle" : "received from the server");
	snprintf(buf, sizeof buf, "%s (%u)", tls_record_type_name(rec->type), rec->type);
	pane_pair(p, "Type", TE_VALUE, buf);
	snprintf(buf, sizeof buf, "0x%04x", rec->version);
	pane_pair(p, "Layer", TE_VALUE, buf);
	snprintf(buf, sizeof buf, "%zu bytes", rec->length);
	pane_pair(p, "Body", TE_VALUE, buf);
	record_message(rec, buf, sizeof buf);
	if (buf[0] != '\0')
		pane_pair(p, "Message", TE_VALUE, buf);
	if (rec->head_len > 0) {
		size_t n =
		    rec->head_len < sizeof rec->head ? rec->head_len : sizeof rec->head;
		l = pane_row(p, "First bytes");
		for (size_t i = 0; i < n; i++)
			sline_addf(l, TE_HEX, "%s%02x", i ? " " : "", rec->head[i]);
		pane_flush(p);
	}
}

static void
event_finding_fields(struct pane *p, const struct event *ev)
{
	enum theme_element e = event_text_elem(ev);

	if ((unsigned)ev->finding >= FINDING_COUNT)
		return;
	pane_pair(p, "Finding", e, finding_name(ev->finding));
	pane_pair(p, "Severity", e,
	          severity_name((unsigned)ev->severity < 3 ? ev->severity : SEV_WARN));
	pane_pair(p, "Summary", TE_VALUE, finding_summary(ev->finding));
}

void
details_event(const struct event *ev, int width, struct slines *out)
{
	struct pane p;
	char buf[96];

	pane_init(&p, out, width);
	if (ev == NULL) {
		pane_title(&p, "Event");
		pane_text(&p, TE_DEFAULT, "No event selected.");
		pane_done(&p);
		return;
	}
	snprintf(buf, sizeof buf, "Event %lu", ev->seq);
	pane_title(&p, buf);
	snprintf(buf, sizeof buf, "+%.4f s", ev->t);
	pane_pair(&p, "Time", TE_VALUE, buf);
	pane_pair(&p, "Phase", TE_VALUE, phase_name(ev->phase));
	pane_pair(&p, "Direction", TE_VALUE, dir_name(ev->dir));
	pane_pair(&p, "Kind", TE_VALUE, event_kind_name(ev->kind));
	if (ev->kind == EV_FINDING)
		event_finding_fields(&p, ev);
	if (ev->kind == EV_LINE)
		event_line_fields(&p, ev);
	sline_add_escaped(pane_row(&p, "Text"), event_text_elem(ev), TE_ESCAPED, ev->text,
	                  ev->len);
	pane_flush(&p);
	if (ev->explain != NULL && explain_reference(ev->explain, buf, sizeof buf))
		pane_pair(&p, "Reference", TE_VALUE, buf);
	if (ev->explain != NULL) {
		pane_blank(&p);
		pane_text(&p, TE_EXPLAIN, ev->explain);
	}
	if (ev->tls != NULL) {
		pane_title(&p, "TLS");
		summary_rows(&p, ev->tls);
		snprintf(buf, sizeof buf, "%.1f ms", ev->tls->handshake_ms);
		pane_pair(&p, "Handshake", TE_VALUE, buf);
	}
	if (ev->verdict != NULL) {
		pane_title(&p, "Verdict");
		verdict_rows(&p, ev->verdict);
	}
	if (ev->cert != NULL) {
		snprintf(buf, sizeof buf, "Certificate %d: %s", ev->cert->depth,
		         cert_role(ev->cert));
		pane_title(&p, buf);
		cert_rows(&p, ev->cert, time(NULL));
	}
	if (ev->record != NULL) {
		pane_title(&p, "TLS record");
		event_record_fields(&p, ev->record);
	}
	if (ev->kind == EV_LINE ||
	    (ev->kind == EV_NOTE && ev->dir != DIR_LOCAL && ev->record == NULL))
		hexdump(&p, ev->text, ev->len);
	pane_done(&p);
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

void
details_status(const struct dindex *d, const struct transcript *t, struct sline *out)
{
	const struct event *sev = dindex_event(t, d->tls_summary);
	const struct event *vev = dindex_event(t, d->verdict);
	char bytes[32];

	format_bytes(d->plain_bytes, bytes, sizeof bytes);
	if (d->plain_lines == 0)
		sline_add(out, TE_STATUS, "plaintext: nothing exposed");
	else
		sline_addf(out, TE_STATUS, "plaintext: %zu line%s, %s exposed",
		           d->plain_lines, d->plain_lines == 1 ? "" : "s", bytes);
	status_sep(out);
	if (sev != NULL && sev->tls != NULL) {
		const struct tls_summary *s = sev->tls;
		sline_add_escaped(out, TE_STATUS, TE_ESCAPED,
		                  (const unsigned char *)s->version,
		                  strnlen(s->version, sizeof s->version));
		sline_add(out, TE_STATUS, " ");
		sline_add_escaped(out, TE_STATUS, TE_ESCAPED,
		                  (const unsigned char *)s->cipher,
		                  strnlen(s->cipher, sizeof s->cipher));
		if (s->group[0] != '\0') {
			sline_add(out, TE_STATUS, " ");
			sline_add_escaped(out, TE_STATUS, TE_ESCAPED,
			                  (const unsigned char *)s->group,
			                  strnlen(s->group, sizeof s->group));
		}
	} else if (d->handshake_begin != NONE && d->closed) {
		sline_add(out, TE_BAD, "TLS handshake FAILED");
	} else if (d->handshake_begin != NONE) {
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
