/*
 * base64: RFC 4648 base64 with padding and no line breaks, both ways, with
 * no library. Decoding is strict: only the alphabet, padding only at the
 * end and only where it belongs, no whitespace; so one text decodes to one
 * byte string and garbage is refused rather than guessed at.
 */
#ifndef STARTLE_BASE64_H
#define STARTLE_BASE64_H

#include <stddef.h>
#include <stdio.h>

/* Bytes of the encoded form of len bytes (without a NUL). */
size_t base64_encoded_len(size_t len);

/* Writes the encoding of len bytes to f. */
void base64_write(FILE *f, const void *data, size_t len);

/* The encoding of len bytes as a new string (caller frees). */
char *base64_encode(const void *data, size_t len);

/* Decodes len characters of text into a new buffer (NUL-terminated after
 * the bytes, for convenience; caller frees) and sets *out_len. Returns NULL
 * when text is not strict base64. */
unsigned char *base64_decode(const char *text, size_t len, size_t *out_len);

#endif
