/* details: the Certificates tab. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "certfile.h"
#include "details.h"
#include "details_int.h"
#include "finding.h"
#include "proto.h"
#include "styled.h"
#include "tls.h"
#include "transcript.h"

/* SANs listed per certificate before "and N more". */
#define SAN_SHOWN 8

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
cert_sans(struct dpane *p, const struct cert_info *c)
{
	size_t total = c->nsan_total > c->nsan ? c->nsan_total : c->nsan;
	size_t shown = c->nsan < SAN_SHOWN ? c->nsan : SAN_SHOWN;
	char more[64];

	if (total == 0) {
		dpane_pair(p, "Names", TE_INFO, "none (no subjectAltName)");
		return;
	}
	for (size_t i = 0; i < shown; i++)
		dpane_pair_escaped(p, i == 0 ? "Names" : "", c->san[i]);
	if (total > shown) {
		snprintf(more, sizeof more, "and %zu more", total - shown);
		dpane_pair(p, shown == 0 ? "Names" : "", TE_INFO, more);
	}
}

/* A hash a reader copies: beside its label when it fits there, else on a
 * line of its own under the label, so that it is split only when even a
 * line of its own is too narrow. */
static void
cert_copyable(struct dpane *p, const char *label, const char *value)
{
	struct sline *l = dpane_row(p, label);

	if (sline_width(l) + (int)strlen(value) > p->width) {
		dpane_flush(p);
		sline_add(&p->cur, TE_DEFAULT, "  ");
		p->indent = 2;
	}
	sline_add(&p->cur, TE_HEX, value);
	dpane_flush(p);
}

const char *
details_cert_role(const struct cert_info *c)
{
	if (c->depth == 0)
		return "leaf, the server's own";
	return c->self_signed ? "root" : "intermediate";
}

/* Every field of one certificate as rows. */
void
details_cert_rows(struct dpane *p, const struct cert_info *c, time_t now)
{
	char when[32];
	struct sline *l;

	dpane_pair_escaped(p, "Subject", c->subject);
	dpane_pair_escaped(p, "Issuer", c->issuer);
	dpane_pair_escaped(p, "Serial", c->serial);
	cert_format_time(c->not_before, when, sizeof when);
	dpane_pair(p, "Not before", TE_VALUE, when);
	cert_format_time(c->not_after, when, sizeof when);
	l = dpane_row(p, "Not after");
	sline_add(l, TE_VALUE, when);
	cert_validity_note(l, c, now);
	dpane_flush(p);
	cert_sans(p, c);
	l = dpane_row(p, "Key");
	sline_add_escaped(l, TE_VALUE, TE_ESCAPED, (const unsigned char *)c->key,
	                  strnlen(c->key, sizeof c->key));
	if (cert_key_is_weak(c))
		sline_add(l, TE_BAD, "  weak");
	dpane_flush(p);
	l = dpane_row(p, "Signature");
	sline_add_escaped(l, TE_VALUE, TE_ESCAPED, (const unsigned char *)c->sig,
	                  strnlen(c->sig, sizeof c->sig));
	if (!c->self_signed && cert_sig_is_weak(c))
		sline_add(l, TE_BAD, "  weak");
	dpane_flush(p);
	dpane_pair(p, "SHA-256", TE_HEX, c->sha256);
	cert_copyable(p, "SPKI SHA-256", c->spki_sha256);
	char pin[CERTFILE_PIN_SIZE];
	if (certfile_pin_sha256(c, pin))
		cert_copyable(p, "pin-sha256", pin);
	dpane_pair(
	    p, "CA", TE_VALUE,
	    c->is_ca ? (c->self_signed ? "yes, self-signed" : "yes: may sign certificates")
	             : "no");
	if (c->must_staple)
		dpane_pair(p, "TLS feature", TE_VALUE,
		           "status_request: OCSP Must-Staple (RFC 7633)");
}

/* The first row of the stapled OCSP response: what it says, in color. */
static void
ocsp_status_row(struct dpane *p, const struct cert_ocsp *o)
{
	char when[32], text[160];

	cert_format_time(o->revoked_at, when, sizeof when);
	switch (o->state) {
	case CERT_OCSP_NOT_REQUESTED:
		dpane_pair(p, "OCSP", TE_INFO,
		           "not asked for: this wolfSSL build cannot hand a stapled response "
		           "to startle (startle's own build can)");
		break;
	case CERT_OCSP_NONE:
		if (o->must_staple)
			dpane_pair(p, "OCSP", TE_BAD,
			           "MISSING: the certificate demands a stapled response "
			           "(Must-Staple) and none came");
		else
			dpane_pair(p, "OCSP", TE_INFO,
			           "no stapled response: startle asked, the server sent none");
		break;
	case CERT_OCSP_GOOD:
		dpane_pair(p, "OCSP", o->verified ? TE_GOOD : TE_FINDING_WARN,
		           "good: the CA says the certificate is not revoked");
		break;
	case CERT_OCSP_REVOKED:
		snprintf(text, sizeof text, "REVOKED since %s%s%s", when,
		         o->reason[0] ? ": " : "", o->reason);
		dpane_pair_own(p, "OCSP", TE_BAD, text);
		break;
	case CERT_OCSP_UNKNOWN:
		dpane_pair(p, "OCSP", TE_FINDING_WARN,
		           "unknown: the responder does not know this certificate");
		break;
	case CERT_OCSP_UNREADABLE:
		dpane_pair(p, "OCSP", TE_BAD, "UNREADABLE stapled response");
		break;
	}
}

