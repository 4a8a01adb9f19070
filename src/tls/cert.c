/*
 * cert: the plain-data certificate model and the checks that need nothing but
 * that model (weak keys and signatures, time formatting), and startle's own
 * reading of a name match (RFC 9525), which explains the TLS library's
 * verdict in words.
 */
#include "cert.h"

#include "escape.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A DNS name is at most this long (without a trailing dot). */
#define CERT_DNS_MAX 253
/* Names a mismatch note lists before "and N more". */
#define CERT_NOTE_NAMES 4

void
cert_info_free(struct cert_info *c)
{
	if (c == NULL)
		return;
	free(c->subject);
	free(c->issuer);
	free(c->serial);
	for (size_t i = 0; i < c->nsan && i < CERT_SAN_MAX; i++)
		free(c->san[i]);
	free(c->der);
	memset(c, 0, sizeof(*c));
}

static const char *const cert_ocsp_names[] = {
#define CERT_OCSP_NAME(sym, name) [CERT_OCSP_##sym] = name,
    CERT_OCSP_STATES(CERT_OCSP_NAME)
#undef CERT_OCSP_NAME
};

const char *
cert_ocsp_state_name(enum cert_ocsp_state s)
{
	return (unsigned)s < sizeof cert_ocsp_names / sizeof cert_ocsp_names[0]
	           ? cert_ocsp_names[s]
	           : "unknown";
}

void
cert_format_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (buf == NULL || size == 0)
		return;
	buf[0] = '\0';
	if (gmtime_r(&t, &tm) == NULL)
		return;
	if (strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
}

/* Minimum acceptable key sizes, by the algorithm word that starts
 * cert_info.key ("RSA 2048", "EC P-256"). */
static const struct {
	const char *alg;
	int min_bits;
} cert_key_minimum[] = {
    {"RSA", 2048},
    {"DSA", 2048},
    {"EC", 224},
};

bool
cert_key_is_weak(const struct cert_info *c)
{
	if (c == NULL || c->key_bits <= 0)
		return false;
	size_t n = strcspn(c->key, " ");
	for (size_t i = 0; i < sizeof(cert_key_minimum) / sizeof(cert_key_minimum[0]);
	     i++) {
		if (strlen(cert_key_minimum[i].alg) == n &&
		    strncmp(c->key, cert_key_minimum[i].alg, n) == 0)
			return c->key_bits < cert_key_minimum[i].min_bits;
	}
	return false;
}

/* Digest names that no longer protect a signature, as they appear inside
 * algorithm names (case ignored). */
static const char *const cert_weak_digests[] = {"md2", "md4", "md5", "sha1"};

/* True if needle occurs in hay, ignoring case, and is not followed by a digit
 * (so "sha1" does not match inside a longer number). */
static bool
cert_contains_word(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = hay; *p != '\0'; p++) {
		if (strncasecmp(p, needle, n) == 0 && !(p[n] >= '0' && p[n] <= '9'))
			return true;
	}
	return false;
}

bool
cert_sig_is_weak(const struct cert_info *c)
{
	if (c == NULL || c->self_signed)
		return false;
	for (size_t i = 0; i < sizeof(cert_weak_digests) / sizeof(cert_weak_digests[0]);
	     i++) {
		if (cert_contains_word(c->sig, cert_weak_digests[i]))
			return true;
	}
	return false;
}

/* True for the bytes a host name label may hold. */
static bool
cert_label_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* Copies a DNS name into out without one trailing dot, and checks that every
 * label is non-empty and made of label characters (plus '*' if allowed).
 * Returns the length, or 0 if the name is not acceptable. */
static size_t
cert_clean_dns(const char *in, char *out, size_t size, bool allow_star)
{
	size_t len = strlen(in);
	size_t label = 0;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > CERT_DNS_MAX || len >= size)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (ch == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (cert_label_char(ch) || (allow_star && ch == '*')) {
			label++;
		} else {
			return 0;
		}
		out[i] = (char)ch;
	}
	if (label == 0)
		return 0;
	out[len] = '\0';
	return len;
}

