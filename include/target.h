/*
 * target: parses TARGET = [SCHEME://]HOST[:PORT] into a protocol, a TLS mode,
 * a host and a port, following the table in docs/startle.1.
 */
#ifndef STARTLE_TARGET_H
#define STARTLE_TARGET_H

#include <stdbool.h>

#include "proto.h"

enum tls_mode {
	TLS_MODE_EXPLICIT, /* plaintext first, STARTTLS/STLS on demand */
	TLS_MODE_IMPLICIT  /* handshake right after connect */
};

struct target {
	enum proto_id proto;
	enum tls_mode mode;
	char host[256]; /* without brackets for IPv6 literals */
	unsigned port;
	bool host_is_ip; /* IPv4 or IPv6 literal: no SNI, IP SAN matching */
	char scheme[16]; /* the scheme in effect, e.g. "submission" */
};

/* Parses text into *t. proto_override (< 0: none) and implicit_override (< 0:
 * none, 0 explicit, 1 implicit) come from --proto and --implicit. Returns 0,
 * or -1 with *cause set to a sentence saying what is wrong (caller frees). */
int target_parse(const char *text, int proto_override, int implicit_override,
                 struct target *t, char **cause);

/* --compare HOST: the explicit and the implicit target of the protocol
 * (< 0: SMTP) on HOST's standard ports: submission 587 and smtps 465, imap
 * 143 and imaps 993, pop3 110 and pop3s 995. HOST names no scheme and no
 * port. Returns 0, or -1 with *cause. */
int target_parse_pair(const char *text, int proto, struct target *a, struct target *b,
                      char **cause);

/* Writes "scheme://host:port" (brackets around IPv6) into buf. */
void target_format(const struct target *t, char *buf, unsigned size);

const char *tls_mode_name(enum tls_mode mode);

#endif
