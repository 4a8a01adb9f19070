/*
 * session: the state machine of one connection: queue, sending, receiving,
 * replies, capabilities and policy. The TLS upgrade is in session_tls.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "explain.h"
#include "session_int.h"
#include "util.h"

#define VIOLATIONS_MAX 20

static const char *const state_names[] = {
#define SESSION_STATE_NAME(sym, text) [SS_##sym] = text,
    SESSION_STATES(SESSION_STATE_NAME)
#undef SESSION_STATE_NAME
};

/* Events */

void
session_emit(struct session *s, enum dir dir, enum event_kind kind, const void *text,
             size_t len, const char *explain)
{
	struct event ev = {.phase = s->phase, .dir = dir, .kind = kind};

	ev.text = (unsigned char *)text;
	ev.len = len;
	ev.explain = (char *)explain;
	transcript_append(s->t, &ev);
}

void
session_emitf(struct session *s, enum event_kind kind, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = str_vprintf(fmt, ap);
	va_end(ap);
	session_emit(s, DIR_LOCAL, kind, text, strlen(text), NULL);
	free(text);
}

/* Records a finding; with once, only the first of its kind in this phase. */
void
session_finding(struct session *s, enum finding_id f, bool once, const char *fmt, ...)
{
	struct event ev = {.phase = s->phase, .dir = DIR_LOCAL, .kind = EV_FINDING};
	va_list ap;
	char *text;

	if (once && s->once[f][s->phase])
		return;
	s->once[f][s->phase] = true;
	va_start(ap, fmt);
	text = str_vprintf(fmt, ap);
	va_end(ap);
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	ev.finding = f;
	ev.severity = finding_severity(f);
	transcript_append(s->t, &ev);
	free(text);
}

void
session_set_deadline(struct session *s, const char *what)
{
	s->deadline = util_now_ms() + s->p.timeout_ms;
	s->deadline_what = what;
}

void
session_fail(struct session *s, enum session_failure f, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = str_vprintf(fmt, ap);
	va_end(ap);
	if (s->failure == FAIL_NONE)
		s->failure = f;
	session_emit(s, DIR_LOCAL, EV_ERROR, text, strlen(text), NULL);
	free(text);
	session_close(s, NULL);
}

/* Lifecycle */

struct session *
session_new(const struct session_params *p, struct transcript *t)
{
	struct session *s = xcalloc(1, sizeof *s);

	s->p = *p;
	if (s->p.ehlo_name == NULL)
		s->p.ehlo_name = "startle.invalid";
	if (s->p.timeout_ms <= 0)
		s->p.timeout_ms = 30000;
	if (s->p.max_events == 0)
		s->p.max_events = SESSION_MAX_EVENTS;
	s->t = t;
	s->pi = proto_info(p->target.proto);
	s->fr = framer_new(p->target.proto);
	if (s->fr == NULL)
		fatal("out of memory creating the framer");
	s->fd = -1;
	s->state = SS_IDLE;
	s->phase = PHASE_PLAIN;
	if (p->servername != NULL) {
		snprintf(s->servername, sizeof s->servername, "%s", p->servername);
		s->servername_is_ip = util_is_ip_literal(p->servername);
	} else {
		snprintf(s->servername, sizeof s->servername, "%s", p->target.host);
		s->servername_is_ip = p->target.host_is_ip;
	}
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	session_tls_end(s);
	tls_ticket_free(s->ticket);
	conn_attempt_free(s->attempt);
	conn_close(s->fd);
	framer_free(s->fr);
	for (size_t i = s->qhead; i < s->qlen; i++)
		free(s->queue[i].line);
	free(s->queue);
	caps_clear(&s->building);
	caps_clear(&s->caps[0]);
	caps_clear(&s->caps[1]);
	free(s);
}

void
session_close(struct session *s, const char *why)
{
	if (s->state == SS_CLOSED)
		return;
	conn_attempt_free(s->attempt);
	s->attempt = NULL;
	session_tls_end(s);
	conn_close(s->fd);
	s->fd = -1;
	for (size_t i = s->qhead; i < s->qlen; i++)
		free(s->queue[i].line);
	s->qhead = s->qlen = 0;
	session_set_state(s, SS_CLOSED);
	s->deadline = 0;
	if (why != NULL)
		session_emit(s, DIR_LOCAL, EV_CLOSE, why, strlen(why), NULL);
}

/* Capabilities */

