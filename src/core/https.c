/*
 * https: connect, handshake and verify, one GET, the response read to its
 * end -- each step waiting only until the fetch's one deadline.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "https.h"
#include "util.h"

/* One fetch under way. */
struct https_fetch {
	const struct https_request *rq;
	struct https_result *res;
	double deadline;
	int fd;
	struct tls_conn *tc;
};

/* Waits for the socket until the deadline; -1 with *cause when it passed. */
static int
https_wait(struct https_fetch *f, short events, const char *what, char **cause)
{
	short rev;
	double left = f->deadline - util_now_ms();

	if (left > 0 && conn_wait(f->fd, events, (int)left + 1, &rev) > 0)
		return 0;
	*cause = str_printf("https://%s:%u: no answer %s within %.1f s", f->rq->host,
	                    f->rq->port, what, f->rq->timeout_ms / 1000.0);
	return -1;
}

/* The handshake, then the verdict: the certificate must verify and name the
 * host, or the request is never sent (RFC 8461 §3.3). */
static int
https_handshake(struct https_fetch *f, char **cause)
{
	const struct https_request *rq = f->rq;
	struct tls_config cfg = {
	    .cafile = rq->cafile, .sni = rq->host, .verify_name = rq->host};
	int r;

	f->tc = tls_new(f->fd, &cfg, NULL, cause);
	if (f->tc == NULL)
		return -1;
	while ((r = tls_handshake(f->tc, cause)) != TLS_OK) {
		if (r != TLS_WANT_READ && r != TLS_WANT_WRITE)
			return -1;
		if (https_wait(f, r == TLS_WANT_READ ? POLLIN : POLLOUT,
		               "during the TLS handshake", cause) != 0)
			return -1;
	}
	f->res->tls = true;
	tls_get_summary(f->tc, &f->res->summary);
	tls_get_verdict(f->tc, &f->res->verdict);
	const struct cert_verdict *v = &f->res->verdict;
	if (!v->verified) {
		*cause = str_printf("the certificate of %s does not verify (%s): a "
		                    "sender does not use this policy",
		                    rq->host, v->verify_error[0] ? v->verify_error : "?");
		return -1;
	}
	if (!v->name_match) {
		*cause = str_printf("the certificate of %s does not name %s: a sender "
		                    "does not use this policy",
		                    rq->host, rq->host);
		return -1;
	}
	return 0;
}

/* Sends the GET and reads the response into p. */
static int
https_exchange(struct https_fetch *f, struct http_parser *p, char **cause)
{
	const struct https_request *rq = f->rq;
	size_t cap = http_wire_max(rq->max_body), len = 0;
	unsigned char *buf = xmalloc(cap);
	char *req = http_request(rq->host, rq->port, rq->path);
	enum http_result r = HTTP_MORE;
	bool eof = false;

	if (tls_write(f->tc, req, strlen(req), cause) < 0)
		r = HTTP_ERROR;
	free(req);
	while (r == HTTP_MORE) {
		ssize_t n = len < cap ? tls_read(f->tc, buf + len, cap - len, cause) : 0;
		if (n > 0)
			len += (size_t)n;
		else if (n == TLS_CLOSED || n == TLS_EOF)
			eof = true;
		else if (n == TLS_WANT_READ || n == TLS_WANT_WRITE) {
			if (!tls_pending(f->tc) &&
			    https_wait(f, n == TLS_WANT_READ ? POLLIN : POLLOUT,
			               "to the request", cause) != 0)
				break;
			continue;
		} else if (n < 0)
			break;
		r = http_feed(p, buf, len, eof);
		if (r == HTTP_ERROR)
			*cause = str_printf("https://%s:%u%s: %s", rq->host, rq->port,
			                    rq->path, p->why);
	}
	free(buf);
	return r == HTTP_DONE ? 0 : -1;
}

int
https_get(const struct https_request *rq, struct https_result *res, char **cause)
{
	struct conn_result cr;
	struct http_parser p;
	double start = util_now_ms();
	struct https_fetch f = {
	    .rq = rq, .res = res, .deadline = start + rq->timeout_ms, .fd = -1};
	int rc = -1;

	memset(res, 0, sizeof *res);
	http_parser_init(&p, rq->max_body);
	if (conn_open(rq->address, rq->port, rq->timeout_ms, &cr, cause) == 0) {
		f.fd = cr.fd;
		if (https_handshake(&f, cause) == 0 && https_exchange(&f, &p, cause) == 0) {
			res->http = p.r;
			p.r.body = NULL;
			rc = 0;
		}
	}
	if (rc != 0 && *cause == NULL)
		*cause = str_printf("https://%s:%u%s: the fetch failed", rq->host, rq->port,
		                    rq->path);
	http_parser_free(&p);
	tls_free(f.tc);
	conn_close(f.fd);
	res->ms = util_now_ms() - start;
	return rc;
}

void
https_result_free(struct https_result *res)
{
	free(res->http.body);
	res->http.body = NULL;
}
