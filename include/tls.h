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
	const char *ciphers; /* suites to offer, IANA or OpenSSL names separated
	                      * by ':' or ',' (tls_check_ciphers), or NULL for
	                      * the library's; with no TLS 1.3 suite TLS 1.3 is
	                      * not offered, with only TLS 1.3 suites nothing
	                      * older is */
	const char *groups;  /* key exchange groups by preference ("X25519:P-256",
	                      * tls_check_groups), or NULL: X25519, P-256, P-384,
	                      * P-521 */
	const char *alpn;    /* protocols to offer by ALPN, comma-separated, or
	                      * NULL: none, as mail clients do */
	const struct tls_ticket *resume; /* a session to resume, or NULL */
};

/* A session an earlier connection left behind, to resume in a later one to
 * the same server: the library's session (its ticket) and what the first
 * handshake proved about the certificate, which a resumed handshake does not
 * send again. */
struct tls_ticket;

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

/* A TLS 1.3 handshake message startle decrypted from its own copy of an
 * encrypted record (hsdecrypt.h), with its direction; handed to the observer
 * as soon as it is found, right after the record that carried it. */
struct tls_message {
	enum tls_dir dir;
	unsigned char type; /* handshake type: 8 EncryptedExtensions, 11 Certificate, ... */
	size_t length;      /* body length, without the 4-byte message header */
	bool after_handshake; /* sent after the handshake (NewSessionTicket, KeyUpdate) */
	unsigned char head[HSDECRYPT_HEAD_MAX]; /* the first bytes of its body */
	size_t head_len;
};

struct tls_observer {
	void (*record)(void *arg, const struct tls_record *rec);
	void (*message)(void *arg, const struct tls_message *m); /* may be NULL */
	void *arg;
};

/* What startle can show of TLS 1.3's encrypted handshake messages. */
enum tls_hs_view {
	TLS_HS_READABLE,    /* TLS 1.2 or older: the handshake travels readable, the
	                     * wire records name its messages */
	TLS_HS_DECRYPTED,   /* TLS 1.3, decrypted: the observer got each message */
	TLS_HS_UNAVAILABLE, /* TLS 1.3 on a library that does not hand out the
	                     * traffic secrets (tlsbuild.h): nothing to show */
	TLS_HS_FAILED       /* TLS 1.3, but decrypting failed (tls_get_encrypted_messages
	                     * says why) */
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
	enum tls_hs_view encrypted_handshake;
	char signature[40];     /* the scheme of the server's handshake signature
	                         * (TLS 1.3 CertificateVerify, TLS 1.2
	                         * ServerKeyExchange): "ecdsa_secp256r1_sha256",
	                         * or "" when not seen */
	bool hello_retry;       /* the server asked for another key share
	                         * (HelloRetryRequest): one more round trip */
	size_t key_share_bytes; /* the server's public key share, 0 if not seen */
	char alpn[64];          /* the protocol ALPN settled on, one of those
	                         * offered, or "" */
	bool alpn_offered;      /* tls_config.alpn was given */
	bool resume_offered;    /* a session of an earlier connection was offered */
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

/* Check a --ciphers, --groups or --alpn value before connecting: every name
 * must be one the library knows (a list separated by ':' or ','), and the
 * suites must leave a version within min_version..max_version (0, 12, 13).
 * 0, or -1 with *cause naming what was wrong and what to give instead. */
int tls_check_ciphers(const char *list, int min_version, int max_version, char **cause);
int tls_check_groups(const char *list, char **cause);
int tls_check_alpn(const char *list, char **cause);

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

/* A session to resume in a later connection to the same server, taken from
 * a finished handshake (call it late: TLS 1.3 hands out tickets after the
 * handshake, as the server's first data), or NULL when there is none. */
struct tls_ticket *tls_ticket_take(struct tls_conn *tc);
void tls_ticket_free(struct tls_ticket *t);

/* True if the ticket was made by a connection that verified the same name:
 * only such a session is offered again. */
bool tls_ticket_fits(const struct tls_ticket *t, const char *verify_name);
/* True when the server asked for a client certificate, none was sent, and
 * the server then ended the connection: in TLS 1.3 the handshake fails only
 * then, after the client's side of it is done. */
bool tls_client_cert_refused(struct tls_conn *tc);

/* Sends close_notify (best effort, non-blocking) and frees. Never closes fd. */
void tls_free(struct tls_conn *tc);

#endif
