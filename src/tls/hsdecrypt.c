/*
 * hsdecrypt: decrypts startle's own copy of a TLS 1.3 session's encrypted
 * handshake records with the session's traffic secrets (RFC 8446 §5.2, §7.3)
 * and walks the handshake messages inside. Each direction is a small state
 * machine: the record scanner (record.h) hands over each record's body;
 * application_data records wait until their key is known; the record that carries Finished ends the
 * handshake key, and the first application data ends the work.
 */
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/kdf.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/sha512.h>

#include "hsdecrypt.h"

#include "hsmsg.h"
#include "record.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HSD_TAG 16
#define HSD_IV 12
#define HSD_KEY_MAX 32
#define HSD_PENDING_MAX 64             /* records waiting for a key, per direction */
#define HSD_PENDING_BYTES (256u << 10) /* and their bytes */

/* The AEADs of the TLS 1.3 suites this knows. */
enum hsd_aead { HSD_AES_GCM, HSD_CHACHA20_POLY1305 };

static const struct {
	unsigned suite;
	enum hsd_aead aead;
	size_t key_len;
	int digest;
} hsd_suites[] = {
    {0x1301, HSD_AES_GCM, 16, WC_SHA256},
    {0x1302, HSD_AES_GCM, 32, WC_SHA384},
    {0x1303, HSD_CHACHA20_POLY1305, 32, WC_SHA256},
};

struct hsd_key {
	bool set;
	enum hsd_aead aead;
	unsigned char key[HSD_KEY_MAX];
	size_t key_len;
	unsigned char iv[HSD_IV];
};

struct hsd_record {
	unsigned char header[RECORD_HEADER_LEN];
	unsigned char *body;
	size_t len;
};

/* One direction of the session. */
struct hsd_dir {
	bool from_server;
	unsigned char header[RECORD_HEADER_LEN]; /* the record being gathered */
	unsigned char *body;
	size_t body_len;
	struct hsd_record pending[HSD_PENDING_MAX]; /* waiting for their key */
	size_t npending, pending_bytes;
	struct hsd_key keys[2]; /* 0 handshake, 1 application */
	int phase;
	uint64_t seq;
	struct hsmsg_walker walk; /* the decrypted handshake bytes, cut into messages */
	bool finished;            /* a whole Finished message went this way */
	bool done;
	struct hsdecrypt *h;
};

struct hsdecrypt {
	struct hsd_dir dir[2]; /* 0 client to server, 1 server to client */
	struct hsdecrypt_message msgs[HSDECRYPT_MESSAGES_MAX];
	size_t nmsgs;
	const char *problem;
};

/* A whole handshake message was decrypted: lists it; a Finished ends the
 * handshake key of its direction after this record. */
static void
hsd_message(void *arg, unsigned char type, size_t length, const unsigned char *body,
            size_t kept)
{
	struct hsd_dir *d = arg;
	struct hsdecrypt *h = d->h;

	if (type == HSMSG_FINISHED)
		d->finished = true;
	if (h->nmsgs == HSDECRYPT_MESSAGES_MAX)
		return;
	struct hsdecrypt_message *m = &h->msgs[h->nmsgs++];
	*m = (struct hsdecrypt_message){.from_server = d->from_server,
	                                .type = type,
	                                .length = length,
	                                .after_handshake = d->phase == 1,
	                                .head_len = kept};
	memcpy(m->head, body, kept);
}

struct hsdecrypt *
hsdecrypt_new(void)
{
	struct hsdecrypt *h = xcalloc(1, sizeof(*h));

	for (int i = 0; i < 2; i++) {
		h->dir[i].h = h;
		h->dir[i].from_server = i == 1;
		hsmsg_walker_init(&h->dir[i].walk, HSDECRYPT_HEAD_MAX, hsd_message,
		                  &h->dir[i]);
	}
	return h;
}

