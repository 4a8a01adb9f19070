/*
 * SMTP replies (RFC 5321 §4.2): three-digit codes, "NNN-" continuation lines
 * and a final "NNN " line, enhanced status codes (RFC 3463), the greeting,
 * EHLO capabilities and DATA mode.
 */
#include <string.h>

#include "framer_int.h"
#include "proto.h"

/* What the client line a reply answers was. */
enum smtp_cmd {
	SMTP_CMD_NONE,
	SMTP_CMD_GREETING,
	SMTP_CMD_EHLO,
	SMTP_CMD_DATA,
	SMTP_CMD_OTHER
};

/* Longest reply line RFC 5321 §4.5.3.1.5 allows, CRLF included. */
#define SMTP_REPLY_MAX 512

static const char pv[] = "protocol-violation";
static const char v_not_digits[] =
    "an SMTP reply must start with a three-digit code (RFC 5321 §4.2)";
static const char v_bad_class[] =
    "an SMTP reply code must start with 2, 3, 4 or 5 (RFC 5321 §4.2.1)";
static const char v_bad_sep[] =
    "an SMTP reply code must be followed by a space, a hyphen or the line end "
    "(RFC 5321 §4.2)";
static const char v_mixed[] =
    "the lines of a multi-line reply must all carry the same code (RFC 5321 §4.2.1)";
static const char v_enhanced[] =
    "the enhanced status code's class does not match the reply code (RFC 3463 §2)";
static const char v_greeting[] =
    "the greeting must be 220, or 554 / 421 to refuse the session (RFC 5321 §4.3.1)";
static const char v_unasked[] = "the server sent a reply without a command to answer";

/* The reply each code class means. */
static const enum proto_reply smtp_class_reply[10] = {
    [2] = PROTO_REPLY_OK,
    [3] = PROTO_REPLY_CONTINUE,
    [4] = PROTO_REPLY_FAIL,
    [5] = PROTO_REPLY_FAIL,
};

static bool
smtp_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Checks the code of a reply line. Returns the code, or 0 and sets *why. */
static int
smtp_parse_code(const unsigned char *d, size_t n, const char **why)
{
	if (n < 3 || !smtp_digit(d[0]) || !smtp_digit(d[1]) || !smtp_digit(d[2])) {
		*why = v_not_digits;
		return 0;
	}
	if (d[0] < '2' || d[0] > '5') {
		*why = v_bad_class;
		return 0;
	}
	if (n > 3 && d[3] != ' ' && d[3] != '-') {
		*why = v_bad_sep;
		return 0;
	}
	return (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
}

/* Reads one to three digits; returns how many. */
static size_t
smtp_digits(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && i < 4 && smtp_digit(p[i]))
		i++;
	return i >= 1 && i <= 3 ? i : 0;
}

/* Finds an enhanced status code "class.subject.detail" at the start of the
 * reply text. Returns its class digit, or 0 if the text does not start with one. */
static unsigned char
smtp_enhanced_class(const unsigned char *t, size_t n)
{
	if (n < 5 || !smtp_digit(t[0]) || t[1] != '.')
		return 0;
	size_t i = 2, k = smtp_digits(t + i, n - i);
	if (k == 0)
		return 0;
	i += k;
	if (i >= n || t[i] != '.')
		return 0;
	i++;
	k = smtp_digits(t + i, n - i);
	if (k == 0)
		return 0;
	i += k;
	if (i < n && t[i] != ' ')
		return 0;
	return t[0];
}

/* Ends a reply: decides what it means and which command it answered. */
static void
smtp_reply_end(struct framer *fr, struct proto_line *line, int code)
{
	struct smtp_state *s = &fr->st.smtp;

	line->flags |= PROTO_LINE_END;
	line->reply = smtp_class_reply[code / 100];
	s->in_reply = false;
	if (s->reply_cmd == SMTP_CMD_GREETING) {
		s->greeting = false;
		if (code != 220) {
			line->reply = PROTO_REPLY_FAIL;
			if (code != 554 && code != 421)
				framer_violation(line, pv, v_greeting);
		}
		return;
	}
	if (s->reply_cmd == SMTP_CMD_NONE) {
		if (code != 421)
			framer_violation(line, pv, v_unasked);
		return;
	}
	framer_command_answer(fr, line, 0);
	if (s->reply_cmd == SMTP_CMD_DATA && code == 354)
		s->data_mode = true;
	s->sasl_next = code == 334;
	if (code != 334)
		s->in_auth = false;
}

