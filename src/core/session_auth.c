/*
 * session, credentials and consent: which client lines are credential lines
 * (DESIGN.md "Consent"), what sending one now would expose, holding one back
 * from TLS whose certificate failed verification, and stopping when a
 * requested upgrade did not happen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_int.h"
#include "util.h"

/* True if the line, of the kind the framer expects next from the client, is a
 * credential line; typed lines may lack their IMAP tag. */
static bool
auth_kind_is_secret(const struct session *s, const struct proto_client *c,
                    const unsigned char *line, size_t len, bool typed)
{
	enum proto_id proto = s->p.target.proto;

	switch (c->next) {
	case PROTO_NEXT_COMMAND:
		return typed ? proto_typed_is_credential(proto, line, len)
		             : proto_is_credential(proto, line, len);
	case PROTO_NEXT_ANSWER:
	case PROTO_NEXT_LITERAL:
	case PROTO_NEXT_REST:
		return c->auth;
	case PROTO_NEXT_DATA:
		return false;
	}
	return false;
}

bool
session_sent_is_secret(const struct session *s, const unsigned char *line, size_t len)
{
	struct proto_client c;

	framer_client(s->fr, &c);
	return auth_kind_is_secret(s, &c, line, len, false);
}

bool
session_line_is_secret(const struct session *s, const char *line)
{
	struct proto_client c;

	framer_client(s->fr, &c);
	return auth_kind_is_secret(s, &c, (const unsigned char *)line, strlen(line), true);
}

enum session_exposure
session_line_exposure(const struct session *s, const char *line)
{
	if (!session_line_is_secret(s, line))
		return EXPOSE_NONE;
	if (s->phase == PHASE_PLAIN)
		return EXPOSE_PLAINTEXT;
	return s->verdict_failed ? EXPOSE_UNVERIFIED : EXPOSE_NONE;
}

const char *
session_verdict_words(const struct session *s)
{
	return s->verdict_words;
}

int
session_queue_line_consented(struct session *s, const char *line, char **cause)
{
	return session_queue_line_flags(s, line, true, cause);
}

/* What a held-back line was, in words that never include the line itself. */
static const char *
auth_held_words(const struct session *s)
{
	static const char *const words[] = {
	    [PROTO_NEXT_COMMAND] = "an authentication command",
	    [PROTO_NEXT_ANSWER] = "an answer to the server's authentication prompt",
	    [PROTO_NEXT_LITERAL] = "a literal inside a login command",
	    [PROTO_NEXT_REST] = "the rest of a login command",
	    [PROTO_NEXT_DATA] = "a credential line",
	};
	struct proto_client c;

	framer_client(s->fr, &c);
	return words[c.next];
}

int
session_check_credential(struct session *s, bool consented)
{
	if (s->phase != PHASE_TLS || !s->verdict_failed || consented || s->p.insecure)
		return 0;
	const char *what = auth_held_words(s);
	session_finding(s, FINDING_CREDENTIAL_WITHHELD, false,
	                "%s was held back and not sent, because %s; pass --insecure "
	                "(or answer yes in the explorer) to send it anyway",
	                what, s->verdict_words);
	session_fail(s, FAIL_POLICY,
	             "a credential was held back: %s was not sent because the "
	             "certificate failed verification; nothing more is sent",
	             what);
	return -1;
}

/* True if nothing but the quit command is queued (the dance in progress, at
 * the head of the queue, not counted). */
static bool
auth_only_quit_queued(const struct session *s)
{
	for (size_t i = s->qhead; i < s->qlen; i++) {
		if (i == s->qhead && s->queue[i].kind == ACT_DANCE &&
		    s->dance != DANCE_CAPA)
			continue;
		if (s->queue[i].kind != ACT_QUIT)
			return false;
	}
	return true;
}

void
session_upgrade_failed(struct session *s, const char *why)
{
	snprintf(s->upgrade_failed, sizeof s->upgrade_failed, "%s", why);
	if (s->p.require_tls) {
		session_policy_fail(s, "--require-tls: the upgrade to TLS did not happen");
		return;
	}
	if (auth_only_quit_queued(s)) {
		session_emitf(
		    s, EV_NOTE,
		    "the upgrade to TLS did not happen (%s): nothing more is sent "
		    "but the quit command",
		    why);
		return;
	}
	session_cancel_queue(s);
	session_fail(s, FAIL_POLICY,
	             "the requested upgrade to TLS did not happen (%s): startle stops "
	             "here, drops the rest of the script and sends nothing more, so "
	             "nothing meant for TLS goes out in plaintext",
	             why);
}

const char *
session_upgrade_failure(const struct session *s)
{
	return s->upgrade_failed;
}

int
session_refuse_after_failed_upgrade(struct session *s, char **cause)
{
	session_fail(s, FAIL_POLICY,
	             "the requested upgrade to TLS did not happen (%s): the script stops "
	             "here and startle closes the connection, so nothing meant for TLS "
	             "goes out in plaintext",
	             s->upgrade_failed);
	*cause = str_printf("not sent: the script stopped after the failed upgrade");
	return -1;
}