static void
collect_caps(struct session *s, const struct proto_line *line)
{
	struct proto_cap caps[CAPS_MAX];
	size_t n = proto_line_caps(s->p.target.proto, line, caps, CAPS_MAX);

	for (size_t i = 0; i < n && i < CAPS_MAX; i++)
		caps_add(&s->building, caps[i].data, caps[i].len);
}

/* Reports how the capabilities inside TLS differ from those in plaintext. */
static void
compare_caps(struct session *s)
{
	struct caps_change ch;

	if (!s->caps[0].known || !s->caps[1].known)
		return;
	caps_compare(&s->caps[0], &s->caps[1], &ch);
	if (ch.added[0] == '\0' && ch.removed[0] == '\0')
		session_emitf(s, EV_NOTE,
		              "capabilities inside TLS are the same as in plaintext");
	else if (ch.unexpected)
		session_finding(
		    s, FINDING_CAPS_CHANGED_AFTER_TLS, true,
		    "capabilities changed across the upgrade; added:%s; removed:%s "
		    "(only what was learned inside TLS counts, %s)",
		    ch.added[0] ? ch.added : " none", ch.removed[0] ? ch.removed : " none",
		    s->pi->starttls_rfc);
	else
		session_emitf(
		    s, EV_NOTE,
		    "capabilities inside TLS differ as expected (the upgrade offer "
		    "goes, login is offered once encrypted); added:%s; removed:%s",
		    ch.added[0] ? ch.added : " none", ch.removed[0] ? ch.removed : " none");
}

/* Called when a capability reply (or a greeting carrying one) is complete. */
static void
caps_complete(struct session *s)
{
	struct capset *c = &s->caps[s->phase == PHASE_TLS];
	const char *verb = s->pi->starttls_cap;

	caps_clear(c);
	*c = s->building;
	c->known = true;
	memset(&s->building, 0, sizeof s->building);
	if (s->phase == PHASE_PLAIN) {
		if (s->p.target.proto == PROTO_IMAP && caps_has_exact(c, "LOGINDISABLED"))
			session_finding(
			    s, FINDING_LOGINDISABLED, true,
			    "LOGINDISABLED: the server refuses LOGIN before TLS, as "
			    "it should (RFC 9051 §6.2.3)");
		if (s->p.target.mode == TLS_MODE_EXPLICIT && !caps_has(c, verb)) {
			session_finding(
			    s, FINDING_STARTTLS_NOT_OFFERED, true,
			    "%s is not among the capabilities: the server does not "
			    "offer TLS here, or someone in the middle removed it "
			    "(stripping)",
			    verb);
			if (s->p.require_tls)
				session_policy_fail(
				    s, "--require-tls: the server does not offer STARTTLS");
		}
	} else if (s->phase == PHASE_TLS) {
		if (caps_has(c, verb))
			session_finding(
			    s, FINDING_STARTTLS_STILL_OFFERED, true,
			    "%s is still offered inside TLS: harmless, but a sign of "
			    "a careless server (%s)",
			    verb, s->pi->starttls_rfc);
		compare_caps(s);
	}
}

/* Receiving */

static void
server_line(struct session *s, const struct proto_line *line)
{
	const char *command = line->command != NULL ? line->command->word : NULL;
	struct event ev = {.phase = s->phase, .dir = DIR_SERVER, .kind = EV_LINE};
	char *explain = NULL;

	if (!s->p.no_explain)
		explain = explain_server_line(s->p.target.proto, line, command);
	ev.text = (unsigned char *)line->data;
	ev.len = line->len;
	ev.explain = explain;
	ev.line_flags = line->flags;
	ev.plain_text = escape_is_plain(line->data, line->len);
	transcript_append(s->t, &ev);
	free(explain);

	if (!ev.plain_text && escape_needed(line->data, line->len))
		session_finding(
		    s, FINDING_CONTROL_CHARS, true,
		    "the server sent control characters or invalid UTF-8; startle "
		    "shows them "
		    "escaped (\\x1b, \\r, \\0) so they cannot act on the terminal");
	if (line->flags & PROTO_LINE_TRUNCATED)
		session_finding(
		    s, FINDING_LINE_TOO_LONG, true,
		    "a line longer than %d bytes: startle kept the first %d and "
		    "dropped %zu",
		    PROTO_LINE_CAP, PROTO_LINE_CAP, line->dropped);
	else if (line->flags & PROTO_LINE_LONG)
		session_finding(s, FINDING_LINE_TOO_LONG, true,
		                "a line of %zu bytes: longer than %s allows", line->len,
		                s->pi->display);
	if (line->finding != NULL && s->violations < VIOLATIONS_MAX) {
		int f = finding_from_name(line->finding);
		s->violations++;
		session_finding(s, f >= 0 ? (enum finding_id)f : FINDING_PROTOCOL_VIOLATION,
		                false, "%s",
		                line->violation ? line->violation
		                                : finding_summary((enum finding_id)f));
	}
	if (line->flags & PROTO_LINE_CAPS)
		collect_caps(s, line);
}

