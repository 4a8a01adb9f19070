#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "output.h"
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
		if (ev->record == NULL && ev->dir == DIR_SERVER)
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

static void
put_escaped(FILE *f, const unsigned char *data, size_t len, enum escape_mode mode)
{
	char *e = escape_bytes(data, len, mode);
	if (e == NULL)
		fatal("out of memory escaping output");
	fputs(e, f);
	free(e);
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
	if (o->color)
		fprintf(f, "%s%s\033[0m ", marker_color(ev), output_marker(ev));
	else
		fprintf(f, "%s ", output_marker(ev));
	if (ev->kind == EV_FINDING)
		fprintf(f, "[%s] ", finding_name(ev->finding));
	char marker[OUTPUT_REDACTED_MAX];
	size_t len;
	const unsigned char *text = output_shown_text(ev, o->redact, marker, &len);
	const char *explain = output_shown_explain(ev, o->redact);
	/* The session's own sentences quote server bytes escaped already. */
	enum escape_mode mode =
	    ev->dir == DIR_LOCAL || output_hides(ev, o->redact) ? ESCAPE_OWN : ESCAPE_TEXT;
	if (o->color)
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
	fprintf(f, ",\"is_ca\":%s,\"self_signed\":%s", c->is_ca ? "true" : "false",
	        c->self_signed ? "true" : "false");
}

void
output_json(FILE *f, const struct event *ev, bool redact)
{
	char marker[OUTPUT_REDACTED_MAX];
	size_t len;
	const unsigned char *text = output_shown_text(ev, redact, marker, &len);
	const char *explain = output_shown_explain(ev, redact);

	fprintf(f,
	        "{\"seq\":%lu,\"t\":%.4f,\"phase\":\"%s\",\"dir\":\"%s\",\"kind\":\"%s\"",
	        ev->seq, ev->t, phase_name(ev->phase), dir_name(ev->dir),
	        event_kind_name(ev->kind));
	json_string(f, "text", text, len);
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
	}
	if (ev->verdict != NULL) {
		const struct cert_verdict *v = ev->verdict;
		fprintf(f, ",\"verified\":%s", v->verified ? "true" : "false");
		json_str(f, "verify_error",
		         v->verified || !v->verify_error[0] ? NULL : v->verify_error);
		fprintf(f, ",\"name_match\":%s", v->name_match ? "true" : "false");
		json_str(f, "name", v->name_checked);
	}
	if (ev->cert != NULL)
		json_cert(f, ev->cert);
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
	fputs("}\n", f);
}
