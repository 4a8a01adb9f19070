/*
 * https: one HTTPS GET through startle's own connection and TLS layers
 * (conn.h, tls.h), for MTA-STS policies (RFC 8461 §3.3): the certificate is
 * verified by the same verifier as every session (the system's store, or
 * --cafile) and must name the host, or no request is sent; one request, no
 * redirect followed, the response read by http.h within one deadline and
 * a bounded size.
 */
#ifndef STARTLE_HTTPS_H
#define STARTLE_HTTPS_H

#include <stdbool.h>
#include <stddef.h>

#include "cert.h"
#include "http.h"
#include "tls.h"

struct https_request {
	const char *address; /* numeric address to connect to */
	unsigned port;
	const char *host;   /* the name: SNI, Host and the certificate's name */
	const char *path;   /* "/.well-known/mta-sts.txt" */
	const char *cafile; /* PEM bundle to trust, or NULL for the system store */
	int timeout_ms;     /* the whole fetch: connect to last byte */
	size_t max_body;
};

struct https_result {
	bool tls;                    /* the handshake finished */
	struct tls_summary summary;  /* with tls */
	struct cert_verdict verdict; /* with tls */
	struct http_response http;   /* after a return of 0 (caller frees with
	                              * https_result_free) */
	double ms;                   /* connect to last byte (or failure) */
};

/* Fetches https://host:port/path from address. Returns 0 with any HTTP
 * response in res->http (the caller judges the status), or -1 with *cause:
 * no connection, TLS failed, a certificate that does not verify or name the
 * host (then nothing was sent), the deadline, a malformed response. */
int https_get(const struct https_request *rq, struct https_result *res, char **cause);

void https_result_free(struct https_result *res);

#endif
