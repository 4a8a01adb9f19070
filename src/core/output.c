#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "certfile.h"
#include "compare.h"
#include "escape.h"
#include "hsmsg.h"
#include "output.h"
#include "proto.h"
#include "record.h"
#include "util.h"

const char *
output_marker(const struct event *ev)
{
	bool tls = ev->phase != PHASE_PLAIN;

	switch (ev->kind) {
	case EV_LINE:
		if (ev->dir == DIR_CLIENT)
			return tls ? "~>" : "->";
		return tls ? "<~" : "<-";
	case EV_FINDING:
		/* The marker carries the severity, colour or not. */
		return ev->severity == SEV_DANGER ? "!!" : ev->severity == SEV_WARN ? "! " : "i ";
	case EV_ERROR:
		return "**";
	case EV_NOTE:
		if (transcript_is_injected(ev))
			return "!!";
		return "==";
	default:
		return "==";
	}
}

bool
output_hides(const struct event *ev, bool redact)
{
	return redact && ev->secret;
}

const unsigned char *
output_shown_text(const struct event *ev, bool redact, char buf[OUTPUT_REDACTED_MAX],
                  size_t *len)
{
	if (!output_hides(ev, redact)) {
		*len = ev->len;
		return ev->text;
	}
	int n = snprintf(buf, OUTPUT_REDACTED_MAX, OUTPUT_REDACTED_FORM, ev->len);
	*len = n > 0 ? (size_t)n : 0;
	return (const unsigned char *)buf;
}

const char *
output_shown_explain(const struct event *ev, bool redact)
{
	if (ev->explain != NULL && output_hides(ev, redact))
		return OUTPUT_REDACTED_EXPLAIN;
	return ev->explain;
}

/* escape_visit's callback that writes each piece as it is. */
static int
put_piece(void *arg, const char *text, size_t len, bool escaped)
{
	(void)escaped;
	fwrite(text, 1, len, arg);
	return 0;
}

/* Writes bytes escaped for mode, a run at a time, with no copy. */
static void
put_escaped(FILE *f, const unsigned char *data, size_t len, enum escape_mode mode)
{
	(void)escape_visit(data, len, mode, put_piece, f);
}

/* escape_visit's callback for a colour terminal: escapes in reverse video. */
static int
put_marked_piece(void *arg, const char *text, size_t len, bool escaped)
{
	FILE *f = arg;

	if (escaped)
		fputs("\033[7m", f);
	fwrite(text, 1, len, f);
	if (escaped)
		fputs("\033[27m", f);
	return 0;
}

static const char *
marker_color(const struct event *ev)
{
	switch (ev->kind) {
	case EV_FINDING:
		return ev->severity == SEV_DANGER ? "\033[1;31m"
		       : ev->severity == SEV_WARN ? "\033[33m"
		                                  : "\033[36m";
	case EV_ERROR:
		return "\033[1;31m";
	case EV_LINE:
		return ev->phase == PHASE_PLAIN ? "\033[33m" : "\033[32m";
	default:
		return "\033[34m";
	}
}

void
output_wall_time(const struct event *ev, char *buf, size_t size)
{
	time_t secs = (time_t)ev->wall;
	int ms = (int)((ev->wall - (double)secs) * 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         ms < 0     ? 0
	         : ms > 999 ? 999
	                    : ms);
}

