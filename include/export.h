/*
 * export: taking a session away. The command line another tool needs to make
 * the same connection -- openssl s_client, gnutls-cli, swaks or curl -- for a
 * target and the options that shape the connection: STARTTLS and its
 * protocol, host and port, the server name (SNI and the name verified), the
 * CA file, the TLS versions, the key log. Every exported command verifies the
 * certificate and its name where the tool can. What the tool cannot express
 * is named in comment lines, "# not expressible: ..."; a comment never
 * carries a value the user typed (a file name with a line break in it would
 * end the comment). Every word is quoted for a POSIX shell.
 *
 * And the chain a session's server presented, saved as PEM (certfile.h).
 */
#ifndef STARTLE_EXPORT_H
#define STARTLE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "target.h"
#include "transcript.h"

#define EXPORT_TOOLS(X)                                                                    \
	X(OPENSSL, "openssl")                                                              \
	X(GNUTLS, "gnutls")                                                                \
	X(SWAKS, "swaks")                                                                  \
	X(CURL, "curl")

enum export_tool {
#define EXPORT_TOOL_ENUM(sym, name) EXPORT_##sym,
	EXPORT_TOOLS(EXPORT_TOOL_ENUM)
#undef EXPORT_TOOL_ENUM
	    EXPORT_TOOL_COUNT
};

/* startle's own --timeout default: a different value is named where a tool
 * has no time limit of its own. */
#define EXPORT_TIMEOUT_DEFAULT_S 30

/* What the command is exported from: the connection, and what startle would
 * do beyond making it (named in comments where the tool cannot). */
struct export_options {
	struct target target;
	const char *servername; /* NULL: the host (no SNI for an address) */
	const char *cafile;     /* NULL: the system's trust store */
	const char *keylog;     /* NULL: none */
	const char *ehlo;       /* NULL: the tool's own */
	int tls_min, tls_max;   /* 0, 12 or 13 */
	int timeout_s;          /* per step; 0 or EXPORT_TIMEOUT_DEFAULT_S: default */
	bool lines;             /* -c lines or a --script to send */
	const char *auth_user;  /* --auth USER, or NULL */
	enum auth_mech auth_mech;
	const char *save_chain; /* --save-chain FILE, or NULL */
	bool log, record;       /* --log, --record given */
	bool insecure;          /* --insecure given */
	const char *ciphers, *groups, *alpn; /* --ciphers, --groups, --alpn, or NULL */
	const char *client_cert, *client_key; /* --cert, --key (NULL: in the cert's file) */
	bool reconnect;                       /* --reconnect given */
};

/* An exported command: comment lines, then one command line. */
struct export_command {
	char **comments; /* each a whole line, "# ...", without a line end */
	size_t ncomments;
	char **words; /* quoted for the shell: variable assignments, then the
	               * program and its arguments, an option and its value in
	               * one entry ("-connect host:25"); none when the tool cannot
	               * make the connection at all (swaks for IMAP) */
	size_t nwords;
};

/* The tool of a name (openssl, gnutls, swaks, curl; gnutls-cli and
 * s_client too), or -1. */
int export_tool_from_name(const char *name);
const char *export_tool_name(enum export_tool tool);

/* Builds the command for tool into *out (free with export_command_free). */
void export_build(enum export_tool tool, const struct export_options *o,
                  struct export_command *out);
void export_command_free(struct export_command *c);

/* The command as text, each line ending in "\n": the comments, then the
 * words on one line (width 0), or wrapped before width columns into lines
 * ending in " \" with the ones after indented, as a shell reads them back.
 * Caller frees. */
char *export_format(const struct export_command *c, int width);

/* word as one POSIX shell word: as it is when every byte is safe
 * (A-Z a-z 0-9 and _ @ % + = : , . / -), else in single quotes, a ' inside
 * as '\''; "" is ''. Caller frees. */
char *export_quote(const char *word);

/* The chain of the transcript's last connection, leaf first, as sent: up to
 * max certificates into out (pointing into the transcript). 0 when that
 * connection has not reached TLS. */
size_t export_chain(const struct transcript *t, const struct cert_info **out, size_t max);

/* Saves that chain to path as PEM (certfile_write_chain: 0600, replacing a
 * file there at once). Returns the number of certificates written, or -1
 * with *cause -- which says so when there is no chain yet. *replaced (may be
 * NULL) says whether a file was there before. */
int export_save_chain(const struct transcript *t, const char *path, bool *replaced,
                      char **cause);

#endif
