/*
 * labcert: certificates for the lab, made at run time with wolfCrypt: an
 * ephemeral CA and a leaf for the lab host, plus deliberately bad variants.
 * Everything stays in memory as PEM (the CA can be written to a file for a
 * client's --cafile). Nothing here touches the network.
 */
#ifndef STARTLE_LABCERT_H
#define STARTLE_LABCERT_H

#include <stddef.h>

/* The name the lab's good leaf is issued to, besides localhost, 127.0.0.1 and ::1. */
#define LABCERT_HOST "mail.startle.test"
/* The subject of the client certificate the lab issues for mutual TLS. */
#define LABCERT_CLIENT_CN "startle lab client"

#define LABCERT_KINDS(X)                                                                   \
	X(GOOD, "good",                                                                    \
	  "issued by the lab CA to mail.startle.test, localhost, 127.0.0.1, ::1")          \
	X(EXPIRED, "expired", "issued by the lab CA, but its validity ended yesterday")    \
	X(NOT_YET_VALID, "not-yet-valid",                                                  \
	  "issued by the lab CA, valid only from tomorrow")                                \
	X(WRONG_HOST, "wrong-host",                                                        \
	  "issued by the lab CA to wrong.example, not to this server")                     \
	X(SELF_SIGNED, "self-signed", "signed by its own key: no CA vouches for it")       \
	X(WEAK_KEY, "weak-key", "issued by the lab CA for a 1024-bit RSA key")             \
	X(MUST_STAPLE, "must-staple",                                                      \
	  "issued by the lab CA with the TLS feature status_request (OCSP Must-Staple)")   \
	X(CLIENT, "client",                                                                \
	  "issued by the lab CA to a client (clientAuth), for mutual TLS")

enum labcert_kind {
#define LABCERT_ENUM(sym, name, text) LABCERT_##sym,
	LABCERT_KINDS(LABCERT_ENUM)
#undef LABCERT_ENUM
	    LABCERT_COUNT
};

struct labcert_pair {
	char *chain_pem; /* leaf, then the CA unless self-signed */
	size_t chain_len;
	char *key_pem; /* the leaf's private key */
	size_t key_len;
	unsigned char *leaf_der; /* the leaf alone, DER */
	size_t leaf_der_len;
};

struct labcert;

/* Makes the CA. Returns NULL with *cause (caller frees) on failure. */
struct labcert *labcert_new(char **cause);
void labcert_free(struct labcert *lc);

/* The CA certificate as PEM (owned by lc). */
const char *labcert_ca_pem(const struct labcert *lc, size_t *len);

/* Makes (once, then caches) the leaf of a kind. Returns 0 and points *out at
 * the pair (owned by lc), or -1 with *cause. */
int labcert_get(struct labcert *lc, enum labcert_kind kind, const struct labcert_pair **out,
                char **cause);

/* The CA certificate as DER (owned by lc). */
const unsigned char *labcert_ca_der(const struct labcert *lc, size_t *len);

/* Signs data with the CA's key (ECDSA P-256 over SHA-256, the signature in
 * DER) into sig (*sig_len: its size in, the signature's length out).
 * Returns 0, or -1 with *cause. */
int labcert_ca_sign(struct labcert *lc, const unsigned char *data, size_t len,
                    unsigned char *sig, size_t *sig_len, char **cause);

/* Makes a good leaf, issued by the lab CA, for the DNS names given (the
 * first is also its CN) and 127.0.0.1: a lab that serves other hosts, such
 * as an MTA-STS policy host. Fills *out (the caller frees it with
 * labcert_pair_free). Returns 0, or -1 with *cause. */
#define LABCERT_NAMES_MAX 8
int labcert_named(struct labcert *lc, const char *const *names, size_t n,
                  struct labcert_pair *out, char **cause);
void labcert_pair_free(struct labcert_pair *p);

/* Writes the CA PEM to a new private temporary file; returns its path
 * (caller unlinks and frees) or NULL with *cause. */
char *labcert_write_ca(const struct labcert *lc, char **cause);

const char *labcert_kind_name(enum labcert_kind kind);
const char *labcert_kind_text(enum labcert_kind kind);

#endif
