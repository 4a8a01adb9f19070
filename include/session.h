/*
 * session: one connection to a mail server and everything that happens on
 * it, as an explicit state machine. It speaks the protocol through a framer,
 * upgrades to TLS on the exact go-ahead, checks policy and writes every event
 * (with its phase and explanation) to the transcript.
 *
 * The session never blocks for long: the caller polls session_fd() for
 * session_poll_events() with session_timeout_ms() and calls session_io() or
 * session_timeout(). Writes of single lines may wait briefly for the socket.
 *
 * Work is queued: lines (session_queue_line) and the STARTTLS dance
 * (session_queue_starttls: capability, STARTTLS, handshake, capability again)
 * run one after another, each waiting for its complete reply.
 */
#ifndef STARTLE_SESSION_H
#define STARTLE_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "target.h"
#include "tls.h"
#include "transcript.h"

#define SESSION_STATES(X)                                                                  \
	X(IDLE, "not connected")                                                           \
	X(CONNECTING, "connecting")                                                        \
	X(GREETING, "waiting for the greeting")                                            \
	X(READY, "ready")                                                                  \
	X(WAITING, "waiting for a reply")                                                  \
	X(HANDSHAKE, "TLS handshake")                                                      \
	X(CLOSED, "closed")

enum session_state {
#define SESSION_STATE_ENUM(sym, text) SS_##sym,
	SESSION_STATES(SESSION_STATE_ENUM)
#undef SESSION_STATE_ENUM
};

/* Why a session failed; maps to the exit codes of the batch front. */
enum session_failure {
	FAIL_NONE,
	FAIL_POLICY,   /* exit 1 */
	FAIL_NETWORK,  /* exit 3 */
	FAIL_PROTOCOL, /* exit 4 */
	FAIL_TLS       /* exit 5 */
};

/* A server that never stops talking must not exhaust memory: past this many
 * transcript events the session stops reading and closes (a FETCH of a
 * million lines still fits). */
#define SESSION_MAX_EVENTS 2000000

struct session_params {
	struct target target;
	const char *ehlo_name; /* name sent with EHLO; NULL: "startle.invalid" */
	const char
	    *servername; /* SNI and name to verify; NULL: the host (no SNI for IPs) */
	const char *cafile;
	const char *client_cert, *client_key; /* --cert, --key (clientcert.h) */
	int tls_min, tls_max; /* 0, 12 or 13 */
	const char *ciphers, *groups, *alpn; /* tls_config's, or NULL */
	const struct tls_ticket *resume;     /* a session to resume, or NULL: offered
	                                      * when it was made for the name this
	                                      * session verifies */
	const char *keylog;
	bool require_tls;      /* nothing but capability/STARTTLS in plaintext */
	bool require_verified; /* fail unless chain and name verify */
	bool insecure;         /* send credentials into TLS whose certificate failed */
	bool no_explain;       /* nothing shows explanations of server lines: skip them */
	int timeout_ms;        /* per phase: connect, greeting, each reply, handshake */
	size_t max_events; /* stop reading past this many events; 0: SESSION_MAX_EVENTS */
	/* Called on every change of state, with the state left and the state
	 * entered (may be NULL): the state machine made visible. */
	void (*on_state)(void *arg, enum session_state from, enum session_state to);
	void *state_arg;
	/* Called by session_run before it waits for the server (NULL: nothing):
	 * a front that buffers its output flushes it here. Returning false stops
	 * session_run at once (an interrupted front). */
	bool (*before_wait)(void *arg);
	void *wait_arg;
};

struct session;

struct session *session_new(const struct session_params *p, struct transcript *t);
void session_free(struct session *s);

/* Resolves the host (blocking for a name lookup) and starts connecting
 * without blocking; the connection completes through session_io. For
 * implicit TLS the handshake follows. Returns 0, or -1 after recording the
 * error in the transcript. */
int session_open(struct session *s);

/* Drops the queued lines and actions; returns how many were dropped. */
size_t session_cancel_queue(struct session *s);

/* Queued lines and actions not yet sent. */
size_t session_queued(const struct session *s);

/* When the current phase began waiting (util_now_ms clock), or 0 when the
 * session is not waiting for anything: for spinners. */
double session_busy_since(const struct session *s);

