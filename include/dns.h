/*
 * dns: lookups with DNSSEC validation through libunbound, never a home-made
 * resolver. A context reads /etc/resolv.conf and the root trust anchor of
 * dns-root-data (/usr/share/dns/root.key), or an unbound.conf-style file
 * (resolver addresses and ports, trust anchors, local-zone settings). Every
 * query is bounded by the context's timeout, however dead the resolver, and
 * every answer carries its DNSSEC status: secure, insecure or bogus. A bogus
 * answer still carries the data the resolver saw; callers must not trust it.
 *
 * Only this module includes unbound.h; one context serves one thread.
 */
#ifndef STARTLE_DNS_H
#define STARTLE_DNS_H

#include <stdbool.h>
#include <stddef.h>

#define DNS_ROOT_KEY "/usr/share/dns/root.key"
#define DNS_NAME_MAX 256

enum dns_type { DNS_A = 1, DNS_MX = 15, DNS_TXT = 16, DNS_AAAA = 28, DNS_TLSA = 52 };
enum dns_status { DNS_SECURE, DNS_INSECURE, DNS_BOGUS };

struct dns_answer {
	char name[DNS_NAME_MAX]; /* the name asked for */
	int type;                /* enum dns_type */
	int rcode;               /* 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ... */
	enum dns_status status;
	char why_bogus[256];  /* the validator's reason, "" unless bogus */
	size_t n;             /* records in the answer */
	unsigned char **data; /* rdata of each, uncompressed wire format */
	size_t *len;
	double ms; /* how long the query took */
};

struct dns;

/* A resolver context: config_file NULL for the system's defaults, else an
 * unbound.conf-style file (it must exist). Each query waits at most
 * timeout_ms. Returns NULL with *cause when the file or the trust anchor
 * cannot be used. */
struct dns *dns_new(const char *config_file, int timeout_ms, char **cause);
void dns_free(struct dns *d);

/* Checks that an unbound.conf-style file can be read, before anything
 * connects. Returns 0, or -1 with *cause. */
int dns_check_config(const char *path, char **cause);

/* Asks for name/type and waits for the answer or the deadline. Returns 0
 * with *a filled (also for NXDOMAIN, SERVFAIL and bogus answers), or -1 with
 * *cause when the resolver gave no answer in time or failed. */
int dns_query(struct dns *d, const char *name, int type, struct dns_answer *a,
              char **cause);
void dns_answer_free(struct dns_answer *a);

/* An MX record: preference and exchange (a name without the final dot). */
struct dns_mx {
	unsigned pref;
	char host[DNS_NAME_MAX];
};

/* The MX records of an answer sorted by preference (stable), at most max.
 * A single "0 ." is the null MX of RFC 7505: it is returned as is (host ""). */
size_t dns_mx_list(const struct dns_answer *a, struct dns_mx *out, size_t max);

/* The strings of TXT record i joined, as RFC 8461 and 8460 read them (the
 * bytes are the server's: escape them when shown). Returns the length, or
 * -1 when the record is malformed. At most size - 1 bytes are copied, and
 * buf is NUL-terminated; a longer record returns its full length. */
long dns_txt(const struct dns_answer *a, size_t i, char *buf, size_t size);

/* Record i of a TXT answer in presentation form: each string in double
 * quotes, '"' and '\\' escaped with a backslash, bytes outside printable
 * ASCII as \DDD (RFC 1035 §5.1), so the text is safe to show as is.
 * Newly allocated. */
char *dns_txt_presentation(const struct dns_answer *a, size_t i);

/* Record i of an A or AAAA answer as text. Returns 0, or -1. */
int dns_address(const struct dns_answer *a, size_t i, char *buf, size_t size);

const char *dns_status_name(enum dns_status s);
const char *dns_type_name(int type);
const char *dns_rcode_name(int rcode);

#endif
