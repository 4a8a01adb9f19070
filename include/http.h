/*
 * http: the narrow HTTP/1.1 client profile an MTA-STS policy fetch needs
 * (RFC 8461 §3.3): one GET with "Connection: close", and a reader for the
 * response -- the status line, the headers that matter (Content-Type,
 * Content-Length, Transfer-Encoding, Location) and the body, by length,
 * chunked or up to the close. Pure: bytes in, results out, no I/O; the
 * caller feeds everything received so far, the reader keeps its place.
 *
 * Bounded whatever the server sends: the head at most HTTP_HEAD_MAX bytes,
 * the body at most max_body (more is "oversize", read no further), the
 * bytes on the wire at most http_wire_max(max_body).
 */
#ifndef STARTLE_HTTP_H
#define STARTLE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEAD_MAX (16 * 1024)
#define HTTP_WHY_MAX 200

enum http_result { HTTP_MORE, HTTP_DONE, HTTP_ERROR };

struct http_response {
	int status;              /* 100 to 599 */
	char reason[64];         /* the reason phrase (server bytes) */
	char content_type[128];  /* "" when absent (server bytes) */
	char location[256];      /* "" when absent (server bytes) */
	bool has_length;
	unsigned long long length; /* Content-Length */
	bool chunked;
	unsigned char *body; /* the body of a 200 (decoded), NUL-terminated; NULL
	                      * for other statuses */
	size_t body_len;
	bool oversize;       /* the body is longer than max_body: not read */
	size_t head_len;     /* bytes of the status line and the headers */
};

struct http_parser {
	size_t max_body;
	struct http_response r;
	char why[HTTP_WHY_MAX]; /* what was wrong, with HTTP_ERROR */
	/* Where reading stands: the head found, the next chunk, the trailer. */
	size_t scanned, chunk_at;
	bool in_trailer, head_done;
};

/* The request: GET path with Host (and the port when not 443), a
 * User-Agent, Accept: text/plain and Connection: close. Newly allocated. */
char *http_request(const char *host, unsigned port, const char *path);

/* The most bytes a response may take on the wire for a body of at most
 * max_body (room for the head and chunked encoding). */
size_t http_wire_max(size_t max_body);

void http_parser_init(struct http_parser *p, size_t max_body);

/* Reads the response: buf holds every byte received so far (len of them),
 * eof says the server has closed. HTTP_MORE: feed again with more;
 * HTTP_DONE: p->r is complete (a body only for status 200); HTTP_ERROR:
 * p->why says what was wrong. With len at http_wire_max and no end in
 * sight, the response is done and oversize. */
enum http_result http_feed(struct http_parser *p, const unsigned char *buf, size_t len,
                           bool eof);

void http_parser_free(struct http_parser *p);

#endif
