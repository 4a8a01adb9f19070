/*
 * session_tls: the upgrade of a session to TLS: the handshake on the
 * session's socket, the records it observes, the summary, the chain and the
 * verdict, and the bytes a man in the middle may have injected before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_int.h"
#include "explain.h"
#include "hsmsg.h"
#include "escape.h"
#include "record.h"
#include "util.h"

static void
on_record(void *arg, const struct tls_record *rec)
{
	struct session *s = arg;
	struct event ev = {.phase = s->phase, .kind = EV_NOTE};
	const char *hs = tls_record_message(rec);
	if (hs == NULL && rec->type == 22)
		hs = "encrypted";
	char text[160];

	if (s->phase == PHASE_PLAIN)
		ev.phase = PHASE_HANDSHAKE;
	ev.dir = rec->dir == TLS_DIR_OUT ? DIR_CLIENT : DIR_SERVER;
	snprintf(text, sizeof text, "TLS record %s: %s, %zu bytes%s%s%s",
	         rec->dir == TLS_DIR_OUT ? "sent" : "received", record_type_name(rec->type),
	         rec->length, hs ? " (" : "", hs ? hs : "", hs ? ")" : "");
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	ev.record = (struct tls_record *)rec;
	transcript_append(s->t, &ev);
}

/* A TLS 1.3 handshake message startle decrypted from its copy of the
 * records, as its own event right after the record that carried it, with
 * what it proves. */
static void
on_message(void *arg, const struct tls_message *m)
{
	struct session *s = arg;
	struct event ev = {.phase = s->phase == PHASE_PLAIN ? PHASE_HANDSHAKE : s->phase,
	                   .dir = m->dir == TLS_DIR_OUT ? DIR_CLIENT : DIR_SERVER,
	                   .kind = EV_NOTE};
	const char *name = record_handshake_name(m->type);
	char text[200], unknown[32], detail[80] = "";
	unsigned scheme;
	unsigned long lifetime;

	if (name == NULL) {
		snprintf(unknown, sizeof unknown, "handshake type %u", m->type);
		name = unknown;
	}
	if (m->type == HSMSG_CERTIFICATE_VERIFY &&
	    hsmsg_verify_scheme(m->head, m->head_len, &scheme)) {
		const char *sig = record_signature_scheme_name(scheme, true);
		snprintf(detail, sizeof detail, ", signed with %s",
		         sig ? sig : "an unknown scheme");
	} else if (m->type == HSMSG_NEW_SESSION_TICKET &&
	           hsmsg_ticket_lifetime(m->head, m->head_len, &lifetime)) {
		snprintf(detail, sizeof detail, ", ticket lifetime %lu s", lifetime);
	}
	snprintf(text, sizeof text, "TLS message %s (decrypted): %s, %zu bytes%s",
	         m->dir == TLS_DIR_OUT ? "sent" : "received", name, m->length, detail);
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	ev.explain = (char *)explain_tls_message(name, m->dir == TLS_DIR_IN);
	ev.message = (struct tls_message *)m;
	transcript_append(s->t, &ev);
}

/* Says what cannot be shown of TLS 1.3's encrypted handshake, and why. */
static void
encrypted_handshake_note(struct session *s, const struct tls_summary *sum)
{
	const char *problem = NULL;

	if (sum->encrypted_handshake == TLS_HS_UNAVAILABLE)
		session_emitf(
		    s, EV_NOTE,
		    "this build of startle cannot show TLS 1.3's encrypted handshake "
		    "messages (EncryptedExtensions, Certificate, CertificateVerify, "
		    "Finished): its wolfSSL does not hand out the session's secrets; "
		    "startle built with its own wolfSSL (the default) shows them");
	if (sum->encrypted_handshake != TLS_HS_FAILED)
		return;
	(void)tls_get_encrypted_messages(s->tls, NULL, 0, &problem);
	session_emitf(s, EV_NOTE, "%s",
	              problem != NULL ? problem
	                              : "the encrypted handshake cannot be shown");
}

/* What a session offered for resumption became, in words. */
static void
resumption_note(struct session *s, const struct tls_summary *sum)
{
	if (sum->resumed)
		session_emitf(
		    s, EV_NOTE,
		    "resumed the TLS session of the earlier connection: the server "
		    "sent no certificate and no signature this time; the "
		    "certificate's verdict is the one the earlier connection reached");
	else if (sum->resume_offered)
		session_emitf(
		    s, EV_NOTE,
		    "the server did not resume the earlier connection's TLS session "
		    "(offered): a full handshake instead");
}

