/*
 * proto: pure framers for SMTP, IMAP and POP3 server output, and the facts
 * about each protocol the session needs (capability command, STARTTLS verb,
 * what a go-ahead looks like). No I/O: bytes in, framed lines out.
 *
 * A framer is fed raw server bytes in any split (framer_feed) and hands out
 * complete lines one at a time (framer_next). It is told every line the
 * client sends (framer_sent) so it knows which replies are outstanding, when a
 * POP3 response is multi-line, when SMTP is in DATA mode and which IMAP tags
 * are ours. Lines are handed out raw (without CRLF); nothing is unescaped.
 *
 * The line marked PROTO_LINE_END completes the reply the client is waiting
 * for (or the greeting): the last line of an SMTP reply, an IMAP tagged line
 * or continuation request, a POP3 single-line response or the lone "." of a
 * multi-line one. Its reply field says what it means.
 */
#ifndef STARTLE_PROTO_H
#define STARTLE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum proto_id { PROTO_SMTP, PROTO_IMAP, PROTO_POP3 };
#define PROTO_COUNT 3

/* Longest line kept whole; the rest of a longer line is dropped (and counted). */
#define PROTO_LINE_CAP 16384
/* Largest IMAP literal accepted; a larger announced length is a violation and
 * the framer treats the rest of the stream as lines again. */
#define PROTO_LITERAL_CAP (64u * 1024 * 1024)

enum proto_reply {
	PROTO_REPLY_NONE,     /* this line does not complete anything */
	PROTO_REPLY_OK,       /* SMTP 2xx, IMAP OK, POP3 +OK */
	PROTO_REPLY_CONTINUE, /* SMTP 3xx, IMAP "+", POP3 "+ " (SASL) */
	PROTO_REPLY_FAIL,     /* SMTP 4xx/5xx, IMAP NO/BAD, POP3 -ERR */
	PROTO_REPLY_PREAUTH,  /* IMAP greeting "* PREAUTH" */
	PROTO_REPLY_BYE       /* IMAP greeting "* BYE" */
};

enum proto_line_flag {
	PROTO_LINE_END = 1 << 0,       /* completes a reply (see above) */
	PROTO_LINE_LONG = 1 << 1,      /* longer than the protocol allows (RFC limits) */
	PROTO_LINE_TRUNCATED = 1 << 2, /* longer than PROTO_LINE_CAP: cut, rest dropped */
	PROTO_LINE_BARE_LF = 1 << 3,   /* ended by LF without CR */
	PROTO_LINE_LITERAL = 1 << 4,   /* a line inside an IMAP literal {n} */
	PROTO_LINE_CAPS = 1 << 5,      /* carries capabilities: see proto_line_caps */
	PROTO_LINE_STUFFED = 1 << 6,   /* POP3 dot-stuffed: content starts at data + 1 */
	PROTO_LINE_UNTAGGED = 1 << 7,  /* IMAP "*" line */
	PROTO_LINE_GREETING = 1 << 8,  /* part of the server greeting */
	PROTO_LINE_ANSWER = 1 << 9,    /* completes the reply to line->command */
	PROTO_LINE_REST = 1 << 10,     /* IMAP: the rest of a response after a literal */
	PROTO_LINE_EOF = 1 << 11       /* ended by the end of the stream, not by LF */
};

/* A command the client sent. The framer keeps the commands whose replies are
 * outstanding, oldest first: it is the one owner of that list. */
struct proto_command {
	unsigned char kind;        /* the protocol's own classification */
	char word[24];             /* command word, upper case; "" when none fits */
	char *tag;                 /* IMAP tag, NULL for other protocols */
	bool capa, starttls, quit; /* capability, STARTTLS/STLS or quit command */
	bool answer;               /* an answer to a continuation request (SASL data), not a
	                              command: word names the exchange ("AUTH"), never the answer */
};

/* What the client's next line will be, as the framer follows the exchange. */
enum proto_next {
	PROTO_NEXT_COMMAND, /* a new command (IMAP: it gets a tag) */
	PROTO_NEXT_ANSWER,  /* answers the server's continuation request: SASL data
	                       (SMTP 334, IMAP "+", POP3 "+ "), or DONE to IDLE */
	PROTO_NEXT_LITERAL, /* bytes of an IMAP literal the client announced */
	PROTO_NEXT_REST,    /* the rest of an IMAP command after one of its literals */
	PROTO_NEXT_DATA     /* SMTP message content after 354, until "." */
};

/* The client's side of the conversation. A line inside a literal goes on the
 * wire with its CRLF (counted as 2 bytes) when line + CRLF fit in what is
 * left, or alone when it fills the literal exactly; see framer_literal_fit. */
struct proto_client {
	enum proto_next next;
	bool may_send;         /* the next line may go now, without a server reply */
	bool auth;             /* inside an authentication exchange: AUTH,
	                          AUTHENTICATE, or LOGIN with literals */
	uint64_t literal_left; /* PROTO_NEXT_LITERAL: bytes still to send */
	char word[24];         /* the command the next line belongs to ("APPEND");
	                          "" for PROTO_NEXT_COMMAND */
};

struct proto_line {
	const unsigned char *data; /* valid until the next framer call */
	size_t len;
	unsigned flags;           /* enum proto_line_flag bits */
	size_t dropped;           /* bytes dropped after a truncated line */
	enum proto_reply reply;   /* meaningful on PROTO_LINE_END lines */
	int code;                 /* SMTP reply code of this line, 0 if none */
	const unsigned char *tag; /* IMAP tag of a tagged line, else NULL */
	size_t tag_len;
	const char *finding;   /* NULL, or "protocol-violation" / "unsolicited-tag" */
	const char *violation; /* static sentence naming the rule broken, or NULL */
	/* The client command this line answers: the one its tag names, else the
	 * oldest outstanding; NULL for the greeting or when none is outstanding.
	 * With PROTO_LINE_ANSWER the reply is complete and the command is no
	 * longer outstanding. Valid until the next framer call. */
	const struct proto_command *command;
};

