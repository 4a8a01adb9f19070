/*
 * ladder: the session as a sequence diagram. Client and server are two
 * columns; each command and each complete reply is one arrow with a short
 * label; the TLS handshake is its own band; plaintext and encrypted regions are
 * shaded differently; findings are marked where they happened. TLS 1.3's
 * encrypted handshake messages, once startle has decrypted them, name the
 * records that carried them, in RFC 8446's notation: {EncryptedExtensions}.
 *
 * The diagram is kept as steps, appended event by event (ladder_update), so
 * drawing costs only the visible rows however long the session is. A
 * multi-line reply is one step ("250 mail.test +11 lines").
 */
#ifndef STARTLE_LADDER_H
#define STARTLE_LADDER_H

#include <stddef.h>

#include "styled.h"
#include "transcript.h"

enum ladder_kind {
	LADDER_CLIENT,  /* a client line: arrow to the server */
	LADDER_SERVER,  /* a server reply: arrow to the client */
	LADDER_BAND,    /* the handshake begins / TLS established: a full-width band */
	LADDER_RECORD,  /* a handshake-phase TLS record, or a handshake message
	                 * startle decrypted ("{Certificate} 987 B") */
	LADDER_FINDING, /* a finding, marked in the middle */
	LADDER_NOTE     /* connect, close, error, injected bytes */
};

struct ladder_step {
	enum ladder_kind kind;
	enum phase phase;
	size_t event;           /* index of the first event of the step */
	unsigned lines;         /* lines folded into this step (replies), or records */
	char label[96];         /* already escaped, safe to show */
	enum severity severity; /* LADDER_FINDING; LADDER_NOTE: info, warn for
	                         * injected bytes, danger for an error */
	enum dir dir;           /* LADDER_RECORD: who sent it */
};

/* Steps drawn at most: a server that sends reply after reply must not grow
 * the diagram without end. The last one then says how many more there are. */
#define LADDER_STEPS_MAX 65536 /* 8 MiB of steps */

struct ladder {
	struct ladder_step *v;
	size_t n, cap;
	bool reply_open;         /* the last step is a reply still receiving lines */
	bool record_open;        /* the last step is one encrypted record whose
	                          * content no decrypted message has named yet */
	bool redact;             /* --redact: secret lines labelled by a marker (output.h) */
	unsigned long more;      /* steps past LADDER_STEPS_MAX, not drawn */
	struct ladder_step spare; /* where a step past the limit is written, unseen */
};

void ladder_init(struct ladder *l);
void ladder_free(struct ladder *l);

/* Feeds one appended event (index idx). Returns the number of steps it
 * created or folded into (at most one): the work it did. */
size_t ladder_update(struct ladder *l, const struct transcript *t, size_t idx);

/* Appends to out the diagram rows [first, first + height) at width columns
 * (a header row with "client" and "server" first). Only the steps of those
 * rows are visited, one each. Returns the total number of rows the diagram
 * has at this width. */
size_t ladder_rows(const struct ladder *l, int width, size_t first, int height,
                   struct slines *out);

/* --compare: the ladders of two sessions side by side, l[0] left of a
 * divider and l[1] right of it, aligned in time: the steps go down in the
 * order they happened (by their first event's wall clock in t[0], t[1]); a
 * row holds one step of each side when neither has another step between
 * them and the later is nearer in time to the earlier than to the earlier
 * side's next step, else one step and the other side's lifelines. Appends the rows
 * [first, first + height) at width columns (the header row first) and
 * returns the total number of rows; the pairing walks every step's time,
 * only the rows shown are drawn. */
size_t ladder_pair_rows(const struct ladder *const l[2],
                        const struct transcript *const t[2], int width, size_t first,
                        int height, struct slines *out);

#endif