static void
set_phase(struct session *s, enum phase p, const char *text, const char *explain)
{
	s->phase = p;
	session_emit(s, DIR_LOCAL, EV_PHASE, text, strlen(text), explain);
}

/* Keeps the verdict in words for consent questions and held-back credentials. */
static void
verdict_words(struct session *s, const struct cert_verdict *v)
{
	bool revoked = v->ocsp.state == CERT_OCSP_REVOKED && v->ocsp.verified;
	bool missing = v->ocsp.state == CERT_OCSP_NONE && v->ocsp.must_staple;

	s->verdict_failed = !v->verified || !v->name_match || revoked || missing;
	if (revoked)
		snprintf(s->verdict_words, sizeof s->verdict_words,
		         "the certificate is revoked (its stapled OCSP response says so)");
	else if (missing)
		snprintf(s->verdict_words, sizeof s->verdict_words,
		         "the certificate demands a stapled OCSP response and none came");
	else if (!v->verified)
		snprintf(s->verdict_words, sizeof s->verdict_words,
		         "the certificate is not trusted (%s)%s",
		         v->verify_error[0] ? v->verify_error : "verification failed",
		         v->name_match ? "" : " and does not name the server");
	else if (!v->name_match)
		snprintf(s->verdict_words, sizeof s->verdict_words,
		         "the certificate does not name %s", v->name_checked);
	else
		snprintf(s->verdict_words, sizeof s->verdict_words,
		         "the certificate is trusted and names %s", v->name_checked);
}

/* The stapled OCSP response in one sentence: what it says, who signed it,
 * until when (the Certificates tab and JSON have every date and the
 * responder). */
static void
ocsp_sentence(const struct cert_ocsp *o, char *text, size_t size)
{
	char next_update[32], revoked[32];

	cert_format_time(o->next_update, next_update, sizeof next_update);
	cert_format_time(o->revoked_at, revoked, sizeof revoked);
	if (o->state == CERT_OCSP_NOT_REQUESTED)
		snprintf(text, size, "no stapled OCSP response: this wolfSSL build cannot "
		                     "hand one to startle (startle's own build can), so "
		                     "none was asked for");
	else if (o->state == CERT_OCSP_NONE)
		snprintf(text, size, "no stapled OCSP response: startle asked for one "
		                     "(status_request), the server sent none");
	else if (o->state == CERT_OCSP_UNREADABLE)
		snprintf(text, size, "stapled OCSP response (%zu bytes) unreadable: %s", o->len,
		         o->problem);
	else if (o->verified)
		snprintf(text, size, "stapled OCSP response: %s%s%s%s%s, signed by %s, until %s",
		         cert_ocsp_state_name(o->state),
		         o->state == CERT_OCSP_REVOKED ? " since " : "",
		         o->state == CERT_OCSP_REVOKED ? revoked : "", o->reason[0] ? ", " : "",
		         o->reason, o->signer, o->next_update ? next_update : "further notice");
	else
		snprintf(text, size, "stapled OCSP response: %s%s%s%s%s, NOT verified: %s",
		         cert_ocsp_state_name(o->state),
		         o->state == CERT_OCSP_REVOKED ? " since " : "",
		         o->state == CERT_OCSP_REVOKED ? revoked : "", o->reason[0] ? ", " : "",
		         o->reason, o->problem);
}

