/*
 * hsdecrypt: TLS 1.3's encrypted handshake, made visible. After ServerHello
 * every handshake message travels inside application_data records, and the
 * TLS library reports none of them. Fed the records of both directions as
 * they cross the wire (their bodies, as the record scanner of record.h hands
 * them out) and the session's own traffic secrets as the library derives
 * them, this decrypts its copy of those records (HKDF-Expand-Label and the
 * AEAD of the cipher suite, in wolfCrypt) and lists the handshake messages
 * inside with their sizes: EncryptedExtensions, Certificate,
 * CertificateVerify and Finished from the server, Finished (and a client
 * Certificate) from the client, NewSessionTicket and KeyUpdate after the
 * handshake. It stops in each direction at the first application data and
 * keeps at most a bounded number of records waiting for their key.
 *
 * Suites: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 and
 * TLS_CHACHA20_POLY1305_SHA256; another suite gives no messages.
 */
#ifndef STARTLE_HSDECRYPT_H
#define STARTLE_HSDECRYPT_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

#define HSDECRYPT_MESSAGES_MAX 32
#define HSDECRYPT_HEAD_MAX 8 /* body bytes kept of each message */

/* The traffic secrets, as the key log names them. */
enum hsdecrypt_secret {
	HSDECRYPT_CLIENT_HANDSHAKE,
	HSDECRYPT_SERVER_HANDSHAKE,
	HSDECRYPT_CLIENT_APPLICATION,
	HSDECRYPT_SERVER_APPLICATION,
};

/* One decrypted handshake message, listed once the first bytes of its body
 * are in (enough for CertificateVerify's signature scheme and a ticket's
 * lifetime). */
struct hsdecrypt_message {
	bool from_server;
	unsigned char type; /* handshake type: 8 EncryptedExtensions, 11 Certificate, ... */
	size_t length;      /* body length, without the 4-byte message header */
	bool after_handshake; /* under the application traffic key (NewSessionTicket) */
	unsigned char head[HSDECRYPT_HEAD_MAX]; /* the first bytes of the body */
	size_t head_len;                        /* min(length, HSDECRYPT_HEAD_MAX) */
};

struct hsdecrypt;

struct hsdecrypt *hsdecrypt_new(void);
void hsdecrypt_free(struct hsdecrypt *h);

/* A piece of a record's body from the server or to it, as the record scanner
 * hands it out (record_body_fn): records of both directions in the order
 * they crossed the wire. Only application_data records are kept. */
void hsdecrypt_body(struct hsdecrypt *h, bool from_server, const struct record *rec,
                    const unsigned char *p, size_t n, bool end);

/* A traffic secret of the session and the negotiated suite (0x1301 ...). Records
 * already waiting for this key are decrypted at once. */
void hsdecrypt_secret(struct hsdecrypt *h, unsigned suite, enum hsdecrypt_secret which,
                      const unsigned char *secret, size_t len);

/* Stops for good and frees what is kept: a session that is not TLS 1.3 has
 * nothing to decrypt. */
void hsdecrypt_stop(struct hsdecrypt *h);

/* How many messages are listed so far (of HSDECRYPT_MESSAGES_MAX at most). */
size_t hsdecrypt_count(const struct hsdecrypt *h);

/* The messages decrypted so far, in the order they were found; returns the
 * count (at most max). */
size_t hsdecrypt_messages(const struct hsdecrypt *h, struct hsdecrypt_message *out,
                          size_t max);

/* A sentence when decrypting failed (a record did not authenticate, too many
 * records waited for a key, an unsupported suite), else NULL. */
const char *hsdecrypt_problem(const struct hsdecrypt *h);

#endif