/* Frees what one direction keeps and ends its work. */
static void
hsd_dir_stop(struct hsd_dir *d)
{
	for (size_t i = 0; i < d->npending; i++)
		free(d->pending[i].body);
	d->npending = 0;
	d->pending_bytes = 0;
	free(d->body);
	d->body = NULL;
	memset(d->keys, 0, sizeof(d->keys));
	d->done = true;
}

void
hsdecrypt_stop(struct hsdecrypt *h)
{
	if (h == NULL)
		return;
	hsd_dir_stop(&h->dir[0]);
	hsd_dir_stop(&h->dir[1]);
}

void
hsdecrypt_free(struct hsdecrypt *h)
{
	hsdecrypt_stop(h);
	free(h);
}

/* Gives up on one direction with a reason (the first reason stays). */
static void
hsd_fail(struct hsdecrypt *h, struct hsd_dir *d, const char *why)
{
	if (h->problem == NULL)
		h->problem = why;
	hsd_dir_stop(d);
}

/* The AEAD's open: plaintext into out (len - tag bytes). 0 or -1. */
static int
hsd_open(const struct hsd_key *k, uint64_t seq, const struct hsd_record *r,
         unsigned char *out)
{
	unsigned char nonce[HSD_IV];
	size_t clen = r->len - HSD_TAG;
	int rc = -1;

	memcpy(nonce, k->iv, HSD_IV);
	for (int i = 0; i < 8; i++)
		nonce[HSD_IV - 1 - i] ^= (unsigned char)(seq >> (8 * i));
	if (k->aead == HSD_CHACHA20_POLY1305)
		return wc_ChaCha20Poly1305_Decrypt(k->key, nonce, r->header,
		                                   RECORD_HEADER_LEN, r->body, (word32)clen,
		                                   r->body + clen, out) == 0
		           ? 0
		           : -1;
	Aes aes;
	if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0)
		return -1;
	if (wc_AesGcmSetKey(&aes, k->key, (word32)k->key_len) == 0 &&
	    wc_AesGcmDecrypt(&aes, out, r->body, (word32)clen, nonce, HSD_IV,
	                     r->body + clen, HSD_TAG, r->header, RECORD_HEADER_LEN) == 0)
		rc = 0;
	wc_AesFree(&aes);
	return rc;
}

/* Decrypts one record under the direction's current key and acts on its
 * inner content type. */
static void
hsd_record(struct hsdecrypt *h, struct hsd_dir *d, const struct hsd_record *r)
{
	unsigned char *plain = xmalloc(r->len);

	if (r->len < HSD_TAG + 1 || hsd_open(&d->keys[d->phase], d->seq, r, plain) != 0) {
		free(plain);
		hsd_fail(h, d,
		         "a record did not decrypt with the session's secrets: the "
		         "encrypted handshake cannot be shown");
		return;
	}
	d->seq++;
	size_t n = r->len - HSD_TAG;
	while (n > 0 && plain[n - 1] == 0)
		n--; /* padding */
	unsigned char type = n > 0 ? plain[--n] : 0;
	if (type == RECORD_HANDSHAKE) {
		hsmsg_walk(&d->walk, plain, n);
		if (d->finished && d->phase == 0) {
			d->phase = 1; /* the next record uses the application key */
			d->seq = 0;
		}
	} else {
		hsd_dir_stop(d); /* application data or an alert: the handshake is over */
	}
	free(plain);
}

/* Decrypts the waiting records whose key is known, in order. */
static void
hsd_drain(struct hsdecrypt *h, struct hsd_dir *d)
{
	size_t used = 0;

	while (!d->done && used < d->npending && d->keys[d->phase].set) {
		hsd_record(h, d, &d->pending[used]);
		used++;
	}
	if (d->done)
		return;
	for (size_t i = 0; i < used; i++) {
		d->pending_bytes -= d->pending[i].len;
		free(d->pending[i].body);
	}
	memmove(d->pending, d->pending + used,
	        (d->npending - used) * sizeof(d->pending[0]));
	d->npending -= used;
}

