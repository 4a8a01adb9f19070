/*
 * session internals shared by the state machine (session.c) and the TLS
 * upgrade (session_tls.c). Nothing outside src/core includes this.
 */
#ifndef STARTLE_SESSION_INT_H
#define STARTLE_SESSION_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "caps.h"
#include "conn.h"
#include "finding.h"
#include "proto.h"
#include "session.h"

/* Longest line the session sends. */
#define SESSION_LINE_MAX 8192

enum action_kind { ACT_LINE, ACT_CAPA, ACT_DANCE, ACT_QUIT };

struct action {
	enum action_kind kind;
	char *line;
	bool consented; /* the user agreed to send it whatever it exposes */
};

/* Steps of the STARTTLS dance; each runs when the previous reply is complete. */
enum dance_step { DANCE_CAPA, DANCE_STARTTLS, DANCE_AFTER_STARTTLS, DANCE_DONE };

struct session {
	struct session_params p;
	struct transcript *t;
	const struct proto_info *pi;
	struct framer *fr;        /* frames replies and owns the outstanding commands */
	enum session_state state; /* changed only by session_set_state */
	enum phase phase;
	enum session_failure failure;
	int fd;
	struct tls_conn *tls;
	struct tls_ticket *ticket; /* left by the TLS that ended, to resume */
	struct conn_attempt *attempt;
	bool tls_want_write;
	char servername[256];
	bool servername_is_ip;
	double deadline;
	const char *deadline_what;

	struct action *queue;
	size_t qhead, qlen, qcap;
	enum dance_step dance;

	struct capset building, caps[2]; /* caps[0] plaintext, caps[1] inside TLS */
	bool quit_sent;
	bool quit_answered;  /* the reply to the quit command arrived */
	bool verdict_failed; /* the certificate failed verification (chain or name) */
	char verdict_words[320];
	char upgrade_failed[120]; /* why a requested upgrade failed, "" if none */
	bool once[FINDING_COUNT][3];
	unsigned violations;
	size_t plain_bytes;
};

/* Appends an event in the current phase. */
void session_emit(struct session *s, enum dir dir, enum event_kind kind, const void *text,
                  size_t len, const char *explain);
void session_emitf(struct session *s, enum event_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a finding; with once, only the first of its kind in this phase. */
void session_finding(struct session *s, enum finding_id f, bool once, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records the error, remembers the first failure and closes. */
void session_fail(struct session *s, enum session_failure f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A policy (--require-tls, --verify) failed: close without sending more. */
void session_policy_fail(struct session *s, const char *why);

/* The one place the state changes: the transition goes to the observer. */
void session_set_state(struct session *s, enum session_state to);

/* Waits at most the session's timeout from now for what. */
void session_set_deadline(struct session *s, const char *what);

/* READY or WAITING, from what the framer still expects. */
void session_update_state(struct session *s);

/* Runs queued actions while the session is ready for the next one. */
void session_pump(struct session *s);

/* Credentials and consent (session_auth.c). */

/* True if the client line (as sent, IMAP tag included) is a credential line
 * when sent now. */
bool session_sent_is_secret(const struct session *s, const unsigned char *line, size_t len);

/* Checks a credential line against the verdict: returns 0 to send it, or -1
 * after holding it back (finding, FAIL_POLICY, the queue dropped). */
int session_check_credential(struct session *s, bool consented);

/* Queues a line, consented or not (session_queue_line). */
int session_queue_line_flags(struct session *s, const char *line, bool consented,
                             char **cause);

/* A requested upgrade did not happen: nothing more is sent but a queued
 * quit command. With other work queued (or under --require-tls) the session
 * fails at once (FAIL_POLICY); otherwise the next line, capability or dance
 * queued fails it (session_refuse_after_failed_upgrade). */
void session_upgrade_failed(struct session *s, const char *why);

/* Refuses work queued after a failed upgrade: FAIL_POLICY, closed, *cause. */
int session_refuse_after_failed_upgrade(struct session *s, char **cause);

/* The TLS upgrade (session_tls.c). */

/* Starts the handshake on the session's socket (go-ahead, or implicit TLS). */
void session_tls_start(struct session *s);

/* Advances the handshake when the socket is ready. */
void session_tls_step(struct session *s);

/* Discards what arrived after the go-ahead and before TLS, and reports it. */
void session_discard_injected(struct session *s);

/* Ends the session's TLS (close_notify, best effort) and keeps the session it
 * leaves to be resumed (session_take_ticket). */
void session_tls_end(struct session *s);

#endif
