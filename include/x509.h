/*
 * x509: reads a certificate (DER) into the plain model of cert.h: subject
 * and issuer on one line, serial, validity, subjectAltNames, key and
 * signature algorithm, SHA-256 fingerprints of the certificate and of its
 * public key. The strings are raw bytes of the certificate (escape them when
 * shown), except that a NUL byte is written as the two characters "\0".
 */
#ifndef STARTLE_X509_H
#define STARTLE_X509_H

#include <stdbool.h>
#include <stddef.h>

#include "cert.h"

/* Fills *c from one DER certificate at the given depth of its chain (caller
 * frees with cert_info_free). False, with *c empty, if the bytes cannot be
 * parsed as a certificate. */
bool x509_cert_from_der(const unsigned char *der, size_t len, int depth,
                        struct cert_info *c);

/* Every subjectAltName of a DER certificate as text ("DNS:mail.test",
 * "IP:127.0.0.1"), in the certificate's order: up to max strings into out
 * (caller frees each), the full count into *total. Returns how many were
 * stored; 0 also when the X509 layer cannot read the certificate. */
size_t x509_sans(const unsigned char *der, size_t len, char **out, size_t max,
                 size_t *total);

#endif
