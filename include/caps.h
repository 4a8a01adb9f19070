/*
 * caps: a set of capabilities as the server announced them (EHLO keywords
 * with parameters, IMAP atoms, POP3 CAPA lines), escaped for display, and
 * the comparison of the sets learned before and inside TLS. Pure: no I/O.
 */
#ifndef STARTLE_CAPS_H
#define STARTLE_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#define CAPS_MAX 128

struct capset {
	char *items[CAPS_MAX]; /* escaped text, one capability each */
	size_t n;
	bool known; /* a complete capability reply filled the set */
};

/* Frees the items and forgets the set. */
void caps_clear(struct capset *c);

/* Adds a capability (raw bytes, escaped here); ignored once the set is full. */
void caps_add(struct capset *c, const unsigned char *data, size_t len);

/* True if a capability's keyword (its first word, before a space or "=")
 * equals keyword, ignoring case: "SIZE" finds "SIZE 1000". */
bool caps_has(const struct capset *c, const char *keyword);

/* True if the whole capability text is in the set, ignoring case. */
bool caps_has_exact(const struct capset *c, const char *cap);

/* How the capabilities inside TLS differ from those in plaintext. */
struct caps_change {
	char added[512]; /* " A B" (each with a leading space), "" if none */
	char removed[512];
	bool unexpected; /* something changed besides the upgrade offer and the login
	                  * offers (STARTTLS, STLS, LOGINDISABLED, AUTH, SASL, USER) */
};

/* Compares before (plaintext) with after (inside TLS). */
void caps_compare(const struct capset *before, const struct capset *after,
                  struct caps_change *out);

#endif