/* Only the exact positive reply to our own STARTTLS starts TLS: SMTP 220,
 * IMAP tagged OK (the framer matched the tag to our command), POP3 +OK. */
static bool
is_go_ahead(const struct session *s, const struct proto_line *line)
{
	if (line->reply != PROTO_REPLY_OK || line->finding != NULL)
		return false;
	return s->p.target.proto != PROTO_SMTP || line->code == 220;
}

/* True if the server answered our STARTTLS as an unknown command although
 * it had offered STARTTLS: SMTP 500/502 (RFC 5321 §4.2.4) or IMAP BAD. A
 * server that offers a command knows it; a man in the middle that rewrote
 * the command into something else gets exactly this answer. */
static bool
starttls_unrecognised(const struct session *s, const struct proto_line *line)
{
	if (!s->caps[0].known || !caps_has(&s->caps[0], s->pi->starttls_cap))
		return false;
	switch (s->p.target.proto) {
	case PROTO_SMTP:
		return line->code == 500 || line->code == 502;
	case PROTO_IMAP:
		return line->reply == PROTO_REPLY_FAIL && line->len > line->tag_len + 4 &&
		       strncasecmp((const char *)line->data + line->tag_len + 1, "BAD",
		                   3) == 0;
	case PROTO_POP3:
		return false; /* -ERR says nothing about why */
	}
	return false;
}

/* What bytes at the start of a connection look like when they are not the
 * protocol's greeting; %s is the implicit-TLS scheme of the protocol. */
static const struct {
	const char *prefix;
	size_t len;
	int proto; /* the protocol the prefix greets in, or -1 */
	const char *looks;
} greeting_looks[] = {
    {"\x16\x03", 2, -1,
     "a TLS record (a handshake): this port may expect TLS at once: try %s://"},
    {"\x15\x03", 2, -1,
     "a TLS record (an alert): this port may expect TLS at once: try %s://"},
    {"HTTP/", 5, -1, "an HTTP response: this is a web server, not a mail server"},
    {"SSH-", 4, -1, "an SSH server's banner, not a mail server"},
    {"* OK", 4, PROTO_IMAP, "an IMAP greeting: try imap://"},
    {"+OK", 3, PROTO_POP3, "a POP3 greeting: try pop3://"},
    {"220", 3, PROTO_SMTP, "an SMTP (or FTP) greeting: try smtp://"},
};

/* The implicit-TLS scheme of each protocol, for advice. */
static const char *const implicit_scheme[PROTO_COUNT] = {
    [PROTO_SMTP] = "smtps",
    [PROTO_IMAP] = "imaps",
    [PROTO_POP3] = "pop3s",
};

/* Fails at once when what arrived first cannot be the greeting (bytes of
 * (p, n)), saying what it looks like. Returns true if the session ended. */
static bool
greeting_bogus(struct session *s, const unsigned char *p, size_t n, bool violation)
{
	char looks[200];

	for (size_t i = 0; i < sizeof greeting_looks / sizeof greeting_looks[0]; i++) {
		if (n < greeting_looks[i].len ||
		    memcmp(p, greeting_looks[i].prefix, greeting_looks[i].len) != 0 ||
		    greeting_looks[i].proto == (int)s->p.target.proto)
			continue;
		snprintf(looks, sizeof looks, greeting_looks[i].looks,
		         implicit_scheme[s->p.target.proto]);
		session_fail(s, FAIL_PROTOCOL,
		             "the server's first bytes are not a greeting in %s: they look "
		             "like %s",
		             s->pi->display, looks);
		return true;
	}
	if (!violation)
		return false;
	session_fail(s, FAIL_PROTOCOL,
	             "the server's first line is not a greeting in %s (see above): "
	             "startle stops here rather than wait",
	             s->pi->display);
	return true;
}

