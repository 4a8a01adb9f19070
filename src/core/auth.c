/*
 * auth: SASL PLAIN and LOGIN exchanges as protocol lines.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "base64.h"
#include "util.h"

static const char *const auth_names[] = {[AUTH_PLAIN] = "PLAIN", [AUTH_LOGIN] = "LOGIN"};

/* The command that starts an exchange, per protocol. */
static const char *const auth_commands[PROTO_COUNT] = {
    [PROTO_SMTP] = "AUTH",
    [PROTO_IMAP] = "AUTHENTICATE",
    [PROTO_POP3] = "AUTH",
};

int
auth_mech_from_name(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof auth_names / sizeof auth_names[0];
	     i++)
		if (strcasecmp(name, auth_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
auth_mech_name(enum auth_mech m)
{
	return auth_names[m];
}

/* The PLAIN message: authorisation identity (empty), user, password,
 * separated by NUL bytes (RFC 4616 §2), in base64. */
static char *
auth_plain_message(const char *user, const char *password)
{
	size_t ul = strlen(user), pl = strlen(password), n = 1 + ul + 1 + pl;
	char *raw = xmalloc(n);

	raw[0] = '\0';
	memcpy(raw + 1, user, ul);
	raw[1 + ul] = '\0';
	memcpy(raw + 2 + ul, password, pl);
	char *b64 = base64_encode(raw, n);
	explicit_bzero(raw, n);
	free(raw);
	return b64;
}

size_t
auth_lines(enum proto_id proto, enum auth_mech mech, const char *user, const char *password,
           char *lines[AUTH_LINES_MAX])
{
	size_t n = 0;

	lines[n++] = str_printf("%s %s", auth_commands[proto], auth_names[mech]);
	if (mech == AUTH_PLAIN) {
		lines[n++] = auth_plain_message(user, password);
	} else {
		lines[n++] = base64_encode(user, strlen(user));
		lines[n++] = base64_encode(password, strlen(password));
	}
	return n;
}

void
auth_lines_free(char *lines[AUTH_LINES_MAX], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		explicit_bzero(lines[i], strlen(lines[i]));
		free(lines[i]);
	}
}
