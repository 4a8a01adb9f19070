/*
 * kb: the inside of the explain module. Every table is a list of (key, text)
 * rows; the text is a short sentence fragment that ends with its RFC reference.
 * Keys are matched case-insensitively; a key ending in '=' matches any word
 * that starts with it ("AUTH=" matches "AUTH=FOO") when no exact row exists.
 *
 * Also here: bounded words cut out of (ptr, len) network bytes and a bounded
 * sentence builder, so no server byte is ever treated as a C string.
 */
#ifndef STARTLE_EXPLAIN_KB_H
#define STARTLE_EXPLAIN_KB_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

struct kb_entry {
	const char *key;
	const char *text;
};

struct kb_table {
	const char *name;
	const struct kb_entry *rows;
	size_t count;
};

/* Defines the table var from a static array of rows. */
#define KB_TABLE(var, label, rows)                                                         \
	const struct kb_table var = {label, rows, sizeof(rows) / sizeof((rows)[0])}

/* SMTP: reply codes ("250"), replies in the context of a command
 * ("STARTTLS 220"), enhanced status classes ("5"), subjects ("X.1") and
 * details ("X.1.1"), EHLO keywords and commands. */
extern const struct kb_table kb_smtp_codes;
extern const struct kb_table kb_smtp_replies;
extern const struct kb_table kb_smtp_classes;
extern const struct kb_table kb_smtp_subjects;
extern const struct kb_table kb_smtp_details;
extern const struct kb_table kb_smtp_keywords;
extern const struct kb_table kb_smtp_commands;

/* IMAP: status words, response codes, capabilities, commands, untagged data
 * responses ("EXISTS") and statuses in the context of a command ("STARTTLS OK"). */
extern const struct kb_table kb_imap_statuses;
extern const struct kb_table kb_imap_codes;
extern const struct kb_table kb_imap_capabilities;
extern const struct kb_table kb_imap_commands;
extern const struct kb_table kb_imap_responses;
extern const struct kb_table kb_imap_replies;

/* POP3: status indicators, response codes, CAPA tags, commands and statuses
 * in the context of a command ("STLS +OK"). */
extern const struct kb_table kb_pop3_statuses;
extern const struct kb_table kb_pop3_codes;
extern const struct kb_table kb_pop3_capabilities;
extern const struct kb_table kb_pop3_commands;
extern const struct kb_table kb_pop3_replies;

/* TLS 1.3 handshake messages by name ("CertificateVerify"), as sent by the
 * server and by the client: what each proves. */
extern const struct kb_table kb_tls_server_messages;
extern const struct kb_table kb_tls_client_messages;

/* Every table above, for walking. */
extern const struct kb_table *const kb_tables[];
extern const size_t kb_table_count;

/* The row whose key equals key (case-insensitive), or NULL. */
const struct kb_entry *kb_find(const struct kb_table *t, const char *key);

/* As kb_find, but falls back to a row "NAME=" for a key "NAME=anything". */
const struct kb_entry *kb_find_prefix(const struct kb_table *t, const char *key);

/* The row for the pair "first second" ("STARTTLS 220"), or NULL. */
const struct kb_entry *kb_find_pair(const struct kb_table *t, const char *first,
                                    const char *second);

/* The text of a row, or NULL for no row. */
const char *kb_text(const struct kb_entry *e);

/* Longest word kept; a longer one is cut and never matches a table key. */
#define KB_WORD_MAX 40

/* A word copied out of network bytes: bytes outside printable ASCII become
 * '?', so s is safe to print and to look up. */
struct kb_word {
	char s[KB_WORD_MAX + 1];
	size_t len; /* length of the whole word in the input */
	bool cut;   /* longer than KB_WORD_MAX: s holds its start only */
};

/* Reads the word at *pos of (p, len) after skipping spaces; a word ends at a
 * space or at the byte stop (pass -1 for none). Advances *pos past the word.
 * Returns false if there is no word left. */
bool kb_next_word(const unsigned char *p, size_t len, size_t *pos, int stop,
                  struct kb_word *w);

/* True if the word is exactly name (case-insensitive) and was not cut. */
bool kb_word_is(const struct kb_word *w, const char *name);

/* The word as a lookup key: its text, or "" when it was cut. */
const char *kb_word_key(const struct kb_word *w);

/* Index of the first byte at or after pos that is not a space. */
size_t kb_skip_spaces(const unsigned char *p, size_t len, size_t pos);

/* Longest sentence built; the rest is cut with "...". */
#define KB_BUF_CAP 400

struct kb_buf {
	char s[KB_BUF_CAP + 1];
	size_t len;
};

void kb_buf_init(struct kb_buf *b);
void kb_buf_add(struct kb_buf *b, const char *text);
void kb_buf_addf(struct kb_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends a word as shown to people: its text, with "..." when it was cut. */
void kb_buf_word(struct kb_buf *b, const struct kb_word *w);

/* Appends at most max bytes of (p, n), printable ASCII only (others as '?'),
 * with "..." when cut. */
void kb_buf_bytes(struct kb_buf *b, const unsigned char *p, size_t n, size_t max);

/* Appends a table text without its reference: the words before " (RFC". */
void kb_buf_words(struct kb_buf *b, const char *text);

/* An allocated copy of the sentence, or NULL if out of memory. */
char *kb_buf_dup(const struct kb_buf *b);

/* Sentences per protocol, called by explain_server_line / explain_client_line. */
char *kb_smtp_server_line(const struct proto_line *line, const char *command);
char *kb_smtp_client_line(const unsigned char *p, size_t len);
char *kb_imap_server_line(const struct proto_line *line, const char *command);
char *kb_imap_client_line(const unsigned char *p, size_t len);
char *kb_pop3_server_line(const struct proto_line *line, const char *command);
char *kb_pop3_client_line(const unsigned char *p, size_t len);

/* Appends what a server's SASL prompt (base64, at (p, n)) decodes to, when
 * it is printable text; a binary challenge only by its size. */
void kb_sasl_prompt(struct kb_buf *b, const unsigned char *p, size_t n);

/* Appends "; PLAIN reveals the password outside TLS" when the SASL mechanism
 * list at pos of (p, len) holds PLAIN or LOGIN. */
void kb_buf_sasl_warning(struct kb_buf *b, const unsigned char *p, size_t len, size_t pos);

#endif
