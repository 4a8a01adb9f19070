/*
 * escape: the one function that turns bytes from the network into text that is
 * safe to show. Every front (batch text, JSON, logs, the TUI) goes through it.
 *
 * Printable ASCII and valid UTF-8 pass through, except code points that can
 * reorder or hide text (bidi controls, zero-width characters), shown as
 * \uXXXX. Everything else is shown visibly: \r \n \t \0, and other C0
 * controls, DEL and invalid UTF-8 bytes as \xHH (ESC is \x1b).
 *
 * The backslash (text mode) is shown as sent, so `\Seen` stays `\Seen`; it
 * is doubled only where it would otherwise read as one of these escapes:
 * before another backslash, before r n t 0, before x and two hex digits,
 * before u and four hex digits, and before a byte that is shown escaped.
 * Reading `\\` as one backslash and every other form as above gives back the
 * bytes exactly.
 */
#ifndef STARTLE_ESCAPE_H
#define STARTLE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/* How escape_text treats what it cannot show as is. */
enum escape_mode {
	ESCAPE_TEXT, /* for terminals and text logs */
	ESCAPE_JSON, /* JSON string body: quotes, backslashes, controls as \u00XX */
	ESCAPE_OWN   /* startle's own sentences for terminals: like ESCAPE_TEXT, but a
	              * backslash stays, because they quote server bytes that were
	              * escaped already (a TLS error citing "220 ok\r\n") */
};

/* Receives the escaped text piece by piece, in order: runs shown as sent
 * (escaped false) and single escapes (escaped true), for fronts that mark
 * escapes (the TUI draws them in their own theme element). Returns 0, or
 * non-zero to stop. */
typedef int (*escape_fn)(void *arg, const char *text, size_t len, bool escaped);

/* The escaping itself: hands the pieces of data's escaped form to fn.
 * Returns 0, or -1 if fn stopped it. escape_bytes and escape_append are
 * built on it. */
int escape_visit(const unsigned char *data, size_t len, enum escape_mode mode, escape_fn fn,
                 void *arg);

/* Result of escaping: a NUL-terminated string the caller frees. */
char *escape_bytes(const unsigned char *data, size_t len, enum escape_mode mode);

/* Appends the escaped form of data to a growing buffer *buf (size *cap, used
 * *used, NUL kept after the used part). Returns 0, or -1 if out of memory. */
int escape_append(char **buf, size_t *used, size_t *cap, const unsigned char *data,
                  size_t len, enum escape_mode mode);

/* True if data holds a byte or sequence that escape_bytes would not show as
 * itself in ESCAPE_TEXT mode (controls, DEL, invalid UTF-8, bidi, zero width).
 * TAB is not counted. Used for the control-chars finding. */
bool escape_needed(const unsigned char *data, size_t len);

/* True if every byte is printable ASCII other than the backslash and the
 * double quote: shown as is in every mode, so a writer may copy it. */
bool escape_is_plain(const unsigned char *data, size_t len);

/* Decodes one strict multi-byte UTF-8 sequence at p (at most n bytes, n >= 1).
 * Returns its length and the code point in *cp, or 0 if the bytes are not
 * valid UTF-8 (ASCII, overlong forms, surrogates and values past U+10FFFF
 * are not). */
size_t escape_utf8_decode(const unsigned char *p, size_t n, unsigned *cp);

/* True if data is valid UTF-8 (NUL and other controls included): then the
 * JSON form of escape_bytes reads back as the same bytes with any JSON
 * parser; invalid bytes are written as \u00XX there, which does not. */
bool escape_is_utf8(const unsigned char *data, size_t len);

#endif
