/*
 * IMAP responses (RFC 9051 §7): the greeting, untagged "*" data, continuation
 * requests "+", tagged completions matched against the tags we sent, and the
 * automatic tags the session puts in front of typed commands.
 */
#include <stdlib.h>
#include <string.h>

#include "framer_int.h"
#include "proto.h"

/* Longest automatic tag: it plus a space and a NUL fit the 8 spare bytes
 * framer_autotag's caller provides. */
#define IMAP_TAG_MAX 6

static const char pv[] = "protocol-violation";
static const char v_untagged[] = "an untagged response is \"*\" and a space (RFC 9051 §7)";
static const char v_greeting[] =
    "the server must greet with * OK, * PREAUTH or * BYE first (RFC 9051 §7.1)";
static const char v_preauth[] = "PREAUTH is only valid as the greeting (RFC 9051 §7.1.4)";
static const char v_cont[] =
    "a continuation request \"+\" arrived with no command of ours pending (RFC 9051 §7.5)";
static const char v_response[] =
    "an IMAP response must start with a tag, \"*\" or \"+\" (RFC 9051 §2.2.2)";
static const char v_status[] = "a tagged response must be OK, NO or BAD (RFC 9051 §7.1)";
static const char v_unsolicited[] =
    "the server answered a tag the client never sent or that was already completed";

/* Command names that get an automatic tag. */
static const char *const imap_commands[] = {
    "CAPABILITY", "NOOP",           "LOGOUT",       "STARTTLS",    "AUTHENTICATE",
    "LOGIN",      "SELECT",         "EXAMINE",      "CREATE",      "DELETE",
    "RENAME",     "SUBSCRIBE",      "UNSUBSCRIBE",  "LIST",        "LSUB",
    "NAMESPACE",  "STATUS",         "APPEND",       "IDLE",        "CHECK",
    "CLOSE",      "UNSELECT",       "EXPUNGE",      "SEARCH",      "FETCH",
    "STORE",      "COPY",           "MOVE",         "UID",         "ENABLE",
    "ID",         "GETQUOTA",       "GETQUOTAROOT", "SETQUOTA",    "GETACL",
    "SETACL",     "DELETEACL",      "MYRIGHTS",     "LISTRIGHTS",  "COMPRESS",
    "SORT",       "THREAD",         "GETMETADATA",  "SETMETADATA", "NOTIFY",
    "REPLACE",    "UNAUTHENTICATE", "XLIST",        NULL,
};

/* Greeting words and what they mean. */
static const struct {
	const char *word;
	enum proto_reply reply;
} imap_greetings[] = {
    {"OK", PROTO_REPLY_OK},
    {"PREAUTH", PROTO_REPLY_PREAUTH},
    {"BYE", PROTO_REPLY_BYE},
};

/* Tagged status words and what they mean. */
static const struct {
	const char *word;
	enum proto_reply reply;
} imap_status[] = {
    {"OK", PROTO_REPLY_OK},
    {"NO", PROTO_REPLY_FAIL},
    {"BAD", PROTO_REPLY_FAIL},
};

/* True if c may appear in a tag (RFC 9051 §9: astring-char minus "+"). */
static bool
imap_tag_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return strchr("(){%*\"\\+", c) == NULL;
}

/* True if the response text after the status word starts with a
 * [CAPABILITY ...] response code. */
static bool
imap_has_caps_code(const unsigned char *p, size_t n)
{
	static const char code[] = "[CAPABILITY";
	size_t cl = sizeof(code) - 1;

	if (n < 1 || p[0] != ' ')
		return false;
	p++;
	n--;
	return n > cl && framer_word_eq(p, cl, code) && (p[cl] == ' ' || p[cl] == ']');
}

/* Handles "* ..." lines: the greeting, CAPABILITY and other untagged data. */
static void
imap_untagged(struct framer *fr, struct proto_line *line)
{
	struct imap_state *s = &fr->st.imap;
	const unsigned char *d = line->data;
	size_t n = line->len;

	line->flags |= PROTO_LINE_UNTAGGED;
	if (s->greeting)
		line->flags |= PROTO_LINE_GREETING;
	if (n < 2 || d[1] != ' ') {
		framer_violation(line, pv, s->greeting ? v_greeting : v_untagged);
		return;
	}
	d += 2;
	n -= 2;
	size_t w = framer_word_len(d, n);
	if (s->greeting) {
		for (size_t i = 0; i < sizeof(imap_greetings) / sizeof(imap_greetings[0]);
		     i++) {
			if (!framer_word_eq(d, w, imap_greetings[i].word))
				continue;
			line->flags |= PROTO_LINE_END;
			line->reply = imap_greetings[i].reply;
			s->greeting = false;
			if (line->reply != PROTO_REPLY_BYE &&
			    imap_has_caps_code(d + w, n - w))
				line->flags |= PROTO_LINE_CAPS;
			return;
		}
		framer_violation(line, pv, v_greeting);
		return;
	}
	if (framer_word_eq(d, w, "CAPABILITY"))
		line->flags |= PROTO_LINE_CAPS;
	else if (framer_word_eq(d, w, "PREAUTH"))
		framer_violation(line, pv, v_preauth);
}