/* The stapled OCSP response: its status, dates, responder and check. */
static void
ocsp_rows(struct dpane *p, const struct cert_ocsp *o)
{
	char when[32];

	ocsp_status_row(p, o);
	if (o->state == CERT_OCSP_NOT_REQUESTED || o->state == CERT_OCSP_NONE)
		return;
	if (o->produced_at != 0) {
		cert_format_time(o->produced_at, when, sizeof when);
		dpane_pair(p, "Produced", TE_VALUE, when);
		cert_format_time(o->this_update, when, sizeof when);
		dpane_pair(p, "This update", TE_VALUE, when);
		cert_format_time(o->next_update, when, sizeof when);
		dpane_pair(p, "Next update", TE_VALUE, o->next_update ? when : "none given");
	}
	if (o->responder[0] != '\0')
		dpane_pair_escaped(p, "Responder", o->responder);
	if (o->verified)
		dpane_pair_own(p, "Signed by", TE_GOOD, o->signer);
	else
		dpane_pair_own(p, "Problem", TE_BAD, o->problem);
}

/* The verdict in words, good in TE_GOOD and bad in TE_BAD. */
void
details_verdict_rows(struct dpane *p, const struct cert_verdict *v)
{
	struct sline *l;
	const char *err = v->verify_error;
	size_t elen = strnlen(err, sizeof v->verify_error);

	l = dpane_row(p, "Chain");
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
	dpane_flush(p);

	const char *name = v->name_checked;
	size_t nlen = strnlen(name, sizeof v->name_checked);
	l = dpane_row(p, "Name");
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
	dpane_flush(p);
	if (v->name_note[0] != '\0')
		dpane_pair_own(p, "", v->name_legacy ? TE_FINDING_WARN : TE_INFO,
		               v->name_note);

	if (v->expired)
		dpane_pair(p, "Dates", TE_BAD, "a certificate in the chain has expired");
	else if (v->not_yet_valid)
		dpane_pair(p, "Dates", TE_BAD,
		           "a certificate in the chain is not valid yet");
	else
		dpane_pair(p, "Dates", TE_GOOD,
		           "every certificate is within its validity period");
	if (v->self_signed)
		dpane_pair(p, "Signer", TE_BAD,
		           "self-signed: nobody vouches for this certificate");
	if (v->weak_key)
		dpane_pair(p, "Key", TE_BAD, "a certificate in the chain has a weak key");
	if (v->weak_signature)
		dpane_pair(p, "Signature", TE_BAD,
		           "a certificate is signed with MD5 or SHA-1");
	ocsp_rows(p, &v->ocsp);
}

/* Whether the server asked for a client certificate and what was sent. */
static void
client_cert_rows(struct dpane *p, const struct tls_summary *sum)
{
	dpane_title(p, "Client certificate (mutual TLS)");
	dpane_pair(p, "Asked for", sum->client_cert_requested ? TE_VALUE : TE_INFO,
	           sum->client_cert_requested
	               ? "yes: the server sent a CertificateRequest"
	               : "no: the server did not ask the client who it is");
	if (sum->client_cert_sent)
		dpane_pair_escaped(p, "Sent", sum->client_cert_subject[0]
		                                  ? sum->client_cert_subject
		                                  : "the certificate given with --cert");
	else if (sum->client_cert_requested)
		dpane_pair(p, "Sent", TE_BAD,
		           "none: give one with --cert FILE --key FILE; a server that "
		           "requires one ends the session");
	else if (sum->client_cert_subject[0] != '\0')
		dpane_pair(p, "Sent", TE_INFO, "none: --cert was given, but not asked for");
}

void
details_certs(const struct dindex *d, const struct transcript *t, int width,
              struct slines *out)
{
	const struct event *vev = details_event_at(t, d->verdict);
	size_t n = transcript_count(t);
	const struct event *last = n > 0 ? transcript_get(t, n - 1) : NULL;
	/* Validity as of the session's newest event: now, live; in a replay,
	 * when it was recorded. */
	time_t now = last != NULL && last->wall > 0 ? (time_t)last->wall : time(NULL);
	struct dpane p;
	char title[64];

	dpane_init(&p, out, width);
	/* The verdict first: it is what the reader wants to know. */
	if (vev != NULL && vev->verdict != NULL) {
		dpane_title(&p, "Verdict");
		details_verdict_rows(&p, vev->verdict);
	} else if (d->ncerts > 0) {
		dpane_title(&p, "Verdict");
		dpane_text(&p, TE_INFO, "not known yet");
	}
	dpane_title(&p, "Certificate chain, leaf first");
	if (d->ncerts == 0) {
		if (d->tls_summary != DETAILS_NONE)
			dpane_text(&p, TE_BAD, "The server sent no certificate.");
		else if (d->handshake_begin != DETAILS_NONE)
			dpane_text(&p, TE_DEFAULT,
			           "No certificate yet: the handshake is under way.");
		else
			dpane_text(
			    &p, TE_DEFAULT,
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
		         details_cert_role(ev->cert));
		p.tag = (int)d->certs[i];
		dpane_title(&p, title);
		details_cert_rows(&p, ev->cert, now);
		p.tag = -1;
	}
	const struct event *sev = details_event_at(t, d->tls_summary);
	if (sev != NULL && sev->tls != NULL)
		client_cert_rows(&p, sev->tls);
	dpane_done(&p);
}
