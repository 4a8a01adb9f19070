#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "lab_int.h"
#include "util.h"

/* What the server says when it ends a session on its own. */
static const struct {
	const char *idle;
	const char *too_long;
	const char *expired;
} goodbyes[PROTO_COUNT] = {
    [PROTO_SMTP] = {"421 4.4.2 " LAB_HOST " Error: timeout exceeded",
                    "500 5.5.0 Error: line too long, closing the connection",
                    "421 4.4.2 " LAB_HOST " Error: session time limit reached"},
    [PROTO_IMAP] = {"* BYE Disconnected for inactivity.",
                    "* BYE Line too long, closing the connection.",
                    "* BYE Session time limit reached."},
    [PROTO_POP3] = {"-ERR Disconnected for inactivity.",
                    "-ERR Line too long, closing the connection.",
                    "-ERR Session time limit reached."},
};

/* Lets the next read wait at most until the idle limit or the end of the
 * session, whichever comes first. Returns false when the session is over. */
static bool
lab_read_timeout(struct lab_client *c)
{
	double left = c->deadline - util_now_ms();
	int ms = c->lab->idle_ms;

	if (left <= 0)
		return false;
	if (left < ms)
		ms = (int)left + 1;
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return true;
}

/* Hostile bytes for the escape scenario: window title (OSC 0 and 2), screen
 * clear (CSI 2J), clipboard write (OSC 52), NUL, a lone CR, invalid UTF-8 and
 * a right-to-left override (U+202E). */
static const char escape_payload[] = " \x1b]0;startle-lab title\x07\x1b]2;owned\x07"
                                     "\x1b[2J\x1b]52;c;c3RhcnRsZS1sYWI=\x07 nul:\0 cr:\r "
                                     "bad-utf8:\xff\xfe bidi:\xe2\x80\xae"
                                     "evil";

const char *
lab_escape_payload(size_t *len)
{
	*len = sizeof escape_payload - 1;
	return escape_payload;
}