/* The stapled OCSP response as a note, and what it finds. */
static void
report_ocsp(struct session *s, const struct cert_ocsp *o)
{
	char text[900];

	ocsp_sentence(o, text, sizeof text);
	session_emit(s, DIR_LOCAL, EV_NOTE, text, strlen(text),
	             "OCSP stapling (RFC 6066): the CA's signed, dated word on whether "
	             "the certificate is revoked, handed over by the server");
	if (o->state == CERT_OCSP_REVOKED)
		session_finding(s, FINDING_OCSP_REVOKED, true,
		                "the stapled OCSP response says the certificate is revoked%s%s%s",
		                o->verified ? "" : " (the response does not verify: ",
		                o->verified ? "" : o->problem, o->verified ? "" : ")");
	if (o->state == CERT_OCSP_UNKNOWN)
		session_finding(s, FINDING_OCSP_UNKNOWN, true,
		                "the stapled OCSP response says the responder does not know "
		                "this certificate");
	if ((o->state == CERT_OCSP_UNREADABLE ||
	     (o->state != CERT_OCSP_NONE && o->state != CERT_OCSP_NOT_REQUESTED)) &&
	    !o->verified)
		session_finding(s, FINDING_OCSP_INVALID, true,
		                "the stapled OCSP response cannot be trusted: %s", o->problem);
	if (o->state == CERT_OCSP_NONE && o->must_staple)
		session_finding(s, FINDING_OCSP_MISSING, true,
		                "the certificate demands a stapled OCSP response (TLS feature "
		                "status_request, RFC 7633) and the server sent none: a client "
		                "that honours Must-Staple refuses this certificate");
}

static void
report_verdict(struct session *s)
{
	struct cert_verdict v;
	struct event ev = {.phase = s->phase, .dir = DIR_LOCAL, .kind = EV_TLS};
	char text[700];

	tls_get_verdict(s->tls, &v);
	snprintf(text, sizeof text, "certificate %s; name %s %s",
	         v.verified ? "verified" : "NOT verified", v.name_checked,
	         v.name_match ? "matches" : "does NOT match");
	if (!v.verified && v.verify_error[0])
		snprintf(text + strlen(text), sizeof text - strlen(text), " (%s)",
		         v.verify_error);
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	ev.verdict = &v;
	/* The note explains a mismatch or a legacy match; a plain one needs none. */
	ev.explain = v.name_note[0] != '\0' && (!v.name_match || v.name_legacy) ? v.name_note
	                                                                        : NULL;
	transcript_append(s->t, &ev);

	if (v.expired)
		session_finding(s, FINDING_CERT_EXPIRED, true,
		                "a certificate in the chain has expired");
	if (v.not_yet_valid)
		session_finding(s, FINDING_CERT_NOT_YET_VALID, true,
		                "a certificate in the chain is not valid yet");
	if (v.self_signed)
		session_finding(
		    s, FINDING_CERT_SELF_SIGNED, true,
		    "the server's certificate is self-signed: nobody vouches for it");
	if (!v.verified &&
	    (v.untrusted || (!v.expired && !v.not_yet_valid && !v.self_signed)))
		session_finding(
		    s, FINDING_CERT_UNTRUSTED, true,
		    "the chain does not lead to a trusted root%s%s (pass --cafile for "
		    "a private CA)",
		    v.verify_error[0] ? ": " : "", v.verify_error);
	if (!v.name_match)
		session_finding(
		    s, FINDING_CERT_NAME_MISMATCH, true,
		    "the certificate does not name %s (RFC 6125); check --servername",
		    v.name_checked);
	if (v.name_legacy)
		session_finding(s, FINDING_CERT_NAME_LEGACY, true,
		                "%s: the TLS library accepts it, a client that follows "
		                "RFC 9525 refuses it",
		                v.name_note);
	if (v.weak_key)
		session_finding(s, FINDING_CERT_WEAK_KEY, true,
		                "a certificate in the chain has a weak key");
	if (v.weak_signature)
		session_finding(s, FINDING_CERT_WEAK_SIGNATURE, true,
		                "a certificate in the chain is signed with MD5 or SHA-1");
	report_ocsp(s, &v.ocsp);
	verdict_words(s, &v);
	if (s->p.require_verified && s->verdict_failed)
		session_policy_fail(s, v.verified && v.name_match
		                           ? "--verify: the certificate is trusted for this "
		                             "name, but its stapled OCSP status fails"
		                           : "--verify: the certificate is not trusted for "
		                             "this name");
}