/* Handles "+" continuation requests. */
static void
imap_continuation(struct framer *fr, struct proto_line *line)
{
	struct imap_state *s = &fr->st.imap;

	if (s->greeting) {
		framer_violation(line, pv, v_greeting);
		return;
	}
	if (framer_outstanding(fr) == 0) {
		framer_violation(line, pv, v_cont);
		return;
	}
	line->flags |= PROTO_LINE_END;
	line->reply = PROTO_REPLY_CONTINUE;
	if (s->lit_sync) {
		/* the go-ahead for the client's synchronising literal */
		s->lit_sync = false;
		s->rest = s->lit_left == 0;
		return;
	}
	s->cont_waiting = true;
}

/* Forgets the client's command in progress (its reply is complete). */
static void
imap_client_done(struct imap_state *s)
{
	s->cont_waiting = false;
	s->lit_sync = false;
	s->rest = false;
	s->lit_left = 0;
	s->cur[0] = '\0';
}

/* Handles "TAG OK|NO|BAD ..." lines. */
static void
imap_tagged(struct framer *fr, struct proto_line *line)
{
	struct imap_state *s = &fr->st.imap;
	const unsigned char *d = line->data;
	size_t n = line->len;
	size_t tl = framer_word_len(d, n);
	bool valid = tl > 0 && tl < n;

	for (size_t i = 0; i < tl && valid; i++)
		valid = imap_tag_char(d[i]);
	if (!valid) {
		framer_violation(line, pv, s->greeting ? v_greeting : v_response);
		return;
	}
	line->tag = d;
	line->tag_len = tl;
	if (s->greeting) {
		framer_violation(line, pv, v_greeting);
		return;
	}
	const unsigned char *st = d + tl + 1;
	size_t sn = n - tl - 1, w = framer_word_len(st, sn);
	long idx = framer_command_find_tag(fr, d, tl);
	if (idx < 0) {
		framer_violation(line, "unsolicited-tag", v_unsolicited);
		return;
	}
	for (size_t i = 0; i < sizeof(imap_status) / sizeof(imap_status[0]); i++) {
		if (!framer_word_eq(st, w, imap_status[i].word))
			continue;
		line->flags |= PROTO_LINE_END;
		line->reply = imap_status[i].reply;
		if (line->reply == PROTO_REPLY_OK && imap_has_caps_code(st + w, sn - w))
			line->flags |= PROTO_LINE_CAPS;
		framer_command_answer(fr, line, (size_t)idx);
		if (framer_outstanding(fr) == 0)
			imap_client_done(s);
		return;
	}
	framer_violation(line, pv, v_status);
}

/* Interprets one server line: a literal piece or the rest of a response after
 * a literal carries the response's flags; anything else starts a response. */
static void
imap_line(struct framer *fr, struct proto_line *line, const struct fr_rec *rec)
{
	struct imap_state *s = &fr->st.imap;

	if (rec->kind != FR_REC_LINE) {
		line->flags |= s->resp_flags;
		if (rec->kind == FR_REC_CONT)
			line->flags |= PROTO_LINE_REST;
		return;
	}
	const unsigned char *d = line->data;
	size_t n = line->len;
	if (n > 0 && d[0] == '*')
		imap_untagged(fr, line);
	else if (n > 0 && d[0] == '+' && (n == 1 || d[1] == ' '))
		imap_continuation(fr, line);
	else
		imap_tagged(fr, line);
	s->resp_flags = line->flags & (PROTO_LINE_UNTAGGED | PROTO_LINE_GREETING);
}

/* Notes the literal a client line announces at its end, if any: "{n}" waits
 * for the server's "+", "{n+}" (RFC 7888) does not. */
static void
imap_client_literal(struct imap_state *s, const unsigned char *line, size_t len)
{
	uint64_t n;
	bool nonsync;

	if (!framer_ends_literal(line, len, &n, &nonsync))
		return;
	s->lit_left = n;
	s->lit_sync = !nonsync;
	s->rest = nonsync && n == 0;
}

/* Takes a line of the client's literal: with its CRLF when both fit, alone
 * when it fills the literal (framer_literal_fit says which). */
static void
imap_literal_sent(struct imap_state *s, size_t len)
{
	uint64_t take = (uint64_t)len + 2 <= s->lit_left ? (uint64_t)len + 2 : len;

	s->lit_left -= take < s->lit_left ? take : s->lit_left;
	s->rest = s->lit_left == 0;
}

/* Notes a client line: a piece of a literal, the rest of a command after a
 * literal, an answer to a continuation request, or a new tagged command. */