/* Matches one DNS pattern from a certificate against a cleaned reference
 * name: exact (case ignored), or "*.rest" where '*' stands for exactly one
 * whole label and rest has at least two labels. */
static bool
cert_dns_pattern_matches(const char *raw_pattern, const char *name)
{
	char pattern[CERT_DNS_MAX + 2];
	size_t plen = cert_clean_dns(raw_pattern, pattern, sizeof(pattern), true);
	const char *star = plen ? strchr(pattern, '*') : NULL;

	if (plen == 0)
		return false;
	if (star == NULL)
		return strcasecmp(pattern, name) == 0;
	if (star != pattern || pattern[1] != '.' || strchr(pattern + 1, '*') != NULL)
		return false;
	const char *rest = pattern + 2;
	if (strchr(rest, '.') == NULL)
		return false;
	const char *dot = strchr(name, '.');
	if (dot == NULL || dot == name)
		return false;
	return strcasecmp(dot + 1, rest) == 0;
}

/* Parses an IPv4 or IPv6 address in text form into bin; returns its length
 * (4 or 16) or 0. */
static size_t
cert_parse_ip(const char *text, unsigned char bin[16])
{
	if (inet_pton(AF_INET, text, bin) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, bin) == 1)
		return 16;
	return 0;
}

/* Matches an address against the IP SANs, comparing binary forms. */
static bool
cert_ip_matches(const struct cert_info *leaf, const char *name, const char **which)
{
	unsigned char want[16], have[16];
	size_t wlen = cert_parse_ip(name, want);

	if (wlen == 0)
		return false;
	for (size_t i = 0; i < leaf->nsan && i < CERT_SAN_MAX; i++) {
		const char *san = leaf->san[i];
		if (san == NULL || strncmp(san, "IP:", 3) != 0)
			continue;
		if (cert_parse_ip(san + 3, have) == wlen && memcmp(have, want, wlen) == 0) {
			*which = san;
			return true;
		}
	}
	return false;
}

/* Extracts the most specific common name from a one-line subject, where
 * attributes are separated by ", " and commas inside values are escaped as
 * "\,". The value keeps its escapes, so an escaped name never matches. */
static bool
cert_subject_cn(const char *subject, char *out, size_t size)
{
	const char *p = subject;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, "CN=", 3) == 0) {
			const char *v = p + 3;
			size_t n = 0;
			while (v[n] != '\0' &&
			       !(v[n] == ',' && (n == 0 || v[n - 1] != '\\')))
				n++;
			if (n == 0 || n >= size)
				return false;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
		p = strstr(p, ", ");
		if (p != NULL)
			p += 2;
	}
	return false;
}

/* Matches one label against a label pattern in which each '*' stands for
 * any run of characters (none included), case ignored: the lax reading of
 * wildcards that TLS libraries still apply. */
static bool
cert_glob_label(const char *pat, size_t plen, const char *name, size_t nlen)
{
	if (plen == 0)
		return nlen == 0;
	if (pat[0] == '*') {
		for (size_t skip = 0; skip <= nlen; skip++) {
			if (cert_glob_label(pat + 1, plen - 1, name + skip, nlen - skip))
				return true;
		}
		return false;
	}
	return nlen > 0 && tolower((unsigned char)pat[0]) == tolower((unsigned char)name[0]) &&
	       cert_glob_label(pat + 1, plen - 1, name + 1, nlen - 1);
}

/* The lax reading of a wildcard pattern: as many labels as the name, each
 * matched by cert_glob_label. */
static bool
cert_lax_pattern_matches(const char *raw_pattern, const char *name)
{
	char pattern[CERT_DNS_MAX + 2];

	if (cert_clean_dns(raw_pattern, pattern, sizeof(pattern), true) == 0 ||
	    strchr(pattern, '*') == NULL)
		return false;
	const char *p = pattern, *n = name;
	for (;;) {
		size_t pl = strcspn(p, "."), nl = strcspn(n, ".");
		if (!cert_glob_label(p, pl, n, nl))
			return false;
		if (p[pl] == '\0' || n[nl] == '\0')
			return p[pl] == '\0' && n[nl] == '\0';
		p += pl + 1;
		n += nl + 1;
	}
}