/* Whether the server asked for a client certificate, and what startle did. */
static void
report_client_cert(struct session *s, const struct tls_summary *sum)
{
	const char *explain = "mutual TLS: with a CertificateRequest the server asks the "
	                      "client to prove who it is with a certificate of its own "
	                      "(RFC 8446 §4.3.2, RFC 5246 §7.4.4)";
	char *subject = escape_bytes((const unsigned char *)sum->client_cert_subject,
	                             strnlen(sum->client_cert_subject,
	                                     sizeof sum->client_cert_subject),
	                             ESCAPE_TEXT);
	char text[400];

	if (subject == NULL)
		fatal("out of memory");
	if (sum->client_cert_sent)
		snprintf(text, sizeof text,
		         "the server asked for a client certificate (CertificateRequest); "
		         "startle sent %s (--cert)",
		         subject[0] ? subject : "the one given with --cert");
	else if (sum->client_cert_requested)
		snprintf(text, sizeof text,
		         "the server asked for a client certificate (CertificateRequest); "
		         "startle sent none (--cert FILE --key FILE gives one)");
	else if (s->p.client_cert != NULL)
		snprintf(text, sizeof text,
		         "the server did not ask for a client certificate: the one given "
		         "with --cert was not sent");
	else
		text[0] = '\0';
	if (text[0] != '\0')
		session_emit(s, DIR_LOCAL, EV_NOTE, text, strlen(text), explain);
	free(subject);
}

/* The TLS summary in one line: what was negotiated and how. */
static void
summary_text(const struct tls_summary *sum, char *text, size_t size)
{
	size_t n = 0;

	n += (size_t)snprintf(text, size, "%s, %s", sum->version, sum->cipher);
	if (sum->group[0] && n < size)
		n += (size_t)snprintf(text + n, size - n, ", group %s%s", sum->group,
		                      sum->hello_retry ? " (after HelloRetryRequest)" : "");
	if (sum->signature[0] && n < size)
		n += (size_t)snprintf(text + n, size - n, ", signature %s", sum->signature);
	if (sum->alpn_offered && n < size)
		n += (size_t)snprintf(text + n, size - n, ", ALPN %s",
		                      sum->alpn[0] ? sum->alpn : "none agreed");
	if (n < size)
		snprintf(text + n, size - n, ", handshake %.1f ms%s, SNI %s",
		         sum->handshake_ms, sum->resumed ? " (resumed)" : "",
		         sum->sni[0] ? sum->sni : "not sent");
}

static void
handshake_done(struct session *s)
{
	struct tls_summary sum;
	struct cert_info chain[CERT_CHAIN_MAX];
	struct event ev = {.dir = DIR_LOCAL, .kind = EV_TLS};
	char text[600];
	size_t n;

	tls_get_summary(s->tls, &sum);
	set_phase(s, PHASE_TLS, "TLS established: encrypted from here on",
	          "trust boundary: from here on every byte is encrypted; everything above "
	          "travelled in plaintext");
	ev.phase = PHASE_TLS;
	summary_text(&sum, text, sizeof text);
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	ev.tls = &sum;
	transcript_append(s->t, &ev);
	if (sum.note[0] != '\0')
		session_emitf(s, EV_NOTE, "%s", sum.note);
	encrypted_handshake_note(s, &sum);
	resumption_note(s, &sum);
	report_client_cert(s, &sum);
	if (strcmp(sum.version, "TLSv1.2") != 0 && strcmp(sum.version, "TLSv1.3") != 0)
		session_finding(s, FINDING_TLS_OLD_VERSION, true,
		                "%s was negotiated: only TLS 1.2 and 1.3 are "
		                "considered safe (RFC 8996)",
		                sum.version);

	n = tls_get_chain(s->tls, chain, CERT_CHAIN_MAX);
	for (size_t i = 0; i < n; i++) {
		struct event ce = {.phase = PHASE_TLS, .dir = DIR_SERVER, .kind = EV_CERT};
		char ct[600];
		snprintf(ct, sizeof ct, "certificate %zu: %s (issuer %s)", i,
		         chain[i].subject ? chain[i].subject : "?",
		         chain[i].issuer ? chain[i].issuer : "?");
		ce.text = (unsigned char *)ct;
		ce.len = strlen(ct);
		ce.cert = &chain[i];
		transcript_append(s->t, &ce);
	}
	if (n == 0)
		session_emitf(s, EV_NOTE, "the server sent no certificate");
	report_verdict(s);
	for (size_t i = 0; i < n; i++)
		cert_info_free(&chain[i]);
	if (s->state == SS_CLOSED)
		return;
	s->deadline = 0;
	if (s->p.target.mode == TLS_MODE_IMPLICIT) {
		session_set_state(s, SS_GREETING);
		session_set_deadline(s, "the greeting");
	} else {
		session_set_state(s, SS_READY);
	}
}