/* What the session needs to know about each protocol. */
struct proto_info {
	enum proto_id id;
	const char *name;             /* "smtp" */
	const char *display;          /* "SMTP" */
	const char *capa_command;     /* "EHLO", "CAPABILITY", "CAPA" (EHLO takes a name) */
	const char *starttls_command; /* "STARTTLS" or "STLS" */
	const char *starttls_cap;     /* capability that offers it: "STARTTLS" or "STLS" */
	const char *quit_command;     /* "QUIT" or "LOGOUT" */
	const char *starttls_rfc;     /* "RFC 3207", "RFC 9051 §6.2.1", "RFC 2595 §4" */
	const char *go_ahead; /* words for the positive reply: "220", "tagged OK", "+OK" */
};

const struct proto_info *proto_info(enum proto_id id);

/* The command words of a protocol (NULL-terminated), for completion. */
const char *const *proto_commands(enum proto_id id);

/* Looks a protocol up by name ("smtp", "imap", "pop3"); -1 if unknown. */
int proto_from_name(const char *name);

struct framer;

struct framer *framer_new(enum proto_id id);
void framer_free(struct framer *fr);

/* Forgets buffered bytes and reply state, as after the STARTTLS go-ahead. The
 * IMAP tag counter is kept so tags stay unique within the session. */
void framer_reset(struct framer *fr);

/* Appends server bytes. Returns 0, or -1 if out of memory. */
int framer_feed(struct framer *fr, const unsigned char *data, size_t len);

/* Hands out the next complete line. Returns 1 and fills *line, or 0 when no
 * complete line is buffered. */
int framer_next(struct framer *fr, struct proto_line *line);

/* The stream ended: hands a partial line (what was kept of it) to
 * framer_next as a line flagged PROTO_LINE_EOF. Returns 1 if there was one. */
int framer_finish(struct framer *fr);

/* Bytes received but not yet handed out (a partial line, or lines after the
 * one just handed out). Used to find bytes injected after a go-ahead. */
size_t framer_buffered(const struct framer *fr, const unsigned char **data);

/* Tells the framer the client sent this line (without CRLF). Returns the
 * command the line starts, or NULL when it continues an earlier one (an
 * answer to a continuation request, message content, the rest of a literal).
 * Valid until the next framer call. */
const struct proto_command *framer_sent(struct framer *fr, const unsigned char *line,
                                        size_t len);

/* Fills *out with what the client's next line will be. */
void framer_client(const struct framer *fr, struct proto_client *out);

/* How a line of len bytes goes into the literal the client is sending:
 * returns 2 when it goes with its CRLF, 0 when it goes alone (it fills the
 * literal exactly), -1 when it does not fit (or no literal is being sent). */
int framer_literal_fit(const struct framer *fr, size_t len);

/* Commands sent whose replies are not complete (the greeting not counted). */
size_t framer_outstanding(const struct framer *fr);

/* Replies the client is still waiting for (0 when idle). Before the greeting
 * has arrived this is 1. */
unsigned framer_pending(const struct framer *fr);

/* True while SMTP is in DATA mode (after 354, until the client sends "."). */
bool framer_in_data(const struct framer *fr);

/* IMAP: if the first word of line is an IMAP command name (case-insensitive)
 * and the line carries no tag yet, writes "TAG line" into out and returns 1;
 * tags run a, b, ... z, aa, ab, ... Otherwise copies line and returns 0.
 * Other protocols copy. out must hold len + 8 bytes. *out_len gets the length. */
int framer_autotag(struct framer *fr, const char *line, size_t len, char *out,
                   size_t *out_len);

struct proto_cap {
	const unsigned char *data; /* the capability word with its parameters */
	size_t len;
};

/* Splits a PROTO_LINE_CAPS line into capabilities: for SMTP the EHLO keyword
 * with parameters ("SIZE 10240000"), for POP3 the CAPA tag with parameters,
 * for IMAP each atom of a CAPABILITY response or [CAPABILITY ...] code.
 * Returns the number found (at most max are stored). */
size_t proto_line_caps(enum proto_id id, const struct proto_line *line,
                       struct proto_cap *caps, size_t max);

/* True if the client line carries credentials (AUTH, LOGIN, USER, PASS, APOP,
 * AUTHENTICATE; for IMAP after the tag). */
bool proto_is_credential(enum proto_id id, const unsigned char *line, size_t len);

/* The same for a line as the user typed it: an IMAP command may come without
 * its tag (the session adds one), so its first word may be the command. */
bool proto_typed_is_credential(enum proto_id id, const unsigned char *line, size_t len);

/* True if the client line is the protocol's STARTTLS/STLS command (IMAP: after
 * the tag), case-insensitive, with nothing after it. */
bool proto_is_starttls(enum proto_id id, const unsigned char *line, size_t len);

/* The same for a line as the user typed it (an IMAP command may come
 * without its tag). */
bool proto_typed_is_starttls(enum proto_id id, const unsigned char *line, size_t len);

/* True if the client line is the capability command (EHLO/HELO, CAPABILITY, CAPA). */
bool proto_is_capa(enum proto_id id, const unsigned char *line, size_t len);

/* Copies the command word of a client line (after the IMAP tag), upper-cased,
 * into out (size outsz). Returns its length, 0 if none. */
size_t proto_command_word(enum proto_id id, const unsigned char *line, size_t len,
                          char *out, size_t outsz);

#endif