void
output_text(FILE *f, const struct event *ev, const struct output_options *o)
{
	if (ev->record != NULL && ev->phase == PHASE_TLS && !o->records)
		return;
	if (o->session != NULL) {
		fputs(o->session, f);
		fputc(' ', f);
	}
	if (o->color) {
		fputs(marker_color(ev), f);
		fputs(output_marker(ev), f);
		fputs("\033[0m ", f);
	} else {
		fputs(output_marker(ev), f);
		fputc(' ', f);
	}
	if (ev->kind == EV_FINDING)
		fprintf(f, "[%s] ", finding_name(ev->finding));
	char marker[OUTPUT_REDACTED_MAX];
	size_t len;
	const unsigned char *text = output_shown_text(ev, o->redact, marker, &len);
	const char *explain = output_shown_explain(ev, o->redact);
	/* The session's own sentences quote server bytes escaped already. */
	enum escape_mode mode =
	    ev->dir == DIR_LOCAL || output_hides(ev, o->redact) ? ESCAPE_OWN : ESCAPE_TEXT;
	if (ev->plain_text && text == ev->text)
		fwrite(text, 1, len, f); /* nothing to escape: copied as it is */
	else if (o->color)
		(void)escape_visit(text, len, mode, put_marked_piece, f);
	else
		put_escaped(f, text, len, mode);
	if (ev->kind == EV_CONNECT) {
		/* Wall-clock time, to find the session in the server's mail log. */
		char when[40];
		output_wall_time(ev, when, sizeof when);
		fprintf(f, ", at %s", when);
	}
	fputc('\n', f);
	if (o->explain && explain != NULL) {
		if (o->session != NULL)
			fprintf(f, "%s ", o->session);
		fputs("   # ", f);
		put_escaped(f, (const unsigned char *)explain, strlen(explain), ESCAPE_OWN);
		fputc('\n', f);
	}
}

static void
json_string(FILE *f, const char *key, const void *data, size_t len)
{
	fprintf(f, ",\"%s\":\"", key);
	put_escaped(f, data, len, ESCAPE_JSON);
	fputc('"', f);
}

static void
json_str(FILE *f, const char *key, const char *s)
{
	if (s == NULL)
		fprintf(f, ",\"%s\":null", key);
	else
		json_string(f, key, s, strlen(s));
}

static void
json_cert(FILE *f, const struct cert_info *c)
{
	char nb[32], na[32];

	cert_format_time(c->not_before, nb, sizeof nb);
	cert_format_time(c->not_after, na, sizeof na);
	fprintf(f, ",\"depth\":%d", c->depth);
	json_str(f, "subject", c->subject);
	json_str(f, "issuer", c->issuer);
	json_str(f, "serial", c->serial);
	json_str(f, "not_before", nb);
	json_str(f, "not_after", na);
	fputs(",\"san\":[", f);
	for (size_t i = 0; i < c->nsan; i++) {
		fputs(i ? ",\"" : "\"", f);
		put_escaped(f, (const unsigned char *)c->san[i], strlen(c->san[i]),
		            ESCAPE_JSON);
		fputc('"', f);
	}
	fputc(']', f);
	json_str(f, "key", c->key);
	json_str(f, "sig", c->sig);
	json_str(f, "sha256", c->sha256);
	json_str(f, "spki_sha256", c->spki_sha256);
	char pin[CERTFILE_PIN_SIZE];
	if (certfile_pin_sha256(c, pin))
		json_str(f, "pin_sha256", pin);
	fprintf(f, ",\"is_ca\":%s,\"self_signed\":%s,\"must_staple\":%s",
	        c->is_ca ? "true" : "false", c->self_signed ? "true" : "false",
	        c->must_staple ? "true" : "false");
}

/* Whether the server asked for a client certificate and whether one was
 * sent, as the object "client_cert" of the TLS summary. */
static void
json_client_cert(FILE *f, const struct tls_summary *s)
{
	fprintf(f, ",\"client_cert\":{\"requested\":%s,\"sent\":%s",
	        s->client_cert_requested ? "true" : "false",
	        s->client_cert_sent ? "true" : "false");
	json_str(f, "subject", s->client_cert_subject[0] ? s->client_cert_subject : NULL);
	fputc('}', f);
}

/* A time as JSON: the ISO 8601 string, or null for 0. */
static void
json_time(FILE *f, const char *key, time_t t)
{
	char when[32];

	if (t == 0) {
		fprintf(f, ",\"%s\":null", key);
		return;
	}
	cert_format_time(t, when, sizeof when);
	json_str(f, key, when);
}

