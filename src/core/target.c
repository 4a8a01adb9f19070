#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "target.h"
#include "util.h"

static const struct scheme {
	const char *name;
	enum proto_id proto;
	enum tls_mode mode;
	unsigned port;
} schemes[] = {
    {"smtp", PROTO_SMTP, TLS_MODE_EXPLICIT, 25},
    {"submission", PROTO_SMTP, TLS_MODE_EXPLICIT, 587},
    {"smtps", PROTO_SMTP, TLS_MODE_IMPLICIT, 465},
    {"imap", PROTO_IMAP, TLS_MODE_EXPLICIT, 143},
    {"imaps", PROTO_IMAP, TLS_MODE_IMPLICIT, 993},
    {"pop3", PROTO_POP3, TLS_MODE_EXPLICIT, 110},
    {"pop3s", PROTO_POP3, TLS_MODE_IMPLICIT, 995},
};
#define NSCHEMES (sizeof schemes / sizeof schemes[0])

const char *
tls_mode_name(enum tls_mode mode)
{
	return mode == TLS_MODE_IMPLICIT ? "implicit" : "explicit";
}

static const struct scheme *
scheme_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < NSCHEMES; i++)
		if (strlen(schemes[i].name) == len &&
		    strncasecmp(schemes[i].name, name, len) == 0)
			return &schemes[i];
	return NULL;
}

static const struct scheme *
scheme_by_port(unsigned port)
{
	for (size_t i = 0; i < NSCHEMES; i++)
		if (schemes[i].port == port)
			return &schemes[i];
	return NULL;
}

/* The scheme that matches a protocol and mode, preferring the plain names. */
static const struct scheme *
scheme_for(enum proto_id proto, enum tls_mode mode)
{
	for (size_t i = 0; i < NSCHEMES; i++)
		if (schemes[i].proto == proto && schemes[i].mode == mode)
			return &schemes[i];
	return NULL;
}

static int
parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* The pieces of a target text, before they are checked. */
struct target_parts {
	const struct scheme *scheme; /* NULL when the text names none */
	const char *host;
	size_t host_len;
	const char *port_text; /* NULL when no port is given */
	bool bracketed;
};

/* Splits off "SCHEME://". */
static int
target_split_scheme(const char *text, struct target_parts *tp, const char **rest,
                    char **cause)
{
	const char *sep = strstr(text, "://");

	*rest = text;
	if (sep == NULL)
		return 0;
	tp->scheme = scheme_by_name(text, (size_t)(sep - text));
	if (tp->scheme == NULL) {
		*cause = str_printf("unknown scheme \"%.*s\" in \"%s\": use smtp, "
		                    "submission, smtps, imap, imaps, pop3 or pop3s",
		                    (int)(sep - text), text, text);
		return -1;
	}
	*rest = sep + 3;
	return 0;
}

/* Splits "HOST[:PORT]" or "[V6]:PORT" (a trailing "/" is allowed). */
static int
target_split_host(const char *text, const char *rest, struct target_parts *tp, char **cause)
{
	if (strchr(rest, '@') != NULL) {
		*cause =
		    str_printf("a target names no user: \"USER@\" or \"USER:PASSWORD@\" "
		               "would put credentials where other users and the shell "
		               "history see them; use --auth USER (or /auth) instead");
		return -1;
	}
	if (*rest == '[') {
		const char *close = strchr(rest, ']');
		if (close == NULL) {
			*cause = str_printf("missing ']' after the IPv6 address in \"%s\"",
			                    text);
			return -1;
		}
		tp->host = rest + 1;
		tp->bracketed = true;
		tp->host_len = (size_t)(close - tp->host);
		if (close[1] == ':')
			tp->port_text = close + 2;
		else if (close[1] != '\0' && !(close[1] == '/' && close[2] == '\0')) {
			*cause = str_printf("unexpected \"%s\" after the address in \"%s\"",
			                    close + 1, text);
			return -1;
		}
		return 0;
	}
	const char *colon = strchr(rest, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		*cause = str_printf("\"%s\" looks like an IPv6 address: put it in "
		                    "brackets, e.g. [::1]:25",
		                    rest);
		return -1;
	}
	tp->host = rest;
	tp->host_len = colon ? (size_t)(colon - rest) : strlen(rest);
	if (tp->host_len > 0 && tp->host[tp->host_len - 1] == '/' && colon == NULL)
		tp->host_len--;
	if (colon)
		tp->port_text = colon + 1;
	return 0;
}

/* Checks the host and copies it into t. */
static int
target_take_host(const char *text, const struct target_parts *tp, struct target *t,
                 char **cause)
{
	if (tp->host_len == 0) {
		*cause = str_printf(
		    "no host in \"%s\": name a server, e.g. imap://mail.example.org", text);
		return -1;
	}
	if (tp->host_len >= sizeof t->host) {
		*cause = str_printf("the host name in \"%.40s...\" is too long", text);
		return -1;
	}
	for (size_t i = 0; i < tp->host_len; i++) {
		unsigned char c = (unsigned char)tp->host[i];
		if (c <= 0x20 || c == 0x7f || c == '/' || c == '@') {
			*cause =
			    str_printf("the host in \"%s\" contains a character that a "
			               "host name cannot have",
			               text);
			return -1;
		}
	}
	memcpy(t->host, tp->host, tp->host_len);
	t->host[tp->host_len] = '\0';
	return 0;
}

