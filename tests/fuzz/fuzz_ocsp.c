/*
 * libFuzzer target for the OCSP response reader (ocsp.h) and the DER reader
 * under it (der.h). The input is a stapled response: ocsp_parse must stay
 * inside it and every element it hands back must lie within it; ocsp_check,
 * against no chain, must always end with a state and, when the response was
 * not readable, a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless t is empty or lies within [data, data + size). */
static void
inside(const struct der_tlv *t, const uint8_t *data, size_t size)
{
	if (t->total == 0)
		return;
	if (t->start < data || t->start + t->total > data + size || t->body < t->start ||
	    t->body + t->len > t->start + t->total)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ocsp_response r;
	struct cert_ocsp o;
	const char *why = NULL;

	if (ocsp_parse(data, size, &r, &why) == 0) {
		inside(&r.tbs, data, size);
		inside(&r.responder, data, size);
		inside(&r.sig_alg, data, size);
		inside(&r.signature, data, size);
		if (r.response_status == 0 && (r.nsingles == 0 || r.nsingles > OCSP_SINGLES_MAX))
			abort();
		for (size_t i = 0; i < r.nsingles; i++) {
			inside(&r.singles[i].serial, data, size);
			inside(&r.singles[i].name_hash, data, size);
			inside(&r.singles[i].key_hash, data, size);
		}
		for (size_t i = 0; i < r.ncerts; i++)
			inside(&r.certs[i], data, size);
	} else if (why == NULL) {
		abort();
	}
	memset(&o, 0, sizeof o);
	ocsp_check(data, size, NULL, 0, 0, &o);
	if (o.len != size || (o.state == CERT_OCSP_UNREADABLE && o.problem[0] == '\0') ||
	    o.verified)
		abort();
	return 0;
}
