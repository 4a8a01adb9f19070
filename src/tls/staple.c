/*
 * staple: asking for a stapled OCSP response and reading it from the
 * library after the handshake (tls_int.h). Only a library patched to hand
 * the response over whatever it says (WOLFSSL_STAPLE_OBSERVE, startle's own
 * build) is asked: another would end the handshake on a revoked or
 * unverifiable response, and never show it.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "tls_int.h"

#include "ocsp.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef WOLFSSL_STAPLE_OBSERVE
/* The library's OCSP lookups over the network: never made. */
static int
staple_no_lookup(void *ctx, const char *url, int url_len, unsigned char *req, int req_len,
                 unsigned char **resp)
{
	(void)ctx;
	(void)url;
	(void)url_len;
	(void)req;
	(void)req_len;
	*resp = NULL;
	return -1;
}
#endif

int
staple_request(WOLFSSL_CTX *ctx, WOLFSSL *ssl, char **cause)
{
#ifdef WOLFSSL_STAPLE_OBSERVE
	/* The library sends status_request only with stapling on in the
	 * context, which also installs its own HTTP client for OCSP: replaced by
	 * one that refuses, so that nothing but the server is ever contacted. */
	if (wolfSSL_CTX_EnableOCSPStapling(ctx) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_SetOCSP_Cb(ctx, staple_no_lookup, NULL, NULL) != WOLFSSL_SUCCESS ||
	    wolfSSL_UseOCSPStapling(ssl, WOLFSSL_CSR_OCSP, 0) != WOLFSSL_SUCCESS) {
		tls_set_cause(cause, str_printf("the TLS library cannot ask for a stapled "
		                                "OCSP response"));
		return -1;
	}
#else
	(void)ctx;
	(void)ssl;
	(void)cause;
#endif
	return 0;
}

void
staple_get(WOLFSSL *ssl, bool done, const struct cert_info *chain, size_t n,
           struct cert_ocsp *o)
{
	memset(o, 0, sizeof *o);
	o->must_staple = n > 0 && chain[0].must_staple;
#ifdef WOLFSSL_STAPLE_OBSERVE
	unsigned char *resp = NULL;
	long len = done && ssl != NULL ? wolfSSL_get_tlsext_status_ocsp_resp(ssl, &resp) : 0;

	o->state = CERT_OCSP_NONE;
	if (resp != NULL && len > 0)
		ocsp_check(resp, (size_t)len, chain, n, time(NULL), o);
#else
	(void)ssl;
	(void)done;
	o->state = CERT_OCSP_NOT_REQUESTED;
#endif
}
