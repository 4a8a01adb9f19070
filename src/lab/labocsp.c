/*
 * labocsp: OCSP responses signed by the lab CA (labocsp.h), written with
 * der.h; the certificates' parts come from x509_split.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/sha.h>

#include "labocsp.h"

#include "der.h"
#include "util.h"
#include "x509.h"

#include <stdlib.h>
#include <string.h>

#define LABOCSP_DAY 86400L
#define LABOCSP_SIG_MAX 80 /* a DER ECDSA P-256 signature is at most 72 bytes */

const struct labocsp_times labocsp_default_times = {
    .this_update = -3600,
    .next_update = 7 * LABOCSP_DAY,
    .revoked = -LABOCSP_DAY,
};

/* sha1, id-pkix-ocsp-basic, ecdsa-with-SHA256. */
static const unsigned char labocsp_sha1[] = {0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
                                             0x03, 0x02, 0x1a, 0x05, 0x00};
static const unsigned char labocsp_basic[] = {0x2b, 0x06, 0x01, 0x05, 0x05,
                                              0x07, 0x30, 0x01, 0x01};
static const unsigned char labocsp_ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                                     0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};

/* CertID: SHA-1 of the issuer's name and of its key, the leaf's serial. */
static int
labocsp_certid(struct der_out *o, const struct x509_parts *leaf,
               const struct x509_parts *ca)
{
	unsigned char name_hash[WC_SHA_DIGEST_SIZE], key_hash[WC_SHA_DIGEST_SIZE];
	size_t mark = der_mark(o);

	if (ca->key.len < 2 ||
	    wc_ShaHash(leaf->issuer.start, (word32)leaf->issuer.total, name_hash) != 0 ||
	    wc_ShaHash(ca->key.body + 1, (word32)ca->key.len - 1, key_hash) != 0)
		return -1;
	der_raw(o, labocsp_sha1, sizeof labocsp_sha1);
	der_put(o, DER_OCTET_STRING, name_hash, sizeof name_hash);
	der_put(o, DER_OCTET_STRING, key_hash, sizeof key_hash);
	der_raw(o, leaf->serial.start, leaf->serial.total);
	der_wrap(o, DER_SEQUENCE, mark);
	return 0;
}

/* One SingleResponse with the status and the times. */
static int
labocsp_single(struct der_out *o, const struct x509_parts *leaf,
               const struct x509_parts *ca, enum labocsp_status st,
               const struct labocsp_times *times, time_t now)
{
	static const unsigned char key_compromise[] = {0x0a, 0x01, 0x01};
	size_t mark = der_mark(o), inner;

	if (labocsp_certid(o, leaf, ca) != 0)
		return -1;
	if (st == LABOCSP_GOOD) {
		der_put(o, DER_CONTEXT_PRIM(0), NULL, 0);
	} else if (st == LABOCSP_UNKNOWN) {
		der_put(o, DER_CONTEXT_PRIM(2), NULL, 0);
	} else {
		inner = der_mark(o);
		der_put_time(o, now + times->revoked);
		size_t reason = der_mark(o);
		der_raw(o, key_compromise, sizeof key_compromise);
		der_wrap(o, DER_CONTEXT(0), reason);
		der_wrap(o, DER_CONTEXT(1), inner);
	}
	der_put_time(o, now + times->this_update);
	if (times->next_update != 0) {
		inner = der_mark(o);
		der_put_time(o, now + times->next_update);
		der_wrap(o, DER_CONTEXT(0), inner);
	}
	der_wrap(o, DER_SEQUENCE, mark);
	return 0;
}

/* ResponseData: responder by the CA's name, producedAt, one response. */
static int
labocsp_data(struct der_out *o, const struct x509_parts *leaf, const struct x509_parts *ca,
             enum labocsp_status st, const struct labocsp_times *times, time_t now)
{
	size_t mark = der_mark(o), inner = der_mark(o);

	der_raw(o, ca->subject.start, ca->subject.total);
	der_wrap(o, DER_CONTEXT(1), inner);
	der_put_time(o, now);
	inner = der_mark(o);
	if (labocsp_single(o, leaf, ca, st, times, now) != 0)
		return -1;
	der_wrap(o, DER_SEQUENCE, inner);
	der_wrap(o, DER_SEQUENCE, mark);
	return 0;
}

/* The whole OCSPResponse around a signed ResponseData. */
static int
labocsp_wrap(struct labcert *lc, struct der_out *o, const struct der_out *data,
             char **cause)
{
	unsigned char sig[1 + LABOCSP_SIG_MAX];
	size_t sig_len = LABOCSP_SIG_MAX;
	static const unsigned char successful[] = {0x0a, 0x01, 0x00};

	if (labcert_ca_sign(lc, data->p, data->len, sig + 1, &sig_len, cause) != 0)
		return -1;
	sig[0] = 0; /* no unused bits */
	size_t outer = der_mark(o);
	der_raw(o, successful, sizeof successful);
	size_t bytes = der_mark(o), seq = der_mark(o);
	der_put(o, DER_OID, labocsp_basic, sizeof labocsp_basic);
	size_t octets = der_mark(o), basic = der_mark(o);
	der_raw(o, data->p, data->len);
	der_raw(o, labocsp_ecdsa_sha256, sizeof labocsp_ecdsa_sha256);
	der_put(o, DER_BIT_STRING, sig, sig_len + 1);
	der_wrap(o, DER_SEQUENCE, basic);
	der_wrap(o, DER_OCTET_STRING, octets);
	der_wrap(o, DER_SEQUENCE, seq);
	der_wrap(o, DER_CONTEXT(0), bytes);
	der_wrap(o, DER_SEQUENCE, outer);
	return 0;
}

int
labocsp_response(struct labcert *lc, enum labcert_kind kind, enum labocsp_status st,
                 const struct labocsp_times *times, time_t now, unsigned char **der,
                 size_t *len, char **cause)
{
	const struct labcert_pair *pair = NULL;
	struct x509_parts leaf, ca;
	struct der_out data = {0}, out = {0};
	size_t ca_len = 0;
	const unsigned char *ca_der = labcert_ca_der(lc, &ca_len);

	if (labcert_get(lc, kind, &pair, cause) != 0)
		return -1;
	if (!x509_split(pair->leaf_der, pair->leaf_der_len, &leaf) ||
	    !x509_split(ca_der, ca_len, &ca) ||
	    labocsp_data(&data, &leaf, &ca, st, times, now) != 0) {
		*cause = str_printf("could not write the lab's OCSP response for the %s "
		                    "certificate",
		                    labcert_kind_name(kind));
		der_out_free(&data);
		return -1;
	}
	int rc = labocsp_wrap(lc, &out, &data, cause);
	der_out_free(&data);
	if (rc != 0) {
		der_out_free(&out);
		return -1;
	}
	*der = out.p;
	*len = out.len;
	return 0;
}