/* The stapled OCSP response of a verdict, as the object "ocsp". */
static void
json_ocsp(FILE *f, const struct cert_ocsp *o)
{
	bool read = o->state != CERT_OCSP_NOT_REQUESTED && o->state != CERT_OCSP_NONE;

	fprintf(f, ",\"ocsp\":{\"status\":\"%s\",\"verified\":%s",
	        cert_ocsp_state_name(o->state), o->verified ? "true" : "false");
	json_str(f, "problem", o->problem[0] ? o->problem : NULL);
	json_time(f, "produced_at", o->produced_at);
	json_time(f, "this_update", o->this_update);
	json_time(f, "next_update", o->next_update);
	json_time(f, "revoked_at", o->revoked_at);
	json_str(f, "reason", o->reason[0] ? o->reason : NULL);
	json_str(f, "responder", o->responder[0] ? o->responder : NULL);
	json_str(f, "signer", o->signer[0] ? o->signer : NULL);
	fprintf(f, ",\"must_staple\":%s", o->must_staple ? "true" : "false");
	if (read)
		fprintf(f, ",\"bytes\":%zu}", o->len);
	else
		fputs(",\"bytes\":null}", f);
}

/* The fields of a DNS answer (kind "dns"). */
static void
json_dns(FILE *f, const struct dns_event *d)
{
	json_str(f, "name", d->name);
	json_str(f, "type", d->type);
	json_str(f, "status", d->status);
	json_str(f, "rcode", d->rcode);
	json_str(f, "why_bogus", d->why_bogus[0] ? d->why_bogus : NULL);
	fprintf(f, ",\"ms\":%.3f,\"records\":[", d->ms);
	for (size_t i = 0; i < d->n; i++) {
		fputs(i ? ",\"" : "\"", f);
		put_escaped(f, (const unsigned char *)d->records[i], strlen(d->records[i]),
		            ESCAPE_JSON);
		fputc('"', f);
	}
	fputc(']', f);
}

/* What the TLS summary adds beyond version, cipher and group: the view of
 * the encrypted handshake, the server's signature, the key exchange. */
static void
json_tls_facts(FILE *f, const struct tls_summary *s)
{
	static const char *const views[] = {
	    [TLS_HS_READABLE] = NULL,
	    [TLS_HS_DECRYPTED] = "decrypted",
	    [TLS_HS_UNAVAILABLE] = "unavailable",
	    [TLS_HS_FAILED] = "failed",
	};

	json_str(f, "encrypted_handshake", views[s->encrypted_handshake]);
	json_str(f, "signature", s->signature[0] ? s->signature : NULL);
	fprintf(f, ",\"hello_retry\":%s", s->hello_retry ? "true" : "false");
	if (s->key_share_bytes > 0)
		fprintf(f, ",\"key_share_bytes\":%zu", s->key_share_bytes);
	else
		fputs(",\"key_share_bytes\":null", f);
	json_str(f, "alpn", s->alpn[0] ? s->alpn : NULL);
	fprintf(f, ",\"alpn_offered\":%s,\"resume_offered\":%s",
	        s->alpn_offered ? "true" : "false", s->resume_offered ? "true" : "false");
}

/* A TLS 1.3 handshake message startle decrypted (kind "note"). */
static void
json_message(FILE *f, const struct tls_message *m)
{
	const char *name = record_handshake_name(m->type);
	unsigned scheme;
	unsigned long lifetime;

	fprintf(f, ",\"message\":{\"dir\":\"%s\"", m->dir == TLS_DIR_OUT ? "out" : "in");
	json_str(f, "type", name != NULL ? name : "unknown");
	fprintf(f, ",\"number\":%u,\"length\":%zu", m->type, m->length);
	if (m->type == HSMSG_CERTIFICATE_VERIFY &&
	    hsmsg_verify_scheme(m->head, m->head_len, &scheme)) {
		const char *sig = record_signature_scheme_name(scheme, true);
		if (sig != NULL)
			json_str(f, "signature", sig);
		else
			fprintf(f, ",\"signature\":\"0x%04x\"", scheme);
	}
	if (m->type == HSMSG_NEW_SESSION_TICKET &&
	    hsmsg_ticket_lifetime(m->head, m->head_len, &lifetime))
		fprintf(f, ",\"ticket_lifetime\":%lu", lifetime);
	fputc('}', f);
}

