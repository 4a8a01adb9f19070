/*
 * proxy_relay: one connection of the proxy, in its own process. Bytes move
 * between the client and the upstream server through per-direction buffers;
 * in plaintext they go through proxy_plain.c line by line, after the
 * go-ahead they pass untouched while the record scanner names each TLS
 * record, as any eavesdropper could.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "escape.h"
#include "proto.h"
#include "proxy_int.h"
#include "record.h"
#include "util.h"

#define PX_CONNECT_MS 10000
#define PX_IDLE_MS 120000
#define PX_READ_CHUNK 16384
/* Stop reading a side while this much waits to be written to the other. */
#define PX_OUT_MAX (256u * 1024)
/* Longest piece of a line copied into the log. */
#define PX_LOG_MAX 1024
/* TLS records listed one by one per direction; the rest are only counted. */
#define PX_RECORDS_LISTED 32

void
proxy_buf_add(struct px_buf *b, const void *data, size_t n)
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

void
proxy_buf_drop(struct px_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

void
proxy_buf_free(struct px_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Writes one line to the log, "proxy: ..." for the listener and "proxy[N]:
 * ..." for connection N, flushed at once so processes do not mix lines. */
void
proxy_logf(FILE *log, unsigned id, const char *fmt, ...)
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
char *
proxy_escaped(const unsigned char *data, size_t len)
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
void
proxy_log_line(const struct px_conn *c, const char *marker, const unsigned char *data,
               size_t len, const char *note)
{
	if (c->cfg->log == NULL)
		return;
	char *esc = proxy_escaped(data, len);
	proxy_logf(c->cfg->log, c->id, "%s %s%s", marker, esc, note);
	free(esc);
}

/* Length of a line without its LF or CRLF terminator. */
size_t
proxy_content_len(const unsigned char *raw, size_t n)
{
	if (n > 0 && raw[n - 1] == '\n')
		n--;
	if (n > 0 && raw[n - 1] == '\r')
		n--;
	return n;
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
		proxy_logf(c->cfg->log, c->id,
		           "%s %s: further records are counted, not listed", s->tls_arrow,
		           s->name);
		return;
	}
	proxy_logf(c->cfg->log, c->id,
	           "%s TLS record: %s%s%s%s, %zu byte%s, record version 0x%04x",
	           s->tls_arrow, record_type_name(r->type),
	           hs && !r->readable ? " (encrypted)" : "", hs_name ? " " : "",
	           hs_name ? hs_name : "", r->length, r->length == 1 ? "" : "s",
	           r->version);
}

/* Follows record headers over bytes relayed raw: it can see each record's
 * type, version and size (and the first handshake messages) but nothing
 * inside the encrypted ones. */
void
proxy_tls_feed(struct px_conn *c, struct px_side *s, const unsigned char *p, size_t n)
{
	const unsigned char *h = s->scan.bad;
	bool was_broken = s->scan.broken;

	record_scan_feed(&s->scan, p, n);
	if (was_broken || !s->scan.broken)
		return;
	proxy_logf(c->cfg->log, c->id,
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
	proxy_logf(
	    c->cfg->log, c->id,
	    "== %s after the go-ahead: %llu bytes relayed unread, %lu TLS record%s%s%s%s%s",
	    s->name, (unsigned long long)sc->bytes, sc->records,
	    sc->records == 1 ? "" : "s", used ? " (" : "", types, used ? ")" : "",
	    sc->broken ? "; then bytes that are not TLS records" : "");
}

static void
px_read(struct px_conn *c, struct px_side *s)
{
	unsigned char buf[PX_READ_CHUNK];
	ssize_t n = recv(s->from, buf, sizeof(buf), 0);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		proxy_logf(c->cfg->log, c->id, "** reading (%s) failed: %s", s->name,
		           strerror(errno));
		c->failed = true;
		return;
	}
	c->last_io = util_now_ms();
	if (n == 0) {
		s->eof = true;
		proxy_logf(c->cfg->log, c->id, "== %s closed its side",
		           s == &c->up ? "the client" : "the server");
		if (!c->raw)
			proxy_plain_flush(c, s);
		return;
	}
	if (c->raw) {
		proxy_buf_add(&s->out, buf, (size_t)n);
		proxy_tls_feed(c, s, buf, (size_t)n);
		return;
	}
	s->plain_bytes += (uint64_t)n;
	proxy_buf_add(&s->in, buf, (size_t)n);
	proxy_plain_process(c, s);
}

/* Writes what a side has queued, as much as the socket takes now. */
static void
px_write(struct px_conn *c, struct px_side *s)
{
	while (s->out.len > 0 && !c->failed) {
		ssize_t n = send(s->to, s->out.p, s->out.len, MSG_NOSIGNAL);
		if (n > 0) {
			proxy_buf_drop(&s->out, (size_t)n);
			c->last_io = util_now_ms();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		proxy_logf(c->cfg->log, c->id, "** writing (%s) failed: %s", s->name,
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
			proxy_logf(c->cfg->log, c->id, "** poll failed: %s",
			           strerror(errno));
			return;
		}
		if (n == 0) {
			proxy_logf(c->cfg->log, c->id,
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
void
proxy_serve(const struct proxy_config *cfg, int cfd, unsigned id)
{
	struct conn_result res;
	char *cause = NULL;

	if (conn_open(cfg->upstream_host, cfg->upstream_port, PX_CONNECT_MS, &res, &cause) <
	    0) {
		proxy_logf(cfg->log, id,
		           "** cannot reach the upstream server: %s; closing the client",
		           cause);
		free(cause);
		return;
	}
	int fl = fcntl(cfd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(cfd, F_SETFL, fl | O_NONBLOCK);
	proxy_logf(cfg->log, id, "== upstream %s:%u connected in %.0f ms", res.address,
	           res.port, res.connect_ms);

	struct px_conn c = {.cfg = cfg, .info = proto_info(cfg->proto), .id = id};
	c.fr = framer_new(cfg->proto);
	if (c.fr == NULL)
		fatal("out of memory");
	px_side_init(&c.up, &c, "client->server", "->", "~>", cfd, res.fd);
	px_side_init(&c.down, &c, "server->client", "<-", "<~", res.fd, cfd);
	px_relay(&c);

	proxy_logf(cfg->log, id,
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
	proxy_buf_free(&c.up.in);
	proxy_buf_free(&c.up.out);
	proxy_buf_free(&c.down.in);
	proxy_buf_free(&c.down.out);
	proxy_buf_free(&c.held);
	for (size_t i = 0; i < c.nlocals; i++)
		free(c.locals[i].text);
	free(c.locals);
	close(res.fd);
}