void
session_tls_step(struct session *s)
{
	char *cause = NULL;
	int r = tls_handshake(s->tls, &cause);

	s->tls_want_write = r == TLS_WANT_WRITE;
	if (r == TLS_WANT_READ || r == TLS_WANT_WRITE)
		return;
	if (r == TLS_OK) {
		handshake_done(s);
		session_pump(s);
		return;
	}
	session_fail(s, FAIL_TLS,
	             "TLS handshake failed: %s; the session is not encrypted and startle "
	             "will not fall back to plaintext",
	             cause ? cause : "unknown error");
	free(cause);
}

void
session_tls_start(struct session *s)
{
	struct tls_config cfg = {
	    .cafile = s->p.cafile,
	    .client_cert = s->p.client_cert,
	    .client_key = s->p.client_key,
	    .sni = s->servername_is_ip ? NULL : s->servername,
	    .verify_name = s->servername,
	    .verify_name_is_ip = s->servername_is_ip,
	    .min_version = s->p.tls_min,
	    .max_version = s->p.tls_max,
	    .keylog = s->p.keylog,
	    .ciphers = s->p.ciphers,
	    .groups = s->p.groups,
	    .alpn = s->p.alpn,
	    .resume = tls_ticket_fits(s->p.resume, s->servername) ? s->p.resume : NULL,
	};
	struct tls_observer obs = {.record = on_record, .message = on_message, .arg = s};
	char *cause = NULL;

	set_phase(
	    s, PHASE_HANDSHAKE, "TLS handshake begins",
	    "from here the bytes on the wire are TLS records; an eavesdropper sees only "
	    "their types and sizes");
	s->tls = tls_new(s->fd, &cfg, &obs, &cause);
	if (s->tls == NULL) {
		session_fail(s, FAIL_TLS, "cannot start TLS: %s",
		             cause ? cause : "unknown error");
		free(cause);
		return;
	}
	session_set_state(s, SS_HANDSHAKE);
	session_set_deadline(s, "the TLS handshake");
	session_tls_step(s);
}

void
session_tls_end(struct session *s)
{
	if (s->tls == NULL)
		return;
	struct tls_ticket *t = tls_ticket_take(s->tls);
	if (t != NULL) {
		tls_ticket_free(s->ticket);
		s->ticket = t;
	}
	tls_free(s->tls);
	s->tls = NULL;
}

struct tls_ticket *
session_take_ticket(struct session *s)
{
	struct tls_ticket *t = s->ticket;

	s->ticket = NULL;
	return t;
}

/* The framer's buffer and anything already waiting in the socket. */
void
session_discard_injected(struct session *s)
{
	const unsigned char *data;
	size_t n = framer_buffered(s->fr, &data);
	unsigned char *all = n ? xmemdup(data, n) : NULL;
	unsigned char buf[4096];
	char *cause = NULL;

	for (;;) {
		ssize_t r = conn_read(s->fd, buf, sizeof buf, &cause);
		if (r <= 0)
			break;
		all = xrealloc(all, n + (size_t)r + 1);
		memcpy(all + n, buf, (size_t)r);
		n += (size_t)r;
		if (n > 1 << 20)
			break;
	}
	free(cause); /* a read error shows at the handshake */
	framer_reset(s->fr);
	if (n == 0) {
		free(all);
		return;
	}
	char hex[3 * 48 + 8] = "";
	size_t used = 0;
	for (size_t i = 0; i < n && i < 48; i++)
		used += (size_t)snprintf(hex + used, sizeof hex - used, "%s%02x",
		                         i ? " " : "", all[i]);
	if (n > 48)
		snprintf(hex + used, sizeof hex - used, " ...");
	char *explain = str_printf("discarded, never processed; hex: %s", hex);
	session_emit(s, DIR_SERVER, EV_NOTE, all, n, explain);
	free(explain);
	session_finding(
	    s, FINDING_STARTTLS_INJECTION, false,
	    "%zu bytes arrived after the go-ahead and before TLS: someone may have "
	    "injected "
	    "them; startle discarded them (the discarded bytes are shown above)",
	    n);
	if (s->p.require_tls && s->failure == FAIL_NONE) {
		s->failure = FAIL_POLICY;
		session_emitf(
		    s, EV_ERROR,
		    "--require-tls: bytes were injected before TLS, so the upgrade "
		    "cannot be trusted; the session goes on to show the handshake, "
		    "but it has failed");
	}
	free(all);
}
