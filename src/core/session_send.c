/*
 * session, sending: the queue of lines and actions, the STARTTLS dance, and
 * the one function that puts a client line on the wire (send_line), with the
 * policy checks that come before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "session_int.h"
#include "util.h"

static int
write_raw(struct session *s, const void *buf, size_t len, char **cause)
{
	if (s->tls != NULL)
		return tls_write(s->tls, buf, len, cause) < 0 ? -1 : 0;
	return conn_write_all(s->fd, buf, len, s->p.timeout_ms, cause);
}

void
session_update_state(struct session *s)
{
	if (s->state == SS_CLOSED || s->state == SS_HANDSHAKE || s->state == SS_IDLE)
		return;
	if (s->state == SS_GREETING)
		return;
	if (framer_pending(s->fr) > 0) {
		session_set_state(s, SS_WAITING);
	} else {
		session_set_state(s, SS_READY);
		s->deadline = 0;
	}
}

/* Checks policy before a line goes out: --require-tls in plaintext, and a
 * credential into TLS whose certificate failed. Returns 0 to send. */
static int
send_policy(struct session *s, const unsigned char *u, size_t len, bool secret,
            bool consented)
{
	enum proto_id proto = s->p.target.proto;

	if (s->phase == PHASE_PLAIN && s->p.require_tls && !proto_is_capa(proto, u, len) &&
	    !proto_is_starttls(proto, u, len)) {
		session_policy_fail(
		    s, "--require-tls: refusing to send anything but the capability and "
		       "STARTTLS commands in plaintext");
		return -1;
	}
	if (secret && session_check_credential(s, consented) != 0)
		return -1;
	if (s->phase == PHASE_PLAIN && proto_is_credential(proto, u, len))
		session_finding(s, FINDING_PLAINTEXT_AUTH, false,
		                "a credential command was sent in plaintext: anyone on the "
		                "path can read it (use STARTTLS first)");
	return 0;
}

/* The explanation of a client line, from what the framer expected it to be:
 * answers and literal bytes are never explained as commands. */
static char *
send_explain(const struct session *s, const struct proto_client *c, const unsigned char *u,
             size_t len)
{
	enum proto_id proto = s->p.target.proto;

	if (c->next == PROTO_NEXT_COMMAND ||
	    (c->next == PROTO_NEXT_ANSWER && strcmp(c->word, "IDLE") == 0))
		return explain_client_line(proto, u, len);
	if (c->next == PROTO_NEXT_DATA)
		return NULL;
	return explain_client_part(proto, c, len);
}

/* Sends one protocol line (with CRLF unless it ends a literal exactly) and
 * records it, marked secret when it is a credential line. */
static int
send_line(struct session *s, const char *text, size_t len, bool crlf, bool consented)
{
	const unsigned char *u = (const unsigned char *)text;
	const struct proto_command *started;
	struct proto_client c;
	char *cause = NULL, *buf;
	bool secret = session_sent_is_secret(s, u, len);
	size_t wire = len + (crlf ? 2 : 0);

	framer_client(s->fr, &c);
	if (send_policy(s, u, len, secret, consented) != 0)
		return -1;
	buf = xmalloc(len + 2);
	memcpy(buf, text, len);
	memcpy(buf + len, "\r\n", 2);
	if (write_raw(s, buf, wire, &cause) != 0) {
		free(buf);
		session_fail(s, tls_client_cert_refused(s->tls) ? FAIL_TLS : FAIL_NETWORK, "%s",
		             cause);
		free(cause);
		return -1;
	}
	free(buf);
	if (s->phase == PHASE_PLAIN)
		s->plain_bytes += wire;
	struct event ev = {.phase = s->phase, .dir = DIR_CLIENT, .kind = EV_LINE};
	ev.text = (unsigned char *)text;
	ev.len = len;
	ev.secret = secret;
	ev.explain = send_explain(s, &c, u, len);
	transcript_append(s->t, &ev);
	free(ev.explain);
	started = framer_sent(s->fr, u, len);
	if (started != NULL && started->quit)
		s->quit_sent = true;
	if (started != NULL && started->capa)
		caps_clear(&s->building);
	if (framer_pending(s->fr) > 0) {
		session_set_state(s, SS_WAITING);
		session_set_deadline(s, "a reply");
	}
	return 0;
}

/* Sends a command built by the session (capability, STARTTLS, quit),
 * tagging it for IMAP. */
static int
send_command(struct session *s, const char *cmd)
{
	char out[512];
	size_t out_len;

	framer_autotag(s->fr, cmd, strlen(cmd), out, &out_len);
	return send_line(s, out, out_len, true, false);
}

static int
send_capa(struct session *s)
{
	char cmd[300];

	if (s->p.target.proto == PROTO_SMTP)
		snprintf(cmd, sizeof cmd, "EHLO %s", s->p.ehlo_name);
	else
		snprintf(cmd, sizeof cmd, "%s", s->pi->capa_command);
	return send_command(s, cmd);
}

void
session_policy_fail(struct session *s, const char *why)
{
	session_fail(s, FAIL_POLICY, "%s; closing without sending anything else", why);
}

void
session_set_state(struct session *s, enum session_state to)
{
	enum session_state from = s->state;

	if (from == to)
		return;
	s->state = to;
	if (s->p.on_state != NULL)
		s->p.on_state(s->p.state_arg, from, to);
}