/* Queues a line typed by the user (without CRLF; "" sends an empty line).
 * IMAP command lines get a tag; lines inside a literal, the rest of a command
 * after its literal and answers to continuation requests do not. A line that
 * announces a synchronising literal {n} waits for the server's "+"; {n+}
 * does not. Literal bytes are the lines that follow, each with its CRLF
 * (2 bytes), or alone when it fills the literal exactly; then the rest of
 * the command comes as the next line (possibly empty). A STARTTLS that gets
 * no go-ahead stops everything queued after it (FAIL_POLICY). Returns 0, or -1 with *cause
 * if the line cannot be queued (e.g. a credential under --require-tls in plaintext). */
int session_queue_line(struct session *s, const char *line, char **cause);

/* Queues a line the user has agreed to send whatever it exposes (also after
 * a failed upgrade, see session_upgrade_failure). */
int session_queue_line_consented(struct session *s, const char *line, char **cause);

/* Why the requested upgrade failed, or "" if it did not. While it is set,
 * session_queue_line (and the capability command and the dance) fail the
 * session with FAIL_POLICY instead of queueing: the script stops there. Only
 * session_queue_line_consented still queues, for a person who chose to go on
 * in plaintext. */
const char *session_upgrade_failure(const struct session *s);

/* What sending this line now would expose. */
enum session_exposure {
	EXPOSE_NONE,      /* not a credential, or inside verified TLS */
	EXPOSE_PLAINTEXT, /* a credential in plaintext */
	EXPOSE_UNVERIFIED /* a credential into TLS whose certificate failed verification */
};

/* A credential line is an authentication command (AUTH, LOGIN,
 * AUTHENTICATE, USER, PASS, APOP), a line that answers the server's prompt
 * during authentication (SMTP 334, IMAP "+", POP3 "+ ") or a piece of a
 * literal inside LOGIN or AUTHENTICATE. The session marks every such client
 * event secret; into TLS whose certificate failed verification it holds them
 * back (finding credential-withheld, FAIL_POLICY) unless they were queued
 * consented or session_params.insecure is set. A line typed as the user
 * would (an IMAP command without its tag) is classified against the exchange
 * as it stands now (what the server last asked for), not after lines still
 * queued. */
enum session_exposure session_line_exposure(const struct session *s, const char *line);

/* True if the line would be a credential line if sent now (for history). */
bool session_line_is_secret(const struct session *s, const char *line);

/* The verdict in words for a consent question ("the certificate is not
 * trusted: ..."); "" before any verdict. */
const char *session_verdict_words(const struct session *s);

/* Queues the STARTTLS dance: capability, STARTTLS, handshake, capability. */
void session_queue_starttls(struct session *s);

/* Queues the capability command (EHLO, CAPABILITY, CAPA). */
void session_queue_capa(struct session *s);

/* Queues the polite end: QUIT or LOGOUT, then close. */
void session_queue_quit(struct session *s);

/* Polling interface. session_fd is -1 when closed. */
int session_fd(const struct session *s);
short session_poll_events(const struct session *s);
int session_timeout_ms(const struct session *s); /* -1: no deadline */
void session_io(struct session *s, short revents);
void session_timeout(struct session *s);

/* True when nothing is queued or pending (or the session is closed). */
bool session_idle(const struct session *s);

/* Runs the session until it is idle or closed, polling only its own socket
 * (or until session_params.before_wait says stop). */
void session_run(struct session *s);

/* Closes the connection (sending close_notify inside TLS). */
void session_close(struct session *s, const char *why);

/* After the session's TLS has ended (closed), the session it leaves to be
 * resumed by a later connection to the same server, or NULL; the caller
 * owns it (tls_ticket_free). */
struct tls_ticket *session_take_ticket(struct session *s);

enum session_state session_state(const struct session *s);
const char *session_state_name(enum session_state st);
enum phase session_phase(const struct session *s);
enum session_failure session_failure(const struct session *s);
/* The exit code of DESIGN.md for the session's failure: 0 none, 1 policy,
 * 3 network, 4 protocol, 5 TLS. */
int session_exit_code(const struct session *s);
bool session_in_data(const struct session *s);
const struct target *session_target(const struct session *s);

/* Bytes and lines that travelled in plaintext (both directions), for fronts. */
size_t session_plain_bytes(const struct session *s);

#endif
