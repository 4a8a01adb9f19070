/*
 * mtasts: MTA-STS TXT records and policies, TLS-RPT records, and the mx
 * patterns, by the grammars of RFC 8461 §3.1, §3.2, §4.1 and RFC 8460 §3.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mtasts.h"

static bool
mtasts_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
mtasts_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Writes a sentence into a fixed buffer (own words; quoted parts of the
 * server's text are cut short by the caller's precision). */
static void
mtasts_say(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
mtasts_say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* sts-ext-name and sts-policy-ext-name: (ALPHA / DIGIT) 0*31(ALPHA / DIGIT /
 * "_" / "-" / "."). */
static bool
mtasts_ext_name(const char *s, size_t len)
{
	if (len == 0 || len > 32 || !mtasts_alnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!mtasts_alnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' &&
		    s[i] != '.')
			return false;
	return true;
}

/* A domain by RFC 5321 §4.1.2 (letters, digits, inner hyphens; labels of 1
 * to 63), as mx patterns use it. */
static bool
mtasts_domain(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!mtasts_alnum(c) && !(c == '-' && label > 0))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[len - 1] != '-';
}

/* One "name=value" field of a TXT record: [s, s + len), spaces trimmed. */
struct mtasts_field {
	const char *name, *value;
	size_t name_len, value_len;
};

/* Cuts the next field of a ;-separated record at *pos. Returns 1 with a
 * field, 0 at the end, -1 when a field is not name=value. Empty fields
 * (";;", a final ";") are skipped. */
static int
mtasts_next_field(const char *rec, size_t len, size_t *pos, struct mtasts_field *f)
{
	while (*pos < len) {
		size_t start = *pos, end;
		while (*pos < len && rec[*pos] != ';')
			(*pos)++;
		end = *pos;
		if (*pos < len)
			(*pos)++;
		while (start < end && mtasts_wsp((unsigned char)rec[start]))
			start++;
		while (end > start && mtasts_wsp((unsigned char)rec[end - 1]))
			end--;
		if (start == end)
			continue;
		const char *eq = memchr(rec + start, '=', end - start);
		if (eq == NULL)
			return -1;
		f->name = rec + start;
		f->name_len = (size_t)(eq - f->name);
		f->value = eq + 1;
		f->value_len = (size_t)(rec + end - f->value);
		return 1;
	}
	return 0;
}

/* True if a record begins with the version tag followed by ";", a space or
 * its end: a record of this kind (others are discarded). */
static bool
mtasts_has_tag(const char *rec, size_t len, const char *tag)
{
	size_t n = strlen(tag);

	return len >= n && memcmp(rec, tag, n) == 0 &&
	       (len == n || rec[n] == ';' || mtasts_wsp((unsigned char)rec[n]));
}

/* Picks the one record that begins with tag; sets *status. Returns its
 * index, or -1. */
static long
mtasts_pick(const char *const *records, const size_t *lens, size_t n, const char *tag,
            enum mtasts_txt_status *status, char *why, size_t why_size)
{
	long found = -1;
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		if (mtasts_has_tag(records[i], lens[i], tag)) {
			count++;
			if (found < 0)
				found = (long)i;
		}
	}
	*status = count == 0 ? MTASTS_TXT_NONE : count == 1 ? MTASTS_TXT_OK : MTASTS_TXT_MANY;
	if (count == 0)
		mtasts_say(why, why_size, "no TXT record begins with %s", tag);
	else if (count > 1)
		mtasts_say(why, why_size,
		           "%zu TXT records begin with %s: with more than one, senders "
		           "act as if there were none",
		           count, tag);
	if (count == 1 && memchr(records[found], '\0', lens[found]) != NULL) {
		*status = MTASTS_TXT_INVALID;
		mtasts_say(why, why_size, "the record holds a NUL byte");
	}
	return count == 1 ? found : -1;
}

/* sts-ext-value and tlsrpt-ext-value: 1*(%x21-3A / %x3C / %x3E-7E). */
static bool
mtasts_ext_value(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e || c == ';' || c == '=')
			return false;
	}
	return true;
}

