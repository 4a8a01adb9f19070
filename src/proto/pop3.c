/*
 * POP3 responses (RFC 1939 §3, RFC 2449): "+OK" / "-ERR" status lines,
 * multi-line bodies ended by a lone "." with dot-stuffing, CAPA capabilities
 * and "+ " continuations inside an AUTH exchange (RFC 5034).
 */
#include <string.h>

#include "framer_int.h"
#include "proto.h"

/* What a response to a client line looks like. */
enum pop3_cmd {
	POP3_CMD_SINGLE,  /* one status line */
	POP3_CMD_MULTI,   /* +OK opens a body (LIST, UIDL, AUTH without argument) */
	POP3_CMD_CAPA,    /* +OK opens a body of capabilities */
	POP3_CMD_MESSAGE, /* +OK opens a message (RETR, TOP) */
	POP3_CMD_SASL     /* may be answered by a "+ " continuation */
};

/* Longest status or listing line, CRLF included (RFC 2449 §4). */
#define POP3_RESPONSE_MAX 512
/* Longest message line, CRLF included (RFC 5322 §2.1.1). */
#define POP3_MESSAGE_MAX 1000

static const char pv[] = "protocol-violation";
static const char v_status[] = "a POP3 response must start with +OK or -ERR (RFC 1939 §3)";
static const char v_greeting[] = "the POP3 greeting must be +OK or -ERR (RFC 1939 §4)";
static const char v_cont[] =
    "a \"+\" continuation only belongs in an AUTH exchange (RFC 5034 §4)";
static const char v_unasked[] = "the server sent a response without a command to answer";

/* Commands whose response is not a single line: what they are without and with
 * an argument. */
static const struct {
	const char *word;
	unsigned char bare, with_arg;
} pop3_commands[] = {
    {"CAPA", POP3_CMD_CAPA, POP3_CMD_CAPA},
    {"LIST", POP3_CMD_MULTI, POP3_CMD_SINGLE},
    {"UIDL", POP3_CMD_MULTI, POP3_CMD_SINGLE},
    {"RETR", POP3_CMD_MESSAGE, POP3_CMD_MESSAGE},
    {"TOP", POP3_CMD_MESSAGE, POP3_CMD_MESSAGE},
    {"AUTH", POP3_CMD_MULTI, POP3_CMD_SASL},
};

/* Status indicators, exact case, followed by a space or the line end. */
static const struct {
	const char *word;
	enum proto_reply reply;
} pop3_status[] = {
    {"+OK", PROTO_REPLY_OK},
    {"-ERR", PROTO_REPLY_FAIL},
    {"+", PROTO_REPLY_CONTINUE},
};

/* Reads the status indicator of a line; PROTO_REPLY_NONE if there is none. */
static enum proto_reply
pop3_parse_status(const unsigned char *d, size_t n)
{
	for (size_t i = 0; i < sizeof(pop3_status) / sizeof(pop3_status[0]); i++) {
		size_t wl = strlen(pop3_status[i].word);
		if (n >= wl && memcmp(d, pop3_status[i].word, wl) == 0 &&
		    (n == wl || d[wl] == ' '))
			return pop3_status[i].reply;
	}
	return PROTO_REPLY_NONE;
}

/* Handles a line of a multi-line body: a lone "." ends it. */
static void
pop3_body_line(struct framer *fr, struct proto_line *line, unsigned char cmd)
{
	struct pop3_state *s = &fr->st.pop3;
	size_t max = cmd == POP3_CMD_MESSAGE ? POP3_MESSAGE_MAX : POP3_RESPONSE_MAX;

	if ((line->flags & PROTO_LINE_TRUNCATED) || line->len + 2 > max)
		line->flags |= PROTO_LINE_LONG;
	if (line->len == 1 && line->data[0] == '.') {
		line->flags |= PROTO_LINE_END;
		line->reply = PROTO_REPLY_OK;
		s->in_multi = false;
		framer_command_answer(fr, line, 0);
		return;
	}
	if (line->len > 0 && line->data[0] == '.')
		line->flags |= PROTO_LINE_STUFFED;
	if (cmd == POP3_CMD_CAPA)
		line->flags |= PROTO_LINE_CAPS;
}