/* Handles the end of the greeting. Returns true if the session ended. */
static bool
greeting_complete(struct session *s, const struct proto_line *line)
{
	if (line->reply == PROTO_REPLY_PREAUTH && s->phase == PHASE_PLAIN &&
	    s->p.target.mode == TLS_MODE_EXPLICIT) {
		session_finding(s, FINDING_PREAUTH_PLAINTEXT, false,
		                "the server greeted with PREAUTH on a plaintext "
		                "connection: the session is already authenticated and "
		                "STARTTLS is no longer allowed (RFC 9051 §7.1.4)");
		if (s->p.require_tls) {
			session_policy_fail(
			    s, "--require-tls: PREAUTH makes the upgrade impossible");
			return true;
		}
	}
	if (line->reply != PROTO_REPLY_OK && line->reply != PROTO_REPLY_PREAUTH) {
		session_fail(s, FAIL_PROTOCOL,
		             "the server refused the session in its greeting");
		return true;
	}
	if (s->building.n > 0)
		caps_complete(s);
	session_set_state(s, SS_READY);
	s->deadline = 0;
	return false;
}

/* Handles a line that completes a reply or the greeting. Returns true if the
 * rest of the buffered input must not be framed (TLS starts now). */
static bool
reply_complete(struct session *s, const struct proto_line *line)
{
	struct proto_command cmd;

	if (s->state == SS_GREETING)
		return greeting_complete(s, line);
	if (!(line->flags & PROTO_LINE_ANSWER)) {
		session_update_state(s);
		return false;
	}
	cmd = *line->command; /* the framer's copy goes with the next call */
	if (cmd.capa) {
		caps_complete(s);
		if (s->state == SS_CLOSED)
			return true;
	} else {
		caps_clear(&s->building);
	}
	if (cmd.quit) {
		s->quit_answered = true;
		/* Give the server a moment to close first (and send close_notify). */
		session_set_state(s, SS_WAITING);
		s->deadline =
		    util_now_ms() + (s->p.timeout_ms < 2000 ? s->p.timeout_ms : 2000);
		return false;
	}
	if (cmd.starttls) {
		if (is_go_ahead(s, line)) {
			session_discard_injected(s);
			session_tls_start(s);
			return true;
		}
		session_finding(
		    s, FINDING_STARTTLS_REFUSED, false,
		    "the server did not give the go-ahead (%s expected)%s: the "
		    "session stays in plaintext",
		    s->pi->go_ahead,
		    line->reply == PROTO_REPLY_OK
		        ? "; a positive reply with another code is not a go-ahead"
		        : "");
		if (starttls_unrecognised(s, line))
			session_finding(
			    s, FINDING_DOWNGRADE_SUSPECTED, false,
			    "the server offered %s and then did not recognise the command: "
			    "something on the path may have rewritten it (firewalls that "
			    "blank out STARTTLS do this), downgrading the session to "
			    "plaintext",
			    s->pi->starttls_cap);
		session_upgrade_failed(
		    s, s->caps[0].known && !caps_has(&s->caps[0], s->pi->starttls_cap)
		           ? "STARTTLS was not offered, perhaps stripped on the path, and "
		             "the server refused it"
		           : "the server refused STARTTLS");
		if (s->state == SS_CLOSED)
			return true;
	}
	session_update_state(s);
	return false;
}

static void
process_lines(struct session *s)
{
	struct proto_line line;

	while (s->state != SS_CLOSED && s->state != SS_HANDSHAKE &&
	       framer_next(s->fr, &line)) {
		if (transcript_count(s->t) >= s->p.max_events) {
			session_fail(
			    s, FAIL_PROTOCOL,
			    "the server sent more than startle keeps (%zu events): "
			    "startle stopped "
			    "reading and closed the connection so memory stays bounded",
			    s->p.max_events);
			return;
		}
		server_line(s, &line);
		if (s->state == SS_GREETING && !(line.flags & PROTO_LINE_END) &&
		    greeting_bogus(s, line.data, line.len, line.finding != NULL))
			return;
		if ((line.flags & PROTO_LINE_END) && reply_complete(s, &line))
			return;
	}
	session_pump(s);
}

/* The stream ended: shows what was kept of a line the end cut. */
static void
flush_partial(struct session *s)
{
	struct proto_line line;

	if (framer_finish(s->fr) <= 0)
		return;
	while (framer_next(s->fr, &line))
		server_line(s, &line);
}