/* Checks one field of a _mta-sts record; -1 with why. */
static int
mtasts_txt_field(const struct mtasts_field *f, struct mtasts_txt *out)
{
	if (!mtasts_ext_name(f->name, f->name_len)) {
		mtasts_say(out->why, sizeof out->why, "\"%.*s\" is not a field name",
		           (int)(f->name_len < 40 ? f->name_len : 40), f->name);
		return -1;
	}
	if (f->name_len == 2 && memcmp(f->name, "id", 2) == 0) {
		bool ok = f->value_len >= 1 && f->value_len < MTASTS_ID_MAX;
		for (size_t i = 0; ok && i < f->value_len; i++)
			ok = mtasts_alnum((unsigned char)f->value[i]);
		if (!ok) {
			mtasts_say(out->why, sizeof out->why,
			           "the id must be 1 to 32 letters and digits");
			return -1;
		}
		if (out->id[0] == '\0') /* a repeated id: the first counts */
			memcpy(out->id, f->value, f->value_len);
		return 0;
	}
	if (!mtasts_ext_value(f->value, f->value_len)) {
		mtasts_say(out->why, sizeof out->why, "the value of %.*s is malformed",
		           (int)f->name_len, f->name);
		return -1;
	}
	return 0;
}

void
mtasts_txt_parse(const char *const *records, const size_t *lens, size_t n,
                 struct mtasts_txt *out)
{
	struct mtasts_field f;
	size_t pos = strlen("v=STSv1");
	int r;

	memset(out, 0, sizeof *out);
	long i = mtasts_pick(records, lens, n, "v=STSv1", &out->status, out->why,
	                     sizeof out->why);
	if (i < 0 || out->status != MTASTS_TXT_OK)
		return;
	while ((r = mtasts_next_field(records[i], lens[i], &pos, &f)) > 0)
		if (mtasts_txt_field(&f, out) != 0)
			break;
	if (r < 0)
		mtasts_say(out->why, sizeof out->why, "a field is not name=value");
	else if (r == 0 && out->id[0] == '\0')
		mtasts_say(out->why, sizeof out->why, "the record has no id");
	if (out->why[0] != '\0') {
		out->status = MTASTS_TXT_INVALID;
		out->id[0] = '\0';
	}
}

/* Adds a note about a policy (the first MTASTS_NOTES_MAX are kept). */
static void
mtasts_note(struct mtasts_policy *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
mtasts_note(struct mtasts_policy *p, const char *fmt, ...)
{
	va_list ap;

	if (p->nnotes >= MTASTS_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(p->notes[p->nnotes++], MTASTS_WHY_MAX, fmt, ap);
	va_end(ap);
}

/* Marks the policy invalid with the first reason found. */
static void
mtasts_invalid(struct mtasts_policy *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
mtasts_invalid(struct mtasts_policy *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->valid)
		return;
	p->valid = false;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof p->why, fmt, ap);
	va_end(ap);
}

/* The keys RFC 8461 §3.2 defines; seen[] remembers which came already. */
enum mtasts_key { KEY_VERSION, KEY_MODE, KEY_MAX_AGE, KEY_MX, KEY_OTHER };

static const char *const mtasts_keys[KEY_OTHER] = {"version", "mode", "max_age", "mx"};

/* The key of a line; *variant is the key it differs from only in case
 * (for KEY_OTHER), or KEY_OTHER. */
static enum mtasts_key
mtasts_key(const char *k, size_t len, enum mtasts_key *variant)
{
	*variant = KEY_OTHER;
	for (int i = 0; i < KEY_OTHER; i++) {
		if (strlen(mtasts_keys[i]) != len)
			continue;
		if (memcmp(k, mtasts_keys[i], len) == 0)
			return (enum mtasts_key)i;
		if (strncasecmp(k, mtasts_keys[i], len) == 0)
			*variant = (enum mtasts_key)i;
	}
	return KEY_OTHER;
}

/* mode: enforce, testing or none. */
static void
mtasts_set_mode(struct mtasts_policy *p, const char *v, size_t len, size_t line)
{
	static const char *const modes[] = {"none", "testing", "enforce"};

	for (size_t i = 0; i < 3; i++) {
		if (strlen(modes[i]) == len && memcmp(v, modes[i], len) == 0) {
			p->mode = (enum mtasts_mode)i;
			p->have_mode = true;
			return;
		}
	}
	mtasts_invalid(p, "line %zu: the mode must be enforce, testing or none", line);
}

/* max_age: 1 to 10 digits; more than a year is cut to a year. */
static void
mtasts_set_max_age(struct mtasts_policy *p, const char *v, size_t len, size_t line)
{
	unsigned long long n = 0;

	if (len == 0 || len > 10) {
		mtasts_invalid(p, "line %zu: max_age must be 1 to 10 digits", line);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9') {
			mtasts_invalid(p, "line %zu: max_age must be a number of seconds",
			               line);
			return;
		}
		n = n * 10 + (unsigned long long)(v[i] - '0');
	}
	if (n > MTASTS_MAX_AGE) {
		mtasts_note(p, "max_age %llu is more than a year: senders cap it at %lu", n,
		            MTASTS_MAX_AGE);
		n = MTASTS_MAX_AGE;
	}
	p->max_age = (unsigned long)n;
}