/* An array of strings. */
static void
json_strings(FILE *f, const char *key, char *const *s, size_t n)
{
	fprintf(f, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\"" : "\"", f);
		put_escaped(f, (const unsigned char *)s[i], strlen(s[i]), ESCAPE_JSON);
		fputc('"', f);
	}
	fputc(']', f);
}

/* A string, or null when it is empty. */
static void
json_opt(FILE *f, const char *key, const char *s)
{
	json_str(f, key, s[0] ? s : NULL);
}

/* The fields of a policy (kind "policy"): MTA-STS or TLS-RPT. */
static void
json_policy(FILE *f, const struct policy_event *p)
{
	json_str(f, "policy", p->policy);
	json_str(f, "domain", p->domain);
	json_str(f, "status", p->status);
	if (strcmp(p->policy, "tls-rpt") == 0) {
		json_strings(f, "rua", p->rua, p->nrua);
		json_opt(f, "why", p->why);
		return;
	}
	json_opt(f, "id", p->id);
	json_opt(f, "url", p->url);
	if (p->http_status > 0)
		fprintf(f, ",\"http_status\":%d", p->http_status);
	else
		fputs(",\"http_status\":null", f);
	json_opt(f, "content_type", p->content_type);
	fprintf(f, ",\"bytes\":%zu,\"ms\":%.3f", p->bytes, p->ms);
	json_opt(f, "mode", p->mode);
	if (p->mode[0])
		fprintf(f, ",\"max_age\":%lu", p->max_age);
	else
		fputs(",\"max_age\":null", f);
	json_strings(f, "mx", p->mx, p->nmx);
	json_opt(f, "why", p->why);
}

static void json_replay(FILE *f, const struct event *ev, bool redact);

/* Bytes that are not UTF-8: "text" holds \u00XX for each such byte, which a
 * JSON reader takes for a character; "text_base64" gives the bytes. */
static void
json_text_base64(FILE *f, const unsigned char *text, size_t len)
{
	if (escape_is_utf8(text, len))
		return;
	fputs(",\"text_base64\":\"", f);
	base64_write(f, text, len);
	fputc('"', f);
}

/* One event as one JSON object on one line; a recording's (full) carries the
 * "replay" object too. */