/* A whole application data record came: it waits for its key. */
static void
hsd_cut(struct hsdecrypt *h, struct hsd_dir *d)
{
	if (d->npending == HSD_PENDING_MAX ||
	    d->pending_bytes + d->body_len > HSD_PENDING_BYTES) {
		hsd_fail(h, d,
		         "too many encrypted records waited for the session's secrets");
		return;
	}
	struct hsd_record *r = &d->pending[d->npending++];
	memcpy(r->header, d->header, RECORD_HEADER_LEN);
	r->body = d->body;
	r->len = d->body_len;
	d->pending_bytes += r->len;
	d->body = NULL;
	hsd_drain(h, d);
}

void
hsdecrypt_body(struct hsdecrypt *h, bool from_server, const struct record *rec,
               const unsigned char *p, size_t n, bool end)
{
	struct hsd_dir *d = h != NULL ? &h->dir[from_server] : NULL;

	if (d == NULL || d->done || rec->type != RECORD_APPLICATION_DATA)
		return;
	if (d->body == NULL) {
		d->body = xmalloc(rec->length + 1);
		d->body_len = 0;
	}
	if (n > rec->length - d->body_len)
		n = rec->length - d->body_len; /* never: the scanner cuts at the length */
	memcpy(d->body + d->body_len, p, n);
	d->body_len += n;
	if (!end)
		return;
	d->header[0] = rec->type;
	d->header[1] = (unsigned char)(rec->version >> 8);
	d->header[2] = (unsigned char)rec->version;
	d->header[3] = (unsigned char)(rec->length >> 8);
	d->header[4] = (unsigned char)rec->length;
	hsd_cut(h, d);
}

/* HKDF-Expand-Label(secret, label, "", len) with the suite's hash. */
static int
hsd_expand(unsigned char *out, size_t len, const unsigned char *secret, size_t secret_len,
           const char *label, int digest)
{
	static const unsigned char proto[] = "tls13 ";
	return wc_Tls13_HKDF_Expand_Label(
	    out, (word32)len, secret, (word32)secret_len, proto, sizeof(proto) - 1,
	    (const unsigned char *)label, (word32)strlen(label), NULL, 0, digest);
}

void
hsdecrypt_secret(struct hsdecrypt *h, unsigned suite, enum hsdecrypt_secret which,
                 const unsigned char *secret, size_t len)
{
	if (h == NULL)
		return;
	struct hsd_dir *d = &h->dir[which == HSDECRYPT_SERVER_HANDSHAKE ||
	                            which == HSDECRYPT_SERVER_APPLICATION];
	struct hsd_key *k = &d->keys[which >= HSDECRYPT_CLIENT_APPLICATION];
	size_t i = 0;

	if (d->done)
		return;
	while (i < sizeof(hsd_suites) / sizeof(hsd_suites[0]) &&
	       hsd_suites[i].suite != suite)
		i++;
	if (i == sizeof(hsd_suites) / sizeof(hsd_suites[0])) {
		hsd_fail(h, d,
		         "the cipher suite is not one the encrypted handshake view knows");
		return;
	}
	k->aead = hsd_suites[i].aead;
	k->key_len = hsd_suites[i].key_len;
	if (hsd_expand(k->key, k->key_len, secret, len, "key", hsd_suites[i].digest) != 0 ||
	    hsd_expand(k->iv, HSD_IV, secret, len, "iv", hsd_suites[i].digest) != 0) {
		hsd_fail(h, d, "the traffic keys could not be derived");
		return;
	}
	k->set = true;
	hsd_drain(h, d);
}

size_t
hsdecrypt_count(const struct hsdecrypt *h)
{
	return h != NULL ? h->nmsgs : 0;
}

size_t
hsdecrypt_messages(const struct hsdecrypt *h, struct hsdecrypt_message *out, size_t max)
{
	size_t n = h != NULL ? (h->nmsgs < max ? h->nmsgs : max) : 0;
	if (n > 0)
		memcpy(out, h->msgs, n * sizeof(*out));
	return n;
}

const char *
hsdecrypt_problem(const struct hsdecrypt *h)
{
	return h != NULL ? h->problem : NULL;
}
