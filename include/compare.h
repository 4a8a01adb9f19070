/*
 * compare: what two sessions showed an eavesdropper, side by side. Each side
 * watches its own transcript (compare_observe as a listener, or over the
 * events afterwards) and keeps the figures of the "compare" event of
 * DESIGN.md: what crossed in plaintext before TLS and what it revealed, how
 * long TLS took to begin, the TLS parameters, the verdict, the chain and the
 * findings. compare_differences puts the differences that matter into words:
 * what an attacker on the path could read, strip or inject on one side and
 * not on the other. Pure: no sockets, no terminal.
 */
#ifndef STARTLE_COMPARE_H
#define STARTLE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "finding.h"
#include "target.h"
#include "transcript.h"

#define COMPARE_CHAIN_MAX 8
#define COMPARE_DIFF_MAX 16

/* What the plaintext phase revealed, as flags. */
enum compare_reveal {
	REVEAL_GREETING = 1 << 0, /* the server's greeting (name, software) */
	REVEAL_CAPS = 1 << 1,     /* the capability list (what to strip) */
	REVEAL_STARTTLS = 1 << 2, /* the STARTTLS exchange (what to refuse or inject) */
	REVEAL_TYPED = 1 << 3,    /* other lines the client sent before TLS */
	REVEAL_CREDENTIAL = 1 << 4, /* a credential line before TLS */
	REVEAL_EVERYTHING = 1 << 5  /* the session ended without TLS */
};

struct compare_side {
	const char *name; /* "a" or "b" */
	char target[300]; /* scheme://host:port */
	enum proto_id proto;
	enum tls_mode mode;
	/* Before TLS began (all of the session if it never did). */
	size_t wire_bytes;      /* as the session counted them (compare_set_plain_bytes) */
	size_t line_bytes;      /* the lines with their line ends, when that is unknown */
	size_t plaintext_lines; /* protocol lines, both directions */
	bool client_spoke;      /* the client sent a line (the greeting came before) */
	size_t typed_lines;     /* client lines other than capability and STARTTLS */
	unsigned reveals;       /* enum compare_reveal */
	/* TLS, once it began. */
	bool tls;             /* a handshake completed */
	bool handshake_began; /* the bytes on the wire turned to TLS records */
	char tls_version[16], cipher[96], group[32];
	double time_to_tls_ms; /* connect to the end of the handshake; < 0: none */
	bool have_verdict, verified, name_match;
	char verify_error[128];
	char chain[COMPARE_CHAIN_MAX][65]; /* SHA-256 of each certificate, leaf first */
	size_t nchain;
	enum finding_id findings[FINDING_COUNT]; /* ids, first seen first */
	size_t nfindings;
	bool closed; /* the session ended */
	int exit;    /* the exit code of the session (batch.h), once closed */
	char error[200]; /* the first error in words, raw; "" if none */
};

/* Starts a side for the session of target t. */
void compare_side_init(struct compare_side *c, const char *name, const struct target *t);

/* Takes in one event of the side's transcript (a transcript_listener's
 * argument is the side). */
void compare_observe(void *side, const struct transcript *t, const struct event *ev);

/* The wire bytes in plaintext, as the session counted them (more exact than
 * the sum of lines: it includes partial lines and injected bytes);
 * session_plain_bytes stops counting when TLS begins. */
void compare_set_plain_bytes(struct compare_side *c, size_t bytes);

/* Bytes on the wire in plaintext, both directions, before TLS began. */
size_t compare_plain_bytes(const struct compare_side *c);

/* Marks the side closed with its exit code. */
void compare_close(struct compare_side *c, int exit_code);

/* True once closed if a handshake began and never completed. */
bool compare_handshake_failed(const struct compare_side *c);

/* True if both presented a chain and the chains are the same, certificate by
 * certificate. */
bool compare_same_chain(const struct compare_side *a, const struct compare_side *b);

/* The differences that matter, in sentences (each allocated; caller frees
 * with compare_free_differences). Returns how many (at most max). */
size_t compare_differences(const struct compare_side *a, const struct compare_side *b,
                           char **out, size_t max);
void compare_free_differences(char **d, size_t n);

/* Whether a typed line goes to a side by default: everything goes to both,
 * except the protocol's upgrade command (STARTTLS, POP3's STLS; IMAP with
 * or without its tag), which goes only to explicit sides. */
bool compare_line_goes_to(const struct compare_side *c, const char *line);

/* One row of the comparison table: a label and each side's value (own
 * words and numbers; fronts escape them all the same). */
struct compare_row {
	const char *label;
	char a[100], b[100];
};
#define COMPARE_ROWS 12

/* The comparison as a table, the rows in a fixed order; returns how many. */
size_t compare_rows(const struct compare_side *a, const struct compare_side *b,
                    struct compare_row rows[COMPARE_ROWS]);

/* The revealed items in words, "greeting, capabilities, STARTTLS exchange",
 * into buf; "nothing" when none. */
void compare_reveals_words(unsigned reveals, char *buf, size_t size);

#endif
