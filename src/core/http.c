/*
 * http: one GET and the reading of its response, for MTA-STS policies.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "util.h"

char *
http_request(const char *host, unsigned port, const char *path)
{
	char hostport[300];

	if (port == 443)
		snprintf(hostport, sizeof hostport, "%s", host);
	else
		snprintf(hostport, sizeof hostport, "%s:%u", host, port);
	return str_printf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: startle/%s\r\n"
	                  "Accept: text/plain\r\nConnection: close\r\n\r\n",
	                  path, hostport, STARTLE_VERSION);
}

size_t
http_wire_max(size_t max_body)
{
	/* The head, the body, and chunked encoding's sizes and line ends
	 * (more than that for the body's bytes is a server wasting ours). */
	return HTTP_HEAD_MAX + 2 * max_body + 1024;
}

void
http_parser_init(struct http_parser *p, size_t max_body)
{
	memset(p, 0, sizeof *p);
	p->max_body = max_body;
}

void
http_parser_free(struct http_parser *p)
{
	free(p->r.body);
	p->r.body = NULL;
}

static enum http_result
http_fail(struct http_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static enum http_result
http_fail(struct http_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, sizeof p->why, fmt, ap);
	va_end(ap);
	return HTTP_ERROR;
}

/* Copies a header value, cut to fit. */
static void
http_copy(char *dst, size_t size, const char *v, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

/* The status line: HTTP/1.x SP 3DIGIT [SP reason]. */
static int
http_status_line(struct http_parser *p, const char *s, size_t len)
{
	if (len < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9' ||
	    s[8] != ' ')
		return -1;
	int code = 0;
	for (int i = 9; i < 12; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		code = code * 10 + (s[i] - '0');
	}
	if (code < 100 || code > 599 || (len > 12 && s[12] != ' '))
		return -1;
	p->r.status = code;
	if (len > 13)
		http_copy(p->r.reason, sizeof p->r.reason, s + 13, len - 13);
	return 0;
}

/* Content-Length: digits, the same value if repeated. */
static int
http_length(struct http_parser *p, const char *v, size_t len)
{
	unsigned long long n = 0;

	if (len == 0 || len > 18)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (unsigned long long)(v[i] - '0');
	}
	if (p->r.has_length && p->r.length != n)
		return -1;
	p->r.has_length = true;
	p->r.length = n;
	return 0;
}

/* Transfer-Encoding: only chunked (the last coding) is understood. */
static int
http_coding(struct http_parser *p, const char *v, size_t len)
{
	if (len >= 7 && strncasecmp(v + len - 7, "chunked", 7) == 0 &&
	    (len == 7 || v[len - 8] == ' ' || v[len - 8] == ',')) {
		p->r.chunked = true;
		return 0;
	}
	return len == 8 && strncasecmp(v, "identity", 8) == 0 ? 0 : -1;
}

/* One header line; -1 with why when it breaks the response. */
static int
http_header(struct http_parser *p, const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);

	if (len > 0 && (s[0] == ' ' || s[0] == '\t'))
		return 0; /* an obsolete folded line: nothing here needs it */
	if (colon == NULL || colon == s) {
		http_fail(p, "a header line has no name and colon");
		return -1;
	}
	size_t nl = (size_t)(colon - s);
	const char *v = colon + 1;
	size_t vl = len - nl - 1;
	while (vl > 0 && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	if (nl == 12 && strncasecmp(s, "Content-Type", 12) == 0)
		http_copy(p->r.content_type, sizeof p->r.content_type, v, vl);
	else if (nl == 8 && strncasecmp(s, "Location", 8) == 0)
		http_copy(p->r.location, sizeof p->r.location, v, vl);
	else if (nl == 14 && strncasecmp(s, "Content-Length", 14) == 0 &&
	         http_length(p, v, vl) != 0) {
		http_fail(p, "the Content-Length header is malformed or repeated with "
		             "another value");
		return -1;
	} else if (nl == 17 && strncasecmp(s, "Transfer-Encoding", 17) == 0 &&
	           http_coding(p, v, vl) != 0) {
		http_fail(p, "the response uses a transfer coding startle does not "
		             "read (only chunked)");
		return -1;
	}
	return 0;
}

/* Reads the head once it is complete: the status line, then the headers. */
static enum http_result
http_head(struct http_parser *p, const char *s, size_t len)
{
	size_t pos = 0, n = 0;

	while (pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) : len, l = end - pos;
		if (l > 0 && s[pos + l - 1] == '\r')
			l--;
		if (l == 0)
			break;
		if (n++ == 0) {
			if (http_status_line(p, s + pos, l) != 0)
				return http_fail(p, "the answer does not begin with an "
				                    "HTTP/1.x status line");
		} else if (http_header(p, s + pos, l) != 0) {
			return HTTP_ERROR;
		}
		pos = end + 1;
	}
	if (p->r.status < 200)
		return http_fail(p, "an interim %d response, which this GET never asks "
		                    "for",
		                 p->r.status);
	p->head_done = true;
	p->chunk_at = p->r.head_len;
	return HTTP_MORE;
}