static void
json_event(FILE *f, const struct event *ev, bool redact, const char *session, bool full)
{
	char marker[OUTPUT_REDACTED_MAX];
	size_t len;
	const unsigned char *text = output_shown_text(ev, redact, marker, &len);
	const char *explain = output_shown_explain(ev, redact);

	fprintf(f, "{\"seq\":%lu", ev->seq);
	if (session != NULL)
		json_str(f, "session", session);
	fprintf(f, ",\"t\":%.4f,\"phase\":\"%s\",\"dir\":\"%s\",\"kind\":\"%s\"", ev->t,
	        phase_name(ev->phase), dir_name(ev->dir), event_kind_name(ev->kind));
	json_string(f, "text", text, len);
	json_text_base64(f, text, len);
	if (ev->kind == EV_CONNECT) {
		char when[40];
		output_wall_time(ev, when, sizeof when);
		json_str(f, "time", when);
	}
	if (output_hides(ev, redact))
		fputs(",\"redacted\":true", f);
	if (explain != NULL)
		json_str(f, "explain", explain);
	if (ev->kind == EV_FINDING) {
		json_str(f, "id", finding_name(ev->finding));
		json_str(f, "severity", severity_name(ev->severity));
	}
	if (ev->tls != NULL) {
		const struct tls_summary *s = ev->tls;
		json_str(f, "version", s->version);
		json_str(f, "cipher", s->cipher);
		json_str(f, "group", s->group);
		fprintf(f, ",\"handshake_ms\":%.3f,\"resumed\":%s", s->handshake_ms,
		        s->resumed ? "true" : "false");
		json_str(f, "sni", s->sni[0] ? s->sni : NULL);
		json_tls_facts(f, s);
		json_client_cert(f, s);
	}
	if (ev->verdict != NULL) {
		const struct cert_verdict *v = ev->verdict;
		fprintf(f, ",\"verified\":%s", v->verified ? "true" : "false");
		json_str(f, "verify_error",
		         v->verified || !v->verify_error[0] ? NULL : v->verify_error);
		fprintf(f, ",\"name_match\":%s", v->name_match ? "true" : "false");
		json_str(f, "name", v->name_checked);
		json_str(f, "name_note", v->name_note[0] ? v->name_note : NULL);
		json_ocsp(f, &v->ocsp);
	}
	if (ev->cert != NULL)
		json_cert(f, ev->cert);
	if (ev->dns != NULL)
		json_dns(f, ev->dns);
	if (ev->message != NULL)
		json_message(f, ev->message);
	if (ev->policy != NULL)
		json_policy(f, ev->policy);
	if (ev->record != NULL) {
		const struct tls_record *r = ev->record;
		const char *hs = tls_record_message(r);
		fprintf(f, ",\"record\":{\"dir\":\"%s\",\"type\":\"%s\",\"length\":%zu",
		        r->dir == TLS_DIR_OUT ? "out" : "in", record_type_name(r->type),
		        r->length);
		if (hs != NULL)
			json_str(f, "handshake", hs);
		fputc('}', f);
	}
	if (full)
		json_replay(f, ev, redact);
	fputs("}\n", f);
}

void
output_json(FILE *f, const struct event *ev, bool redact, const char *session)
{
	json_event(f, ev, redact, session, false);
}

void
output_record(FILE *f, const struct event *ev, bool redact, const char *session)
{
	json_event(f, ev, redact, session, true);
}

/* Beside a string whose bytes are not UTF-8 (its JSON form is then not
 * exact): ,"KEY_base64":"..." with the bytes themselves. */
static void
json_exact(FILE *f, const char *key, const char *s)
{
	if (s == NULL || escape_is_utf8((const unsigned char *)s, strlen(s)))
		return;
	fprintf(f, ",\"%s_base64\":\"", key);
	base64_write(f, s, strlen(s));
	fputc('"', f);
}

static const char *
json_bool_word(bool b)
{
	return b ? "true" : "false";
}

/* The recording's part of a TLS summary. */
static void
json_replay_tls(FILE *f, const struct tls_summary *s)
{
	fprintf(f, ",\"tls\":{\"handshake_ms\":%.17g,\"records_in\":%u,\"records_out\":%u",
	        s->handshake_ms, s->records_in, s->records_out);
	fprintf(f, ",\"bytes_in\":%zu,\"bytes_out\":%zu", s->bytes_in, s->bytes_out);
	json_str(f, "note", s->note);
	json_exact(f, "sni", s->sni);
	json_exact(f, "note", s->note);
	json_exact(f, "alpn", s->alpn);
	if (!escape_is_utf8((const unsigned char *)s->client_cert_subject,
	                    strlen(s->client_cert_subject))) {
		fputs(",\"client_cert\":{", f);
		fputs("\"subject_base64\":\"", f);
		base64_write(f, s->client_cert_subject, strlen(s->client_cert_subject));
		fputs("\"}", f);
	}
	fputc('}', f);
}

/* The recording's part of a stapled OCSP response: exact times and size,
 * the exact bytes of what the server wrote. */
static void
json_replay_ocsp(FILE *f, const struct cert_ocsp *o)
{
	fprintf(f, ",\"ocsp\":{\"produced_at\":%lld,\"this_update\":%lld",
	        (long long)o->produced_at, (long long)o->this_update);
	fprintf(f, ",\"next_update\":%lld,\"revoked_at\":%lld,\"len\":%zu",
	        (long long)o->next_update, (long long)o->revoked_at, o->len);
	json_exact(f, "problem", o->problem);
	json_exact(f, "responder", o->responder);
	json_exact(f, "signer", o->signer);
	json_exact(f, "reason", o->reason);
	fputc('}', f);
}

