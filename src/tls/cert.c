/*
 * cert: the plain-data certificate model and the checks that need nothing but
 * that model (name matching, weak keys and signatures, time formatting).
 */
#include "cert.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A DNS name is at most this long (without a trailing dot). */
#define CERT_DNS_MAX 253

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
cert_ip_matches(const struct cert_info *leaf, const char *name)
{
	unsigned char want[16], have[16];
	size_t wlen = cert_parse_ip(name, want);

	if (wlen == 0)
		return false;
	for (size_t i = 0; i < leaf->nsan && i < CERT_SAN_MAX; i++) {
		const char *san = leaf->san[i];
		if (san == NULL || strncmp(san, "IP:", 3) != 0)
			continue;
		if (cert_parse_ip(san + 3, have) == wlen && memcmp(have, want, wlen) == 0)
			return true;
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

bool
cert_name_matches(const struct cert_info *leaf, const char *name, bool is_ip)
{
	char ref[CERT_DNS_MAX + 2];
	bool has_dns = false;

	if (leaf == NULL || name == NULL || name[0] == '\0')
		return false;
	unsigned char bin[16];
	if (is_ip || cert_parse_ip(name, bin) != 0)
		return cert_ip_matches(leaf, name);
	if (cert_clean_dns(name, ref, sizeof(ref), false) == 0)
		return false;
	for (size_t i = 0; i < leaf->nsan && i < CERT_SAN_MAX; i++) {
		const char *san = leaf->san[i];
		if (san == NULL || strncmp(san, "DNS:", 4) != 0)
			continue;
		has_dns = true;
		if (cert_dns_pattern_matches(san + 4, ref))
			return true;
	}
	if (has_dns || leaf->subject == NULL)
		return false;

	char cn[CERT_DNS_MAX + 2];
	return cert_subject_cn(leaf->subject, cn, sizeof(cn)) &&
	       cert_dns_pattern_matches(cn, ref);
}
