/*
 * libFuzzer target for what an MTA-STS check reads from the network: the
 * first byte picks the _mta-sts or _smtp._tls TXT records, the policy file,
 * an mx pattern against a host, or an HTTP response; the rest is the input.
 * Checked beyond "no crash": a valid policy has its required fields and its
 * patterns match the names they stand for; a pattern never matches a name
 * with more labels than itself; an HTTP response fed whole and fed in two
 * pieces reads the same, and a body is never longer than the limit.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mtasts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits the input at NUL bytes into at most 8 records. */
static size_t
fuzz_records(const uint8_t *d, size_t n, const char **recs, size_t *lens)
{
	size_t k = 0, start = 0;

	for (size_t i = 0; i <= n && k < 8; i++) {
		if (i == n || d[i] == 0) {
			recs[k] = (const char *)d + start;
			lens[k++] = i - start;
			start = i + 1;
		}
	}
	return k;
}

static void
fuzz_txt(const uint8_t *d, size_t n)
{
	const char *recs[8];
	size_t lens[8], k = fuzz_records(d, n, recs, lens);
	struct mtasts_txt t;
	struct mtasts_tlsrpt r;

	mtasts_txt_parse(recs, lens, k, &t);
	if (t.status == MTASTS_TXT_OK && (t.id[0] == '\0' || strlen(t.id) > 32))
		abort();
	mtasts_tlsrpt_parse(recs, lens, k, &r);
	if ((r.status == MTASTS_TXT_OK) != (r.nrua > 0) || r.nrua > MTASTS_RUA_MAX)
		abort();
}

static void
fuzz_policy(const uint8_t *d, size_t n)
{
	struct mtasts_policy p;

	mtasts_policy_parse(d, n, &p);
	if (p.nmx > MTASTS_MX_MAX || p.nnotes > MTASTS_NOTES_MAX || p.max_age > MTASTS_MAX_AGE)
		abort();
	if (!p.valid)
		return;
	if (!p.have_mode || (p.mode != MTASTS_MODE_NONE && p.nmx_total == 0))
		abort();
	for (size_t i = 0; i < p.nmx; i++) {
		char host[MTASTS_NAME_MAX + 4];
		const char *pat = p.mx[i];
		if (pat[0] == '*')
			snprintf(host, sizeof host, "mx%s", pat + 1);
		else
			snprintf(host, sizeof host, "%s", pat);
		if (strlen(host) < MTASTS_NAME_MAX && !mtasts_mx_matches(pat, host))
			abort();
	}
}

static size_t
fuzz_labels(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == '.';
	return n;
}

static void
fuzz_match(const uint8_t *d, size_t n)
{
	const uint8_t *nul = memchr(d, 0, n);
	if (nul == NULL)
		return;
	char *pat = strndup((const char *)d, (size_t)(nul - d));
	char *host = strndup((const char *)nul + 1, n - (size_t)(nul - d) - 1);
	bool match = mtasts_mx_matches(pat, host);
	size_t hl = strlen(host);
	if (hl > 0 && host[hl - 1] == '.') /* the matcher reads "a.b." as "a.b" */
		host[hl - 1] = '\0';
	if (match && fuzz_labels(host) != fuzz_labels(pat))
		abort();
	free(pat);
	free(host);
}

static void
fuzz_http(const uint8_t *d, size_t n)
{
	struct http_parser a, b;
	size_t max = 512, cut = n ? d[0] % (n + 1) : 0;

	http_parser_init(&a, max);
	http_parser_init(&b, max);
	enum http_result ra = http_feed(&a, d, n, false);
	if (ra == HTTP_MORE)
		ra = http_feed(&a, d, n, true);
	enum http_result rb = http_feed(&b, d, cut, false);
	if (rb == HTTP_MORE)
		rb = http_feed(&b, d, n, false);
	if (rb == HTTP_MORE)
		rb = http_feed(&b, d, n, true);
	if (ra != rb || a.r.body_len > max ||
	    (ra == HTTP_DONE && (a.r.body_len != b.r.body_len || a.r.oversize != b.r.oversize ||
	                         (a.r.body && memcmp(a.r.body, b.r.body, a.r.body_len)))))
		abort();
	http_parser_free(&a);
	http_parser_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const targets[])(const uint8_t *, size_t) = {
	    fuzz_txt, fuzz_policy, fuzz_match, fuzz_http};

	if (size == 0)
		return 0;
	targets[data[0] % (sizeof targets / sizeof targets[0])](data + 1, size - 1);
	return 0;
}