/* Interprets one server line. */
static void
smtp_line(struct framer *fr, struct proto_line *line, const struct fr_rec *rec)
{
	struct smtp_state *s = &fr->st.smtp;
	const unsigned char *d = line->data;
	size_t n = line->len;
	const char *why = NULL;

	(void)rec;
	if (s->greeting)
		line->flags |= PROTO_LINE_GREETING;
	if ((line->flags & PROTO_LINE_TRUNCATED) || n + 2 > SMTP_REPLY_MAX)
		line->flags |= PROTO_LINE_LONG;
	int code = smtp_parse_code(d, n, &why);
	if (code == 0) {
		framer_violation(line, pv, why);
		return;
	}
	line->code = code;
	bool first = !s->in_reply;
	if (first) {
		const struct proto_command *c = framer_command_front(fr);
		unsigned char cmd = c != NULL ? c->kind : SMTP_CMD_NONE;
		if (s->greeting)
			cmd = SMTP_CMD_GREETING;
		s->reply_cmd = cmd;
		s->reply_code = code;
		s->in_reply = true;
	} else if (code != s->reply_code) {
		framer_violation(line, pv, v_mixed);
	}
	if (n > 4) {
		unsigned char cls = smtp_enhanced_class(d + 4, n - 4);
		if (cls != 0 && cls != d[0])
			framer_violation(line, pv, v_enhanced);
	}
	if (!first && s->reply_cmd == SMTP_CMD_EHLO && d[0] == '2')
		line->flags |= PROTO_LINE_CAPS;
	if (n == 3 || d[3] == ' ')
		smtp_reply_end(fr, line, code);
}

/* Notes a client line: every line but DATA content expects one reply. */
static void
smtp_sent(struct framer *fr, const unsigned char *line, size_t len)
{
	struct smtp_state *s = &fr->st.smtp;
	char word[8];

	if (s->data_mode) {
		if (len == 1 && line[0] == '.') {
			s->data_mode = false;
			framer_command_push(fr, SMTP_CMD_OTHER, line, len);
		}
		return;
	}
	if (s->sasl_next) {
		s->sasl_next = false;
		framer_answer_push(fr, SMTP_CMD_OTHER, "AUTH");
		return;
	}
	proto_command_word(PROTO_SMTP, line, len, word, sizeof(word));
	s->in_auth = strcmp(word, "AUTH") == 0;
	unsigned char cmd = SMTP_CMD_OTHER;
	if (strcmp(word, "EHLO") == 0)
		cmd = SMTP_CMD_EHLO;
	else if (strcmp(word, "DATA") == 0)
		cmd = SMTP_CMD_DATA;
	framer_command_push(fr, cmd, line, len);
}

static unsigned
smtp_pending(const struct framer *fr)
{
	const struct smtp_state *s = &fr->st.smtp;
	return (unsigned)(s->greeting + framer_outstanding(fr));
}

/* The client's next line: message content, an answer to 334, or a command. */
static void
smtp_client(const struct framer *fr, struct proto_client *out)
{
	const struct smtp_state *s = &fr->st.smtp;

	out->next = s->data_mode   ? PROTO_NEXT_DATA
	            : s->sasl_next ? PROTO_NEXT_ANSWER
	                           : PROTO_NEXT_COMMAND;
	out->may_send = smtp_pending(fr) == 0;
	out->auth = s->in_auth;
	if (out->next == PROTO_NEXT_DATA)
		memcpy(out->word, "DATA", 5);
	else if (out->next == PROTO_NEXT_ANSWER)
		memcpy(out->word, "AUTH", 5);
}

static void
smtp_reset(struct framer *fr, bool fresh)
{
	struct smtp_state *s = &fr->st.smtp;

	memset(s, 0, sizeof(*s));
	s->greeting = fresh;
}

const struct framer_ops smtp_framer_ops = {
    .literals = false,
    .line = smtp_line,
    .sent = smtp_sent,
    .pending = smtp_pending,
    .reset = smtp_reset,
    .client = smtp_client,
};
