/*
 * explain: startle's knowledge base, as tables. Pure functions: no I/O, no
 * global state. Every entry names its source (RFC and section). Things not in
 * the tables are said to be unknown, never guessed.
 *
 * Returned strings are allocated (caller frees) or NULL when there is nothing
 * worth saying about a line.
 */
#ifndef STARTLE_EXPLAIN_H
#define STARTLE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

/* Explains one line the server sent. command is the upper-cased command word
 * the line answers ("EHLO", "STARTTLS", ...), or NULL for the greeting or an
 * unsolicited line. Examples:
 *   "250-STARTTLS"  -> "STARTTLS: the server offers to upgrade this connection to TLS (RFC
 * 3207)" "220 ..." greeting -> "greeting: the server is ready (RFC 5321 §4.2)" */
char *explain_server_line(enum proto_id id, const struct proto_line *line,
                          const char *command);

/* Explains a line the client sent ("EHLO me" -> "EHLO: says hello and asks
 * for the server's extensions (RFC 5321 §4.1.1.1)"). */
char *explain_client_line(enum proto_id id, const unsigned char *line, size_t len);

/* Explains a client line that is not a command, from what the framer
 * expected (proto_client): an answer to a continuation request, bytes of a
 * literal (len of them) or the rest of a command after its literal. The line
 * itself is never looked at: answers are credentials and are never decoded
 * or quoted. NULL for commands and message content. */
char *explain_client_part(enum proto_id id, const struct proto_client *c, size_t len);

/* What a TLS 1.3 handshake message proves, by its name ("Finished", as
 * record_handshake_name spells it) and sender: a static sentence with its
 * RFC, or NULL for a message startle knows nothing about. */
const char *explain_tls_message(const char *name, bool from_server);

/* Table lookups, exposed for the fronts and for tests. Each returns a static
 * sentence with its RFC reference, or NULL if startle does not know it. */
const char *explain_smtp_code(int code);
const char *explain_smtp_enhanced(int klass, int subject, int detail);
const char *explain_smtp_keyword(const char *keyword);
const char *explain_smtp_command(const char *command);
const char *explain_imap_capability(const char *cap);
const char *explain_imap_code(const char *code);
const char *explain_imap_command(const char *command);
const char *explain_imap_status(const char *status);
const char *explain_pop3_capability(const char *cap);
const char *explain_pop3_code(const char *code);
const char *explain_pop3_command(const char *command);

#endif
