/*
 * lab internals: the scenario table (what each scenario changes), the lab and
 * client structures, the client's I/O (lines in, replies out, the TLS
 * upgrade, the log) and the three protocol dialogues. Only src/lab/ uses it.
 *
 * A client runs in its own process with a blocking socket whose receive
 * timeout is the lab's inactivity limit. Replies are collected with lab_say*
 * and leave in one write per lab_send, so a reply and what the scenario adds
 * to it reach the client in one segment.
 */
#ifndef STARTLE_LAB_INT_H
#define STARTLE_LAB_INT_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "lab.h"
#include "labcert.h"
#include "proto.h"

#define LAB_USER "demo"
#define LAB_PASS "demo"
#define LAB_HOST LABCERT_HOST
#define LAB_DEFAULT_ADDRESS "127.0.0.1"
#define LAB_IDLE_MS 120000         /* per-client inactivity limit */
#define LAB_SESSION_MS 600000      /* per-client limit on the whole session */
#define LAB_LINE_MAX (1024 * 1024) /* a line longer than this ends the session */
#define LAB_SLOW_MS_DEFAULT 2000
#define LAB_SLOW_STEPS 40 /* trickle interval: slow_ms / 40 (50 ms by default) */
#define LAB_KIDS_MAX 64   /* clients served at once */
#define LAB_SMTP_SIZE 10240000

/* How a scenario answers STARTTLS/STLS. */
enum lab_go {
	LAB_GO_ACCEPT,  /* the go-ahead, then the handshake */
	LAB_GO_UNKNOWN, /* answered as an unknown command (strip) */
	LAB_GO_REFUSE,  /* a refusal: the session stays plaintext */
	LAB_GO_INJECT,  /* the go-ahead plus injected lines, one write */
	LAB_GO_PARTIAL  /* the go-ahead plus a line without its end, one write */
};

/* What the server does when the client starts the handshake. */
enum lab_hs {
	LAB_HS_NORMAL,
	LAB_HS_GARBAGE, /* plaintext garbage instead of a ServerHello */
	LAB_HS_CLOSE    /* read the ClientHello, then close */
};

/* What the server staples to its certificate, when the client asks. */
enum lab_staple {
	LAB_STAPLE_GOOD,    /* a response saying "good" (for the good certificate) */
	LAB_STAPLE_REVOKED, /* a response saying "revoked" */
	LAB_STAPLE_NONE     /* nothing */
};

/* One scenario: what it changes from the honest server (all zero: honest). */
struct lab_behaviour {
	unsigned
	    only_protos;    /* bit 1 << proto_id for each protocol it applies to; 0: all */
	bool explicit_only; /* about the STARTTLS step: meaningless with implicit TLS */
	bool hide_starttls; /* STARTTLS/STLS missing from the plaintext capabilities */
	enum lab_go go;
	enum lab_hs hs;
	bool plain_auth;      /* credentials offered and accepted without TLS */
	bool offer_in_tls;    /* STARTTLS/STLS still listed inside TLS */
	bool extra_in_tls;    /* more capabilities inside TLS than the honest server */
	bool preauth;         /* IMAP greets with PREAUTH */
	bool escape;          /* greeting and replies carry hostile bytes */
	bool slow;            /* stalled greeting, trickled replies */
	bool flood;           /* inside TLS, endless lines after the first command */
	bool tls12;           /* TLS 1.2 at most */
	bool no_close_notify; /* inside TLS, cut a reply and close without close_notify */
	enum labcert_kind cert;
	enum lab_staple staple;
	bool client_cert; /* a client certificate issued by the lab CA is required */
};

const struct lab_behaviour *lab_behaviour(enum lab_scenario s);


struct lab {
	struct lab_config cfg;
	char *listen; /* the address as given, or the default */
	const struct lab_behaviour *b;
	struct labcert *certs;
	struct labcert_pair named; /* the policy host's leaf (cfg.policy) */
	WOLFSSL_CTX *ctx;
	int fd; /* listening socket, -1 once handed to a spawned server */
	unsigned port;
	int fd_implicit; /* cfg.both: the second socket, for implicit TLS; else -1 */
	unsigned port_implicit;
	char address[64]; /* numeric address listened on */
	bool loopback;
	unsigned next_id;
	pid_t kids[LAB_KIDS_MAX];
	size_t nkids;
	int idle_ms;
	int session_ms; /* a client is let go this long after it connected */
	int slow_ms;
	unsigned char *staple_der; /* the OCSP response stapled, or NULL */
	size_t staple_der_len;
};

/* One connection, inside its own process. */
struct lab_client {
	const struct lab *lab;
	const struct lab_behaviour *b;
	enum proto_id proto;
	int fd;
	WOLFSSL *ssl; /* non-NULL once TLS is up */
	unsigned id;
	FILE *log;
	bool gone;         /* the session is over */
	bool broken;       /* the connection failed or was dropped: no orderly close */
	bool tls_caps_cut; /* no-close-notify: the TLS capability reply was cut */
	bool flooded;      /* flood: the stream has run */
	double deadline;   /* end of the session, util_now_ms clock */
	unsigned char *in; /* received, not yet consumed */
	size_t in_len, in_cap, in_off;
	char *out; /* reply being built */
	size_t out_len, out_cap;
};

