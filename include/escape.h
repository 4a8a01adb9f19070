/*
 * escape: the one function that turns bytes from the network into text that is
 * safe to show. Every front (batch text, JSON, logs, the TUI) goes through it.
 *
 * Printable ASCII and valid UTF-8 pass through, except code points that can
 * reorder or hide text (bidi controls, zero-width characters). Everything else
 * is shown visibly: \r \n \t \0 \\ \e for ESC is not used — ESC is \x1b — and
 * other C0/C1 controls, DEL and invalid UTF-8 bytes as \xHH.
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

#endif