/* The recording's part of a verdict: what --json leaves out. */
static void
json_replay_verdict(FILE *f, const struct cert_verdict *v)
{
	fprintf(f, ",\"verdict\":{\"code\":%d,\"depth\":%d,\"expired\":%s,\"not_yet_valid\":%s",
	        v->verify_error_code, v->verify_error_depth, json_bool_word(v->expired),
	        json_bool_word(v->not_yet_valid));
	fprintf(f, ",\"self_signed\":%s,\"untrusted\":%s,\"weak_key\":%s,\"weak_signature\":%s",
	        json_bool_word(v->self_signed), json_bool_word(v->untrusted),
	        json_bool_word(v->weak_key), json_bool_word(v->weak_signature));
	json_string(f, "error", v->verify_error, strlen(v->verify_error));
	json_exact(f, "error", v->verify_error);
	json_exact(f, "name", v->name_checked);
	json_exact(f, "name_note", v->name_note);
	fprintf(f, ",\"name_legacy\":%s", json_bool_word(v->name_legacy));
	json_replay_ocsp(f, &v->ocsp);
	fputc('}', f);
}

/* The recording's part of a certificate: exact times, sizes, the DER. */
static void
json_replay_cert(FILE *f, const struct cert_info *c)
{
	bool exact = true;

	fprintf(f, ",\"cert\":{\"not_before\":%lld,\"not_after\":%lld,\"key_bits\":%d",
	        (long long)c->not_before, (long long)c->not_after, c->key_bits);
	fprintf(f, ",\"san_total\":%zu", c->nsan_total);
	json_exact(f, "subject", c->subject);
	json_exact(f, "issuer", c->issuer);
	json_exact(f, "serial", c->serial);
	for (size_t i = 0; i < c->nsan; i++)
		exact &= escape_is_utf8((const unsigned char *)c->san[i], strlen(c->san[i]));
	if (!exact) {
		fputs(",\"san_base64\":[", f);
		for (size_t i = 0; i < c->nsan; i++) {
			fputs(i ? ",\"" : "\"", f);
			base64_write(f, c->san[i], strlen(c->san[i]));
			fputc('"', f);
		}
		fputc(']', f);
	}
	if (c->der != NULL) {
		fputs(",\"der\":\"", f);
		base64_write(f, c->der, c->der_len);
		fputc('"', f);
	}
	fputc('}', f);
}

/* The recording's part of a record on the wire. */
static void
json_replay_record(FILE *f, const struct tls_record *r)
{
	fprintf(f, ",\"record\":{\"type\":%u,\"version\":%u,\"hs_type\":%u,\"readable\":%s",
	        r->type, r->version, r->hs_type, json_bool_word(r->readable));
	fputs(",\"head\":\"", f);
	for (size_t i = 0; i < r->head_len && i < sizeof r->head; i++)
		fprintf(f, "%02x", r->head[i]);
	fputs("\"}", f);
}

/* The recording's part of a decrypted handshake message: what its head
 * bytes say (signature, ticket lifetime) is worked out from them again. */
static void
json_replay_message(FILE *f, const struct tls_message *m)
{
	fprintf(f, ",\"message\":{\"after_handshake\":%s,\"head\":\"",
	        json_bool_word(m->after_handshake));
	for (size_t i = 0; i < m->head_len && i < sizeof m->head; i++)
		fprintf(f, "%02x", m->head[i]);
	fputs("\"}", f);
}

/* The recording's part of a policy: the fetch's time exactly, and the
 * exact bytes of strings that came from the network. */
static void
json_replay_policy(FILE *f, const struct policy_event *p)
{
	fprintf(f, ",\"policy\":{\"ms\":%.17g,\"max_age\":%lu", p->ms, p->max_age);
	json_exact(f, "domain", p->domain);
	json_exact(f, "id", p->id);
	json_exact(f, "url", p->url);
	json_exact(f, "content_type", p->content_type);
	json_exact(f, "why", p->why);
	fputc('}', f);
}