/* Reads the port text (a trailing "/" allowed) into *port. */
static int
target_take_port(const char *text, const char *port_text, unsigned *port, char **cause)
{
	char buf[16];
	size_t n = strlen(port_text);

	if (n > 0 && port_text[n - 1] == '/')
		n--;
	if (n == 0 || n >= sizeof buf) {
		*cause =
		    str_printf("bad port in \"%s\": give a number from 1 to 65535", text);
		return -1;
	}
	memcpy(buf, port_text, n);
	buf[n] = '\0';
	if (parse_port(buf, port) != 0) {
		*cause = str_printf(
		    "bad port \"%s\" in \"%s\": give a number from 1 to 65535", buf, text);
		return -1;
	}
	return 0;
}

int
target_parse(const char *text, int proto_override, int implicit_override, struct target *t,
             char **cause)
{
	struct target_parts tp = {0};
	const struct scheme *sc;
	const char *rest;
	unsigned port = 0;

	memset(t, 0, sizeof *t);
	if (text == NULL || *text == '\0') {
		*cause = str_printf(
		    "no target given: name a server, e.g. smtp://mail.example.org");
		return -1;
	}
	if (target_split_scheme(text, &tp, &rest, cause) != 0 ||
	    target_split_host(text, rest, &tp, cause) != 0 ||
	    target_take_host(text, &tp, t, cause) != 0)
		return -1;
	if (tp.port_text != NULL && target_take_port(text, tp.port_text, &port, cause) != 0)
		return -1;
	sc = tp.scheme;
	if (sc == NULL && port != 0)
		sc = scheme_by_port(port);
	if (sc == NULL && proto_override < 0) {
		*cause = str_printf("cannot tell the protocol of \"%s\": add a scheme "
		                    "(smtp://, imap://, pop3://, ...) or --proto",
		                    text);
		return -1;
	}
	t->proto = sc ? sc->proto : PROTO_SMTP;
	t->mode = sc ? sc->mode : TLS_MODE_EXPLICIT;
	if (proto_override >= 0)
		t->proto = (enum proto_id)proto_override;
	if (implicit_override >= 0)
		t->mode = implicit_override ? TLS_MODE_IMPLICIT : TLS_MODE_EXPLICIT;
	if (sc == NULL || sc->proto != t->proto || sc->mode != t->mode)
		sc = scheme_for(t->proto, t->mode);
	snprintf(t->scheme, sizeof t->scheme, "%s", sc->name);
	t->port = port ? port : sc->port;
	t->host_is_ip = util_is_ip_literal(t->host);
	if (tp.bracketed && !t->host_is_ip) {
		*cause = str_printf("\"%s\" in brackets is not an IPv6 address", t->host);
		return -1;
	}
	return 0;
}

void
target_format(const struct target *t, char *buf, unsigned size)
{
	int v6 = strchr(t->host, ':') != NULL;

	snprintf(buf, size, "%s://%s%s%s:%u", t->scheme, v6 ? "[" : "", t->host,
	         v6 ? "]" : "", t->port);
}

/* The explicit scheme --compare HOST pairs with the implicit one: submission
 * rather than smtp for SMTP, as both 587 and 465 are for mail clients. */
static const char *const pair_schemes[][2] = {
    [PROTO_SMTP] = {"submission", "smtps"},
    [PROTO_IMAP] = {"imap", "imaps"},
    [PROTO_POP3] = {"pop3", "pop3s"},
};

int
target_parse_pair(const char *text, int proto, struct target *a, struct target *b,
                  char **cause)
{
	struct target_parts tp = {0};
	const char *rest;

	if (proto < 0)
		proto = PROTO_SMTP;
	if (target_split_scheme(text, &tp, &rest, cause) != 0 ||
	    target_split_host(text, rest, &tp, cause) != 0 ||
	    target_take_host(text, &tp, a, cause) != 0)
		return -1;
	if (tp.scheme != NULL || tp.port_text != NULL) {
		*cause = str_printf(
		    "--compare HOST takes a host alone and pairs the standard ports (with "
		    "--proto); to compare \"%s\" with something else, give two targets, "
		    "e.g. --compare imap://HOST:1143 imaps://HOST:1993",
		    text);
		return -1;
	}
	bool v6 = tp.bracketed || memchr(tp.host, ':', tp.host_len) != NULL;
	for (int i = 0; i < 2; i++) {
		char *full = str_printf("%s://%s%.*s%s", pair_schemes[proto][i], v6 ? "[" : "",
		                        (int)tp.host_len, tp.host, v6 ? "]" : "");
		int rc = target_parse(full, -1, -1, i == 0 ? a : b, cause);
		free(full);
		if (rc != 0)
			return -1;
	}
	return 0;
}
