/*
 * mx internals shared by mx.c (MX hosts, TLSA, DANE, the check's life),
 * mx_sts.c (MTA-STS and TLS-RPT) and mx_reason.c (the reasoning in words).
 */
#ifndef STARTLE_MX_INT_H
#define STARTLE_MX_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "dane.h"
#include "dns.h"
#include "mtasts.h"
#include "mx.h"
#include "transcript.h"

#define MX_TXT_MAX 512
#define MX_WHY_MAX 400

/* What the domain's MTA-STS amounts to, before any connection. */
enum mx_sts_state {
	MX_STS_ABSENT,  /* no _mta-sts record: no policy */
	MX_STS_FAILED,  /* the lookup failed or was bogus: unknown */
	MX_STS_INVALID, /* a record, but no usable policy */
	MX_STS_NONE,    /* a valid policy in mode none */
	MX_STS_TESTING,
	MX_STS_ENFORCE
};

struct mx_sts {
	enum mx_sts_state state;
	char txt[MX_TXT_MAX];        /* the record as shown (presentation form) */
	struct mtasts_txt record;
	char host[DNS_NAME_MAX + 8]; /* mta-sts.DOMAIN */
	char url[DNS_NAME_MAX + 80];
	bool fetched;                /* an HTTP response came */
	int http_status;
	char content_type[128];      /* escaped */
	size_t bytes;
	double ms;
	char tls[340];               /* the fetch's TLS in words */
	char why[MX_WHY_MAX];        /* why it is invalid or failed */
	struct mtasts_policy policy; /* when fetched with 200 and text/plain */
	bool have_policy;
	int match; /* the pattern the chosen host matches, or -1 */
};

enum mx_rpt_state { MX_RPT_ABSENT, MX_RPT_FAILED, MX_RPT_INVALID, MX_RPT_PRESENT };

struct mx_rpt {
	enum mx_rpt_state state;
	char txt[MX_TXT_MAX];
	struct mtasts_tlsrpt record;
	char why[MX_WHY_MAX];
};

/* The verdicts made for one connection. */
struct mx_judged {
	bool done;
	bool tls;       /* the handshake finished */
	bool verified;  /* the chain verified (PKIX) */
	bool name_ok;   /* the leaf names the MX host */
	char tls_why[320];
	struct dane_result dane;
	bool dane_noted; /* the DANE verdict was only a note (no finding) */
	enum { MX_STS_NA, MX_STS_PASS, MX_STS_FAIL } sts;
};

struct mx_check {
	struct mx_options o;
	struct dns *dns;
	char domain[DNS_NAME_MAX];
	enum dns_status mx_status;
	bool implicit; /* no MX records: the domain itself */
	struct mx_host hosts[MX_HOSTS_MAX];
	size_t n;
	const struct mx_host *chosen;
	unsigned port;
	struct dns_answer tlsa;
	bool have_tlsa;
	enum dane_dns tlsa_dns;
	struct mx_sts sts;
	struct mx_rpt rpt;
	size_t since; /* the first event of the current connection */
	struct mx_judged j;
};

/* Appends a local event of a kind with a text (and a finding id). */
void mx_emit(struct transcript *t, enum event_kind kind, enum finding_id f,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Asks the resolver and writes the answer as a dns event (a bogus one also
 * as a finding). Returns 0, or -1 after an error event. */
int mx_ask(struct mx_check *m, struct transcript *t, const char *name, int type,
           struct dns_answer *a);

/* mx_sts.c: the _mta-sts record, the policy and the _smtp._tls record of
 * the domain (events and findings to t); whether the chosen host matches;
 * the MTA-STS verdict of a connection (m->j filled by mx.c first). */
void mx_sts_lookup(struct mx_check *m, struct transcript *t);
void mx_rpt_lookup(struct mx_check *m, struct transcript *t);
void mx_sts_match(struct mx_check *m, struct transcript *t);
void mx_sts_judge(struct mx_check *m, struct transcript *t);

/* mx_reason.c: the verdict an MTA-STS sender reaches, in a sentence. */
void mx_sts_verdict_words(const struct mx_check *m, char *buf, size_t size);

#endif