/* What a recording adds to an event for replay (docs/recording.md): the
 * exact times, what --json leaves out, and the bytes --json cannot carry. */
static void
json_replay(FILE *f, const struct event *ev, bool redact)
{
	fprintf(f, ",\"replay\":{\"t\":%.17g,\"wall\":%.17g", ev->t, ev->wall);
	if (ev->line_flags != 0)
		fprintf(f, ",\"flags\":%u", ev->line_flags);
	if (ev->secret)
		fputs(",\"secret\":true", f);
	if (output_hides(ev, redact))
		fprintf(f, ",\"length\":%zu", ev->len);
	if (ev->tls != NULL)
		json_replay_tls(f, ev->tls);
	if (ev->verdict != NULL)
		json_replay_verdict(f, ev->verdict);
	if (ev->cert != NULL)
		json_replay_cert(f, ev->cert);
	if (ev->record != NULL)
		json_replay_record(f, ev->record);
	if (ev->message != NULL)
		json_replay_message(f, ev->message);
	if (ev->policy != NULL)
		json_replay_policy(f, ev->policy);
	fputc('}', f);
}

void
output_recording_header(FILE *f, const struct target *const *targets,
                        const char *const *names, size_t n, bool redact)
{
	struct event now = {0};
	struct timespec ts;
	char when[40], text[300];

	clock_gettime(CLOCK_REALTIME, &ts);
	now.wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	output_wall_time(&now, when, sizeof when);
	fprintf(f, "{\"kind\":\"recording\",\"version\":%d", OUTPUT_RECORDING_VERSION);
	json_str(f, "startle", STARTLE_VERSION);
	json_str(f, "time", when);
	fprintf(f, ",\"redact\":%s,\"sessions\":[", json_bool_word(redact));
	for (size_t i = 0; i < n; i++) {
		target_format(targets[i], text, sizeof text);
		fputs(i ? ",{" : "{", f);
		fputs("\"name\":", f);
		if (names[i] != NULL)
			fprintf(f, "\"%s\"", names[i]);
		else
			fputs("null", f);
		json_str(f, "target", text);
		json_exact(f, "target", text);
		json_str(f, "proto", proto_info(targets[i]->proto)->name);
		json_str(f, "mode", tls_mode_name(targets[i]->mode));
		fputc('}', f);
	}
	fputs("]}\n", f);
}

