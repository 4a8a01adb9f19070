/* details: the Handshake tab. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "details.h"
#include "details_int.h"
#include "finding.h"
#include "proto.h"
#include "record.h"
#include "styled.h"
#include "tls.h"
#include "transcript.h"

/* The narrowest pane where records are shown as an aligned table. */
#define RECORD_TABLE_WIDTH 48

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
timing_row(struct dpane *p, const char *label, double ms, const char *what)
{
	sline_addf(dpane_row(p, label), TE_VALUE, "%.1f ms", ms < 0 ? 0 : ms);
	if (what != NULL)
		sline_addf(&p->cur, TE_DEFAULT, " %s", what);
	dpane_flush(p);
}

static void
handshake_timings(struct dpane *p, const struct dindex *d, const struct transcript *t,
                  const struct tls_summary *sum)
{
	const struct event *conn = details_event_at(t, d->connect);
	const struct event *greet = details_event_at(t, d->greeting);
	const struct event *st = details_event_at(t, d->starttls_sent);
	const struct event *hs = details_event_at(t, d->handshake_begin);
	double ms;

	if (conn == NULL && greet == NULL && hs == NULL && sum == NULL)
		return;
	dpane_title(p, "Timings");
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
		dpane_pair(p, "STARTTLS", TE_DEFAULT,
		           "none: implicit TLS, the handshake came first");
	if (sum != NULL)
		timing_row(p, "Handshake", sum->handshake_ms, NULL);
}

/* The key exchange group, with the size of the server's key share and any
 * HelloRetryRequest. */
static void
group_row(struct dpane *p, const struct tls_summary *sum)
{
	struct sline *l = dpane_row(p, "Group");

	sline_add_own(l, TE_VALUE, TE_ESCAPED,
	              (const unsigned char *)(sum->group[0] ? sum->group : "unknown"),
	              strlen(sum->group[0] ? sum->group : "unknown"));
	if (sum->key_share_bytes > 0)
		sline_addf(l, TE_DEFAULT, ", the server's key share %zu bytes",
		           sum->key_share_bytes);
	if (sum->hello_retry)
		sline_add(l, TE_INFO, ", after a HelloRetryRequest (one more round trip)");
	dpane_flush(p);
}

/* The scheme of the server's handshake signature, or why it is not known. */
static void
signature_row(struct dpane *p, const struct tls_summary *sum)
{
	if (sum->signature[0] != '\0')
		dpane_pair_own(p, "Signature", TE_VALUE, sum->signature);
	else if (sum->resumed)
		dpane_pair(p, "Signature", TE_DEFAULT,
		           "none: a resumed session signs nothing");
	else if (sum->encrypted_handshake == TLS_HS_UNAVAILABLE)
		dpane_pair(p, "Signature", TE_DEFAULT,
		           "not known: it is inside the encrypted handshake");
}

/* Whether an earlier connection's session was resumed, and what that means. */
static void
resumed_row(struct dpane *p, const struct tls_summary *sum)
{
	if (sum->resumed)
		dpane_pair(p, "Resumed", TE_VALUE,
		           "yes: the session of the earlier connection; no certificate was "
		           "sent, the earlier verdict holds");
	else if (sum->resume_offered)
		dpane_pair(p, "Resumed", TE_VALUE,
		           "no: the earlier connection's session was offered, the server "
		           "chose a full handshake");
	else
		dpane_pair(p, "Resumed", TE_VALUE, "no");
}

/* The protocol ALPN settled on; mail clients offer none. */
static void
alpn_row(struct dpane *p, const struct tls_summary *sum)
{
	if (!sum->alpn_offered)
		dpane_pair(p, "ALPN", TE_DEFAULT, "not offered, as by mail clients");
	else if (sum->alpn[0] != '\0')
		dpane_pair_own(p, "ALPN", TE_VALUE, sum->alpn);
	else
		dpane_pair(p, "ALPN", TE_VALUE,
		           "none agreed: the server chose no protocol");
}