/* The rule by which one DNS SAN value names a cleaned reference name. */
static enum cert_name_rule
cert_dns_rule(const char *san, const char *ref)
{
	if (cert_dns_pattern_matches(san, ref))
		return strchr(san, '*') != NULL ? CERT_NAME_WILDCARD : CERT_NAME_DNS;
	if (cert_lax_pattern_matches(san, ref))
		return CERT_NAME_LAX_WILDCARD;
	return CERT_NAME_NONE;
}

/* The rule for an address: an IP SAN, or (laxly) a DNS SAN spelling it. */
static enum cert_name_rule
cert_ip_rule(const struct cert_info *leaf, const char *name, const char **which)
{
	if (cert_ip_matches(leaf, name, which))
		return CERT_NAME_IP;
	for (size_t i = 0; i < leaf->nsan && i < CERT_SAN_MAX; i++) {
		const char *san = leaf->san[i];
		if (san != NULL && strncmp(san, "DNS:", 4) == 0 &&
		    strcasecmp(san + 4, name) == 0) {
			*which = san;
			return CERT_NAME_IP_IN_DNS;
		}
	}
	return CERT_NAME_NONE;
}

enum cert_name_rule
cert_name_rule(const struct cert_info *leaf, const char *name, bool is_ip,
               const char **which)
{
	char ref[CERT_DNS_MAX + 2];
	unsigned char bin[16];
	enum cert_name_rule best = CERT_NAME_NONE;
	const char *dummy;

	if (which == NULL)
		which = &dummy;
	*which = NULL;
	if (leaf == NULL || name == NULL || name[0] == '\0')
		return CERT_NAME_NONE;
	if (is_ip || cert_parse_ip(name, bin) != 0)
		return cert_ip_rule(leaf, name, which);
	if (cert_clean_dns(name, ref, sizeof(ref), false) == 0)
		return CERT_NAME_NONE;
	for (size_t i = 0; i < leaf->nsan && i < CERT_SAN_MAX; i++) {
		const char *san = leaf->san[i];
		if (san == NULL || strncmp(san, "DNS:", 4) != 0)
			continue;
		enum cert_name_rule r = cert_dns_rule(san + 4, ref);
		if (r != CERT_NAME_NONE && (best == CERT_NAME_NONE || best == CERT_NAME_LAX_WILDCARD)) {
			best = r;
			*which = san;
		}
	}
	char cn[CERT_DNS_MAX + 2];
	if (best == CERT_NAME_NONE && leaf->nsan_total == 0 && leaf->subject != NULL &&
	    cert_subject_cn(leaf->subject, cn, sizeof(cn)) &&
	    cert_dns_rule(cn, ref) != CERT_NAME_NONE)
		return CERT_NAME_CN;
	return best;
}

bool
cert_name_rule_is_legacy(enum cert_name_rule r)
{
	return r == CERT_NAME_CN || r == CERT_NAME_LAX_WILDCARD || r == CERT_NAME_IP_IN_DNS;
}

bool
cert_name_matches(const struct cert_info *leaf, const char *name, bool is_ip)
{
	enum cert_name_rule r = cert_name_rule(leaf, name, is_ip, NULL);
	return r == CERT_NAME_DNS || r == CERT_NAME_WILDCARD || r == CERT_NAME_IP;
}

/* A certificate's text as startle's sentences quote it: escaped. */
static char *
cert_escaped(const char *text)
{
	char *esc = escape_bytes((const unsigned char *)text, strlen(text), ESCAPE_TEXT);
	if (esc == NULL)
		fatal("out of memory");
	return esc;
}

