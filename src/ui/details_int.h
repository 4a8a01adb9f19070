/*
 * details internals shared by the files that build the tabs (details.c, the
 * index, the builder and the status bar; details_handshake.c,
 * details_certs.c, details_event.c): a builder that wraps rows to the pane's
 * width, and the row groups more than one tab shows.
 */
#ifndef STARTLE_DETAILS_INT_H
#define STARTLE_DETAILS_INT_H

#include <stddef.h>
#include <time.h>

#include "cert.h"
#include "details.h"
#include "styled.h"
#include "tls.h"
#include "transcript.h"

/* An index of the dindex that points at no event yet. */
#define DETAILS_NONE ((size_t)-1)

/* A builder's state: where lines go, at which width, the row being built. */
struct dpane {
	struct slines *out;
	int width;
	int tag;
	struct sline cur;
	int indent; /* continuation indent of cur */
};

void dpane_init(struct dpane *p, struct slines *out, int width);
/* Wraps the line being built into the output and starts a new one. */
void dpane_flush(struct dpane *p);
void dpane_done(struct dpane *p);
/* A blank row, unless the last row already is one. */
void dpane_blank(struct dpane *p);
void dpane_title(struct dpane *p, const char *title);
/* A paragraph of startle's own words, indented by two columns. */
void dpane_text(struct dpane *p, enum theme_element e, const char *text);
/* Starts a "label  value" row; the caller appends the value to the returned
 * line and calls dpane_flush. Narrow panes get the label on a line of its own. */
struct sline *dpane_row(struct dpane *p, const char *label);
/* A row whose value is startle's own text in one element. */
void dpane_pair(struct dpane *p, const char *label, enum theme_element e,
                const char *value);
/* A row whose value comes from outside (a server, the user) and is escaped. */
void dpane_pair_escaped(struct dpane *p, const char *label, const char *value);
/* A row whose value is startle's words quoting server bytes (a note, a
 * problem, a name a server or a recording gave), drawn in e through
 * ESCAPE_OWN: what is escaped already stays, any control left is escaped. */
void dpane_pair_own(struct dpane *p, const char *label, enum theme_element e,
                    const char *value);
/* dpane_text for such words. */
void dpane_text_own(struct dpane *p, enum theme_element e, const char *text);

/* Formats a byte count: "412 B", "12.5 KiB", "3.1 MiB". */
void details_format_bytes(size_t n, char *buf, size_t size);
/* The event at an index of the dindex, or NULL for DETAILS_NONE. */
const struct event *details_event_at(const struct transcript *t, size_t idx);

/* details_handshake.c: the negotiated parameters as rows; what is known of
 * a record's content, as an eavesdropper reads it. */
void details_summary_rows(struct dpane *p, const struct tls_summary *sum);
void details_record_message(const struct tls_record *rec, char *buf, size_t size);

/* details_certs.c: a certificate's role in the chain ("leaf", ...), every
 * field of one certificate as rows, and the verdict in words. */
const char *details_cert_role(const struct cert_info *c);
void details_cert_rows(struct dpane *p, const struct cert_info *c, time_t now);
void details_verdict_rows(struct dpane *p, const struct cert_verdict *v);

#endif