void
details_summary_rows(struct dpane *p, const struct tls_summary *sum)
{
	char in[32], outb[32];

	dpane_pair_escaped(p, "Version", sum->version);
	dpane_pair_escaped(p, "Cipher", sum->cipher);
	group_row(p, sum);
	signature_row(p, sum);
	if (sum->sni[0] != '\0')
		dpane_pair_escaped(p, "SNI", sum->sni);
	else
		dpane_pair(p, "SNI", TE_VALUE, "not sent");
	resumed_row(p, sum);
	alpn_row(p, sum);
	details_format_bytes(sum->bytes_in, in, sizeof in);
	details_format_bytes(sum->bytes_out, outb, sizeof outb);
	sline_addf(dpane_row(p, "Wire"), TE_VALUE,
	           "%u records in (%s), %u out (%s), on the wire with their headers",
	           sum->records_in, in, sum->records_out, outb);
	dpane_flush(p);
}

/* What is known about a record's content, as an eavesdropper reads it. */
void
details_record_message(const struct tls_record *rec, char *buf, size_t size)
{
	const char *name;

	buf[0] = '\0';
	if (rec->type == 22 && rec->readable && rec->head_len > 0) {
		name = tls_record_message(rec);
		if (name != NULL)
			snprintf(buf, size, "%s", name);
		else
			snprintf(buf, size, "handshake type %u", rec->hs_type);
	} else if (rec->type == 22) {
		snprintf(buf, size, "encrypted");
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
record_row(struct dpane *p, const struct tls_record *rec, size_t idx)
{
	char msg[64];
	struct sline *l = &p->cur;

	details_record_message(rec, msg, sizeof msg);
	sline_add(l, TE_DEFAULT, "  ");
	sline_add(l, rec->dir == TLS_DIR_OUT ? TE_CLIENT_TLS : TE_SERVER_TLS,
	          rec->dir == TLS_DIR_OUT ? "->" : "<-");
	if (p->width >= RECORD_TABLE_WIDTH) {
		sline_addf(l, TE_VALUE, " %-18s", record_type_name(rec->type));
		sline_addf(l, TE_VALUE, " %6zu B", rec->length);
	} else {
		sline_addf(l, TE_VALUE, " %s %zu B", record_type_name(rec->type),
		           rec->length);
	}
	if (msg[0] != '\0')
		sline_addf(l, TE_INFO, "  %s", msg);
	p->indent = 6;
	p->tag = (int)idx;
	dpane_flush(p);
	p->tag = -1;
}

/* Explains what the records show, for the negotiated version. */
static void
records_explained(struct dpane *p, const struct tls_summary *sum)
{
	if (sum == NULL)
		return;
	dpane_blank(p);
	if (strcmp(sum->version, "TLSv1.3") == 0) {
		dpane_text(
		    p, TE_EXPLAIN,
		    "TLS 1.3: only ClientHello and ServerHello travel readable. After "
		    "ServerHello the rest of the handshake (EncryptedExtensions, the "
		    "certificate, CertificateVerify, Finished) travels encrypted inside "
		    "application_data records, so an eavesdropper sees only their sizes, "
		    "not who the server claims to be (startle, holding the session's "
		    "secrets, lists them above).");
		dpane_text(
		    p, TE_EXPLAIN,
		    "A one-byte change_cipher_spec record, if present, is a dummy kept for "
		    "middleboxes (RFC 8446 appendix D.4).");
	} else if (strcmp(sum->version, "TLSv1.2") == 0) {
		dpane_text(
		    p, TE_EXPLAIN,
		    "TLS 1.2: the whole handshake travels readable, certificate included: "
		    "an eavesdropper can see which certificate the server presented. "
		    "Encryption starts after change_cipher_spec; the Finished messages are "
		    "the first encrypted records.");
	}
}

/* One decrypted message: direction, name and size, what it proves below. */
static void
message_row(struct dpane *p, const struct event *ev, size_t idx)
{
	const struct tls_message *m = ev->message;
	const char *name = record_handshake_name(m->type);
	struct sline *l = &p->cur;
	bool in = m->dir == TLS_DIR_IN;

	sline_add(l, TE_DEFAULT, "  ");
	sline_add(l, in ? TE_SERVER_TLS : TE_CLIENT_TLS, in ? "<-" : "->");
	if (name != NULL)
		sline_addf(l, TE_VALUE, p->width >= RECORD_TABLE_WIDTH ? " %-19s" : " %s",
		           name);
	else
		sline_addf(l, TE_VALUE, " handshake type %u", m->type);
	sline_addf(l, TE_VALUE, p->width >= RECORD_TABLE_WIDTH ? " %6zu B" : " %zu B",
	           m->length);
	if (m->after_handshake)
		sline_add(l, TE_INFO, "  after the handshake");
	p->indent = 6;
	p->tag = (int)idx;
	dpane_flush(p);
	if (ev->explain != NULL) {
		sline_add(&p->cur, TE_DEFAULT, "      ");
		sline_add_own(&p->cur, TE_EXPLAIN, TE_ESCAPED,
		              (const unsigned char *)ev->explain, strlen(ev->explain));
		p->indent = 6;
		dpane_flush(p);
	}
	p->tag = -1;
}

/* TLS 1.3's encrypted handshake: the messages startle decrypted from its own
 * copy of the records, or why it could not. */
static void
handshake_messages(struct dpane *p, const struct dindex *d, const struct transcript *t,
                   const struct tls_summary *sum)
{
	enum tls_hs_view view = sum != NULL ? sum->encrypted_handshake : TLS_HS_READABLE;

	if (d->nmessages == 0 && view == TLS_HS_READABLE)
		return;
	dpane_title(p, "Encrypted handshake, decrypted by startle");
	for (size_t i = 0; i < d->nmessages; i++) {
		const struct event *ev = transcript_get(t, d->messages[i]);
		if (ev != NULL && ev->message != NULL)
			message_row(p, ev, d->messages[i]);
	}
	if (view == TLS_HS_UNAVAILABLE) {
		dpane_text(
		    p, TE_INFO,
		    "This build of startle cannot show them: its wolfSSL does not hand "
		    "out the session's secrets. startle built with its own wolfSSL (the "
		    "default build) decrypts and lists EncryptedExtensions, Certificate, "
		    "CertificateVerify and Finished here.");
		return;
	}
	if (view == TLS_HS_FAILED)
		dpane_text(
		    p, TE_ERROR,
		    "Decrypting startle's copy of the records failed, so the list may "
		    "be incomplete: the transcript says why.");
	dpane_text(
	    p, TE_EXPLAIN,
	    "On the wire these travel inside application_data records; startle "
	    "decrypts its own copy with this session's secrets, as Wireshark does "
	    "with a key log. The certificate alone proves nothing: CertificateVerify "
	    "proves the server holds the certificate's key, and the two Finished "
	    "messages prove both sides saw the same handshake, untouched.");
}

static void
handshake_records(struct dpane *p, const struct dindex *d, const struct transcript *t,
                  const struct tls_summary *sum)
{
	char more[128];

	if (d->nrecords == 0 && d->records_after == 0)
		return;
	dpane_title(p, "Records on the wire");
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
		dpane_text(p, TE_INFO, more);
	}
	dpane_text(p, TE_EXPLAIN,
	           "Sizes are the length of each record's body, as in the transcript, "
	           "the Wire tab and JSON's length; on the wire each record also has a "
	           "5-byte header (type, version, length).");
	records_explained(p, sum);
}

void
details_handshake(const struct dindex *d, const struct transcript *t, int width,
                  struct slines *out)
{
	const struct event *sev = details_event_at(t, d->tls_summary);
	const struct tls_summary *sum = sev != NULL ? sev->tls : NULL;
	struct dpane p;

	dpane_init(&p, out, width);
	dpane_title(&p, "TLS handshake");
	if (sum != NULL) {
		details_summary_rows(&p, sum);
	} else if (d->handshake_begin != DETAILS_NONE) {
		dpane_text(
		    &p, TE_INFO,
		    "The handshake is under way, or it failed (the transcript says why). "
		    "The records seen so far are listed below.");
	} else {
		dpane_text(
		    &p, TE_DEFAULT,
		    "No TLS yet: this connection is in plaintext, and everything on it can "
		    "be read by anyone on the path.");
		dpane_text(
		    &p, TE_DEFAULT,
		    "Once TLS starts, this tab shows the version, cipher and key exchange "
		    "group that were negotiated, how long each step took, and every TLS "
		    "record that crossed the wire.");
		dpane_text(
		    &p, TE_HINT,
		    "To start TLS, type STARTTLS (STLS for POP3), or /starttls to run the "
		    "whole upgrade: capabilities, STARTTLS, handshake, capabilities "
		    "again.");
	}
	handshake_messages(&p, d, t, sum);
	handshake_timings(&p, d, t, sum);
	handshake_records(&p, d, t, sum);
	dpane_done(&p);
}
