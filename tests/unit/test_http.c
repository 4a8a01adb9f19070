/*
 * http: the GET an MTA-STS policy fetch sends and the reading of the
 * response (RFC 8461 §3.3's narrow profile): status line, headers, bodies by
 * length, chunked and to the close, the limits, and every way a response can
 * break -- each response also fed one byte at a time, as a slow server
 * would send it. Pure: no network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mtasts.h"

/* Feeds text whole (with eof after it), then again a byte at a time; both
 * must agree. Returns the result, p filled from the whole feed. */
static enum http_result
feed(struct http_parser *p, const char *text, size_t max_body)
{
	size_t len = strlen(text);
	struct http_parser q;
	enum http_result r = HTTP_MORE, rq = HTTP_MORE;

	http_parser_init(p, max_body);
	r = http_feed(p, (const unsigned char *)text, len, false);
	if (r == HTTP_MORE)
		r = http_feed(p, (const unsigned char *)text, len, true);
	http_parser_init(&q, max_body);
	for (size_t i = 1; i <= len && rq == HTTP_MORE; i++)
		rq = http_feed(&q, (const unsigned char *)text, i, false);
	if (rq == HTTP_MORE)
		rq = http_feed(&q, (const unsigned char *)text, len, true);
	assert_int_equal(rq, r);
	if (r == HTTP_DONE) {
		assert_int_equal(q.r.status, p->r.status);
		assert_int_equal(q.r.body_len, p->r.body_len);
		assert_int_equal(q.r.oversize, p->r.oversize);
		if (p->r.body != NULL)
			assert_memory_equal(q.r.body, p->r.body, p->r.body_len);
	}
	http_parser_free(&q);
	return r;
}

static void
request_is_one_get_with_host_and_connection_close(void **state)
{
	char *r = http_request("mta-sts.example.com", 443, MTASTS_PATH);
	char *s = http_request("mta-sts.example.com", 8443, MTASTS_PATH);

	(void)state;
	assert_non_null(strstr(r, "GET /.well-known/mta-sts.txt HTTP/1.1\r\n"));
	assert_non_null(strstr(r, "\r\nHost: mta-sts.example.com\r\n"));
	assert_non_null(strstr(r, "\r\nConnection: close\r\n\r\n"));
	assert_non_null(strstr(s, "\r\nHost: mta-sts.example.com:8443\r\n"));
	free(r);
	free(s);
}

static void
body_by_content_length(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p,
	                      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	                      "Content-Length: 5\r\n\r\nhelloEXTRA",
	                      1024),
	                 HTTP_DONE);
	assert_int_equal(p.r.status, 200);
	assert_string_equal(p.r.reason, "OK");
	assert_string_equal(p.r.content_type, "text/plain");
	assert_int_equal(p.r.body_len, 5);
	assert_string_equal((char *)p.r.body, "hello");
	http_parser_free(&p);
}

static void
body_to_the_close_and_lf_only_head(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "HTTP/1.0 200 OK\ncontent-type: text/plain\n\nline\n", 1024),
	                 HTTP_DONE);
	assert_string_equal((char *)p.r.body, "line\n");
	assert_string_equal(p.r.content_type, "text/plain");
	http_parser_free(&p);
}

static void
chunked_body_is_decoded(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p,
	                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	                      "4;ext=1\r\nversi\r\n", 1024),
	                 HTTP_ERROR);
	http_parser_free(&p);
	assert_int_equal(feed(&p,
	                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	                      "5;ext=1\r\nversi\r\nA\r\non: STSv1\n\r\n0\r\nX-T: 1\r\n\r\n",
	                      1024),
	                 HTTP_DONE);
	assert_int_equal(p.r.body_len, 15);
	assert_string_equal((char *)p.r.body, "version: STSv1\n");
	http_parser_free(&p);
}

static void
chunked_body_cut_by_the_close_is_an_error(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
	                      1024),
	                 HTTP_ERROR);
	assert_non_null(strstr(p.why, "in the middle of the chunked body"));
	http_parser_free(&p);
}