/* Lists the leaf's DNS and IP names: "DNS:a, IP:b and 3 more". */
static void
cert_list_names(const struct cert_info *leaf, char *buf, size_t size)
{
	size_t used = 0, shown = 0, total = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < leaf->nsan && i < CERT_SAN_MAX; i++) {
		const char *san = leaf->san[i];
		if (san == NULL || (strncmp(san, "DNS:", 4) != 0 && strncmp(san, "IP:", 3) != 0))
			continue;
		total++;
		char *esc = cert_escaped(san);
		if (shown < CERT_NOTE_NAMES && used + strlen(esc) + 8 < size) {
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
			                         shown ? ", " : "", esc);
			shown++;
		}
		free(esc);
	}
	total += leaf->nsan_total > leaf->nsan ? leaf->nsan_total - leaf->nsan : 0;
	if (total > shown && used < size)
		snprintf(buf + used, size - used, " and %zu more", total - shown);
}

/* Words for a name the library refused. */
static void
cert_mismatch_note(const struct cert_info *leaf, const char *name, bool is_ip, char *note,
                   size_t size)
{
	char names[160], cn[CERT_DNS_MAX + 2];

	cert_list_names(leaf, names, sizeof(names));
	if (leaf->nsan_total == 0 && leaf->subject != NULL &&
	    cert_subject_cn(leaf->subject, cn, sizeof(cn))) {
		char *esc = cert_escaped(cn);
		snprintf(note, size,
		         "the certificate has no subjectAltName, only the CN %s, which does "
		         "not name %s",
		         esc, name);
		free(esc);
	}
	else if (leaf->nsan_total == 0)
		snprintf(note, size, "the certificate names no host at all");
	else if (is_ip)
		snprintf(note, size,
		         "an address is named only by an IP subjectAltName; the certificate "
		         "lists %s",
		         names[0] ? names : "no DNS or IP name");
	else
		snprintf(note, size,
		         "the certificate names %s; a wildcard stands for exactly one whole "
		         "label",
		         names[0] ? names : "no DNS or IP name");
}

/* The note for one rule (which: the SAN, escaped). */
static void
cert_note_words(enum cert_name_rule r, const struct cert_info *leaf, const char *name,
                bool is_ip, bool library_match, const char *which, char *note, size_t size)
{
	if (!library_match) {
		cert_mismatch_note(leaf, name, is_ip, note, size);
		if (cert_name_matches(leaf, name, is_ip))
			snprintf(note, size,
			         "the TLS library refuses %s, although %s names it by RFC 9525",
			         name, which);
		return;
	}
	switch (r) {
	case CERT_NAME_DNS:
	case CERT_NAME_IP:
		snprintf(note, size, "named by %s", which);
		break;
	case CERT_NAME_WILDCARD:
		snprintf(note, size, "named by the wildcard %s (one whole label)", which);
		break;
	case CERT_NAME_CN:
		snprintf(note, size,
		         "named only by the subject CN: the certificate has no "
		         "subjectAltName, and RFC 9525 no longer lets clients fall back to "
		         "the CN");
		break;
	case CERT_NAME_LAX_WILDCARD:
		snprintf(note, size,
		         "named only by %s, a wildcard RFC 9525 forbids (inside a label, "
		         "beyond the left-most label, or over a single label)",
		         which);
		break;
	case CERT_NAME_IP_IN_DNS:
		snprintf(note, size,
		         "the address is written as a DNS name (%s), not as an IP "
		         "subjectAltName as RFC 9525 requires",
		         which);
		break;
	case CERT_NAME_NONE:
		snprintf(note, size,
		         "the TLS library accepts %s, but no name startle can show "
		         "matches it",
		         name);
		break;
	}
}

void
cert_name_note(const struct cert_info *leaf, const char *name, bool is_ip,
               bool library_match, char *note, size_t size)
{
	const char *raw = NULL;
	enum cert_name_rule r = cert_name_rule(leaf, name, is_ip, &raw);

	if (size == 0)
		return;
	note[0] = '\0';
	if (leaf == NULL || name == NULL || name[0] == '\0')
		return;
	char *which = cert_escaped(raw != NULL ? raw : "the certificate");
	cert_note_words(r, leaf, name, is_ip, library_match, which, note, size);
	free(which);
}
