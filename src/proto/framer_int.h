/*
 * framer internals shared by the line splitter (framer.c) and the protocol
 * interpreters (smtp.c, imap.c, pop3.c).
 *
 * The splitter runs while bytes are fed: it cuts the stream into records
 * (lines, truncated lines, pieces of IMAP literals) that point into one byte
 * buffer. framer_next pops a record and hands it to the protocol's line
 * function, which fills in the meaning (flags, reply, code, tag, findings).
 * Because records depend only on the server bytes, every split of the same
 * bytes yields the same lines.
 */
#ifndef STARTLE_FRAMER_INT_H
#define STARTLE_FRAMER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Record kinds beside the public flags. */
enum fr_rec_kind {
	FR_REC_LINE,   /* a line that starts a new response */
	FR_REC_CONT,   /* the rest of an IMAP response after a literal */
	FR_REC_LITERAL /* a piece of an IMAP literal */
};

/* One framed unit of the stream, by logical offset into the buffer. */
struct fr_rec {
	size_t pos;     /* first byte of the line */
	size_t len;     /* content bytes kept */
	size_t raw;     /* bytes stored for the record, terminator included */
	size_t dropped; /* bytes dropped after a truncated line */
	unsigned flags; /* PROTO_LINE_TRUNCATED, _BARE_LF, _LITERAL */
	enum fr_rec_kind kind;
	const char *violation; /* literal trouble seen while framing, or NULL */
};

/* States of the recogniser that spots "{n}" / "{n+}" at the end of a line. */
enum fr_lit_state { FR_LIT_NONE, FR_LIT_OPEN, FR_LIT_DIGITS, FR_LIT_PLUS, FR_LIT_CLOSE };

struct fr_litscan {
	enum fr_lit_state state;
	enum fr_lit_state
	    before_cr; /* state before the last CR, in case it ends the line */
	uint64_t value;
	bool overflow; /* the digits do not fit in 64 bits */
	bool nonsync;  /* "{n+}" */
};

/* The commands whose replies are outstanding, oldest first. */
struct framer_queue {
	struct proto_command *v;
	size_t head, n, cap;
};

struct smtp_state {
	bool greeting;           /* the greeting has not arrived yet */
	bool in_reply;           /* a "NNN-" line was seen; the reply goes on */
	bool data_mode;          /* after 354 to DATA, until the client's "." */
	bool sasl_next;          /* a 334 arrived: the next client line answers it */
	bool in_auth;            /* the exchange in progress began with AUTH */
	int reply_code;          /* code of the reply in progress */
	unsigned char reply_cmd; /* what the reply in progress answers */
};

struct imap_state {
	bool greeting;          /* the greeting has not arrived yet */
	bool cont_waiting;      /* a "+" arrived: the next client line answers it */
	bool lit_sync;          /* the client sent "{n}": waiting for "+" to send it */
	bool rest;              /* a client literal is complete: the rest comes next */
	uint64_t lit_left;      /* bytes of the client's literal still to send */
	char cur[24];           /* word of the client command in progress */
	unsigned resp_flags;    /* UNTAGGED / GREETING of the response in progress */
	unsigned long next_tag; /* automatic tag counter: survives framer_reset */
};

struct pop3_state {
	bool greeting;  /* the greeting has not arrived yet */
	bool in_multi;  /* reading the body of a multi-line response */
	bool sasl_next; /* a "+" arrived: the next client line answers it */
	bool in_auth;   /* the exchange in progress began with AUTH */
};

/* What differs between protocols. */
struct framer_ops {
	bool literals; /* the splitter recognises IMAP literals */
	void (*line)(struct framer *fr, struct proto_line *line, const struct fr_rec *rec);
	void (*sent)(struct framer *fr, const unsigned char *line, size_t len);
	unsigned (*pending)(const struct framer *fr);
	void (*reset)(struct framer *fr, bool fresh);
	void (*client)(const struct framer *fr, struct proto_client *out);
};

struct framer {
	enum proto_id id;
	const struct framer_ops *ops;

	unsigned char *buf;
	size_t cap;
	size_t base; /* logical offset of buf[0] */
	size_t head; /* first byte not handed out */
	size_t tail; /* one past the last byte stored */
	size_t line; /* start of the partial line */

	bool trunc;        /* the partial line passed PROTO_LINE_CAP */
	bool trunc_cr;     /* ... and its last dropped byte is a CR */
	size_t drop;       /* bytes dropped from the partial line */
	bool cont;         /* the partial line continues a response after a literal */
	uint64_t lit_left; /* bytes of an IMAP literal still to come */
	struct fr_litscan ls;

	struct fr_rec *recs;
	size_t rhead, rn, rcap;

	struct framer_queue cmds;      /* outstanding commands */
	struct proto_command answered; /* the command the last reply completed */
	bool pushed;                   /* framer_sent's line started a command */

	union {
		struct smtp_state smtp;
		struct imap_state imap;
		struct pop3_state pop3;
	} st;
};

extern const struct framer_ops smtp_framer_ops;
extern const struct framer_ops imap_framer_ops;
extern const struct framer_ops pop3_framer_ops;

/* Marks a line as breaking a rule, unless an earlier rule already did. */
void framer_violation(struct proto_line *line, const char *finding, const char *sentence);

/* Records a command the client line starts (IMAP: tagged by the line's
 * first word). Out of memory is fatal, as everywhere in startle. */
void framer_command_push(struct framer *fr, unsigned char kind, const unsigned char *line,
                         size_t len);

/* The oldest outstanding command, or NULL. */
const struct proto_command *framer_command_front(const struct framer *fr);

/* Index (from the oldest) of the outstanding command with this IMAP tag, or -1. */
long framer_command_find_tag(const struct framer *fr, const unsigned char *tag, size_t len);

/* Completes outstanding command i: it leaves the queue, and line carries it
 * with PROTO_LINE_ANSWER. */
void framer_command_answer(struct framer *fr, struct proto_line *line, size_t i);

/* True if (p, n) equals the NUL-terminated word w, ignoring ASCII case. */
bool framer_word_eq(const unsigned char *p, size_t n, const char *w);

/* Length of the word at p (up to a space or the end of n bytes). */
size_t framer_word_len(const unsigned char *p, size_t n);

/* True if the line ends with a literal announcement "{n}" or "{n+}": sets
 * *value and *nonsync. */
bool framer_ends_literal(const unsigned char *p, size_t n, uint64_t *value, bool *nonsync);

/* Records an answer to a continuation request as outstanding: it carries no
 * command word (answers are credentials, never shown as commands). */
void framer_answer_push(struct framer *fr, unsigned char kind, const char *word);

#endif
