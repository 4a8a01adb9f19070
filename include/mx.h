/*
 * mx: a mail domain checked as a sending server would (--mx). Before the
 * session: the domain's MX hosts (with the implicit MX rule of RFC 5321
 * §5.1), the addresses of each and the TLSA records of the chosen one, every
 * answer a "dns" event with its DNSSEC status; a bogus answer is a finding
 * and is never used. After the session: the DANE verdict for the chain the
 * server presented (RFC 7672) and the TLSA records to publish for it.
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
	int timeout_ms;         /* each DNS query */
};

struct mx_host {
	unsigned pref;
	char name[DNS_NAME_MAX];
	char addrs[MX_ADDRS_MAX][64];
	size_t naddrs;
	enum dns_status addr_status; /* bogus if an address answer was bogus */
};

struct mx_check;

/* Looks up the MX hosts of p->target.host and the TLSA records of the
 * chosen one, writing dns events and findings to t, then points *p at the
 * chosen host's first address with the MX host's name as the TLS server
 * name (unless --servername gave one). Returns the check, or NULL after an
 * error event, with *exit_code 3 (nothing to connect to) or 2 (an unusable
 * --dns-config). */
struct mx_check *mx_check_begin(const struct mx_options *o, struct session_params *p,
                                struct transcript *t, int *exit_code);

/* After the session: the DANE verdict (a finding) and the records to
 * publish, from the chain in t. Returns rc, or 1 under --require-dane when
 * rc is 0 and DANE did not authenticate the server. */
int mx_check_end(struct mx_check *m, struct transcript *t, int rc);

void mx_check_free(struct mx_check *m);

/* The hosts found (for fronts and tests). */
size_t mx_check_hosts(const struct mx_check *m, const struct mx_host **hosts);

#endif
