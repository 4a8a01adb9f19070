/*
 * hsmsg: TLS handshake messages, read from their bytes with no library and no
 * I/O. A walker follows the handshake bytes of one direction (as plaintext
 * records carry them, or as the encrypted handshake decrypts to, hsdecrypt.h),
 * fed in pieces of any size, and hands out each message once it is complete:
 * its type, its length and the first bytes of its body, as many as the
 * caller asked to keep (at most HSMSG_KEEP_MAX: memory stays bounded whatever
 * a peer sends).
 *
 * Readers then take the facts users of s_client and gnutls-cli look for out
 * of those bytes: the server's choice in ServerHello (version, suite, the
 * group of its key share, a HelloRetryRequest), the group and signature of a
 * TLS 1.2 ServerKeyExchange, the signature scheme of a CertificateVerify, the
 * lifetime of a session ticket. A reader given too few bytes, or bytes that
 * do not parse, says false and fills nothing it could not read.
 */
#ifndef STARTLE_HSMSG_H
#define STARTLE_HSMSG_H

#include <stdbool.h>
#include <stddef.h>

#define HSMSG_HEADER_LEN 4
#define HSMSG_KEEP_MAX 2048 /* a DHE ServerKeyExchange of ffdhe8192 is 2 KiB */

/* Handshake message types read here (RFC 8446 §4, RFC 5246 §7.4). */
enum hsmsg_type {
	HSMSG_SERVER_HELLO = 2,
	HSMSG_NEW_SESSION_TICKET = 4,
	HSMSG_ENCRYPTED_EXTENSIONS = 8,
	HSMSG_CERTIFICATE = 11,
	HSMSG_SERVER_KEY_EXCHANGE = 12,
	HSMSG_CERTIFICATE_VERIFY = 15,
	HSMSG_FINISHED = 20,
};

/* Called once per complete message: body holds its first kept bytes
 * (min(length, the walker's keep)). */
typedef void (*hsmsg_fn)(void *arg, unsigned char type, size_t length,
                         const unsigned char *body, size_t kept);

struct hsmsg_walker {
	hsmsg_fn on_message;
	void *arg;
	size_t keep; /* body bytes kept of each message, <= HSMSG_KEEP_MAX */

	unsigned char hdr[HSMSG_HEADER_LEN];
	size_t hdr_len;
	unsigned char type;
	size_t length, left, kept;
	unsigned char body[HSMSG_KEEP_MAX];
};

/* Starts a walker waiting for a message header; keep is capped at
 * HSMSG_KEEP_MAX. */
void hsmsg_walker_init(struct hsmsg_walker *w, size_t keep, hsmsg_fn fn, void *arg);

/* Feeds the next n handshake bytes. */
void hsmsg_walk(struct hsmsg_walker *w, const unsigned char *p, size_t n);

/* True while a message has begun and is not complete. */
bool hsmsg_walker_inside(const struct hsmsg_walker *w);

/* What a ServerHello says (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3). */
struct hsmsg_hello {
	unsigned version;     /* the negotiated version: supported_versions if
	                       * present (0x0304), else the legacy field */
	unsigned suite;       /* the cipher suite, e.g. 0x1301 */
	bool hello_retry;     /* a HelloRetryRequest: the server wants another key share */
	unsigned group;       /* the group of the server's key share (TLS 1.3), or
	                       * of the one it asks for (HelloRetryRequest), or 0 */
	size_t key_share_len; /* the server's public key share in bytes, or 0 */
};

/* Reads a ServerHello body (without its 4-byte header). */
bool hsmsg_server_hello(const unsigned char *b, size_t n, struct hsmsg_hello *out);

/* What a TLS 1.2 ServerKeyExchange says (RFC 8422 §5.4, RFC 5246 §7.4.3). */
struct hsmsg_kx {
	unsigned group;       /* named curve of ECDHE, 0 for DHE */
	size_t dh_bits;       /* DHE: the prime's size in bits, else 0 */
	size_t key_share_len; /* the server's public value in bytes */
	unsigned signature;   /* the signature scheme, 0 when absent (TLS 1.0/1.1) */
};

/* Reads a ServerKeyExchange body for an ECDHE suite (ecdhe true) or a DHE
 * one; with_scheme says the version carries a signature scheme (TLS 1.2). */
bool hsmsg_key_exchange(const unsigned char *b, size_t n, bool ecdhe, bool with_scheme,
                        struct hsmsg_kx *out);

/* The signature scheme a CertificateVerify body starts with. */
bool hsmsg_verify_scheme(const unsigned char *b, size_t n, unsigned *scheme);

/* A NewSessionTicket's lifetime in seconds (both versions start with it). */
bool hsmsg_ticket_lifetime(const unsigned char *b, size_t n, unsigned long *seconds);

#endif