/* Serves one accepted connection to the end (runs in the child). */
void lab_client_run(const struct lab *lab, int fd, unsigned id, const char *peer);

/* Writes one log line "HH:MM:SS #id text" (text already safe). */
void lab_log(struct lab_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reads the next line (without CRLF or LF). Returns 1 and points *line at it
 * (valid until the next read), or 0 when the session must end: the client
 * left, was idle too long, or sent 1 MiB without a line end (then the
 * protocol's goodbye has been sent and logged). quiet skips the log (message
 * data). */
int lab_read_line(struct lab_client *c, const unsigned char **line, size_t *len,
                  bool quiet);

/* Reads exactly n bytes (an IMAP literal) into a new buffer. Returns it, or
 * NULL when the session must end. */
unsigned char *lab_read_bytes(struct lab_client *c, size_t n);

/* Appends one reply line (CRLF added). */
void lab_say(struct lab_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same, with the escape scenario's hostile bytes added to the human text
 * at the end of the line. */
void lab_say_text(struct lab_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends bytes as they are (literals, message data, injected bytes). */
void lab_put(struct lab_client *c, const void *data, size_t len);

/* Sends what was appended in one write (trickled in the slow scenario) and
 * logs the reply's first line. Returns 0, or -1 when the connection is gone. */
int lab_send(struct lab_client *c);

/* After the go-ahead has been sent: forgets pipelined plaintext, then runs
 * the scenario's handshake. Returns 0 when TLS is up, -1 when the session
 * must end. */
int lab_starttls(struct lab_client *c);

/* True while the session is inside TLS. */
bool lab_in_tls(const struct lab_client *c);

/* A protocol's answers to STARTTLS/STLS; "%s" stands for the IMAP tag. */
struct lab_tls_texts {
	const char *go;      /* the go-ahead */
	const char *refuse;  /* refuse scenario */
	const char *unknown; /* strip scenario: as if the command did not exist */
	const char *inject;  /* go-ahead plus injected lines, CRLFs included */
	const char *partial; /* go-ahead plus a line without its end */
};

/* Answers STARTTLS/STLS the scenario's way and, on a go-ahead, runs the
 * handshake. Returns 1 when TLS is up, 0 when the session stays plaintext,
 * -1 when it must end. */
int lab_answer_starttls(struct lab_client *c, const struct lab_tls_texts *t,
                        const char *tag);

/* When a capability is listed. */
enum lab_when {
	LAB_WHEN_ALWAYS,
	LAB_WHEN_STARTTLS, /* the STARTTLS/STLS offer */
	LAB_WHEN_AUTH, /* login mechanisms: inside TLS, or when plaintext login is allowed
	                */
	LAB_WHEN_NO_AUTH, /* LOGINDISABLED: plaintext, where login is refused */
	LAB_WHEN_EXTRA    /* caps-change: only inside TLS */
};

/* A capability keyword and when it is listed. */
struct lab_cap {
	const char *keyword;
	enum lab_when when;
};

/* True if a capability listed under when is offered now; authed hides the
 * login-related ones (IMAP after login). */
bool lab_cap_shown(const struct lab_client *c, enum lab_when when, bool authed);

/* True if credentials may be accepted now (inside TLS, or a scenario about
 * plaintext login). */
bool lab_auth_allowed(const struct lab_client *c);

/* Ends the connection: close_notify first unless the scenario omits it. */
void lab_end(struct lab_client *c);

/* no-close-notify inside TLS: sends what was appended to the capability
 * reply so far (its first line) and drops the connection without
 * close_notify. Returns true if it did (the caller stops). */
bool lab_cut_tls_caps(struct lab_client *c);

/* Sleeps between trickled bytes or before the slow greeting. */
void lab_sleep_ms(int ms);

/* The escape scenario's hostile bytes. */
const char *lab_escape_payload(size_t *len);

/* Decodes base64 (RFC 4648, padding optional, whitespace refused) into a new
 * NUL-terminated buffer. Returns it and sets *len, or NULL if invalid. */
unsigned char *lab_b64_decode(const unsigned char *in, size_t len, size_t *outlen);

/* True if a SASL PLAIN message (decoded) names the demo account. */
bool lab_plain_ok(const unsigned char *msg, size_t len);

/* True for the demo account's user name and password. */
bool lab_login_ok(const char *user, const char *pass);

/* True if a and the first len bytes of b are equal ignoring ASCII case, and
 * a has exactly len characters. */
bool lab_word_eq(const char *a, const unsigned char *b, size_t len);

/* The demo mailbox: the message count, a message's bytes (CRLF lines) and
 * where its header ends (just after the blank line). i counts from 0. */
size_t lab_mbox_count(void);
const char *lab_mbox_message(size_t i, size_t *len);
size_t lab_mbox_header_len(size_t i);
const char *lab_mbox_date(size_t i); /* IMAP INTERNALDATE */
const char *lab_mbox_uidl(size_t i); /* POP3 unique id */

/* The policy host's side of one connection, inside TLS (cfg.policy). */
void lab_https_serve(struct lab_client *c);

void lab_smtp_serve(struct lab_client *c);
void lab_imap_serve(struct lab_client *c);
void lab_pop3_serve(struct lab_client *c);

#endif
