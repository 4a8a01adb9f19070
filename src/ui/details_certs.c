/* details: the Certificates tab. */
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
	dpane_pair(p, "SPKI SHA-256", TE_HEX, c->spki_sha256);
	dpane_pair(
	    p, "CA", TE_VALUE,
	    c->is_ca ? (c->self_signed ? "yes, self-signed" : "yes: may sign certificates")
	             : "no");
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
	dpane_done(&p);
}
