/*
 * labocsp: the OCSP responses the lab staples, made by the lab's own CA for
 * one of its leaves (RFC 6960: a BasicOCSPResponse, the responder named by
 * the CA's name, the CertID with SHA-1, signed with ECDSA over SHA-256).
 * Nothing here touches the network: the lab hands the response to its TLS
 * library as if a responder had answered.
 */
#ifndef STARTLE_LABOCSP_H
#define STARTLE_LABOCSP_H

#include <stddef.h>
#include <time.h>

#include "labcert.h"

enum labocsp_status { LABOCSP_GOOD, LABOCSP_REVOKED, LABOCSP_UNKNOWN };

/* The times a response states, as offsets in seconds from now. */
struct labocsp_times {
	long this_update; /* e.g. -3600 */
	long next_update; /* e.g. 7 days; 0: none */
	long revoked;     /* when revoked: e.g. -86400 */
};

/* The usual times: thisUpdate an hour ago, nextUpdate in a week, revoked a
 * day ago. */
extern const struct labocsp_times labocsp_default_times;

/* Makes a DER OCSPResponse about the leaf of kind (made if needed) at time
 * now: *der (caller frees) and *len. Returns 0, or -1 with *cause. */
int labocsp_response(struct labcert *lc, enum labcert_kind kind, enum labocsp_status st,
                     const struct labocsp_times *times, time_t now, unsigned char **der,
                     size_t *len, char **cause);

#endif
