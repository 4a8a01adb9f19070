/*
 * proxy_int: what the proxy's files share. proxy.c listens and forks a
 * process per client; proxy_relay.c moves the bytes of one connection and
 * follows the TLS records once the upgrade began; proxy_plain.c reads the
 * plaintext phase line by line and applies the attack.
 */
#ifndef STARTLE_PROXY_INT_H
#define STARTLE_PROXY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"
#include "proxy.h"
#include "record.h"

#define PX_TAG_MAX 64

/* A growing byte buffer. */
struct px_buf {
	unsigned char *p;
	size_t len, cap;
};

struct px_conn;

/* One direction of the relay: bytes read from one socket, written to the other. */
struct px_side {
	const char *name;      /* "client->server" */
	const char *arrow;     /* plaintext line marker, as in batch text */
	const char *tls_arrow; /* the same for encrypted bytes */
	int from, to;
	struct px_buf in;  /* read in plaintext, not yet a complete line */
	struct px_buf out; /* waiting to be written to the other socket */
	bool long_line;    /* inside a line longer than PX_LINE_MAX */
	bool eof, shut;
	uint64_t plain_bytes;
	struct px_conn *conn;       /* the connection this side belongs to */
	struct record_scanner scan; /* the record layer after the go-ahead */
	unsigned listed;            /* records logged one by one */
};

/* A reply the proxy makes up itself, due once the server has completed
 * `ends` more replies (so it reaches the client in order). */
struct px_local {
	unsigned char *text;
	size_t len;
	unsigned ends;
};

/* One proxied connection, served in its own process. */
struct px_conn {
	const struct proxy_config *cfg;
	const struct proto_info *info;
	unsigned id;
	struct framer *fr;
	struct px_side up;   /* client -> server */
	struct px_side down; /* server -> client */
	bool raw;            /* the upgrade began: bytes pass untouched */
	bool starttls_waiting;
	unsigned starttls_ends; /* SMTP, POP3: replies due before STARTTLS's */
	char starttls_tag[PX_TAG_MAX];
	struct px_buf held; /* SMTP strip: the reply line held back */
	struct px_local *locals;
	size_t nlocals;
	bool failed;
	double last_io;
};

/* Growing byte buffers: append, drop from the front, free. */
void proxy_buf_add(struct px_buf *b, const void *data, size_t n);
void proxy_buf_drop(struct px_buf *b, size_t n);
void proxy_buf_free(struct px_buf *b);

/* Writes one line to the log, "proxy: ..." for the listener (id 0) and
 * "proxy[N]: ..." for connection N, flushed at once. */
void proxy_logf(FILE *log, unsigned id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Escaped text of bytes for the log, cut with a count of the rest. */
char *proxy_escaped(const unsigned char *data, size_t len);

/* Logs a plaintext line (or piece) with its direction marker and a note. */
void proxy_log_line(const struct px_conn *c, const char *marker, const unsigned char *data,
                    size_t len, const char *note);

/* Length of a line without its LF or CRLF terminator. */
size_t proxy_content_len(const unsigned char *raw, size_t n);

/* Follows the TLS records in bytes relayed raw, logging what it sees. */
void proxy_tls_feed(struct px_conn *c, struct px_side *s, const unsigned char *p, size_t n);

/* Works through plaintext read from one side, unit by unit, until the buffer
 * holds only a partial line or the upgrade begins (then c->raw is set). */
void proxy_plain_process(struct px_conn *c, struct px_side *s);

/* At EOF in plaintext: relays what is left of a partial line, and on the
 * server side the proxy's own replies still due. */
void proxy_plain_flush(struct px_conn *c, struct px_side *s);

/* Serves one client in its own process: connects upstream, relays, logs. */
void proxy_serve(const struct proxy_config *cfg, int cfd, unsigned id);

#endif
