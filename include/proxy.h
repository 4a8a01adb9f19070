/*
 * proxy: a man in the middle for teaching, between any client and a real mail
 * server. During the plaintext phase it reads both directions line by line
 * and may rewrite them (strip STARTTLS from the capabilities, refuse the
 * upgrade, inject lines after the go-ahead); once TLS starts it relays the
 * bytes untouched, because it cannot read them — which is the lesson.
 */
#ifndef STARTLE_PROXY_H
#define STARTLE_PROXY_H

#include <stdio.h>

#include "proto.h"

#define PROXY_ATTACKS(X)                                                                   \
	X(PASS, "pass", "relay everything unchanged (a passive eavesdropper)")             \
	X(STRIP, "strip", "remove STARTTLS/STLS from the capabilities")                    \
	X(REFUSE, "refuse",                                                                \
	  "answer STARTTLS itself with a refusal; the server never sees it")               \
	X(INJECT, "inject", "append a forged reply after the server's go-ahead")           \
	X(BLANK, "blank",                                                                  \
	  "overwrite the STARTTLS command with X's, as some firewalls do; the server "     \
	  "answers an unknown command")

enum proxy_attack {
#define PROXY_ATTACK_ENUM(sym, name, text) PROXY_##sym,
	PROXY_ATTACKS(PROXY_ATTACK_ENUM)
#undef PROXY_ATTACK_ENUM
	    PROXY_ATTACK_COUNT
};

const char *proxy_attack_name(enum proxy_attack a);
const char *proxy_attack_text(enum proxy_attack a);
int proxy_attack_from_name(const char *name);

struct proxy_config {
	enum proto_id proto;
	const char *listen_host; /* default 127.0.0.1 */
	unsigned listen_port;
	const char *upstream_host;
	unsigned upstream_port;
	enum proxy_attack attack;
	FILE *log; /* what the proxy saw and did, line by line */
	/* Clients relayed at once (each is a process); more are turned away.
	 * 0: PROXY_CLIENTS_MAX. */
	unsigned max_clients;
};

#define PROXY_CLIENTS_MAX 32

/* Listens and relays clients (each in its own process) until stopped by a
 * signal. Returns 0, or -1 with *cause when it cannot start. */
int proxy_run(const struct proxy_config *cfg, char **cause);

#endif
