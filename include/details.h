/*
 * details: the contents of the details pane, built as styled lines from the
 * transcript alone. An index (dindex) is kept up to date event by event so
 * that no tab walks the whole transcript to find the TLS summary, the chain,
 * the verdict or the handshake records.
 */
#ifndef STARTLE_DETAILS_H
#define STARTLE_DETAILS_H

#include <stdbool.h>
#include <stddef.h>

#include "hsdecrypt.h"
#include "mx.h"
#include "styled.h"
#include "transcript.h"

/* Each tab: id, name, and the short name the tab bar uses when the names
 * do not fit. */
#define DETAILS_TABS(X)                                                                    \
	X(HANDSHAKE, "Handshake", "TLS")                                                   \
	X(CERTS, "Certificates", "Certs")                                                  \
	X(WIRE, "Wire", "Wire")                                                            \
	X(HELP, "Help", "Help")                                                            \
	X(LADDER, "Ladder", "Ladder")                                                      \
	X(LESSON, "Lesson", "Lesson")                                                      \
	X(COMPARE, "Compare", "Cmp")                                                       \
	X(DNS, "DNS/Policy", "DNS")

enum details_tab {
#define DETAILS_TAB_ENUM(sym, name, short_name) TAB_##sym,
	DETAILS_TABS(DETAILS_TAB_ENUM)
#undef DETAILS_TAB_ENUM
	    TAB_COUNT
};

const char *details_tab_name(enum details_tab tab);
const char *details_tab_short_name(enum details_tab tab);

#define DINDEX_MAX_RECORDS 64

/* What the tabs need, gathered as events arrive. Indexes are into the
 * transcript; (size_t)-1 means none yet. */
struct dindex {
	size_t connect, greeting, starttls_sent, handshake_begin, tls_summary, verdict;
	size_t certs[10];
	size_t ncerts;
	size_t records[DINDEX_MAX_RECORDS]; /* handshake-phase TLS records */
	size_t nrecords;
	unsigned long records_after;     /* records after the handshake */
	size_t messages[HSDECRYPT_MESSAGES_MAX]; /* TLS 1.3 messages startle decrypted */
	size_t nmessages;
	size_t plain_lines, plain_bytes; /* client+server lines in plaintext */
	size_t tls_lines;
	unsigned findings[3]; /* by severity */
	size_t last_finding;
	bool closed; /* the connection ended (close or error) */
};

void dindex_init(struct dindex *d);
/* Feeds one appended event (index idx). */
void dindex_update(struct dindex *d, const struct transcript *t, size_t idx);

/* Builders: append the tab's lines (already wrapped to width) to out. */
void details_handshake(const struct dindex *d, const struct transcript *t, int width,
                       struct slines *out);
void details_certs(const struct dindex *d, const struct transcript *t, int width,
                   struct slines *out);
/* --mx: the mail domain's chain of reasoning (mx_check_reasoning), section
 * by section, with what /mx does. */
void details_dns(const struct mx_check *m, int width, struct slines *out);
/* Help lists keys and commands; commands come from the caller's table. */
struct details_help_row {
	const char *keys; /* "F1, ?" or "/starttls" */
	const char *what;
};
void details_help(const struct details_help_row *rows, size_t n, int width,
                  struct slines *out);

/* Everything about one event: kind, phase, direction, time, explanation, the
 * RFC reference, the raw bytes in hex and as escaped text; for TLS, cert and
 * record events their fields. */
void details_event(const struct event *ev, int width, bool redact, struct slines *out);

/* The status bar text: "plaintext: 5 lines, 412 B exposed · TLS 1.3
 * AES-256-GCM X25519 · cert: NOT TRUSTED", in at most width columns where it
 * can be: the cipher, then the wording of the exposure and the group give
 * way first, so the verdict on the certificate and the findings stay in
 * sight. out is cleared first. */
void details_status_fit(const struct dindex *d, const struct transcript *t, int width,
                        struct sline *out);

#endif