/* Finds the end of the head (a blank line, CRLF or LF). */
static enum http_result
http_find_head(struct http_parser *p, const unsigned char *buf, size_t len, bool eof)
{
	const char *s = (const char *)buf;
	size_t from = p->scanned > 3 ? p->scanned - 3 : 0;

	for (size_t i = from; i < len; i++) {
		if (s[i] != '\n')
			continue;
		if ((i >= 1 && s[i - 1] == '\n') ||
		    (i >= 2 && s[i - 1] == '\r' && s[i - 2] == '\n')) {
			p->r.head_len = i + 1;
			return http_head(p, s, i + 1);
		}
	}
	p->scanned = len;
	if (len > HTTP_HEAD_MAX)
		return http_fail(p, "the response headers go on past %d KiB",
		                 HTTP_HEAD_MAX / 1024);
	if (eof)
		return http_fail(p, len == 0 ? "the server closed the connection without "
		                               "answering"
		                             : "the server closed the connection in the "
		                               "middle of the headers");
	return HTTP_MORE;
}

/* Appends decoded body bytes (room for max_body and a NUL is made once). */
static void
http_body_add(struct http_parser *p, const unsigned char *d, size_t n)
{
	if (p->r.body == NULL)
		p->r.body = xmalloc(p->max_body + 1);
	memcpy(p->r.body + p->r.body_len, d, n);
	p->r.body_len += n;
	p->r.body[p->r.body_len] = '\0';
}

/* One chunk-size line at p->chunk_at: hex digits, maybe ";ext". Returns
 * 1 with *size and *data (where the chunk's bytes begin), 0 if the line is
 * not complete, -1 if malformed. */
static int
http_chunk_size(struct http_parser *p, const unsigned char *buf, size_t len,
                unsigned long long *size, size_t *data)
{
	const unsigned char *nl = memchr(buf + p->chunk_at, '\n', len - p->chunk_at);
	size_t i = p->chunk_at, digits = 0;

	if (nl == NULL)
		return len - p->chunk_at > 1024 ? -1 : 0;
	*size = 0;
	for (; buf + i < nl; i++, digits++) {
		int v = util_hex_digit(buf[i]);
		if (v < 0)
			break;
		if (digits >= 15)
			return -1;
		*size = *size * 16 + (unsigned long long)v;
	}
	if (digits == 0 || (buf + i < nl && buf[i] != ';' && buf[i] != '\r' &&
	                    buf[i] != ' ' && buf[i] != '\t'))
		return -1;
	*data = (size_t)(nl - buf) + 1;
	return 1;
}

/* The chunked body, from where the last call stopped. */
static enum http_result
http_chunked(struct http_parser *p, const unsigned char *buf, size_t len)
{
	for (;;) {
		if (p->in_trailer) {
			const unsigned char *nl =
			    memchr(buf + p->chunk_at, '\n', len - p->chunk_at);
			if (nl == NULL)
				return HTTP_MORE;
			size_t l = (size_t)(nl - buf) - p->chunk_at;
			p->chunk_at += l + 1;
			if (l == 0 || (l == 1 && buf[p->chunk_at - 2] == '\r'))
				return HTTP_DONE;
			continue;
		}
		unsigned long long size;
		size_t data;
		int r = http_chunk_size(p, buf, len, &size, &data);
		if (r < 0)
			return http_fail(p, "a chunk of the chunked body is malformed");
		if (r == 0)
			return HTTP_MORE;
		if (size > p->max_body - p->r.body_len) {
			p->r.oversize = true;
			return HTTP_DONE;
		}
		if (size == 0) {
			p->in_trailer = true;
			p->chunk_at = data;
			continue;
		}
		size_t end = data + (size_t)size;
		if (len < end + 1 || (buf[end] == '\r' && len < end + 2))
			return HTTP_MORE;
		if (buf[end] != '\n' && !(buf[end] == '\r' && buf[end + 1] == '\n'))
			return http_fail(p, "a chunk of the chunked body does not end "
			                    "where its size says");
		http_body_add(p, buf + data, (size_t)size);
		p->chunk_at = end + (buf[end] == '\r' ? 2 : 1);
	}
}

/* The body of a 200 by its length, or up to the close. */
static enum http_result
http_plain_body(struct http_parser *p, const unsigned char *buf, size_t len, bool eof)
{
	size_t have = len - p->r.head_len;

	if (p->r.has_length) {
		if (p->r.length > p->max_body) {
			p->r.oversize = true;
			return HTTP_DONE;
		}
		if (have >= p->r.length) {
			http_body_add(p, buf + p->r.head_len, (size_t)p->r.length);
			return HTTP_DONE;
		}
		if (eof)
			return http_fail(p,
			                 "the server closed the connection after %zu of the "
			                 "%llu bytes it announced",
			                 have, p->r.length);
		return HTTP_MORE;
	}
	if (have > p->max_body) {
		p->r.oversize = true;
		return HTTP_DONE;
	}
	if (!eof)
		return HTTP_MORE;
	http_body_add(p, buf + p->r.head_len, have);
	return HTTP_DONE;
}

enum http_result
http_feed(struct http_parser *p, const unsigned char *buf, size_t len, bool eof)
{
	enum http_result r;

	if (!p->head_done && (r = http_find_head(p, buf, len, eof)) != HTTP_MORE)
		return r;
	if (!p->head_done)
		return HTTP_MORE;
	if (p->r.status != 200)
		return HTTP_DONE;
	if (p->r.chunked) {
		r = http_chunked(p, buf, len);
		if (r == HTTP_MORE && eof)
			r = http_fail(p, "the server closed the connection in the middle "
			                 "of the chunked body");
	} else {
		r = http_plain_body(p, buf, len, eof);
	}
	if (r == HTTP_MORE && len >= http_wire_max(p->max_body)) {
		p->r.oversize = true;
		r = HTTP_DONE;
	}
	if (r == HTTP_DONE && p->r.body == NULL && !p->r.oversize)
		http_body_add(p, buf, 0);
	return r;
}
