/*
 * lab: startle's own mail server for teaching: SMTP, IMAP and POP3 with
 * explicit or implicit TLS, an honest mode and scenarios that break or attack
 * the protocol on purpose. It listens on loopback unless told otherwise, serves
 * several clients at once (one process each) and keeps a small demo mailbox.
 *
 * The demo account is user "demo", password "demo".
 */
#ifndef STARTLE_LAB_H
#define STARTLE_LAB_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "labcert.h"
#include "proto.h"

/* Each scenario: id, name, and the one-line lesson it teaches. */
#define LAB_SCENARIOS(X)                                                                   \
	X(HONEST, "honest",                                                                \
	  "a correct server: STARTTLS offered, upgrade works, certificate verifies")       \
	X(STRIP, "strip",                                                                  \
	  "STARTTLS removed from the capabilities: stripping, as a man in the middle "     \
	  "would")                                                                         \
	X(REFUSE, "refuse",                                                                \
	  "STARTTLS offered but refused (454 / NO / -ERR): the session stays plaintext")   \
	X(INJECT, "inject",                                                                \
	  "extra lines injected after the go-ahead, in the same segment: response "        \
	  "injection")                                                                     \
	X(PARTIAL, "partial",                                                              \
	  "a partial line after the go-ahead: injection without a line end")               \
	X(PREAUTH, "preauth", "IMAP PREAUTH on plaintext: STARTTLS becomes impossible")    \
	X(STILL_OFFERED, "still-offered", "STARTTLS still advertised after TLS")           \
	X(CAPS_CHANGE, "caps-change",                                                      \
	  "AUTH only offered after TLS: capabilities change across the upgrade")           \
	X(ESCAPE, "escape",                                                                \
	  "replies with terminal escape sequences, NUL, CR and invalid UTF-8")             \
	X(SLOW, "slow", "a stalled greeting, then bytes trickled slowly")                  \
	X(FLOOD, "flood",                                                                  \
	  "inside TLS, the first command is answered with lines that never end")          \
	X(GARBAGE_HANDSHAKE, "garbage-handshake",                                          \
	  "plaintext garbage instead of a ServerHello")                                    \
	X(CLOSE_MID_HANDSHAKE, "close-mid-handshake",                                      \
	  "the connection closes in the middle of the handshake")                          \
	X(NO_CLOSE_NOTIFY, "no-close-notify",                                              \
	  "the server ends the TLS session without close_notify")                          \
	X(TLS12_ONLY, "tls12-only", "the server speaks TLS 1.2 at most")                   \
	X(EXPIRED, "expired", "an expired certificate")                                    \
	X(WRONG_HOST, "wrong-host", "a certificate for another host name")                 \
	X(SELF_SIGNED, "self-signed", "a self-signed certificate")                          \
	X(OCSP_REVOKED, "ocsp-revoked",                                                    \
	  "the server staples an OCSP response saying its certificate is revoked")         \
	X(MUST_STAPLE, "must-staple",                                                      \
	  "a certificate that demands a stapled OCSP response (Must-Staple), and no "      \
	  "staple")                                                                        \
	X(CLIENT_CERT, "client-cert",                                                      \
	  "mutual TLS: the server requires a client certificate issued by the lab CA")

enum lab_scenario {
#define LAB_SCENARIO_ENUM(sym, name, lesson) LAB_##sym,
	LAB_SCENARIOS(LAB_SCENARIO_ENUM)
#undef LAB_SCENARIO_ENUM
	    LAB_SCENARIO_COUNT
};

/* startle-lab mta-sts: what the policy host answers to GET
 * /.well-known/mta-sts.txt (any other path gets 404). */
#define LAB_POLICY_ANSWERS(X)                                                              \
	X(POLICY, "policy", "200, text/plain: the policy, as RFC 8461 wants it")           \
	X(CHUNKED, "chunked", "200, text/plain: the policy in chunked encoding")           \
	X(REDIRECT, "redirect", "301 to another URL: senders must not follow it")          \
	X(NOT_FOUND, "not-found", "404: the record promises a policy that is not there")   \
	X(WRONG_TYPE, "wrong-type", "200, text/html: the policy with the wrong media type") \
	X(OVERSIZE, "oversize", "200, text/plain: the policy padded past 64 KiB")          \
	X(STALL, "stall", "the request is read and never answered")