void
lab_sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void
lab_log(struct lab_client *c, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;

	if (c->log == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	char *text;
	va_start(ap, fmt);
	text = str_vprintf(fmt, ap);
	va_end(ap);
	fprintf(c->log, "%s.%03ld #%u %s\n", stamp, ts.tv_nsec / 1000000L, c->id, text);
	fflush(c->log);
	free(text);
}

/* Logs bytes the way they travelled, escaped. */
static void
lab_log_bytes(struct lab_client *c, const char *who, const void *data, size_t len,
              const char *suffix)
{
	char *safe;

	if (c->log == NULL)
		return;
	safe = escape_bytes(data, len, ESCAPE_TEXT);
	lab_log(c, "%s %s%s", who, safe, suffix);
	free(safe);
}

bool
lab_in_tls(const struct lab_client *c)
{
	return c->ssl != NULL;
}

/* Receives some bytes. Returns the count, 0 when the client left, -1 on
 * error, -2 when the client was idle too long. */
static ssize_t
lab_recv(struct lab_client *c, void *buf, size_t len)
{
	if (c->ssl != NULL) {
		int n = wolfSSL_read(c->ssl, buf, (int)(len > 65536 ? 65536 : len));
		if (n > 0)
			return n;
		int err = wolfSSL_get_error(c->ssl, n);
		if (err == WOLFSSL_ERROR_ZERO_RETURN)
			return 0;
		if (err == WOLFSSL_ERROR_WANT_READ)
			return -2;
		if (err == SOCKET_PEER_CLOSED_E || err == SOCKET_ERROR_E)
			return 0;
		return -1;
	}
	for (;;) {
		ssize_t n = recv(c->fd, buf, len, 0);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
	}
}

/* Says goodbye (unless the client is already gone) and marks the session over. */
static void
lab_goodbye(struct lab_client *c, const char *line)
{
	if (c->gone)
		return;
	c->out_len = 0;
	lab_say(c, "%s", line);
	lab_send(c);
	c->gone = true;
}

/* Makes more received bytes available. Returns 1, or 0 when the session ends. */
static int
lab_fill(struct lab_client *c)
{
	ssize_t n;

	if (c->in_off > 0) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	if (c->in_cap - c->in_len < 4096) {
		c->in_cap = c->in_cap ? c->in_cap * 2 : 8192;
		c->in = xrealloc(c->in, c->in_cap);
	}
	n = lab_read_timeout(c) ? lab_recv(c, c->in + c->in_len, c->in_cap - c->in_len)
	                        : -2;
	if (n > 0) {
		c->in_len += (size_t)n;
		return 1;
	}
	if (n == -2 && util_now_ms() >= c->deadline) {
		lab_log(c, "connected for %d s, the session limit: closing",
		        c->lab->session_ms / 1000);
		lab_goodbye(c, goodbyes[c->proto].expired);
	} else if (n == -2) {
		lab_log(c, "idle for %d s: closing", c->lab->idle_ms / 1000);
		lab_goodbye(c, goodbyes[c->proto].idle);
	} else {
		lab_log(c, n == 0 ? "the client closed the connection"
		                  : "the connection failed while reading");
		c->gone = c->broken = true;
	}
	return 0;
}

static int lab_write(struct lab_client *c, const void *data, size_t len);

/* The flood scenario: once inside TLS, the first command gets lines that
 * never end (a continuation of the protocol's kind, 100 bytes each), until
 * the client leaves or the session's time is up. */
static void
lab_flood(struct lab_client *c)
{
	static const char *const head[PROTO_COUNT] = {
	    [PROTO_SMTP] = "250-", [PROTO_IMAP] = "* OK ", [PROTO_POP3] = ""};
	char block[64 * 100 + 1];
	unsigned long n = 0;

	c->flooded = true;
	lab_log(c, "flood: lines without end until the client leaves");
	while (util_now_ms() < c->deadline) {
		size_t used = 0;
		for (int i = 0; i < 64; i++, n++)
			used += (size_t)snprintf(block + used, sizeof block - used,
			                         "%sflood line %010lu %-*s\r\n", head[c->proto], n,
			                         (int)(100 - 2 - 22 - strlen(head[c->proto])),
			                         "of a server that never stops talking");
		if (lab_write(c, block, used) != 0)
			break;
	}
	lab_log(c, "flood: %lu lines sent", n);
	c->broken = true;
}

static int
lab_read_line_raw(struct lab_client *c, const unsigned char **line, size_t *len, bool quiet)
{
	size_t scanned = 0;

	for (;;) {
		const unsigned char *start = c->in + c->in_off;
		size_t avail = c->in_len - c->in_off;
		const unsigned char *lf =
		    avail > scanned ? memchr(start + scanned, '\n', avail - scanned) : NULL;
		if (lf != NULL) {
			size_t n = (size_t)(lf - start);
			c->in_off += n + 1;
			if (n > 0 && start[n - 1] == '\r')
				n--;
			*line = start;
			*len = n;
			if (!quiet)
				lab_log_bytes(c, "C:", start, n, "");
			return 1;
		}
		scanned = avail;
		if (avail >= LAB_LINE_MAX) {
			lab_log(
			    c,
			    "the client sent %zu bytes without a line end: cutting it off",
			    avail);
			lab_goodbye(c, goodbyes[c->proto].too_long);
			return 0;
		}
		if (c->gone || !lab_fill(c))
			return 0;
	}
}

int
lab_read_line(struct lab_client *c, const unsigned char **line, size_t *len, bool quiet)
{
	int rc = lab_read_line_raw(c, line, len, quiet);

	if (rc == 1 && c->b->flood && c->ssl != NULL && !c->flooded) {
		lab_flood(c);
		return 0;
	}
	return rc;
}

unsigned char *
lab_read_bytes(struct lab_client *c, size_t n)
{
	while (c->in_len - c->in_off < n)
		if (c->gone || !lab_fill(c))
			return NULL;
	unsigned char *out = xmemdup(c->in + c->in_off, n);
	c->in_off += n;
	lab_log(c, "C: {%zu bytes of literal data}", n);
	return out;
}

/* Appends bytes to the reply being built. */
static void
lab_append(struct lab_client *c, const void *data, size_t len)
{
	if (c->out_cap - c->out_len < len + 1) {
		while (c->out_cap - c->out_len < len + 1)
			c->out_cap = c->out_cap ? c->out_cap * 2 : 1024;
		c->out = xrealloc(c->out, c->out_cap);
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

/* Appends a formatted line, the escape payload if asked, and CRLF. */
static void
lab_vsay(struct lab_client *c, bool decorate, const char *fmt, va_list ap)
{
	char *text = str_vprintf(fmt, ap);

	lab_append(c, text, strlen(text));
	free(text);
	if (decorate && c->b->escape) {
		size_t n;
		const char *p = lab_escape_payload(&n);
		lab_append(c, p, n);
	}
	lab_append(c, "\r\n", 2);
}

void
lab_say(struct lab_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lab_vsay(c, false, fmt, ap);
	va_end(ap);
}

void
lab_say_text(struct lab_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lab_vsay(c, true, fmt, ap);
	va_end(ap);
}

void
lab_put(struct lab_client *c, const void *data, size_t len)
{
	lab_append(c, data, len);
}

/* Writes all bytes, plain or through TLS. Returns 0 or -1. */
static int
lab_write(struct lab_client *c, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n;
		if (c->ssl != NULL) {
			int chunk = len > 16384 ? 16384 : (int)len;
			n = wolfSSL_write(c->ssl, p, chunk);
			if (n <= 0)
				return -1;
		} else {
			n = send(c->fd, p, len, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
lab_send(struct lab_client *c)
{
	int rc = 0;

	if (c->out_len == 0)
		return c->gone ? -1 : 0;
	if (c->log != NULL) {
		const char *lf = memchr(c->out, '\n', c->out_len);
		size_t first = lf ? (size_t)(lf - c->out) : c->out_len;
		size_t from = lf ? first + 1 : c->out_len, lines = 0;
		if (first > 0 && c->out[first - 1] == '\r')
			first--;
		char suffix[96] = "";
		for (size_t i = from; i < c->out_len; i++)
			lines += c->out[i] == '\n';
		if (c->out_len > from && c->out[c->out_len - 1] != '\n')
			lines++;
		if (c->out_len > from)
			snprintf(suffix, sizeof suffix, "  [+%zu more line%s, %zu bytes]",
			         lines, lines == 1 ? "" : "s", c->out_len - from);
		lab_log_bytes(c, "S:", c->out, first, suffix);
	}
	if (c->gone) {
		rc = -1;
	} else if (c->b->slow) {
		int step = c->lab->slow_ms / LAB_SLOW_STEPS;
		for (size_t i = 0; i < c->out_len && rc == 0; i++) {
			if (i > 0)
				lab_sleep_ms(step > 0 ? step : 1);
			rc = lab_write(c, c->out + i, 1);
		}
	} else {
		rc = lab_write(c, c->out, c->out_len);
	}
	c->out_len = 0;
	if (rc != 0) {
		lab_log(c, "the connection failed while writing");
		c->gone = c->broken = true;
	}
	return rc;
}

/* Reads the client's first TLS record (its ClientHello), for the scenarios
 * that answer it with something else. Returns the bytes read. */
static size_t
lab_read_client_hello(struct lab_client *c)
{
	unsigned char head[5], body[512];
	size_t got = 0, want = sizeof head, total = 0;

	while (got < want) {
		ssize_t n = recv(c->fd, head + got, want - got, 0);
		if (n <= 0)
			return got;
		got += (size_t)n;
	}
	total = got;
	want = ((size_t)head[3] << 8) | head[4];
	while (want > 0) {
		ssize_t n = recv(c->fd, body, want < sizeof body ? want : sizeof body, 0);
		if (n <= 0)
			break;
		want -= (size_t)n;
		total += (size_t)n;
	}
	return total;
}

/* The scenarios that never let the handshake happen. */
static int
lab_break_handshake(struct lab_client *c)
{
	static const char garbage[] = "this is not TLS\r\n";
	size_t n = lab_read_client_hello(c);

	lab_log(c, "tls: read %zu bytes of the ClientHello", n);
	if (c->b->hs == LAB_HS_GARBAGE) {
		(void)!send(c->fd, garbage, sizeof garbage - 1, MSG_NOSIGNAL);
		lab_log(c, "S: this is not TLS  [plaintext instead of a ServerHello]");
	}
	lab_log(c, "tls: closing the connection in the middle of the handshake");
	c->gone = c->broken = true;
	return -1;
}

/* Runs the server side of the handshake on the client's socket. */
static int
lab_handshake(struct lab_client *c)
{
	char err[WOLFSSL_MAX_ERROR_SZ];
	int rc;

	if (c->b->hs != LAB_HS_NORMAL)
		return lab_break_handshake(c);
	c->ssl = wolfSSL_new(c->lab->ctx);
	if (c->ssl == NULL || wolfSSL_set_fd(c->ssl, c->fd) != WOLFSSL_SUCCESS) {
		lab_log(c, "tls: cannot start TLS (out of memory?)");
		c->gone = c->broken = true;
		return -1;
	}
	rc = wolfSSL_accept(c->ssl);
	if (rc != WOLFSSL_SUCCESS) {
		int e = wolfSSL_get_error(c->ssl, rc);
		lab_log(c, "tls: the handshake failed: %s (%d)",
		        wolfSSL_ERR_error_string((unsigned long)e, err), e);
		wolfSSL_free(c->ssl);
		c->ssl = NULL;
		c->gone = c->broken = true;
		return -1;
	}
	int suite = wolfSSL_get_current_cipher_suite(c->ssl);
	const char *cipher = wolfSSL_get_cipher_name_iana_from_suite(
	    (unsigned char)(suite >> 8), (unsigned char)suite);
	lab_log(c, "tls: %s %s, certificate %s", wolfSSL_get_version(c->ssl),
	        cipher ? cipher : "?",
	        c->lab->cfg.policy ? c->lab->cfg.policy->hosts[0]
	                           : labcert_kind_name(c->b->cert));
	return 0;
}

int
lab_starttls(struct lab_client *c)
{
	size_t left = c->in_len - c->in_off;

	if (left > 0)
		lab_log(c,
		        "discarding %zu plaintext bytes pipelined after the TLS command: "
		        "nothing said before TLS may act inside it",
		        left);
	c->in_len = c->in_off = 0;
	return lab_handshake(c);
}

bool
lab_cut_tls_caps(struct lab_client *c)
{
	if (!c->b->no_close_notify || c->ssl == NULL || c->tls_caps_cut)
		return false;
	const char *lf = memchr(c->out, '\n', c->out_len);
	c->tls_caps_cut = true;
	c->out_len = lf ? (size_t)(lf - c->out) + 1 : c->out_len;
	lab_send(c);
	lab_log(c, "tls: cutting the reply short and closing without close_notify");
	c->gone = c->broken = true;
	return true;
}

void
lab_end(struct lab_client *c)
{
	if (c->ssl != NULL) {
		if (c->b->no_close_notify && !c->tls_caps_cut)
			lab_log(c, "tls: closing without close_notify");
		else if (!c->broken)
			wolfSSL_shutdown(c->ssl);
		wolfSSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0) {
		shutdown(c->fd, SHUT_WR);
		close(c->fd);
		c->fd = -1;
	}
	c->gone = true;
}

void
lab_client_run(const struct lab *lab, int fd, unsigned id, const char *peer)
{
	static void (*const serve[PROTO_COUNT])(struct lab_client *) = {
	    [PROTO_SMTP] = lab_smtp_serve,
	    [PROTO_IMAP] = lab_imap_serve,
	    [PROTO_POP3] = lab_pop3_serve,
	};
	struct lab_client c = {
	    .lab = lab,
	    .b = lab->b,
	    .proto = lab->cfg.proto,
	    .fd = fd,
	    .id = id,
	    .log = lab->cfg.log,
	    .deadline = util_now_ms() + lab->session_ms,
	};
	struct timeval tv = {.tv_sec = lab->idle_ms / 1000,
	                     .tv_usec = (lab->idle_ms % 1000) * 1000};
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (lab->cfg.policy != NULL)
		lab_log(&c, "connection from %s (HTTPS, policy host %s, answer %s)", peer,
		        lab->cfg.policy->hosts[0],
		        lab_policy_answer_name(lab->cfg.policy->answer));
	else
		lab_log(&c, "connection from %s (%s%s, scenario %s)", peer,
		        proto_info(c.proto)->display,
		        lab->cfg.implicit ? " with implicit TLS" : "",
		        lab_scenario_name(lab->cfg.scenario));
	if (lab->cfg.implicit && lab_handshake(&c) != 0) {
		lab_end(&c);
	} else if (lab->cfg.policy != NULL) {
		lab_https_serve(&c);
		lab_end(&c);
	} else {
		if (c.b->slow) {
			lab_log(&c, "slow: waiting %d ms before the greeting",
			        lab->slow_ms);
			lab_sleep_ms(lab->slow_ms);
		}
		serve[c.proto](&c);
		lab_end(&c);
	}
	lab_log(&c, "closed");
	free(c.in);
	free(c.out);
}

int
lab_answer_starttls(struct lab_client *c, const struct lab_tls_texts *t, const char *tag)
{
	const char *text[] = {
	    [LAB_GO_ACCEPT] = t->go,       [LAB_GO_UNKNOWN] = t->unknown,
	    [LAB_GO_REFUSE] = t->refuse,   [LAB_GO_INJECT] = t->inject,
	    [LAB_GO_PARTIAL] = t->partial,
	};
	enum lab_go go = c->b->go;
	char *bytes = str_printf(text[go], tag);

	if (go == LAB_GO_INJECT || go == LAB_GO_PARTIAL) {
		lab_put(c, bytes, strlen(bytes));
		lab_log(c, "%s: the go-ahead and %s leave in one write",
		        lab_scenario_name(c->lab->cfg.scenario),
		        go == LAB_GO_INJECT ? "injected lines" : "a partial line");
	} else {
		lab_say(c, "%s", bytes);
	}
	free(bytes);
	if (lab_send(c) != 0)
		return -1;
	if (go == LAB_GO_UNKNOWN || go == LAB_GO_REFUSE)
		return 0;
	return lab_starttls(c) == 0 ? 1 : -1;
}

bool
lab_auth_allowed(const struct lab_client *c)
{
	return c->ssl != NULL || c->b->plain_auth;
}

bool
lab_cap_shown(const struct lab_client *c, enum lab_when when, bool authed)
{
	bool tls = c->ssl != NULL;

	switch (when) {
	case LAB_WHEN_ALWAYS:
		return true;
	case LAB_WHEN_STARTTLS:
		return tls ? c->b->offer_in_tls : !c->b->hide_starttls && !authed;
	case LAB_WHEN_AUTH:
		return !authed && lab_auth_allowed(c);
	case LAB_WHEN_NO_AUTH:
		return !authed && !lab_auth_allowed(c);
	case LAB_WHEN_EXTRA:
		return tls && c->b->extra_in_tls;
	}
	return false;
}