static void
on_eof(struct session *s, bool clean)
{
	bool expected = s->quit_sent;

	flush_partial(s);
	if (!clean && s->phase == PHASE_TLS && !s->quit_answered)
		session_finding(
		    s, FINDING_EOF_WITHOUT_CLOSE_NOTIFY, true,
		    "the connection ended without a TLS close_notify: a truncation "
		    "cannot be "
		    "told from a normal end");
	if (!expected && s->state != SS_READY) {
		if (s->failure == FAIL_NONE)
			s->failure = FAIL_NETWORK;
		session_close(
		    s, s->state == SS_GREETING
		           ? "the server closed the connection before its greeting was "
		             "complete"
		           : "the server closed the connection while a reply was expected");
		return;
	}
	session_close(
	    s, clean ? "the server closed the TLS session (close_notify) and the connection"
	             : "the server closed the connection");
}

/* Before the greeting, TLS records have no line end to wait for: looks at
 * the raw bytes. Returns true if the session ended. */
static bool
greeting_raw_check(struct session *s)
{
	const unsigned char *data;
	size_t n = framer_buffered(s->fr, &data);

	if (n < 2 || (data[0] != 0x16 && data[0] != 0x15) || data[1] != 0x03)
		return false;
	char *explain = str_printf("%zu bytes that are not text: a TLS record", n);
	session_emit(s, DIR_SERVER, EV_NOTE, data, n < 64 ? n : 64, explain);
	free(explain);
	return greeting_bogus(s, data, n, true);
}

static void
read_input(struct session *s)
{
	unsigned char buf[16384];
	char *cause = NULL;

	do {
		ssize_t n;
		if (s->tls != NULL)
			n = tls_read(s->tls, buf, sizeof buf, &cause);
		else
			n = conn_read(s->fd, buf, sizeof buf, &cause);
		if (n > 0) {
			if (s->phase == PHASE_PLAIN)
				s->plain_bytes += (size_t)n;
			if (framer_feed(s->fr, buf, (size_t)n) != 0)
				fatal("out of memory framing server input");
			if (s->state == SS_GREETING && s->phase == PHASE_PLAIN &&
			    greeting_raw_check(s))
				return;
			process_lines(s);
			continue;
		}
		if (n == 0 || n == TLS_EOF) {
			on_eof(s, false);
		} else if (n == TLS_CLOSED) {
			on_eof(s, true);
		} else if (n == -1 || n == TLS_ERROR) {
			if (s->failure == FAIL_NONE)
				s->failure = s->tls ? FAIL_TLS : FAIL_NETWORK;
			session_fail(s, s->failure, "%s", cause ? cause : "read error");
		}
		free(cause);
		return;
	} while (s->state != SS_CLOSED && s->state != SS_HANDSHAKE && s->tls != NULL &&
	         tls_pending(s->tls));
}

/* Public interface */

/* The connection is up: record it and wait for the greeting (or the handshake). */
static void
connected(struct session *s, const struct conn_result *res)
{
	char text[800], where[300];

	conn_attempt_free(s->attempt);
	s->attempt = NULL;
	s->fd = res->fd;
	target_format(&s->p.target, where, sizeof where);
	snprintf(text, sizeof text, "connected to %s (%s port %u) in %.1f ms, %s TLS",
	         where, res->address, res->port, res->connect_ms,
	         tls_mode_name(s->p.target.mode));
	session_emit(
	    s, DIR_LOCAL, EV_CONNECT, text, strlen(text),
	    s->p.target.mode == TLS_MODE_IMPLICIT
	        ? "implicit TLS: the handshake comes first, nothing travels in plaintext "
	          "(RFC 8314)"
	        : "explicit TLS: the session starts in plaintext and upgrades with "
	          "STARTTLS");
	session_set_state(s, SS_GREETING);
	session_set_deadline(s, "the greeting");
	if (s->p.target.mode == TLS_MODE_IMPLICIT)
		session_tls_start(s);
}

static void
connect_step(struct session *s, bool timed_out)
{
	struct conn_result res;
	char *cause = NULL;
	int rc = conn_continue(s->attempt, timed_out, &res, &cause);

	if (rc == 1) {
		connected(s, &res);
	} else if (rc == 0) {
		s->deadline = conn_attempt_started(s->attempt) + s->p.timeout_ms;
	} else {
		conn_attempt_free(s->attempt);
		s->attempt = NULL;
		session_fail(s, FAIL_NETWORK, "%s", cause);
		free(cause);
	}
}

int
session_open(struct session *s)
{
	char *cause = NULL;

	s->attempt = conn_begin(s->p.target.host, s->p.target.port, &cause);
	if (s->attempt == NULL) {
		session_set_state(s, SS_CLOSED);
		s->failure = FAIL_NETWORK;
		session_emit(s, DIR_LOCAL, EV_ERROR, cause, strlen(cause), NULL);
		free(cause);
		return -1;
	}
	session_set_state(s, SS_CONNECTING);
	session_set_deadline(s, "the connection");
	s->deadline = conn_attempt_started(s->attempt) + s->p.timeout_ms;
	return 0;
}