/* Interprets one server line. */
static void
pop3_line(struct framer *fr, struct proto_line *line, const struct fr_rec *rec)
{
	struct pop3_state *s = &fr->st.pop3;
	const struct proto_command *c = framer_command_front(fr);
	bool asked = c != NULL;
	unsigned char cmd = asked ? c->kind : POP3_CMD_SINGLE;

	(void)rec;
	if (s->in_multi) {
		pop3_body_line(fr, line, cmd);
		return;
	}
	if ((line->flags & PROTO_LINE_TRUNCATED) || line->len + 2 > POP3_RESPONSE_MAX)
		line->flags |= PROTO_LINE_LONG;
	enum proto_reply st = pop3_parse_status(line->data, line->len);
	if (s->greeting) {
		line->flags |= PROTO_LINE_GREETING;
		if (st != PROTO_REPLY_OK && st != PROTO_REPLY_FAIL) {
			framer_violation(line, pv, v_greeting);
			return;
		}
		line->flags |= PROTO_LINE_END;
		line->reply = st;
		s->greeting = false;
		return;
	}
	if (st == PROTO_REPLY_NONE) {
		framer_violation(line, pv, v_status);
		return;
	}
	if (st == PROTO_REPLY_CONTINUE && (!asked || cmd != POP3_CMD_SASL)) {
		framer_violation(line, pv, v_cont);
		return;
	}
	if (!asked) {
		framer_violation(line, pv, v_unasked);
		line->flags |= PROTO_LINE_END;
		line->reply = st;
		return;
	}
	if (st == PROTO_REPLY_OK &&
	    (cmd == POP3_CMD_MULTI || cmd == POP3_CMD_CAPA || cmd == POP3_CMD_MESSAGE)) {
		s->in_multi = true;
		return;
	}
	line->flags |= PROTO_LINE_END;
	line->reply = st;
	framer_command_answer(fr, line, 0);
	if (st == PROTO_REPLY_CONTINUE)
		s->sasl_next = true;
	else
		s->in_auth = false;
}

/* True if the command word is followed by an argument. */
static bool
pop3_has_argument(const unsigned char *line, size_t len)
{
	for (size_t i = framer_word_len(line, len); i < len; i++) {
		if (line[i] != ' ')
			return true;
	}
	return false;
}

/* Notes a client line and what its response will look like. */
static void
pop3_sent(struct framer *fr, const unsigned char *line, size_t len)
{
	struct pop3_state *s = &fr->st.pop3;
	unsigned char cmd = POP3_CMD_SINGLE;

	if (s->sasl_next) {
		s->sasl_next = false;
		framer_answer_push(fr, POP3_CMD_SASL, "AUTH");
		return;
	}
	size_t w = framer_word_len(line, len);
	s->in_auth = framer_word_eq(line, w, "AUTH");
	bool arg = pop3_has_argument(line, len);
	for (size_t i = 0; i < sizeof(pop3_commands) / sizeof(pop3_commands[0]); i++) {
		if (framer_word_eq(line, w, pop3_commands[i].word)) {
			cmd = arg ? pop3_commands[i].with_arg : pop3_commands[i].bare;
			break;
		}
	}
	framer_command_push(fr, cmd, line, len);
}

static unsigned
pop3_pending(const struct framer *fr)
{
	const struct pop3_state *s = &fr->st.pop3;
	return (unsigned)(s->greeting + framer_outstanding(fr));
}

/* The client's next line: an answer to "+ " during AUTH, or a command. */
static void
pop3_client(const struct framer *fr, struct proto_client *out)
{
	const struct pop3_state *s = &fr->st.pop3;

	out->next = s->sasl_next ? PROTO_NEXT_ANSWER : PROTO_NEXT_COMMAND;
	out->may_send = pop3_pending(fr) == 0;
	out->auth = s->in_auth;
	if (s->sasl_next)
		memcpy(out->word, "AUTH", 5);
}

static void
pop3_reset(struct framer *fr, bool fresh)
{
	struct pop3_state *s = &fr->st.pop3;

	s->greeting = fresh;
	s->in_multi = false;
	s->sasl_next = false;
	s->in_auth = false;
}

const struct framer_ops pop3_framer_ops = {
    .literals = false,
    .line = pop3_line,
    .sent = pop3_sent,
    .pending = pop3_pending,
    .reset = pop3_reset,
    .client = pop3_client,
};
