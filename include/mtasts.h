/*
 * mtasts: the texts of MTA-STS (RFC 8461) and SMTP TLS Reporting (RFC 8460),
 * read as a sending server reads them: the _mta-sts TXT record ("v=STSv1;
 * id=..."), the policy file served at
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt, the mx patterns matched
 * against an MX host name, and the _smtp._tls TXT record ("v=TLSRPTv1;
 * rua=..."). Pure: bytes in, results out, no I/O; every input is the
 * network's (any bytes, any length) and every output is bounded.
 *
 * Strings in the results are the server's bytes, checked against the RFCs'
 * grammar where they are used (mx patterns, ids) but still to be escaped
 * when shown.
 */
#ifndef STARTLE_MTASTS_H
#define STARTLE_MTASTS_H

#include <stdbool.h>
#include <stddef.h>

#define MTASTS_PATH "/.well-known/mta-sts.txt"
#define MTASTS_PORT 443
#define MTASTS_MAX_BODY (64 * 1024) /* RFC 8461 §3.3 suggests 64 KiB */
#define MTASTS_MAX_AGE 31557600UL   /* one year: the most RFC 8461 §3.2 allows */
#define MTASTS_MX_MAX 64            /* patterns kept; more are counted */
#define MTASTS_NAME_MAX 256
#define MTASTS_ID_MAX 33 /* 1 to 32 letters and digits */
#define MTASTS_WHY_MAX 200
#define MTASTS_NOTES_MAX 4
#define MTASTS_RUA_MAX 8

/* Which TXT records of a lookup count (RFC 8461 §3.1, RFC 8460 §3): those
 * that begin with the version tag; exactly one must remain. */
enum mtasts_txt_status {
	MTASTS_TXT_NONE,     /* no record begins with the version tag */
	MTASTS_TXT_OK,       /* exactly one does, and it parses */
	MTASTS_TXT_MANY,     /* more than one: as if there were none */
	MTASTS_TXT_INVALID   /* the one record does not parse */
};

/* The _mta-sts TXT record. */
struct mtasts_txt {
	enum mtasts_txt_status status;
	char id[MTASTS_ID_MAX];
	char why[MTASTS_WHY_MAX]; /* what was wrong, "" when OK */
};

/* Reads the records of a _mta-sts TXT answer, each the joined strings of one
 * record (records[i], lens[i] bytes). */
void mtasts_txt_parse(const char *const *records, const size_t *lens, size_t n,
                      struct mtasts_txt *out);

enum mtasts_mode { MTASTS_MODE_NONE, MTASTS_MODE_TESTING, MTASTS_MODE_ENFORCE };

/* A policy file, parsed. valid false: why says what is wrong, and a sender
 * treats the domain as having no policy (RFC 8461 §5.1). */
struct mtasts_policy {
	bool valid;
	char why[MTASTS_WHY_MAX];
	bool have_mode;
	enum mtasts_mode mode;
	unsigned long max_age; /* seconds, clamped to MTASTS_MAX_AGE */
	char mx[MTASTS_MX_MAX][MTASTS_NAME_MAX];
	size_t nmx;       /* patterns kept */
	size_t nmx_total; /* patterns given */
	size_t lines;     /* lines read */
	bool crlf;        /* some line ended in CRLF */
	/* Things a careful reader should know that do not make the policy
	 * invalid (a repeated key, an unknown key, a clamped max_age). */
	char notes[MTASTS_NOTES_MAX][MTASTS_WHY_MAX];
	size_t nnotes;
};

/* Parses a policy body (any bytes) by RFC 8461 §3.2: lines end in LF or
 * CRLF; version (STSv1), mode and max_age are required, mx too unless mode
 * is none; keys are case-sensitive; unknown keys are ignored; a repeated key
 * other than mx keeps its first value; every mx is a pattern. */
void mtasts_policy_parse(const unsigned char *body, size_t len, struct mtasts_policy *out);

/* True if host (an MX host name, a final dot allowed) matches pattern by
 * RFC 8461 §4.1: equal ignoring case, or the pattern is "*.rest" and host
 * is one label followed by ".rest" -- a wildcard covers exactly one label,
 * the leftmost. */
bool mtasts_mx_matches(const char *pattern, const char *host);

/* The index of the first pattern of the policy that host matches, or -1. */
int mtasts_policy_match(const struct mtasts_policy *p, const char *host);

/* True if a media type is text/plain, parameters allowed
 * ("text/plain; charset=utf-8"), case ignored. */
bool mtasts_is_text_plain(const char *content_type);

const char *mtasts_mode_name(enum mtasts_mode m);
const char *mtasts_txt_status_name(enum mtasts_txt_status s);

/* The _smtp._tls TXT record of TLS Reporting (RFC 8460 §3). */
struct mtasts_tlsrpt {
	enum mtasts_txt_status status;
	char rua[MTASTS_RUA_MAX][MTASTS_NAME_MAX]; /* mailto: and https: URIs */
	size_t nrua;
	char why[MTASTS_WHY_MAX];
};

void mtasts_tlsrpt_parse(const char *const *records, const size_t *lens, size_t n,
                         struct mtasts_tlsrpt *out);

#endif