/* One side of the compare event. */
static void
json_compare_side(FILE *f, const struct compare_side *c)
{
	fputs("{\"target\":\"", f);
	put_escaped(f, (const unsigned char *)c->target, strlen(c->target), ESCAPE_JSON);
	fputc('"', f);
	json_str(f, "mode", tls_mode_name(c->mode));
	fprintf(f, ",\"plaintext_bytes\":%zu,\"plaintext_lines\":%zu",
	        compare_plain_bytes(c), c->plaintext_lines);
	json_str(f, "tls_version", c->tls ? c->tls_version : NULL);
	json_str(f, "cipher", c->tls ? c->cipher : NULL);
	json_str(f, "group", c->tls && c->group[0] ? c->group : NULL);
	if (c->tls)
		fprintf(f, ",\"time_to_tls_ms\":%.3f", c->time_to_tls_ms);
	else
		fputs(",\"time_to_tls_ms\":null", f);
	if (c->have_verdict)
		fprintf(f, ",\"verified\":%s,\"name_match\":%s",
		        c->verified ? "true" : "false", c->name_match ? "true" : "false");
	else
		fputs(",\"verified\":null,\"name_match\":null", f);
	json_str(f, "leaf_sha256", c->nchain ? c->chain[0] : NULL);
	fputs(",\"findings\":[", f);
	for (size_t i = 0; i < c->nfindings; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", finding_name(c->findings[i]));
	fputs("],\"revealed\":[", f);
	static const char *const reveal_ids[] = {"greeting",   "capabilities", "starttls",
	                                         "typed",      "credential",   "everything"};
	bool first = true;
	for (size_t i = 0; i < sizeof reveal_ids / sizeof reveal_ids[0]; i++) {
		if (c->reveals & (1u << i)) {
			fprintf(f, "%s\"%s\"", first ? "" : ",", reveal_ids[i]);
			first = false;
		}
	}
	fputc(']', f);
	json_str(f, "error", c->error[0] ? c->error : NULL);
	fprintf(f, ",\"exit\":%d}", c->exit);
}

void
output_compare_json(FILE *f, const struct compare_side *a, const struct compare_side *b,
                    char *const *diffs, size_t ndiffs)
{
	fputs("{\"kind\":\"compare\",\"sessions\":{\"a\":", f);
	json_compare_side(f, a);
	fputs(",\"b\":", f);
	json_compare_side(f, b);
	fprintf(f, "},\"same_chain\":%s,\"differences\":[",
	        compare_same_chain(a, b) ? "true" : "false");
	for (size_t i = 0; i < ndiffs; i++) {
		fputs(i ? ",\"" : "\"", f);
		put_escaped(f, (const unsigned char *)diffs[i], strlen(diffs[i]), ESCAPE_JSON);
		fputc('"', f);
	}
	fputs("]}\n", f);
}

/* A cell of the text table: own words, escaped all the same. */
static void
put_cell(FILE *f, const char *text, int width)
{
	char *e = escape_bytes((const unsigned char *)text, strlen(text), ESCAPE_OWN);
	if (e == NULL)
		fatal("out of memory escaping output");
	fprintf(f, "%-*s", width, e);
	free(e);
}

/* Writes own words escaped, wrapped at spaces to width columns (counted in
 * bytes: the sentences are ASCII but for quoted names), first line after
 * lead, the others after indent. */
static void
put_wrapped(FILE *f, const char *text, const char *lead, const char *indent, size_t width)
{
	char *e = escape_bytes((const unsigned char *)text, strlen(text), ESCAPE_OWN);
	const char *p = e;
	size_t room = width - strlen(lead);

	if (e == NULL)
		fatal("out of memory escaping output");
	fputs(lead, f);
	while (strlen(p) > room) {
		const char *cut = p + room;
		while (cut > p && *cut != ' ')
			cut--;
		if (cut == p)
			cut = strchr(p + room, ' ');
		if (cut == NULL)
			break;
		fprintf(f, "%.*s\n%s", (int)(cut - p), p, indent);
		p = cut + 1;
		room = width - strlen(indent);
	}
	fprintf(f, "%s\n", p);
	free(e);
}

void
output_compare_text(FILE *f, const struct compare_side *a, const struct compare_side *b,
                    char *const *diffs, size_t ndiffs)
{
	struct compare_row rows[COMPARE_ROWS];
	size_t n = compare_rows(a, b, rows);
	int wa = 1;

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(rows[i].a) > wa)
			wa = (int)strlen(rows[i].a);
	fputs("== comparison: explicit and implicit TLS side by side\n", f);
	fprintf(f, "   %-13s %-*s %s\n", "", wa, "a", "b");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "   %-13s ", rows[i].label);
		put_cell(f, rows[i].a, wa);
		fputc(' ', f);
		put_cell(f, rows[i].b, 0);
		fputc('\n', f);
	}
	fprintf(f, "   %-13s %s\n", "same chain", compare_same_chain(a, b) ? "yes" : "no");
	fputs("== differences\n", f);
	for (size_t i = 0; i < ndiffs; i++)
		put_wrapped(f, diffs[i], "   - ", "     ", 78);
}

char *
output_copy_note(const char *record, const char *log)
{
	const char *path = record != NULL ? record : log;

	if (path == NULL)
		return NULL;
	char *esc = escape_bytes((const unsigned char *)path, strlen(path), ESCAPE_TEXT);
	char *note = str_printf("%s (%s)", esc ? esc : "?", record != NULL ? "--record" : "--log");
	free(esc);
	return note;
}
