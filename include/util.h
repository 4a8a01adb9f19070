/*
 * util: allocation that cannot fail (out of memory is fatal), formatted
 * strings for error sentences, and the fatal path, which runs a hook first
 * (the TUI uses it to restore the terminal).
 */
#ifndef STARTLE_UTIL_H
#define STARTLE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
void *xmemdup(const void *p, size_t len); /* adds a NUL after len bytes */

/* A newly allocated formatted string (for *cause sentences). */
char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *str_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Sets *cause (unless cause is NULL) to "FILE:LINE: message", LINE left out
 * when 0, with the file name escaped for the terminal: the error form of
 * every file startle parses (themes, lessons). */
void util_file_error(char **cause, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sets the function run before a fatal exit (e.g. restoring the terminal). */
void util_set_fatal_hook(void (*hook)(void));

/* Prints "startle: message" to stderr and exits with status 70. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* "DIR/suffix" where DIR is the directory of the running executable or one
 * of the three above it, the first where that directory exists (so a build
 * tree finds its themes and lessons wherever it is started from), or NULL.
 * The result is allocated once per suffix and kept. */
const char *util_beside_exe(const char *suffix);

/* Reads a whole small text file of a kind ("theme", "lesson") into *text
 * (NUL-terminated, caller frees) and *len. Returns 0; 1 if the file does not
 * exist and missing_ok is set; else -1 with *cause saying what was wrong
 * (unreadable, not a regular file, larger than cap bytes). */
int util_read_text_file(const char *path, size_t cap, const char *kind, bool missing_ok,
                        char **text, size_t *len, char **cause);

/* Opens a file startle writes (log, recording, key log, history, exports)
 * for writing, privately: a new file is created mode 0600; the final path
 * component is never followed if it is a symbolic link (refused); an existing
 * regular file must belong to the user, its mode is narrowed to 0600, and it
 * is truncated unless append is set; an existing character device or FIFO
 * (/dev/null, a pipe) is written as it is; anything else is refused. Returns
 * the stream, or NULL with *cause (the path escaped) saying what to do. */
FILE *util_open_private(const char *path, bool append, char **cause);

/* True if text is an IPv4 or IPv6 address literal (without brackets). */
bool util_is_ip_literal(const char *text);

/* The value of a hexadecimal digit (either case), or -1. */
int util_hex_digit(int c);

/* True when the environment asks for no colour: NO_COLOR is set and not
 * empty (no-color.org: an empty value does not count). */
bool util_no_color(void);

/* Monotonic clock in milliseconds. */
double util_now_ms(void);

#endif