enum lab_policy_answer {
#define LAB_POLICY_ENUM(sym, name, text) LAB_POLICY_##sym,
	LAB_POLICY_ANSWERS(LAB_POLICY_ENUM)
#undef LAB_POLICY_ENUM
	    LAB_POLICY_COUNT
};

/* The policy host: HTTPS on the lab's port, a certificate from the lab's CA
 * for the host names given, the policy answered the answer's way. */
struct lab_policy {
	const char *body; /* the policy file */
	size_t len;
	enum lab_policy_answer answer;
	const char *const *hosts; /* names on the certificate (1 to 8) */
	size_t nhosts;
};

const char *lab_policy_answer_name(enum lab_policy_answer a);
const char *lab_policy_answer_text(enum lab_policy_answer a);
int lab_policy_answer_from_name(const char *name); /* -1 if unknown */

const char *lab_scenario_name(enum lab_scenario s);
const char *lab_scenario_lesson(enum lab_scenario s);
int lab_scenario_from_name(const char *name); /* -1 if unknown */

struct lab_config {
	enum proto_id proto;
	bool implicit;      /* TLS first (smtps/imaps/pop3s style) */
	const char *listen; /* address; NULL: 127.0.0.1 */
	unsigned port;      /* 0: an ephemeral port */
	enum lab_scenario scenario;
	FILE *log;   /* one line per connection and command, or NULL */
	int slow_ms; /* delay unit for the slow scenario; 0: 2000 */
	/* Also listen on a second port (port_implicit, 0: ephemeral) for implicit
	 * TLS, with the same certificates: both modes at once, for --compare.
	 * The scenario applies to both; what it does to the STARTTLS step only
	 * shows on the explicit port. */
	bool both;
	unsigned port_implicit;
	/* How long one client may stay in all, however busy (a client that
	 * trickles a byte at a time must not keep a slot forever); 0: 10 minutes. */
	int session_ms;
	/* Serve an MTA-STS policy over HTTPS instead of mail (TLS first; proto
	 * and scenario are not used); NULL: mail. */
	const struct lab_policy *policy;
};

struct lab;

/* Checks that the scenario fits the protocol and TLS mode of cfg (a usage
 * matter, before anything starts). Returns 0, or -1 with *cause (a sentence
 * saying what to change). */
int lab_check_config(const struct lab_config *cfg, char **cause);

/* Makes the certificates and binds the listening socket (refusing a
 * non-loopback address unless cfg->listen names it explicitly, which is then
 * announced on the log). Returns NULL with *cause. */
struct lab *lab_new(const struct lab_config *cfg, char **cause);
void lab_free(struct lab *lab);

unsigned lab_port(const struct lab *lab);
/* With cfg.both: the implicit TLS port; else 0. */
unsigned lab_port_implicit(const struct lab *lab);
const struct labcert *lab_certs(const struct lab *lab);

/* Writes a client certificate issued by this lab's CA (mutual TLS, the
 * client-cert scenario) and its key into the existing directory dir, as
 * dir/client.pem and dir/client.key, both private (0600). The CA lives as
 * long as the lab, so the certificate is good for this lab only. Returns 0
 * with the two paths (caller frees), or -1 with *cause. */
int lab_write_client_cert(struct lab *lab, const char *dir, char **cert_path,
                          char **key_path, char **cause);

/* Serves clients until *stop becomes non-zero (or forever when stop is NULL):
 * each client in its own child process. */
void lab_serve(struct lab *lab, volatile const sig_atomic_t *stop);

/* Forks a child process that serves (the parent keeps nothing of the lab
 * but the port and CA file). The child dies with the parent. Returns the pid
 * or -1 with *cause. */
pid_t lab_spawn(struct lab *lab, char **cause);

#endif
