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
#include "mtasts.h"
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

/* True if obj has key (obj -1: no object, so no key). */
static bool
has(const struct json *j, long obj, const char *key)
{
	return obj >= 0 && json_get(j, (size_t)obj, key) >= 0;
}

/* True if obj has key and its value is not null. */
static bool
has_value(const struct json *j, long obj, const char *key)
{
	long v = obj >= 0 ? json_get(j, (size_t)obj, key) : -1;

	return v >= 0 && j->tok[v].type != JSON_NULL;
}

/* An unsigned field that may be absent or null (0 then). */
static int
get_opt_size(const struct json *j, long obj, const char *key, long long max, size_t *out,
             char *why)
{
	*out = 0;
	if (!has_value(j, obj, key))
		return 0;
	long long v;
	if (replay_get_int(j, obj, key, 0, max, &v, why) != 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* A time in seconds since 1970 that may be absent (0 then). */
static int
get_opt_time(const struct json *j, long obj, const char *key, time_t *out, char *why)
{
	long long v = 0;

	if (has(j, obj, key) &&
	    replay_get_int(j, obj, key, -(1ll << 40), 1ll << 40, &v, why) != 0)
		return -1;
	*out = (time_t)v;
	return 0;
}

/* The object at key of obj when there is one: its index, -1 when absent,
 * -2 with why when it is not an object. */
static long
get_opt_object(const struct json *j, long obj, const char *key, char *why)
{
	long v = obj >= 0 ? json_get(j, (size_t)obj, key) : -1;

	if (v < 0)
		return -1;
	if (j->tok[v].type != JSON_OBJECT) {
		replay_why(why, "\"%s\" is not an object", key);
		return -2;
	}
	return v;
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

/* The same for a field a recording may lack ("" then), or null. */
static int
get_opt_fixed(const struct json *j, long obj, const char *key, long exact, char *dst,
              size_t size, char *why)
{
	char bkey[64];

	snprintf(bkey, sizeof bkey, "%s_base64", key);
	dst[0] = '\0';
	if (!has(j, obj, key) && !has(j, exact, bkey))
		return 0;
	return get_fixed(j, obj, key, exact, true, dst, size, why);
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

static const char *
hs_view_at(int i)
{
	static const char *const views[] = {
	    [TLS_HS_READABLE] = "readable",
	    [TLS_HS_DECRYPTED] = "decrypted",
	    [TLS_HS_UNAVAILABLE] = "unavailable",
	    [TLS_HS_FAILED] = "failed",
	};

	return views[i];
}

/* What a summary says beyond version and cipher: the view of the
 * encrypted handshake (null: readable), the signature, the key exchange,
 * ALPN, resumption, the client certificate. Each may be absent (a
 * recording from before it was kept): then it is none, 0 or false. */
static int
read_tls_facts(const struct json *j, long x, struct tls_summary *s, char *why)
{
	long cc = json_get(j, 0, "client_cert");
	long xcc = get_opt_object(j, x, "client_cert", why);
	int view = TLS_HS_READABLE;

	if (xcc < -1 || (cc >= 0 && j->tok[cc].type != JSON_OBJECT))
		return replay_why(why, "\"client_cert\" is not an object");
	if ((has_value(j, 0, "encrypted_handshake") &&
	     get_name(j, 0, "encrypted_handshake", hs_view_at, TLS_HS_FAILED + 1, &view,
	              why)) ||
	    get_opt_fixed(j, 0, "signature", -1, s->signature, sizeof s->signature, why) ||
	    get_opt_bool(j, 0, "hello_retry", &s->hello_retry, why) ||
	    get_opt_size(j, 0, "key_share_bytes", 1 << 16, &s->key_share_bytes, why) ||
	    get_opt_fixed(j, 0, "alpn", x, s->alpn, sizeof s->alpn, why) ||
	    get_opt_bool(j, 0, "alpn_offered", &s->alpn_offered, why) ||
	    get_opt_bool(j, 0, "resume_offered", &s->resume_offered, why))
		return -1;
	s->encrypted_handshake = (enum tls_hs_view)view;
	if (cc < 0)
		return 0;
	return get_opt_bool(j, cc, "requested", &s->client_cert_requested, why) ||
	               get_opt_bool(j, cc, "sent", &s->client_cert_sent, why) ||
	               get_opt_fixed(j, cc, "subject", xcc, s->client_cert_subject,
	                             sizeof s->client_cert_subject, why)
	           ? -1
	           : 0;
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
	return read_tls_facts(j, x, s, why);
}

static const char *
ocsp_state_at(int i)
{
	return cert_ocsp_state_name((enum cert_ocsp_state)i);
}

#define OCSP_ONE(sym, name) +1
#define OCSP_STATE_COUNT (0 CERT_OCSP_STATES(OCSP_ONE))

/* The stapled OCSP response of a verdict: "ocsp" at the top, its exact
 * times, size and bytes in the recording's "ocsp" (xv: the recording's
 * verdict). A recording from before OCSP was read has neither: then no
 * staple was asked for. */
static int
read_ocsp(const struct json *j, long xv, struct cert_ocsp *o, char *why)
{
	long top = get_opt_object(j, 0, "ocsp", why);
	long x = get_opt_object(j, xv, "ocsp", why);
	int state;

	if (top < -1 || x < -1)
		return -1;
	if (top < 0)
		return 0;
	if (get_name(j, top, "status", ocsp_state_at, OCSP_STATE_COUNT, &state, why) ||
	    get_bool(j, top, "verified", &o->verified, why) ||
	    get_opt_fixed(j, top, "problem", x, o->problem, sizeof o->problem, why) ||
	    get_opt_fixed(j, top, "reason", x, o->reason, sizeof o->reason, why) ||
	    get_opt_fixed(j, top, "responder", x, o->responder, sizeof o->responder, why) ||
	    get_opt_fixed(j, top, "signer", x, o->signer, sizeof o->signer, why) ||
	    get_opt_bool(j, top, "must_staple", &o->must_staple, why) ||
	    get_opt_time(j, x, "produced_at", &o->produced_at, why) ||
	    get_opt_time(j, x, "this_update", &o->this_update, why) ||
	    get_opt_time(j, x, "next_update", &o->next_update, why) ||
	    get_opt_time(j, x, "revoked_at", &o->revoked_at, why) ||
	    get_opt_size(j, x >= 0 ? x : top, x >= 0 ? "len" : "bytes", 1 << 24, &o->len,
	                 why))
		return -1;
	o->state = (enum cert_ocsp_state)state;
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
	    get_bool(j, x, "weak_signature", &v->weak_signature, why) ||
	    get_opt_fixed(j, 0, "name_note", x, v->name_note, sizeof v->name_note, why) ||
	    get_opt_bool(j, x, "name_legacy", &v->name_legacy, why) ||
	    read_ocsp(j, x, &v->ocsp, why))
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
	    get_opt_bool(j, 0, "must_staple", &c->must_staple, why) ||
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

/* A lower-case hex digit's value, or -1: recordings write lower case, so
 * one form per byte. */
static int
hex_value(char c)
{
	return c >= 'A' && c <= 'F' ? -1 : util_hex_digit((unsigned char)c);
}

/* The hex preview of the first bytes of a record or message: at most cap
 * bytes into head, their count into *len. */
static int
read_head(const struct json *j, long x, unsigned char *head, size_t cap, size_t *len,
          char *why)
{
	char *hex;
	size_t n;

	if (replay_get_string(j, x, "head", -1, false, &hex, &n, why) != 0)
		return -1;
	if (n % 2 != 0 || n / 2 > cap) {
		free(hex);
		return replay_why(why, "\"head\" is not hex of at most %zu bytes", cap);
	}
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(hex);
			return replay_why(why, "\"head\" is not lower-case hex");
		}
		head[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
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
	    get_bool(j, x, "readable", &r->readable, why) ||
	    read_head(j, x, r->head, sizeof r->head, &r->head_len, why))
		return -1;
	r->dir = dir == 0 ? TLS_DIR_OUT : TLS_DIR_IN;
	r->type = (unsigned char)type;
	r->version = (unsigned)version;
	r->hs_type = (unsigned char)hs;
	return 0;
}

/* A TLS 1.3 handshake message startle decrypted (a note with "message"):
 * direction, type and length at the top, where it was sent and its first
 * bytes in the recording's "message". */
static int
read_message(const struct json *j, long rp, struct event *ev, char *why)
{
	struct tls_message *m = ev->message = xcalloc(1, sizeof *m);
	long top = get_object(j, 0, "message", why);
	long x = get_opt_object(j, rp, "message", why);
	long long type;
	int dir;

	if (top < 0 || x < -1 || get_name(j, top, "dir", record_dir_at, 2, &dir, why) ||
	    replay_get_int(j, top, "number", 0, 255, &type, why) ||
	    get_size(j, top, "length", 1 << 24, &m->length, why) ||
	    get_opt_bool(j, x, "after_handshake", &m->after_handshake, why) ||
	    (x >= 0 && read_head(j, x, m->head, sizeof m->head, &m->head_len, why)))
		return -1;
	m->dir = dir == 0 ? TLS_DIR_OUT : TLS_DIR_IN;
	m->type = (unsigned char)type;
	return 0;
}

/* The array of strings at key of obj into *out (n of them, at most max;
 * NULL-terminated), or none when the array is absent and optional. */
static int
read_strings(const struct json *j, long obj, const char *key, size_t max, bool optional,
             char ***out, size_t *n, char *why)
{
	long arr = json_get(j, (size_t)obj, key);

	if (arr < 0 && optional)
		return 0;
	if (arr < 0 || j->tok[arr].type != JSON_ARRAY || j->tok[arr].count > max)
		return replay_why(why, "\"%s\" is not an array of at most %zu strings", key,
		                  max);
	*out = xcalloc(j->tok[arr].count + 1, sizeof **out);
	for (size_t i = 0; i < j->tok[arr].count; i++) {
		size_t len;
		char *s = json_string(j, json_item(j, (size_t)arr, i), &len);
		if (s == NULL || memchr(s, '\0', len) != NULL) {
			free(s);
			return replay_why(why, "item %zu of \"%s\" is not a string", i + 1,
			                  key);
		}
		(*out)[(*n)++] = s;
	}
	return 0;
}

/* A number the recording's object x holds exactly, else the top's rounded
 * one, else (absent or null) 0. */
static int
get_exact_number(const struct json *j, long x, const char *key, double *out, char *why)
{
	*out = 0;
	if (has(j, x, key))
		return get_number_in(j, x, key, 0, REPLAY_SECONDS_MAX, out, why);
	if (has_value(j, 0, key))
		return get_number_in(j, 0, key, 0, REPLAY_SECONDS_MAX, out, why);
	return 0;
}

/* The same for a whole number from 0 to max. */
static int
get_exact_int(const struct json *j, long x, const char *key, long long max, long long *out,
              char *why)
{
	*out = 0;
	if (has(j, x, key))
		return replay_get_int(j, x, key, 0, max, out, why);
	if (has_value(j, 0, key))
		return replay_get_int(j, 0, key, 0, max, out, why);
	return 0;
}

static const char *
policy_at(int i)
{
	return i == 0 ? "mta-sts" : "tls-rpt";
}

/* An MTA-STS policy or TLS-RPT record (a policy event). A TLS-RPT event
 * carries no fetch: those fields are absent, so none. */
static int
read_policy(const struct json *j, long rp, struct event *ev, char *why)
{
	struct policy_event *p = ev->policy = xcalloc(1, sizeof *p);
	long x = get_opt_object(j, rp, "policy", why);
	long long n = 0;
	int which;

	if (x < -1 || get_name(j, 0, "policy", policy_at, 2, &which, why) ||
	    get_fixed(j, 0, "domain", x, false, p->domain, sizeof p->domain, why) ||
	    get_fixed(j, 0, "status", -1, false, p->status, sizeof p->status, why) ||
	    get_opt_fixed(j, 0, "why", x, p->why, sizeof p->why, why) ||
	    get_opt_fixed(j, 0, "id", x, p->id, sizeof p->id, why) ||
	    get_opt_fixed(j, 0, "url", x, p->url, sizeof p->url, why) ||
	    get_opt_fixed(j, 0, "content_type", x, p->content_type, sizeof p->content_type,
	                  why) ||
	    get_opt_fixed(j, 0, "mode", -1, p->mode, sizeof p->mode, why) ||
	    (has_value(j, 0, "http_status") &&
	     replay_get_int(j, 0, "http_status", 1, 999, &n, why)) ||
	    get_opt_size(j, 0, "bytes", REPLAY_BYTES_MAX, &p->bytes, why) ||
	    get_exact_number(j, x, "ms", &p->ms, why) ||
	    read_strings(j, 0, "mx", MTASTS_MX_MAX, true, &p->mx, &p->nmx, why) ||
	    read_strings(j, 0, "rua", MTASTS_RUA_MAX, true, &p->rua, &p->nrua, why))
		return -1;
	snprintf(p->policy, sizeof p->policy, "%s", policy_at(which));
	p->http_status = (int)n;
	if (get_exact_int(j, x, "max_age", 1ll << 32, &n, why) != 0)
		return -1;
	p->max_age = (unsigned long)n;
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
	return read_strings(j, 0, "records", REPLAY_DNS_RECORDS_MAX, false, &d->records,
	                    &d->n, why);
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
	else if (ev->kind == EV_POLICY)
		rc = read_policy(j, rp, ev, why);
	else if (ev->kind == EV_NOTE && json_get(j, 0, "record") >= 0)
		rc = read_record(j, rp, ev, why);
	else if (ev->kind == EV_NOTE && json_get(j, 0, "message") >= 0)
		rc = read_message(j, rp, ev, why);
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
	         (ev->cert ? ev->cert->der_len + 1024 : 0) + (ev->dns ? 1024 : 0) +
	         (ev->policy ? sizeof *ev->policy + 1024 : 0);
	return 0;
}

void
replay_event_free(struct event *ev)
{
	free(ev->text);
	event_free_parts(ev);
	memset(ev, 0, sizeof *ev);
}
