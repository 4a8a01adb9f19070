/*
 * record: the TLS record layer as an eavesdropper sees it, with no library
 * and no I/O. A scanner follows one direction of a byte stream, fed in
 * pieces of any size, and reports every record once: its content type,
 * version and length, the first bytes of its body, and the handshake message
 * it starts while handshake records are still readable. A caller that needs
 * whole bodies (a decryptor, a reader of handshake messages) is handed each
 * body's bytes as they arrive, so the stream is cut into records in one
 * place only. Bytes that stop
 * looking like records (a header of an unknown type, a version that is not
 * 3.x, a body longer than TLS allows) end the scan: the scanner then keeps
 * only a preview of them and counts the rest.
 *
 * Name tables turn record types, handshake message types and alert
 * descriptions into the words of the RFCs.
 */
#ifndef STARTLE_RECORD_H
#define STARTLE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECORD_HEADER_LEN 5
#define RECORD_BODY_MAX 18432 /* 2^14 + 2048, the largest legal record body */
#define RECORD_HEAD_MAX 16    /* body bytes kept for a preview */
#define RECORD_BAD_MAX 64     /* bytes kept once the stream is not TLS */

/* The content types a record header may carry (RFC 8446 §5.1, RFC 6520). */
enum record_type {
	RECORD_CHANGE_CIPHER_SPEC = 20,
	RECORD_ALERT = 21,
	RECORD_HANDSHAKE = 22,
	RECORD_APPLICATION_DATA = 23,
	RECORD_HEARTBEAT = 24,
};
#define RECORD_TYPE_FIRST RECORD_CHANGE_CIPHER_SPEC
#define RECORD_TYPE_COUNT (RECORD_HEARTBEAT - RECORD_CHANGE_CIPHER_SPEC + 1)

/* One record as reported by the scanner. */
struct record {
	unsigned char type;
	unsigned version; /* record layer version, e.g. 0x0303 */
	size_t length;    /* body length */
	unsigned char head[RECORD_HEAD_MAX];
	size_t head_len;       /* body bytes in head: min(length, RECORD_HEAD_MAX) */
	bool readable;         /* handshake and alert bodies are plaintext here */
	unsigned char hs_type; /* first message type of a readable handshake
	                        * record with a body, else 0 */
};

/* A record's body, a piece at a time: the bytes p[0..n) follow the ones
 * handed before for the same record, and end is true with the piece that
 * completes the body (a record with an empty body comes as one call with n
 * 0). rec is the record as on_record sees it; on_record has been called for
 * it by the time its end comes (its first pieces may come before, while the
 * head for the preview is still filling). A record cut off by the end of the
 * stream never gets its end. */
typedef void (*record_body_fn)(void *arg, const struct record *rec,
                               const unsigned char *p, size_t n, bool end);

/* The state of one direction. Fields after the callbacks are read-only for
 * callers, except plain_after_ccs. */
struct record_scanner {
	void (*on_record)(void *arg, const struct record *rec);
	record_body_fn on_body; /* NULL, or set after record_scan_init; the same arg */
	void *arg;
	/* Set by the caller once it knows the connection is TLS 1.3, where a
	 * change_cipher_spec is for compatibility only and handshake records
	 * after it are still plaintext (TLS 1.3 encrypts inside
	 * application_data records). */
	bool plain_after_ccs;

	bool ccs_seen;                     /* a change_cipher_spec went this way */
	bool broken;                       /* bytes that are not TLS records were seen */
	unsigned char bad[RECORD_BAD_MAX]; /* the first of them, header included */
	size_t bad_len;
	uint64_t bytes;        /* every byte fed */
	unsigned long records; /* record headers seen */
	unsigned long by_type[RECORD_TYPE_COUNT];

	unsigned char hdr[RECORD_HEADER_LEN];
	size_t hdr_len;
	size_t body_left;
	bool reported;
	struct record rec;
};

/* Starts a scanner waiting for a record header; on_record (may be NULL) is
 * called once per record, when its head is complete. */
void record_scan_init(struct record_scanner *sc,
                      void (*on_record)(void *arg, const struct record *rec), void *arg);

/* Feeds the next n bytes of the stream. */
void record_scan_feed(struct record_scanner *sc, const unsigned char *p, size_t n);

/* At the end of the stream: reports a record whose header came but whose
 * head did not, so that a cut-off record is still listed. */
void record_scan_finish(struct record_scanner *sc);

/* A record content type in words: "handshake", "alert", ..., "unknown". */
const char *record_type_name(unsigned char type);

/* A handshake message type in words, "ClientHello", ..., or NULL. */
const char *record_handshake_name(unsigned char type);

/* An alert description in words, "handshake_failure", ..., or NULL. */
const char *record_alert_name(unsigned char desc);

/* A named group by its number, as the TLS library spells the negotiated
 * group ("X25519", "SECP256R1", "FFDHE_2048"), or NULL. */
const char *record_group_name(unsigned code);

/* A signature scheme by its number, as RFC 8446 spells it
 * ("ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256"), or NULL. TLS 1.2's
 * hash and signature pairs share the numbers ("rsa_pkcs1_sha256"), but its
 * ECDSA is bound to no curve: with tls13 false, 0x0403 is "ecdsa_sha256". */
const char *record_signature_scheme_name(unsigned code, bool tls13);

#endif