/* Queue */

static void
queue_push(struct session *s, enum action_kind kind, char *line)
{
	if (s->qlen == s->qcap) {
		s->qcap = s->qcap ? s->qcap * 2 : 16;
		s->queue = xrealloc(s->queue, s->qcap * sizeof *s->queue);
	}
	s->queue[s->qlen++] = (struct action){kind, line, false};
}

static void
queue_pop(struct session *s)
{
	free(s->queue[s->qhead].line);
	s->qhead++;
	if (s->qhead == s->qlen)
		s->qhead = s->qlen = 0;
}

int
session_queue_line(struct session *s, const char *line, char **cause)
{
	return session_queue_line_flags(s, line, false, cause);
}

int
session_queue_line_flags(struct session *s, const char *line, bool consented, char **cause)
{
	if (s->state == SS_CLOSED) {
		*cause = str_printf("the connection is closed: nothing can be sent");
		return -1;
	}
	if (s->upgrade_failed[0] != '\0' && !consented)
		return session_refuse_after_failed_upgrade(s, cause);
	if (strchr(line, '\r') != NULL || strchr(line, '\n') != NULL) {
		*cause =
		    str_printf("a line cannot contain CR or LF: send one line at a time");
		return -1;
	}
	queue_push(s, ACT_LINE, xstrdup(line));
	s->queue[s->qlen - 1].consented = consented;
	session_pump(s);
	return 0;
}

/* Queues an action of the session's own (the dance, the capability
 * command); after a failed upgrade the script stops there instead. */
static void
queue_action(struct session *s, enum action_kind kind)
{
	char *cause = NULL;

	if (s->state == SS_CLOSED)
		return;
	if (s->upgrade_failed[0] != '\0') {
		session_refuse_after_failed_upgrade(s, &cause);
		free(cause);
		return;
	}
	queue_push(s, kind, NULL);
	session_pump(s);
}

void
session_queue_starttls(struct session *s)
{
	queue_action(s, ACT_DANCE);
}

void
session_queue_capa(struct session *s)
{
	queue_action(s, ACT_CAPA);
}

void
session_queue_quit(struct session *s)
{
	if (s->state == SS_CLOSED)
		return;
	queue_push(s, ACT_QUIT, NULL);
	session_pump(s);
}

/* Advances the STARTTLS dance by one step. Returns true when it is over. */
static bool
dance_step(struct session *s)
{
	switch (s->dance) {
	case DANCE_CAPA:
		s->dance = DANCE_STARTTLS;
		if (s->phase == PHASE_TLS) {
			session_emitf(
			    s, EV_NOTE,
			    "the session is already encrypted: no STARTTLS needed");
			return true;
		}
		send_capa(s);
		return false;
	case DANCE_STARTTLS:
		s->dance = DANCE_AFTER_STARTTLS;
		if (s->state == SS_CLOSED)
			return true;
		send_command(s, s->pi->starttls_command);
		return false;
	case DANCE_AFTER_STARTTLS:
		if (s->phase != PHASE_TLS)
			return true;
		s->dance = DANCE_DONE;
		send_capa(s);
		return false;
	case DANCE_DONE:
		return true;
	}
	return true;
}

/* Sends the queued line at the head: a new command gets its IMAP tag, a
 * line inside a literal goes with its CRLF or alone when it fills it. */
static void
pump_line(struct session *s)
{
	struct action a = s->queue[s->qhead];
	struct proto_client c;
	char out[SESSION_LINE_MAX + 16];
	size_t out_len, len = strlen(a.line);
	int fit = 2;

	framer_client(s->fr, &c);
	if (len > SESSION_LINE_MAX) {
		session_emitf(s, EV_ERROR, "line of %zu bytes not sent: the limit is %d",
		              len, SESSION_LINE_MAX);
		queue_pop(s);
		return;
	}
	if (c.next == PROTO_NEXT_LITERAL && (fit = framer_literal_fit(s->fr, len)) < 0) {
		session_emitf(s, EV_ERROR,
		              "line of %zu bytes not sent: the literal has %llu bytes "
		              "left, and a line takes its length plus 2 for CRLF (or "
		              "exactly what is left, without CRLF, to end the literal)",
		              len, (unsigned long long)c.literal_left);
		queue_pop(s);
		return;
	}
	if (c.next == PROTO_NEXT_COMMAND)
		framer_autotag(s->fr, a.line, len, out, &out_len);
	else {
		memcpy(out, a.line, len);
		out_len = len;
	}
	s->queue[s->qhead].line = NULL;
	queue_pop(s);
	send_line(s, out, out_len, fit == 2, a.consented);
	free(a.line);
}

/* Runs queued actions while the session is ready for the next one. */
void
session_pump(struct session *s)
{
	while (s->state == SS_READY && s->qhead < s->qlen) {
		struct action *a = &s->queue[s->qhead];
		switch (a->kind) {
		case ACT_LINE:
			pump_line(s);
			break;
		case ACT_DANCE:
			if (dance_step(s)) {
				s->dance = DANCE_CAPA;
				queue_pop(s);
			}
			break;
		case ACT_CAPA:
			queue_pop(s);
			send_capa(s);
			break;
		case ACT_QUIT:
			queue_pop(s);
			send_command(s, s->pi->quit_command);
			break;
		}
	}
}