static void
imap_sent(struct framer *fr, const unsigned char *line, size_t len)
{
	struct imap_state *s = &fr->st.imap;

	if (s->lit_left > 0 && !s->lit_sync) {
		imap_literal_sent(s, len);
		return;
	}
	if (s->rest) {
		s->rest = false;
		imap_client_literal(s, line, len);
		return;
	}
	if (s->cont_waiting) {
		s->cont_waiting = false;
		return;
	}
	size_t tl = framer_word_len(line, len);
	if (tl == 0 || tl == len)
		return;
	framer_command_push(fr, 0, line, len);
	proto_command_word(PROTO_IMAP, line, len, s->cur, sizeof(s->cur));
	imap_client_literal(s, line, len);
}

/* True while the client may send its next line without a server reply. */
static bool
imap_client_may_send(const struct imap_state *s)
{
	return s->cont_waiting || s->rest || (s->lit_left > 0 && !s->lit_sync);
}

static unsigned
imap_pending(const struct framer *fr)
{
	const struct imap_state *s = &fr->st.imap;
	size_t sent = framer_outstanding(fr);
	size_t waiting = sent - (imap_client_may_send(s) && sent > 0);
	return (unsigned)(s->greeting + waiting);
}

/* The client's next line, from the command in progress. */
static void
imap_client(const struct framer *fr, struct proto_client *out)
{
	const struct imap_state *s = &fr->st.imap;

	if (s->lit_left > 0 || s->lit_sync)
		out->next = PROTO_NEXT_LITERAL;
	else if (s->rest)
		out->next = PROTO_NEXT_REST;
	else if (s->cont_waiting)
		out->next = PROTO_NEXT_ANSWER;
	else
		out->next = PROTO_NEXT_COMMAND;
	out->may_send = imap_pending(fr) == 0;
	out->literal_left = s->lit_left;
	out->auth = strcmp(s->cur, "AUTHENTICATE") == 0 || strcmp(s->cur, "LOGIN") == 0;
	if (out->next != PROTO_NEXT_COMMAND)
		memcpy(out->word, s->cur, sizeof(out->word));
}

static void
imap_reset(struct framer *fr, bool fresh)
{
	struct imap_state *s = &fr->st.imap;

	s->greeting = fresh;
	imap_client_done(s);
	s->resp_flags = 0;
}

/* Writes tag number n (a, b, ... z, aa, ab, ...) into out; returns its length. */
static size_t
imap_tag_name(unsigned long n, char *out)
{
	char rev[IMAP_TAG_MAX];
	size_t k = 0;

	n++;
	while (n > 0 && k < IMAP_TAG_MAX) {
		n--;
		rev[k++] = (char)('a' + n % 26);
		n /= 26;
	}
	for (size_t i = 0; i < k; i++)
		out[i] = rev[k - 1 - i];
	return k;
}

/* Number of automatic tags that fit in IMAP_TAG_MAX letters. */
static unsigned long
imap_tag_space(void)
{
	unsigned long total = 0, p = 1;

	for (int i = 0; i < IMAP_TAG_MAX; i++) {
		p *= 26;
		total += p;
	}
	return total;
}

static void
imap_copy_line(const char *line, size_t len, char *out, size_t *out_len)
{
	memmove(out, line, len);
	out[len] = '\0';
	*out_len = len;
}

int
framer_autotag(struct framer *fr, const char *line, size_t len, char *out, size_t *out_len)
{
	const unsigned char *u = (const unsigned char *)line;

	if (fr->id != PROTO_IMAP) {
		imap_copy_line(line, len, out, out_len);
		return 0;
	}
	struct imap_state *s = &fr->st.imap;
	size_t w = framer_word_len(u, len);
	bool command = false;
	for (size_t i = 0; imap_commands[i] != NULL && !command; i++)
		command = framer_word_eq(u, w, imap_commands[i]);
	struct proto_client c;
	imap_client(fr, &c);
	if (!command || c.next != PROTO_NEXT_COMMAND) {
		imap_copy_line(line, len, out, out_len);
		return 0;
	}
	char tag[IMAP_TAG_MAX];
	size_t tl;
	do {
		tl = imap_tag_name(s->next_tag, tag);
		s->next_tag = (s->next_tag + 1) % imap_tag_space();
	} while (framer_command_find_tag(fr, (const unsigned char *)tag, tl) >= 0);
	memmove(out + tl + 1, line, len);
	memcpy(out, tag, tl);
	out[tl] = ' ';
	out[tl + 1 + len] = '\0';
	*out_len = tl + 1 + len;
	return 1;
}

const struct framer_ops imap_framer_ops = {
    .literals = true,
    .line = imap_line,
    .sent = imap_sent,
    .pending = imap_pending,
    .reset = imap_reset,
    .client = imap_client,
};