size_t
session_cancel_queue(struct session *s)
{
	size_t n = s->qlen - s->qhead;

	for (size_t i = s->qhead; i < s->qlen; i++)
		free(s->queue[i].line);
	s->qhead = s->qlen = 0;
	s->dance = DANCE_CAPA;
	return n;
}

size_t
session_queued(const struct session *s)
{
	return s->qlen - s->qhead;
}

double
session_busy_since(const struct session *s)
{
	if (s->state == SS_CONNECTING || s->state == SS_GREETING ||
	    s->state == SS_WAITING || s->state == SS_HANDSHAKE)
		return s->deadline > 0 ? s->deadline - s->p.timeout_ms : 0;
	return 0;
}

int
session_fd(const struct session *s)
{
	if (s->state == SS_CONNECTING && s->attempt != NULL)
		return conn_attempt_fd(s->attempt);
	return s->fd;
}

short
session_poll_events(const struct session *s)
{
	if (s->state == SS_CONNECTING)
		return POLLOUT;
	if (s->fd < 0)
		return 0;
	if (s->state == SS_HANDSHAKE && s->tls_want_write)
		return POLLOUT;
	return POLLIN;
}

int
session_timeout_ms(const struct session *s)
{
	if (s->deadline <= 0 || s->state == SS_CLOSED)
		return -1;
	double left = s->deadline - util_now_ms();
	return left <= 0 ? 0 : (int)left + 1;
}

void
session_io(struct session *s, short revents)
{
	if (s->state == SS_CONNECTING) {
		connect_step(s, false);
		return;
	}
	if (s->state == SS_CLOSED || s->fd < 0)
		return;
	if (s->state == SS_HANDSHAKE) {
		session_tls_step(s);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		read_input(s);
}

void
session_timeout(struct session *s)
{
	if (s->deadline <= 0 || util_now_ms() < s->deadline || s->state == SS_CLOSED)
		return;
	if (s->state == SS_CONNECTING) {
		connect_step(s, true);
		return;
	}
	bool greeting_hint = s->state == SS_GREETING && s->phase == PHASE_PLAIN;
	if (s->quit_sent && framer_outstanding(s->fr) == 0) {
		session_close(s,
		              "closed the connection after the reply to the quit command");
		return;
	}
	session_fail(s, FAIL_NETWORK,
	             "no answer from the server within %d s while waiting for %s; raise "
	             "--timeout if the server is slow%s%s%s",
	             s->p.timeout_ms / 1000, s->deadline_what ? s->deadline_what : "it",
	             greeting_hint ? " (or this port may expect TLS at once: try " : "",
	             greeting_hint ? implicit_scheme[s->p.target.proto] : "",
	             greeting_hint ? "://)" : "");
}

bool
session_idle(const struct session *s)
{
	if (s->state == SS_CLOSED)
		return true;
	return s->state == SS_READY && s->qhead == s->qlen;
}

void
session_run(struct session *s)
{
	while (!session_idle(s) && session_fd(s) >= 0) {
		short revents;
		if (s->p.before_wait != NULL && !s->p.before_wait(s->p.wait_arg))
			return;
		int n = conn_wait(session_fd(s), session_poll_events(s),
		                  session_timeout_ms(s), &revents);
		if (n == 0)
			session_timeout(s);
		else if (n > 0)
			session_io(s, revents);
	}
}

enum session_state
session_state(const struct session *s)
{
	return s->state;
}

const char *
session_state_name(enum session_state st)
{
	return state_names[st];
}

enum phase
session_phase(const struct session *s)
{
	return s->phase;
}

enum session_failure
session_failure(const struct session *s)
{
	return s->failure;
}

int
session_exit_code(const struct session *s)
{
	static const int codes[] = {
	    [FAIL_NONE] = 0, [FAIL_POLICY] = 1, [FAIL_NETWORK] = 3,
	    [FAIL_PROTOCOL] = 4, [FAIL_TLS] = 5,
	};

	return codes[s->failure];
}

bool
session_in_data(const struct session *s)
{
	return framer_in_data(s->fr);
}

const struct target *
session_target(const struct session *s)
{
	return &s->p.target;
}

size_t
session_plain_bytes(const struct session *s)
{
	return s->plain_bytes;
}
