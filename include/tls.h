/*
 * tls: wolfSSL on an existing, non-blocking socket, as the client. The same
 * fd carries the plaintext dialogue first (explicit TLS) or nothing at all
 * (implicit TLS); tls_start takes it over from then on.
 *
 * Verification runs in observing mode: the handshake always finishes (unless
 * the peer breaks it), the chain and name verdicts are recorded and handed out
 * for the caller to show and to apply its own policy.
 *
 * Every TLS record crossing the socket is reported through the observer, with
 * its direction, content type, version and length, as an eavesdropper sees it.
 */
#ifndef STARTLE_TLS_H
#define STARTLE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cert.h"
#include "hsdecrypt.h"
#include "record.h"

struct tls_config {
	const char *cafile;      /* PEM bundle to trust, or NULL for the system store */
	const char *sni;         /* server name to send, or NULL for none */
	const char *verify_name; /* name or address the leaf must match */
	bool verify_name_is_ip;
	int min_version;    /* 0 (library default), 12 or 13 */
	int max_version;    /* 0, 12 or 13 */
	const char *client_cert; /* PEM certificate (and chain) to offer when the
	                          * server asks (clientcert.h), or NULL */
	const char *client_key;  /* its PEM key; NULL: in client_cert's file */
	const char *keylog; /* NSS key log file (keylog.h), appended to, or
	                     * NULL; TLS 1.3 secrets need a library that hands
	                     * them out (tlsbuild.h): the summary's note says
	                     * when nothing could be written */
};

enum tls_dir { TLS_DIR_OUT, TLS_DIR_IN };

#define TLS_NOTE_MAX 320

/* One record on the wire, as the record scanner (record.h) reported it, with
 * its direction. head holds the first bytes of its body for a hex preview. */
struct tls_record {
	enum tls_dir dir;
	unsigned char type; /* 20 CCS, 21 alert, 22 handshake, 23 application data */
	unsigned version;   /* record layer version, e.g. 0x0303 */
	size_t length;      /* body length */
	unsigned char head[RECORD_HEAD_MAX];
	size_t head_len;
	unsigned char
	    hs_type; /* first handshake message type when type is 22 and readable, else 0 */
	bool readable; /* a handshake or alert body an eavesdropper can read */
};

/* The name of the handshake message a record carries ("ClientHello"), or
 * NULL when it is not a handshake record or its body is encrypted (TLS 1.2's
 * Finished after change_cipher_spec): type 0 is HelloRequest only when read. */
const char *tls_record_message(const struct tls_record *r);

struct tls_observer {
	void (*record)(void *arg, const struct tls_record *rec);
	void *arg;
};

struct tls_summary {
	char version[16]; /* "TLSv1.3" */
	char cipher[96];  /* IANA name, "TLS_AES_256_GCM_SHA384" */
	char group[32];   /* "X25519", "SECP256R1", "" if unknown */
	double handshake_ms;
	bool resumed;
	char sni[256]; /* what was sent, "" for none */
	unsigned records_in, records_out;
	size_t bytes_in, bytes_out; /* wire bytes during the handshake */
	bool client_cert_requested; /* the server sent a CertificateRequest */
	bool client_cert_sent;      /* ... and startle answered with --cert */
	char client_cert_subject[256]; /* the subject of --cert (raw), or "" */
	char note[TLS_NOTE_MAX];    /* what the user should know about this
	                             * session's TLS in a sentence (a key log
	                             * that could not be written), or "" */
};

enum tls_status {
	TLS_OK = 0, /* done (handshake finished, or data moved) */
	TLS_WANT_READ = -2,
	TLS_WANT_WRITE = -3,
	TLS_CLOSED = -4, /* peer sent close_notify */
	TLS_EOF = -5,    /* connection closed without close_notify */
	TLS_ERROR = -1
};

struct tls_conn;

/* Loads the library once; safe to call more than once. 0 or -1. */
int tls_global_init(char **cause);

/* Checks, before connecting, that path is a readable file of PEM
 * certificates the TLS library accepts as trust anchors (--cafile). Returns
 * 0, or -1 with *cause naming the file (escaped). Needs tls_global_init. */
int tls_check_cafile(const char *path, char **cause);

/* Prepares a client session on fd (not yet sending anything). NULL on
 * failure with *cause set (caller frees). */
struct tls_conn *tls_new(int fd, const struct tls_config *cfg,
                         const struct tls_observer *obs, char **cause);

/* Advances the handshake. TLS_OK when finished, TLS_WANT_READ/WRITE to be
 * called again when the fd is ready, TLS_ERROR with *cause (alert, garbage,
 * close), which also says what the first bytes from the server were. */
int tls_handshake(struct tls_conn *tc, char **cause);

/* Reads decrypted bytes: > 0 count, or a negative enum tls_status. */
ssize_t tls_read(struct tls_conn *tc, void *buf, size_t len, char **cause);

/* Writes all of buf (blocking briefly on WANT_WRITE); len or TLS_ERROR. */
ssize_t tls_write(struct tls_conn *tc, const void *buf, size_t len, char **cause);

/* True if decrypted bytes are buffered inside the library (poll won't say). */
bool tls_pending(struct tls_conn *tc);

/* After the handshake: the negotiated parameters. */
void tls_get_summary(struct tls_conn *tc, struct tls_summary *sum);

/* After the handshake: the chain the server sent, leaf first. Fills up to max
 * entries of certs (caller frees each with cert_info_free); returns the count. */
size_t tls_get_chain(struct tls_conn *tc, struct cert_info *certs, size_t max);

/* After the handshake: chain and name verdict. */
void tls_get_verdict(struct tls_conn *tc, struct cert_verdict *v);

/* TLS 1.3's encrypted handshake messages (EncryptedExtensions, Certificate,
 * CertificateVerify, Finished, NewSessionTicket, ...) with their sizes, as
 * decrypted so far from startle's copy of the records (hsdecrypt.h). Only a
 * library that hands out the traffic secrets gives any (tlsbuild.h); none for
 * TLS 1.2. Fills up to max; returns the count. *problem (may be NULL) gets a
 * sentence when decrypting failed, else NULL. */
size_t tls_get_encrypted_messages(struct tls_conn *tc, struct hsdecrypt_message *out,
                                  size_t max, const char **problem);

/* True when the server asked for a client certificate, none was sent, and
 * the server then ended the connection: in TLS 1.3 the handshake fails only
 * then, after the client's side of it is done. */
bool tls_client_cert_refused(struct tls_conn *tc);

/* Sends close_notify (best effort, non-blocking) and frees. Never closes fd. */
void tls_free(struct tls_conn *tc);

/* Base64 of len bytes (RFC 4648, no line breaks), NUL-terminated; caller
 * frees. wolfCrypt's encoder, for SASL answers. */
char *tls_base64(const void *data, size_t len);

#endif
