/*
 * auth: the SASL exchange startle builds for the user (the explorer's /auth,
 * batch's --auth), as protocol lines: the command, then the answer to each of
 * the server's prompts. PLAIN (RFC 4616) and LOGIN. The lines carry the
 * password: the session marks them secret like any credential line.
 */
#ifndef STARTLE_AUTH_H
#define STARTLE_AUTH_H

#include <stddef.h>

#include "proto.h"

enum auth_mech { AUTH_PLAIN, AUTH_LOGIN };

#define AUTH_LINES_MAX 3

/* Looks a mechanism up by name, ignoring case ("plain", "LOGIN"); -1 if
 * unknown. */
int auth_mech_from_name(const char *name);
const char *auth_mech_name(enum auth_mech m);

/* Writes the lines of the exchange into lines (each allocated; free them
 * with auth_lines_free) and returns how many: PLAIN is the command and one
 * answer (the initial response sent after the prompt, which every server
 * accepts), LOGIN the command and two answers (user, then password). */
size_t auth_lines(enum proto_id proto, enum auth_mech mech, const char *user,
                  const char *password, char *lines[AUTH_LINES_MAX]);

void auth_lines_free(char *lines[AUTH_LINES_MAX], size_t n);

#endif