/* mx: ["*."] Domain. */
static void
mtasts_add_mx(struct mtasts_policy *p, const char *v, size_t len, size_t line)
{
	size_t skip = len > 2 && v[0] == '*' && v[1] == '.' ? 2 : 0;

	if (!mtasts_domain(v + skip, len - skip)) {
		mtasts_invalid(p,
		               "line %zu: the mx pattern is not a host name (or *. and "
		               "one)",
		               line);
		return;
	}
	p->nmx_total++;
	if (p->nmx < MTASTS_MX_MAX) {
		memcpy(p->mx[p->nmx], v, len);
		p->mx[p->nmx][len] = '\0';
		p->nmx++;
	} else if (p->nmx_total == MTASTS_MX_MAX + 1) {
		mtasts_note(p, "more than %d mx patterns: startle checks the first %d",
		            MTASTS_MX_MAX, MTASTS_MX_MAX);
	}
}

/* One "key: value" line (without its end); seen[] counts the keys. */
static void
mtasts_line(struct mtasts_policy *p, const char *s, size_t len, size_t line,
            unsigned seen[KEY_OTHER])
{
	const char *colon = memchr(s, ':', len);
	enum mtasts_key variant;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			mtasts_invalid(p, "line %zu holds a control byte", line);
			return;
		}
	}
	if (colon == NULL || !mtasts_ext_name(s, (size_t)(colon - s))) {
		mtasts_invalid(p, "line %zu is not a \"key: value\" pair", line);
		return;
	}
	size_t klen = (size_t)(colon - s), vlen;
	const char *v = colon + 1;
	while (v < s + len && mtasts_wsp((unsigned char)*v))
		v++;
	vlen = (size_t)(s + len - v);
	while (vlen > 0 && mtasts_wsp((unsigned char)v[vlen - 1]))
		vlen--;
	enum mtasts_key k = mtasts_key(s, klen, &variant);
	if (k == KEY_OTHER && variant != KEY_OTHER)
		mtasts_note(p, "line %zu: \"%.*s\" is not \"%s\": keys are case-sensitive, "
		               "so it is ignored",
		            line, (int)klen, s, mtasts_keys[variant]);
	else if (k == KEY_OTHER)
		mtasts_note(p, "line %zu: unknown key \"%.*s\" ignored", line, (int)klen, s);
	if (k == KEY_OTHER)
		return;
	if (k != KEY_MX && seen[k]++ > 0) {
		mtasts_note(p, "line %zu: %s given again: the first one counts", line,
		            mtasts_keys[k]);
		return;
	}
	if (k == KEY_VERSION && !(vlen == 5 && memcmp(v, "STSv1", 5) == 0))
		mtasts_invalid(p, "line %zu: the version must be STSv1", line);
	else if (k == KEY_MODE)
		mtasts_set_mode(p, v, vlen, line);
	else if (k == KEY_MAX_AGE)
		mtasts_set_max_age(p, v, vlen, line);
	else if (k == KEY_MX)
		mtasts_add_mx(p, v, vlen, line);
}

void
mtasts_policy_parse(const unsigned char *body, size_t len, struct mtasts_policy *out)
{
	unsigned seen[KEY_OTHER] = {0};
	const char *s = (const char *)body;
	size_t pos = 0;

	memset(out, 0, sizeof *out);
	out->valid = true;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		mtasts_note(out, "the policy begins with a byte order mark, which the "
		                 "grammar does not allow: skipped");
		pos = 3;
	}
	while (pos < len && out->valid) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) : len, l = end - pos;
		if (l > 0 && s[pos + l - 1] == '\r') {
			l--;
			out->crlf = true;
		}
		out->lines++;
		size_t k = 0;
		while (k < l && mtasts_wsp((unsigned char)s[pos + k]))
			k++;
		if (k < l)
			mtasts_line(out, s + pos, l, out->lines, seen);
		pos = nl ? end + 1 : len;
	}
	if (!seen[KEY_VERSION])
		mtasts_invalid(out, "no \"version: STSv1\" line");
	else if (!seen[KEY_MODE])
		mtasts_invalid(out, "no mode line (enforce, testing or none)");
	else if (!seen[KEY_MAX_AGE])
		mtasts_invalid(out, "no max_age line");
	else if (out->have_mode && out->mode != MTASTS_MODE_NONE && out->nmx_total == 0)
		mtasts_invalid(out, "mode %s but no mx line: no MX host could match",
		               mtasts_mode_name(out->mode));
}

