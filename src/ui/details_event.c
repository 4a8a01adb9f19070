/* details: everything about one event (Enter on the transcript). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "details.h"
#include "details_int.h"
#include "finding.h"
#include "output.h"
#include "proto.h"
#include "record.h"
#include "styled.h"
#include "tls.h"
#include "transcript.h"

/* Bytes of an event shown in the hex dump. */
#define HEXDUMP_CAP 4096

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
hexdump(struct dpane *p, const unsigned char *data, size_t len)
{
	size_t shown = len > HEXDUMP_CAP ? HEXDUMP_CAP : len;
	size_t k = hexdump_per_row(p->width);
	char note[96];

	snprintf(note, sizeof note, "Bytes (%zu)", len);
	dpane_title(p, note);
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
		dpane_flush(p);
	}
	if (len > shown) {
		snprintf(note, sizeof note, "showing the first %d of %zu bytes",
		         HEXDUMP_CAP, len);
		dpane_text(p, TE_INFO, note);
	}
}

static void
event_line_fields(struct dpane *p, const struct event *ev)
{
	char buf[32];
	bool any = false;
	struct sline *l;

	snprintf(buf, sizeof buf, "%zu bytes", ev->len);
	dpane_pair(p, "Length", TE_VALUE, buf);
	if (ev->line_flags == 0)
		return;
	l = dpane_row(p, "Flags");
	for (size_t i = 0; i < sizeof line_flag_names / sizeof line_flag_names[0]; i++) {
		if (!(ev->line_flags & line_flag_names[i].flag))
			continue;
		sline_addf(l, TE_VALUE, "%s%s", any ? ", " : "", line_flag_names[i].name);
		any = true;
	}
	dpane_flush(p);
}

static void
event_record_fields(struct dpane *p, const struct tls_record *rec)
{
	char buf[64];
	struct sline *l;

	dpane_pair(p, "Record", TE_VALUE,
	           rec->dir == TLS_DIR_OUT ? "sent by startle"
	                                   : "received from the server");
	snprintf(buf, sizeof buf, "%s (%u)", record_type_name(rec->type), rec->type);
	dpane_pair(p, "Type", TE_VALUE, buf);
	snprintf(buf, sizeof buf, "0x%04x", rec->version);
	dpane_pair(p, "Layer", TE_VALUE, buf);
	snprintf(buf, sizeof buf, "%zu bytes", rec->length);
	dpane_pair(p, "Body", TE_VALUE, buf);
	details_record_message(rec, buf, sizeof buf);
	if (buf[0] != '\0')
		dpane_pair(p, "Message", TE_VALUE, buf);
	if (rec->head_len > 0) {
		size_t n =
		    rec->head_len < sizeof rec->head ? rec->head_len : sizeof rec->head;
		l = dpane_row(p, "First bytes");
		for (size_t i = 0; i < n; i++)
			sline_addf(l, TE_HEX, "%s%02x", i ? " " : "", rec->head[i]);
		dpane_flush(p);
	}
}

/* A TLS 1.3 handshake message startle decrypted: what it is and how big. */
static void
event_message_fields(struct dpane *p, const struct tls_message *m)
{
	const char *name = record_handshake_name(m->type);
	char buf[64];
	struct sline *l;

	dpane_pair(p, "Message", TE_VALUE,
	           m->dir == TLS_DIR_OUT ? "sent by startle" : "received from the server");
	snprintf(buf, sizeof buf, "%s (%u)", name != NULL ? name : "unknown", m->type);
	dpane_pair(p, "Type", TE_VALUE, buf);
	snprintf(buf, sizeof buf, "%zu bytes", m->length);
	dpane_pair(p, "Body", TE_VALUE, buf);
	dpane_pair(p, "Keys", TE_VALUE,
	           m->after_handshake ? "application traffic keys (after the handshake)"
	                              : "handshake traffic keys");
	if (m->head_len > 0) {
		l = dpane_row(p, "First bytes");
		for (size_t i = 0; i < m->head_len && i < sizeof m->head; i++)
			sline_addf(l, TE_HEX, "%s%02x", i ? " " : "", m->head[i]);
		dpane_flush(p);
	}
	dpane_text(p, TE_EXPLAIN,
	           "Decrypted by startle from its own copy of the encrypted record, with "
	           "this session's secrets; no eavesdropper can read it.");
}