static void
other_statuses_end_with_the_head(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p,
	                      "HTTP/1.1 301 Moved\r\nLocation: https://x.example/y\r\n"
	                      "Content-Length: 100000\r\n\r\n",
	                      1024),
	                 HTTP_DONE);
	assert_int_equal(p.r.status, 301);
	assert_string_equal(p.r.location, "https://x.example/y");
	assert_null(p.r.body);
	http_parser_free(&p);
}

static void
bodies_past_the_limit_are_oversize_and_not_read(void **state)
{
	struct http_parser p;
	char big[3000];

	(void)state;
	assert_int_equal(feed(&p, "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", 1024),
	                 HTTP_DONE);
	assert_true(p.r.oversize);
	assert_null(p.r.body);
	http_parser_free(&p);
	snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\n\r\n%02000d", 0);
	assert_int_equal(feed(&p, big, 1024), HTTP_DONE);
	assert_true(p.r.oversize);
	http_parser_free(&p);
	assert_int_equal(feed(&p,
	                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	                      "401\r\n",
	                      1024),
	                 HTTP_DONE);
	assert_true(p.r.oversize);
	http_parser_free(&p);
}

static void
malformed_responses_are_errors_that_say_why(void **state)
{
	struct http_parser p;
	static const struct {
		const char *text, *why;
	} cases[] = {
	    {"SSH-2.0-OpenSSH\r\n\r\n", "does not begin with an HTTP/1.x status line"},
	    {"HTTP/1.1 2000 OK\r\n\r\n", "status line"},
	    {"HTTP/1.1 100 Continue\r\n\r\n", "interim 100"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
	     "Content-Length"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "transfer coding"},
	    {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "no name and colon"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "after 5 of the 10"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
	     "does not end where its size says"},
	    {"HTTP/1.1 200 OK\r\n", "in the middle of the headers"},
	    {"", "without answering"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(feed(&p, cases[i].text, 1024), HTTP_ERROR);
		if (strstr(p.why, cases[i].why) == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, p.why, cases[i].why);
		http_parser_free(&p);
	}
}

static void
headers_past_the_limit_are_an_error(void **state)
{
	struct http_parser p;
	size_t n = HTTP_HEAD_MAX + 100;
	char *text = malloc(n + 1);

	(void)state;
	memcpy(text, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(text + 20, 'a', n - 20);
	text[n] = '\0';
	http_parser_init(&p, 1024);
	assert_int_equal(http_feed(&p, (const unsigned char *)text, n, false), HTTP_ERROR);
	assert_non_null(strstr(p.why, "past 16 KiB"));
	http_parser_free(&p);
	free(text);
}

static void
many_tiny_chunks_stop_at_the_wire_limit(void **state)
{
	struct http_parser p;
	size_t max = 256, cap = http_wire_max(max), off;
	char *text = malloc(cap + 64);

	(void)state;
	off = (size_t)sprintf(text, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	/* Empty-looking extensions make each chunk long on the wire. */
	while (off + 64 < cap)
		off += (size_t)sprintf(text + off, "0001;%040d\r\nx\r\n", 0);
	memset(text + off, ' ', cap - off);
	http_parser_init(&p, max);
	enum http_result r = http_feed(&p, (const unsigned char *)text, cap, false);
	assert_int_equal(r, HTTP_DONE);
	assert_true(p.r.oversize);
	http_parser_free(&p);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(request_is_one_get_with_host_and_connection_close),
	    cmocka_unit_test(body_by_content_length),
	    cmocka_unit_test(body_to_the_close_and_lf_only_head),
	    cmocka_unit_test(chunked_body_is_decoded),
	    cmocka_unit_test(chunked_body_cut_by_the_close_is_an_error),
	    cmocka_unit_test(other_statuses_end_with_the_head),
	    cmocka_unit_test(bodies_past_the_limit_are_oversize_and_not_read),
	    cmocka_unit_test(malformed_responses_are_errors_that_say_why),
	    cmocka_unit_test(headers_past_the_limit_are_an_error),
	    cmocka_unit_test(many_tiny_chunks_stop_at_the_wire_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
