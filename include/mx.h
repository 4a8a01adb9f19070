/*
 * mx: a mail domain checked as a sending server would (--mx). Before the
 * session: the domain's MX hosts (with the implicit MX rule of RFC 5321
 * §5.1), the addresses of each and the TLSA records of the chosen one, the
 * domain's MTA-STS record and policy (RFC 8461, fetched over HTTPS with
 * startle's own TLS and verifier) and its TLS-RPT record (RFC 8460); every
 * DNS answer a "dns" event with its DNSSEC status (a bogus answer is a
 * finding and is never used), every policy a "policy" event. After the
 * session (or its handshake): the DANE verdict for the chain the server
 * presented (RFC 7672), the TLSA records to publish for it, the MTA-STS
 * verdict for the MX host and the certificate, and the chain of reasoning
 * in words -- the same lines for every front (mx_check_reasoning).
 */
#ifndef STARTLE_MX_H
#define STARTLE_MX_H

#include <stdbool.h>

#include "dane.h"
#include "dns.h"
#include "session.h"
#include "transcript.h"

#define MX_HOSTS_MAX 16
#define MX_ADDRS_MAX 8

struct mx_options {
	const char *dns_config; /* --dns-config FILE, or NULL for the system */
	unsigned host;          /* --mx-host N: 1 the first (0 means 1) */
	bool require_dane;      /* --require-dane */
	bool require_mta_sts;   /* --require-mta-sts */
	unsigned mta_sts_port;  /* --mta-sts-port: 443 (RFC 8461) unless a test
	                         * moves it; 0 means 443 */
	const char *cafile;     /* --cafile: trusted for the policy fetch too */
	int timeout_ms;         /* each DNS query */
	int fetch_timeout_ms;   /* the policy fetch, connect to last byte */
};

struct mx_host {
	unsigned pref;
	char name[DNS_NAME_MAX];
	char addrs[MX_ADDRS_MAX][64];
	size_t naddrs;
	enum dns_status addr_status; /* bogus if an address answer was bogus */
};

struct mx_check;

/* Looks up the MX hosts of p->target.host, the TLSA records of the chosen
 * one, the MTA-STS record and policy and the TLS-RPT record, writing dns
 * and policy events and findings to t, then points *p at the chosen host's
 * first address with the MX host's name as the TLS server name (unless
 * --servername gave one). Returns the check, or NULL after an error event,
 * with *exit_code 3 (nothing to connect to) or 2 (an unusable
 * --dns-config). */
struct mx_check *mx_check_begin(const struct mx_options *o, struct session_params *p,
                                struct transcript *t, int *exit_code);

/* Chooses MX host n (1 the first) for the next connection: its TLSA
 * records and whether the MTA-STS policy allows it (events to t), and *p
 * pointed at it as mx_check_begin does. Returns 0, or -1 with *cause (no
 * such host, no usable address); the choice is then unchanged. */
int mx_check_choose(struct mx_check *m, unsigned n, struct session_params *p,
                    struct transcript *t, char **cause);

/* A new connection to the same host starts at event t's count: the
 * verdicts are made again for it. */
void mx_check_rearm(struct mx_check *m, const struct transcript *t);

/* The verdicts for the connection since mx_check_begin (or _choose,
 * _rearm), from the chain and the TLS verdict in t: DANE (a finding and the
 * records to publish), MTA-STS (a finding), and the reasoning as notes.
 * Once per connection; call it after the handshake or when the session
 * ended without one. */
void mx_check_judge(struct mx_check *m, struct transcript *t);
bool mx_check_judged(const struct mx_check *m);

/* After the session: judges if not yet done, then returns rc, or 1 when rc
 * is 0 and --require-dane (DANE did not authenticate the server) or
 * --require-mta-sts (no enforced MTA-STS policy accepted it) fails, after
 * an error event. */
int mx_check_end(struct mx_check *m, struct transcript *t, int rc);

void mx_check_free(struct mx_check *m);

/* The hosts found, and the index of the one chosen (for fronts and tests). */
size_t mx_check_hosts(const struct mx_check *m, const struct mx_host **hosts);
size_t mx_check_chosen(const struct mx_check *m);
const char *mx_check_domain(const struct mx_check *m);

/* The chain of reasoning, a line at a time, in sections. */
#define MX_SECTIONS(X)                                                                     \
	X(MX, "MX")                                                                        \
	X(DANE, "DANE")                                                                    \
	X(MTA_STS, "MTA-STS")                                                              \
	X(TLS_RPT, "TLS-RPT")                                                              \
	X(SENDER, "sender")

enum mx_section {
#define MX_SECTION_ENUM(sym, name) MX_SEC_##sym,
	MX_SECTIONS(MX_SECTION_ENUM)
#undef MX_SECTION_ENUM
	    MX_SEC_COUNT
};

/* How a line reads: a fact, a good sign, a caution, a failure. */
enum mx_tone { MX_TONE_PLAIN, MX_TONE_GOOD, MX_TONE_WARN, MX_TONE_BAD };

#define MX_REASON_MAX 480
#define MX_REASONS_MAX 96

struct mx_reason {
	enum mx_section section;
	enum mx_tone tone;
	char text[MX_REASON_MAX]; /* startle's words; server text in it escaped */
};

/* Fills out with the reasoning as it stands (before the verdicts: what is
 * known so far, and that the verdicts follow the handshake). Returns the
 * number of lines (at most max). Batch writes them as notes when it
 * judges; the explorer's DNS tab draws them. */
size_t mx_check_reasoning(const struct mx_check *m, struct mx_reason *out, size_t max);

const char *mx_section_name(enum mx_section s);

#endif