bool
mtasts_mx_matches(const char *pattern, const char *host)
{
	size_t hl = strlen(host), pl = strlen(pattern);

	if (hl > 0 && host[hl - 1] == '.')
		hl--;
	if (hl == 0 || pl == 0)
		return false;
	if (pl > 2 && pattern[0] == '*' && pattern[1] == '.') {
		const char *dot = memchr(host, '.', hl);
		if (dot == NULL || dot == host)
			return false;
		size_t rest = hl - (size_t)(dot + 1 - host);
		return rest == pl - 2 && strncasecmp(dot + 1, pattern + 2, rest) == 0;
	}
	return hl == pl && strncasecmp(host, pattern, hl) == 0;
}

int
mtasts_policy_match(const struct mtasts_policy *p, const char *host)
{
	for (size_t i = 0; i < p->nmx; i++)
		if (mtasts_mx_matches(p->mx[i], host))
			return (int)i;
	return -1;
}

bool
mtasts_is_text_plain(const char *content_type)
{
	const char *s = content_type;

	while (mtasts_wsp((unsigned char)*s))
		s++;
	if (strncasecmp(s, "text/plain", 10) != 0)
		return false;
	return s[10] == '\0' || s[10] == ';' || mtasts_wsp((unsigned char)s[10]);
}

const char *
mtasts_mode_name(enum mtasts_mode m)
{
	static const char *const names[] = {"none", "testing", "enforce"};

	return (unsigned)m < 3 ? names[m] : "?";
}

const char *
mtasts_txt_status_name(enum mtasts_txt_status s)
{
	static const char *const names[] = {"none", "ok", "many", "invalid"};

	return (unsigned)s < 4 ? names[s] : "?";
}

/* rua=URI *(*WSP "," *WSP URI), each mailto: or https:. */
static int
mtasts_rua(const char *v, size_t len, struct mtasts_tlsrpt *out)
{
	size_t pos = 0;

	while (pos <= len) {
		size_t start = pos, end;
		while (pos < len && v[pos] != ',')
			pos++;
		end = pos++;
		while (start < end && mtasts_wsp((unsigned char)v[start]))
			start++;
		while (end > start && mtasts_wsp((unsigned char)v[end - 1]))
			end--;
		size_t l = end - start;
		for (size_t k = start; k < end; k++)
			if ((unsigned char)v[k] < 0x21 || (unsigned char)v[k] > 0x7e)
				l = 0;
		if (!((l > 7 && strncasecmp(v + start, "mailto:", 7) == 0) ||
		      (l > 8 && strncasecmp(v + start, "https://", 8) == 0))) {
			mtasts_say(out->why, sizeof out->why,
			           "rua takes mailto: and https: addresses");
			return -1;
		}
		if (out->nrua < MTASTS_RUA_MAX && l < MTASTS_NAME_MAX) {
			memcpy(out->rua[out->nrua], v + start, l);
			out->rua[out->nrua++][l] = '\0';
		}
	}
	return 0;
}

void
mtasts_tlsrpt_parse(const char *const *records, const size_t *lens, size_t n,
                    struct mtasts_tlsrpt *out)
{
	struct mtasts_field f;
	size_t pos = strlen("v=TLSRPTv1");
	bool have_rua = false;
	int r;

	memset(out, 0, sizeof *out);
	long i = mtasts_pick(records, lens, n, "v=TLSRPTv1", &out->status, out->why,
	                     sizeof out->why);
	if (i < 0 || out->status != MTASTS_TXT_OK)
		return;
	while ((r = mtasts_next_field(records[i], lens[i], &pos, &f)) > 0) {
		if (f.name_len == 3 && memcmp(f.name, "rua", 3) == 0) {
			if (!have_rua && mtasts_rua(f.value, f.value_len, out) != 0)
				break;
			have_rua = true;
		} else if (!mtasts_ext_name(f.name, f.name_len)) {
			mtasts_say(out->why, sizeof out->why, "a field name is malformed");
			break;
		}
	}
	if (r < 0)
		mtasts_say(out->why, sizeof out->why, "a field is not name=value");
	else if (out->why[0] == '\0' && !have_rua)
		mtasts_say(out->why, sizeof out->why, "the record has no rua");
	if (out->why[0] != '\0') {
		out->status = MTASTS_TXT_INVALID;
		out->nrua = 0;
	}
}
