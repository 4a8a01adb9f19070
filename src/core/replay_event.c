/*
 * replay: one event of a recording, from its JSON object back into the
 * struct event the session wrote, field by field (docs/recording.md): what
 * --json carries at the top, what only a recording carries in "replay".
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "escape.h"
#include "record.h"
#include "replay.h"
#include "replay_int.h"
#include "util.h"

/* Most DNS records one answer may hold in a recording. */
#define REPLAY_DNS_RECORDS_MAX 4096

int
replay_why(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, REPLAY_WHY_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

void
replay_quote(const char *s, size_t len, char *out, size_t size)
{
	char *e = escape_bytes((const unsigned char *)s, len < 40 ? len : 40, ESCAPE_TEXT);

	snprintf(out, size, "\"%s%s\"", e != NULL ? e : "?", len > 40 ? "..." : "");
	free(e);
}

int
replay_get_string(const struct json *j, long obj, const char *key, long exact,
                  bool nullable, char **out, size_t *len, char *why)
{
	char bkey[64];

	snprintf(bkey, sizeof bkey, "%s_base64", key);
	long b = exact >= 0 ? json_get(j, (size_t)exact, bkey) : -1;
	if (b >= 0) {
		size_t n;
		char *text = json_string(j, b, &n);
		*out = text != NULL ? (char *)base64_decode(text, n, len) : NULL;
		free(text);
		return *out != NULL ? 0 : replay_why(why, "\"%s\" is not base64", bkey);
	}
	long v = obj >= 0 ? json_get(j, (size_t)obj, key) : -1;
	*out = NULL;
	if (v < 0)
		return replay_why(why, "\"%s\" is missing", key);
	if (nullable && j->tok[v].type == JSON_NULL)
		return 0;
	if ((*out = json_string(j, v, len)) == NULL)
		return replay_why(why, "\"%s\" is not a string", key);
	return 0;
}

int
replay_get_int(const struct json *j, long obj, const char *key, long long min,
               long long max, long long *out, char *why)
{
	long v = obj >= 0 ? json_get(j, (size_t)obj, key) : -1;

	if (v < 0)
		return replay_why(why, "\"%s\" is missing", key);
	if (!json_integer(j, v, min, max, out))
		return replay_why(why, "\"%s\" is not a whole number from %lld to %lld",
		                  key, min, max);
	return 0;
}

/* An unsigned field of up to max. */
static int
get_size(const struct json *j, long obj, const char *key, long long max, size_t *out,
         char *why)
{
	long long v;

	if (replay_get_int(j, obj, key, 0, max, &v, why) != 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
get_number(const struct json *j, long obj, const char *key, double *out, char *why)
{
	long v = obj >= 0 ? json_get(j, (size_t)obj, key) : -1;

	if (v < 0)
		return replay_why(why, "\"%s\" is missing", key);
	if (!json_number(j, v, out) || !isfinite(*out))
		return replay_why(why, "\"%s\" is not a number", key);
	return 0;
}

/* A number from min to max. */
static int
get_number_in(const struct json *j, long obj, const char *key, double min, double max,
              double *out, char *why)
{
	if (get_number(j, obj, key, out, why) != 0)
		return -1;
	if (*out < min || *out > max)
		return replay_why(why, "\"%s\" is not from %g to %g", key, min, max);
	return 0;
}

/* Times a session can have: up to 31 years long (a second is 1e3 ms),
 * before the year 10000. */
#define REPLAY_SECONDS_MAX 1e9
#define REPLAY_WALL_MAX 253402300799.0

static int
get_bool(const struct json *j, long obj, const char *key, bool *out, char *why)
{
	long v = obj >= 0 ? json_get(j, (size_t)obj, key) : -1;

	if (v < 0)
		return replay_why(why, "\"%s\" is missing", key);
	if (!json_bool(j, v, out))
		return replay_why(why, "\"%s\" is not true or false", key);
	return 0;
}

/* A boolean that may be absent (false then). */
static int
get_opt_bool(const struct json *j, long obj, const char *key, bool *out, char *why)
{
	*out = false;
	if (json_get(j, (size_t)obj, key) < 0)
		return 0;
	return get_bool(j, obj, key, out, why);
}

/* A string into a fixed array of size bytes: a C string, so no NUL inside
 * and shorter than size (startle never writes a longer one). null reads as
 * "" when nullable. */
static int
get_fixed(const struct json *j, long obj, const char *key, long exact, bool nullable,
          char *dst, size_t size, char *why)
{
	char *s;
	size_t n;

	if (replay_get_string(j, obj, key, exact, nullable, &s, &n, why) != 0)
		return -1;
	if (s != NULL && (n >= size || memchr(s, '\0', n) != NULL)) {
		free(s);
		return replay_why(why, "\"%s\" is longer than %zu bytes or holds a NUL",
		                  key, size - 1);
	}
	snprintf(dst, size, "%s", s != NULL ? s : "");
	free(s);
	return 0;
}

/* A string owned by the event: NULL for null where nullable; no NUL inside. */
static int
get_owned(const struct json *j, long obj, const char *key, long exact, bool nullable,
          char **out, char *why)
{
	size_t n;

	if (replay_get_string(j, obj, key, exact, nullable, out, &n, why) != 0)
		return -1;
	if (*out != NULL && memchr(*out, '\0', n) != NULL) {
		free(*out);
		*out = NULL;
		return replay_why(why, "\"%s\" holds a NUL byte", key);
	}
	return 0;
}

/* A name from a table of n names; *out its index. */
static int
get_name(const struct json *j, long obj, const char *key, const char *(*name)(int), int n,
         int *out, char *why)
{
	char *s, q[64];
	size_t len;

	if (replay_get_string(j, obj, key, -1, false, &s, &len, why) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (strlen(name(i)) == len && memcmp(name(i), s, len) == 0) {
			free(s);
			*out = i;
			return 0;
		}
	}
	replay_quote(s, len, q, sizeof q);
	free(s);
	return replay_why(why, "\"%s\" is %s, which this startle does not know", key, q);
}

static const char *
kind_at(int i)
{
	return event_kind_name((enum event_kind)i);
}

static const char *
phase_at(int i)
{
	return phase_name((enum phase)i);
}

static const char *
dir_at(int i)
{
	return dir_name((enum dir)i);
}

static const char *
severity_at(int i)
{
	return severity_name((enum severity)i);
}

static const char *
finding_at(int i)
{
	return finding_name((enum finding_id)i);
}

static const char *
record_dir_at(int i)
{
	return i == 0 ? "out" : "in";
}

/* The object at key of obj, or -1 with why when it is missing or not one. */
static long
get_object(const struct json *j, long obj, const char *key, char *why)
{
	long v = obj >= 0 ? json_get(j, (size_t)obj, key) : -1;

	if (v < 0 || j->tok[v].type != JSON_OBJECT)
		return replay_why(why, "\"%s\" is missing or not an object", key);
	return v;
}

/* The summary of a handshake (a tls event with "version"). */
static int
read_summary(const struct json *j, long rp, struct event *ev, char *why)
{
	struct tls_summary *s = ev->tls = xcalloc(1, sizeof *s);
	long x = get_object(j, rp, "tls", why);
	long long n;

	if (x < 0 ||
	    get_fixed(j, 0, "version", -1, false, s->version, sizeof s->version, why) ||
	    get_fixed(j, 0, "cipher", -1, false, s->cipher, sizeof s->cipher, why) ||
	    get_fixed(j, 0, "group", -1, true, s->group, sizeof s->group, why) ||
	    get_bool(j, 0, "resumed", &s->resumed, why) ||
	    get_fixed(j, 0, "sni", x, true, s->sni, sizeof s->sni, why) ||
	    get_number_in(j, x, "handshake_ms", 0, REPLAY_SECONDS_MAX, &s->handshake_ms,
	                  why) ||
	    get_fixed(j, x, "note", x, false, s->note, sizeof s->note, why) ||
	    get_size(j, x, "bytes_in", REPLAY_BYTES_MAX, &s->bytes_in, why) ||
	    get_size(j, x, "bytes_out", REPLAY_BYTES_MAX, &s->bytes_out, why))
		return -1;
	if (replay_get_int(j, x, "records_in", 0, 1u << 30, &n, why) != 0)
		return -1;
	s->records_in = (unsigned)n;
	if (replay_get_int(j, x, "records_out", 0, 1u << 30, &n, why) != 0)
		return -1;
	s->records_out = (unsigned)n;
	return 0;
}

/* The verdict on a chain (a tls event with "verified"). */
static int
read_verdict(const struct json *j, long rp, struct event *ev, char *why)
{
	struct cert_verdict *v = ev->verdict = xcalloc(1, sizeof *v);
	long x = get_object(j, rp, "verdict", why);
	long long code, depth;

	if (x < 0 || get_bool(j, 0, "verified", &v->verified, why) ||
	    get_bool(j, 0, "name_match", &v->name_match, why) ||
	    get_fixed(j, 0, "name", x, true, v->name_checked, sizeof v->name_checked,
	              why) ||
	    get_fixed(j, x, "error", x, false, v->verify_error, sizeof v->verify_error,
	              why) ||
	    replay_get_int(j, x, "code", -(1ll << 31), (1ll << 31) - 1, &code, why) ||
	    replay_get_int(j, x, "depth", -1, CERT_CHAIN_MAX, &depth, why) ||
	    get_bool(j, x, "expired", &v->expired, why) ||
	    get_bool(j, x, "not_yet_valid", &v->not_yet_valid, why) ||
	    get_bool(j, x, "self_signed", &v->self_signed, why) ||
	    get_bool(j, x, "untrusted", &v->untrusted, why) ||
	    get_bool(j, x, "weak_key", &v->weak_key, why) ||
	    get_bool(j, x, "weak_signature", &v->weak_signature, why))
		return -1;
	v->verify_error_code = (int)code;
	v->verify_error_depth = (int)depth;
	return 0;
}

/* The names of a certificate: "san", or the exact "san_base64" beside it. */
static int
read_sans(const struct json *j, long x, struct cert_info *c, char *why)
{
	long arr = json_get(j, 0, "san");
	long exact = json_get(j, (size_t)x, "san_base64");

	if (arr < 0 || j->tok[arr].type != JSON_ARRAY || j->tok[arr].count > CERT_SAN_MAX)
		return replay_why(why, "\"san\" is not an array of at most %d names",
		                  CERT_SAN_MAX);
	if (exact >= 0 &&
	    (j->tok[exact].type != JSON_ARRAY || j->tok[exact].count != j->tok[arr].count))
		return replay_why(why, "\"san_base64\" does not match \"san\"");
	for (size_t i = 0; i < j->tok[arr].count; i++) {
		long item = json_item(j, exact >= 0 ? (size_t)exact : (size_t)arr, i);
		size_t n;
		char *s = json_string(j, item, &n);
		if (s != NULL && exact >= 0) {
			char *raw = (char *)base64_decode(s, n, &n);
			free(s);
			s = raw;
		}
		if (s == NULL || memchr(s, '\0', n) != NULL) {
			free(s);
			return replay_why(why, "name %zu of \"san\" is not a valid string",
			                  i + 1);
		}
		c->san[c->nsan++] = s;
	}
	return 0;
}

/* The DER of a certificate, when recorded. */
static int
read_der(const struct json *j, long x, struct cert_info *c, char *why)
{
	char *text;
	size_t n;

	if (json_get(j, (size_t)x, "der") < 0)
		return 0;
	if (replay_get_string(j, x, "der", -1, false, &text, &n, why) != 0)
		return -1;
	c->der = base64_decode(text, n, &c->der_len);
	free(text);
	return c->der != NULL ? 0 : replay_why(why, "\"der\" is not base64");
}

/* A certificate of the chain (a cert event). */
static int
read_cert(const struct json *j, long rp, struct event *ev, char *why)
{
	struct cert_info *c = ev->cert = xcalloc(1, sizeof *c);
	long x = get_object(j, rp, "cert", why);
	long long depth, nb, na, bits;

	if (x < 0 || replay_get_int(j, 0, "depth", 0, CERT_CHAIN_MAX, &depth, why) ||
	    get_owned(j, 0, "subject", x, true, &c->subject, why) ||
	    get_owned(j, 0, "issuer", x, true, &c->issuer, why) ||
	    get_owned(j, 0, "serial", x, true, &c->serial, why) ||
	    get_fixed(j, 0, "key", -1, false, c->key, sizeof c->key, why) ||
	    get_fixed(j, 0, "sig", -1, false, c->sig, sizeof c->sig, why) ||
	    get_fixed(j, 0, "sha256", -1, false, c->sha256, sizeof c->sha256, why) ||
	    get_fixed(j, 0, "spki_sha256", -1, false, c->spki_sha256, sizeof c->spki_sha256,
	              why) ||
	    get_bool(j, 0, "is_ca", &c->is_ca, why) ||
	    get_bool(j, 0, "self_signed", &c->self_signed, why) ||
	    replay_get_int(j, x, "not_before", -(1ll << 40), 1ll << 40, &nb, why) ||
	    replay_get_int(j, x, "not_after", -(1ll << 40), 1ll << 40, &na, why) ||
	    replay_get_int(j, x, "key_bits", 0, 1 << 20, &bits, why) ||
	    get_size(j, x, "san_total", 1 << 20, &c->nsan_total, why) ||
	    read_sans(j, x, c, why) || read_der(j, x, c, why))
		return -1;
	c->depth = (int)depth;
	c->not_before = (time_t)nb;
	c->not_after = (time_t)na;
	c->key_bits = (int)bits;
	return 0;
}

/* A lower-case hex digit's value, or -1. */
static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The hex preview of a record's first bytes. */
static int
read_head(const struct json *j, long x, struct tls_record *r, char *why)
{
	char *hex;
	size_t n;

	if (replay_get_string(j, x, "head", -1, false, &hex, &n, why) != 0)
		return -1;
	if (n % 2 != 0 || n / 2 > sizeof r->head) {
		free(hex);
		return replay_why(why, "\"head\" is not hex of at most %zu bytes",
		                  sizeof r->head);
	}
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(hex);
			return replay_why(why, "\"head\" is not lower-case hex");
		}
		r->head[i] = (unsigned char)(hi << 4 | lo);
	}
	r->head_len = n / 2;
	free(hex);
	return 0;
}

/* A record on the wire (a note with "record"). */
static int
read_record(const struct json *j, long rp, struct event *ev, char *why)
{
	struct tls_record *r = ev->record = xcalloc(1, sizeof *r);
	long top = get_object(j, 0, "record", why);
	long x = get_object(j, rp, "record", why);
	long long type, version, hs;
	int dir;

	if (top < 0 || x < 0 || get_name(j, top, "dir", record_dir_at, 2, &dir, why) ||
	    get_size(j, top, "length", 1 << 24, &r->length, why) ||
	    replay_get_int(j, x, "type", 0, 255, &type, why) ||
	    replay_get_int(j, x, "version", 0, 0xffff, &version, why) ||
	    replay_get_int(j, x, "hs_type", 0, 255, &hs, why) ||
	    get_bool(j, x, "readable", &r->readable, why) || read_head(j, x, r, why))
		return -1;
	r->dir = dir == 0 ? TLS_DIR_OUT : TLS_DIR_IN;
	r->type = (unsigned char)type;
	r->version = (unsigned)version;
	r->hs_type = (unsigned char)hs;
	return 0;
}

/* The records of a DNS answer. */
static int
read_dns_records(const struct json *j, struct dns_event *d, char *why)
{
	long arr = json_get(j, 0, "records");

	if (arr < 0 || j->tok[arr].type != JSON_ARRAY ||
	    j->tok[arr].count > REPLAY_DNS_RECORDS_MAX)
		return replay_why(why, "\"records\" is not an array of at most %d records",
		                  REPLAY_DNS_RECORDS_MAX);
	d->records = xcalloc(j->tok[arr].count + 1, sizeof *d->records);
	for (size_t i = 0; i < j->tok[arr].count; i++) {
		size_t n;
		char *s = json_string(j, json_item(j, (size_t)arr, i), &n);
		if (s == NULL || memchr(s, '\0', n) != NULL) {
			free(s);
			return replay_why(why, "record %zu of \"records\" is not a string",
			                  i + 1);
		}
		d->records[d->n++] = s;
	}
	return 0;
}

/* A DNS answer (a dns event). */
static int
read_dns(const struct json *j, struct event *ev, char *why)
{
	struct dns_event *d = ev->dns = xcalloc(1, sizeof *d);

	if (get_fixed(j, 0, "name", -1, false, d->name, sizeof d->name, why) ||
	    get_fixed(j, 0, "type", -1, false, d->type, sizeof d->type, why) ||
	    get_fixed(j, 0, "status", -1, false, d->status, sizeof d->status, why) ||
	    get_fixed(j, 0, "rcode", -1, false, d->rcode, sizeof d->rcode, why) ||
	    get_fixed(j, 0, "why_bogus", -1, true, d->why_bogus, sizeof d->why_bogus,
	              why) ||
	    get_number_in(j, 0, "ms", 0, REPLAY_SECONDS_MAX, &d->ms, why))
		return -1;
	return read_dns_records(j, d, why);
}

/* A finding's id and severity. */
static int
read_finding(const struct json *j, struct event *ev, char *why)
{
	int id, sev;

	if (get_name(j, 0, "id", finding_at, FINDING_COUNT, &id, why) ||
	    get_name(j, 0, "severity", severity_at, 3, &sev, why))
		return -1;
	ev->finding = (enum finding_id)id;
	ev->severity = (enum severity)sev;
	return 0;
}

/* The event's bytes: "text", or "text_base64" when they are not UTF-8; a
 * redacted event's are its length in stars (shown as the marker). */
static int
read_text(const struct json *j, long rp, bool redact, struct event *ev, char *why)
{
	bool redacted;
	char *s;

	if (get_opt_bool(j, 0, "redacted", &redacted, why) != 0)
		return -1;
	if (redacted) {
		if (!redact)
			return replay_why(why,
			                  "a redacted event, but the header says --redact "
			                  "was not in force");
		if (get_size(j, rp, "length", REPLAY_LINE_MAX, &ev->len, why) != 0)
			return -1;
		ev->text = xmalloc(ev->len + 1);
		memset(ev->text, '*', ev->len);
		ev->text[ev->len] = '\0';
		ev->secret = true;
		return 0;
	}
	if (replay_get_string(j, 0, "text", 0, false, &s, &ev->len, why) != 0)
		return -1;
	ev->text = (unsigned char *)s;
	return 0;
}

/* The fields every event has: kind, phase, direction, times, bytes,
 * explanation, flags. Returns the "replay" object, or -1 with why. */
static long
read_common(const struct json *j, struct event *ev, bool redact, char *why)
{
	int kind, phase, dir;
	long long flags = 0;
	long rp;

	if (get_name(j, 0, "kind", kind_at, EV_COUNT, &kind, why) ||
	    get_name(j, 0, "phase", phase_at, 3, &phase, why) ||
	    get_name(j, 0, "dir", dir_at, 3, &dir, why))
		return -1;
	ev->kind = (enum event_kind)kind;
	ev->phase = (enum phase)phase;
	ev->dir = (enum dir)dir;
	if ((rp = json_get(j, 0, "replay")) < 0)
		return replay_why(why, "an event without its \"replay\" object: this line "
		                       "is --json output, not a recording");
	if ((rp = get_object(j, 0, "replay", why)) < 0 ||
	    get_number_in(j, rp, "t", 0, REPLAY_SECONDS_MAX, &ev->t, why) ||
	    get_number_in(j, rp, "wall", 0, REPLAY_WALL_MAX, &ev->wall, why) ||
	    get_opt_bool(j, rp, "secret", &ev->secret, why) ||
	    read_text(j, rp, redact, ev, why))
		return -1;
	if (json_get(j, (size_t)rp, "flags") >= 0 &&
	    replay_get_int(j, rp, "flags", 0, 0xffffffffll, &flags, why) != 0)
		return -1;
	ev->line_flags = (unsigned)flags;
	if (json_get(j, 0, "explain") >= 0 &&
	    get_owned(j, 0, "explain", -1, true, &ev->explain, why) != 0)
		return -1;
	return rp;
}

int
replay_read_event(const struct json *j, struct event *ev, bool redact, size_t *bytes,
                  char *why)
{
	long rp;
	int rc = 0;

	memset(ev, 0, sizeof *ev);
	if ((rp = read_common(j, ev, redact, why)) < 0) {
		replay_event_free(ev);
		return -1;
	}
	if (ev->kind == EV_FINDING)
		rc = read_finding(j, ev, why);
	else if (ev->kind == EV_CERT)
		rc = read_cert(j, rp, ev, why);
	else if (ev->kind == EV_DNS)
		rc = read_dns(j, ev, why);
	else if (ev->kind == EV_NOTE && json_get(j, 0, "record") >= 0)
		rc = read_record(j, rp, ev, why);
	else if (ev->kind == EV_TLS && json_get(j, 0, "version") >= 0)
		rc = read_summary(j, rp, ev, why);
	if (rc == 0 && ev->kind == EV_TLS && json_get(j, 0, "verified") >= 0)
		rc = read_verdict(j, rp, ev, why);
	if (rc != 0) {
		replay_event_free(ev);
		return -1;
	}
	ev->plain_text = escape_is_plain(ev->text, ev->len);
	*bytes = sizeof *ev + ev->len + (ev->explain ? strlen(ev->explain) : 0) +
	         (ev->cert ? ev->cert->der_len + 1024 : 0) + (ev->dns ? 1024 : 0);
	return 0;
}

void
replay_event_free(struct event *ev)
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
	if (ev->dns != NULL) {
		for (size_t i = 0; i < ev->dns->n; i++)
			free(ev->dns->records[i]);
		free(ev->dns->records);
		free(ev->dns);
	}
	memset(ev, 0, sizeof *ev);
}