static void
event_finding_fields(struct dpane *p, const struct event *ev)
{
	enum theme_element e = event_text_elem(ev);

	if ((unsigned)ev->finding >= FINDING_COUNT)
		return;
	dpane_pair(p, "Finding", e, finding_name(ev->finding));
	dpane_pair(p, "Severity", e,
	           severity_name((unsigned)ev->severity < 3 ? ev->severity : SEV_WARN));
	dpane_pair(p, "Summary", TE_VALUE, finding_summary(ev->finding));
}

void
details_event(const struct event *ev, int width, bool redact, struct slines *out)
{
	struct dpane p;
	char buf[96], marker[OUTPUT_REDACTED_MAX];
	size_t len;

	dpane_init(&p, out, width);
	if (ev == NULL) {
		dpane_title(&p, "Event");
		dpane_text(&p, TE_DEFAULT, "No event selected.");
		dpane_done(&p);
		return;
	}
	snprintf(buf, sizeof buf, "Event %lu", ev->seq);
	dpane_title(&p, buf);
	snprintf(buf, sizeof buf, "+%.4f s", ev->t);
	dpane_pair(&p, "Time", TE_VALUE, buf);
	dpane_pair(&p, "Phase", TE_VALUE, phase_name(ev->phase));
	dpane_pair(&p, "Direction", TE_VALUE, dir_name(ev->dir));
	dpane_pair(&p, "Kind", TE_VALUE, event_kind_name(ev->kind));
	if (ev->kind == EV_FINDING)
		event_finding_fields(&p, ev);
	if (ev->kind == EV_LINE)
		event_line_fields(&p, ev);
	const unsigned char *text = output_shown_text(ev, redact, marker, &len);
	const char *explain = output_shown_explain(ev, redact);
	if (output_hides(ev, redact))
		sline_add(dpane_row(&p, "Text"), event_text_elem(ev), marker);
	else
		sline_add_escaped(dpane_row(&p, "Text"), event_text_elem(ev), TE_ESCAPED,
		                  text, len);
	dpane_flush(&p);
	if (explain != NULL && explain_reference(explain, buf, sizeof buf))
		dpane_pair(&p, "Reference", TE_VALUE, buf);
	if (explain != NULL) {
		dpane_blank(&p);
		dpane_text(&p, TE_EXPLAIN, explain);
	}
	if (ev->tls != NULL) {
		dpane_title(&p, "TLS");
		details_summary_rows(&p, ev->tls);
		snprintf(buf, sizeof buf, "%.1f ms", ev->tls->handshake_ms);
		dpane_pair(&p, "Handshake", TE_VALUE, buf);
	}
	if (ev->verdict != NULL) {
		dpane_title(&p, "Verdict");
		details_verdict_rows(&p, ev->verdict);
	}
	if (ev->cert != NULL) {
		snprintf(buf, sizeof buf, "Certificate %d: %s", ev->cert->depth,
		         details_cert_role(ev->cert));
		dpane_title(&p, buf);
		details_cert_rows(&p, ev->cert, time(NULL));
	}
	if (ev->record != NULL) {
		dpane_title(&p, "TLS record");
		event_record_fields(&p, ev->record);
	}
	if (ev->message != NULL) {
		dpane_title(&p, "TLS handshake message, decrypted");
		event_message_fields(&p, ev->message);
	}
	if (!output_hides(ev, redact) &&
	    (ev->kind == EV_LINE || transcript_is_injected(ev)))
		hexdump(&p, ev->text, ev->len);
	dpane_done(&p);
}
