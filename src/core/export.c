/*
 * export: the same connection in another tool's words (export.h), and the
 * presented chain as a file.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certfile.h"
#include "export.h"
#include "util.h"

static const char *const export_names[] = {
#define EXPORT_TOOL_NAME(sym, name) name,
    EXPORT_TOOLS(EXPORT_TOOL_NAME)
#undef EXPORT_TOOL_NAME
};

/* Other names a user may give a tool by. */
static const struct {
	const char *alias;
	enum export_tool tool;
} export_aliases[] = {
    {"s_client", EXPORT_OPENSSL},
    {"gnutls-cli", EXPORT_GNUTLS},
};

/* The STARTTLS protocol names the tools share. */
static const char *const export_proto[PROTO_COUNT] = {
    [PROTO_SMTP] = "smtp",
    [PROTO_IMAP] = "imap",
    [PROTO_POP3] = "pop3",
};

int
export_tool_from_name(const char *name)
{
	for (int i = 0; i < EXPORT_TOOL_COUNT; i++)
		if (strcmp(name, export_names[i]) == 0)
			return i;
	for (size_t i = 0; i < sizeof export_aliases / sizeof export_aliases[0]; i++)
		if (strcmp(name, export_aliases[i].alias) == 0)
			return (int)export_aliases[i].tool;
	return -1;
}

const char *
export_tool_name(enum export_tool tool)
{
	return tool < EXPORT_TOOL_COUNT ? export_names[tool] : "?";
}

/* Bytes a shell word may hold unquoted. */
static bool
export_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_@%+=:,./-", c) != NULL;
}

char *
export_quote(const char *word)
{
	size_t n = 0, quotes = 0;
	bool safe = word[0] != '\0';

	for (const unsigned char *p = (const unsigned char *)word; *p != '\0'; p++, n++) {
		if (!export_safe(*p))
			safe = false;
		if (*p == '\'')
			quotes++;
	}
	if (safe)
		return xstrdup(word);
	char *out = xmalloc(n + 3 * quotes + 3);
	size_t o = 0;
	out[o++] = '\'';
	for (const char *p = word; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			out[o++] = *p;
		}
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

/* A command being built. */
struct xb {
	struct export_command *c;
	size_t wcap, ccap;
};

/* Appends an already quoted word (owned). */
static void
xb_raw(struct xb *b, char *quoted)
{
	struct export_command *c = b->c;

	if (c->nwords == b->wcap) {
		b->wcap = b->wcap ? 2 * b->wcap : 16;
		c->words = xrealloc(c->words, b->wcap * sizeof *c->words);
	}
	c->words[c->nwords++] = quoted;
}

static void
xb_word(struct xb *b, const char *word)
{
	xb_raw(b, export_quote(word));
}

static void xb_wordf(struct xb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
xb_wordf(struct xb *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *w = str_vprintf(fmt, ap);
	va_end(ap);
	xb_word(b, w);
	free(w);
}

/* An option and its value, kept together on one line when wrapped. */
static void
xb_opt(struct xb *b, const char *opt, const char *value)
{
	char *o = export_quote(opt), *v = export_quote(value);

	xb_raw(b, str_printf("%s %s", o, v));
	free(o);
	free(v);
}

static void xb_optf(struct xb *b, const char *opt, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
xb_optf(struct xb *b, const char *opt, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *v = str_vprintf(fmt, ap);
	va_end(ap);
	xb_opt(b, opt, v);
	free(v);
}

/* NAME=value before the program: the environment of the command. */
static void
xb_env(struct xb *b, const char *name, const char *value)
{
	char *q = export_quote(value);
	xb_raw(b, str_printf("%s=%s", name, q));
	free(q);
}

static void xb_comment(struct xb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A comment line, "# " and startle's own words (never the user's). */
static void
xb_comment(struct xb *b, const char *fmt, ...)
{
	struct export_command *c = b->c;
	va_list ap;

	if (c->ncomments == b->ccap) {
		b->ccap = b->ccap ? 2 * b->ccap : 8;
		c->comments = xrealloc(c->comments, b->ccap * sizeof *c->comments);
	}
	va_start(ap, fmt);
	char *text = str_vprintf(fmt, ap);
	va_end(ap);
	c->comments[c->ncomments++] = str_printf("# %s", text);
	free(text);
}

/* The connection every tool is told about, worked out once. */
struct xconn {
	const struct export_options *o;
	const struct target *t;
	const char *name;   /* the name verified: the server name, else the host */
	bool name_is_ip;    /* it is an address: no SNI, an IP SAN must match */
	bool name_differs;  /* a server name other than the host was given */
	bool host_v6;       /* the host is an IPv6 address (brackets in URLs) */
	const char *proto;  /* "smtp", "imap", "pop3" */
	bool starttls;      /* explicit TLS */
	char hostport[300]; /* host:port, [v6]:port */
};

static void
xconn_init(struct xconn *x, const struct export_options *o)
{
	x->o = o;
	x->t = &o->target;
	x->name = o->servername != NULL && o->servername[0] != '\0' ? o->servername
	                                                            : o->target.host;
	x->name_is_ip = util_is_ip_literal(x->name);
	x->name_differs = strcmp(x->name, o->target.host) != 0;
	x->host_v6 = strchr(o->target.host, ':') != NULL;
	x->proto = export_proto[o->target.proto];
	x->starttls = o->target.mode == TLS_MODE_EXPLICIT;
	snprintf(x->hostport, sizeof x->hostport, "%s%s%s:%u", x->host_v6 ? "[" : "",
	         o->target.host, x->host_v6 ? "]" : "", o->target.port);
}

/* What no tool here can do: startle's own lines, files and choices. */
static void
xb_beyond(struct xb *b, const struct xconn *x)
{
	const struct export_options *o = x->o;

	if (o->lines)
		xb_comment(b, "not expressible: the lines of -c and --script (type them "
		              "once the tool is connected, where it lets you)");
	if (o->log || o->record)
		xb_comment(b, "not expressible: %s (startle's own transcript%s)",
		           o->log && o->record ? "--log and --record"
		           : o->log            ? "--log"
		                               : "--record",
		           o->log && o->record ? "s" : "");
	if (o->insecure)
		xb_comment(b, "not expressible: --insecure (a credential into TLS whose "
		              "certificate failed: the command below stops instead)");
	if (o->ciphers != NULL)
		xb_comment(b, "not expressible: --ciphers (each tool names cipher suites "
		              "its own way: translate the list by hand)");
}

/* What a tool cannot do of --groups, --alpn and --reconnect, each named. */
static void
xb_unsaid(struct xb *b, const struct xconn *x, bool groups, bool alpn, bool reconnect)
{
	const struct export_options *o = x->o;

	if (o->groups != NULL && !groups)
		xb_comment(b, "not expressible: --groups (this tool chooses its own key "
		              "exchange groups)");
	if (o->alpn != NULL && !alpn)
		xb_comment(b, "not expressible: --alpn (this tool offers no ALPN list)");
	if (o->reconnect && !reconnect)
		xb_comment(b, "not expressible: --reconnect (this tool connects once)");
}

/* --cert and --key as the tool's two options (the key in the cert's file
 * when --key is not given, as startle reads it). */
static void
xb_client_cert(struct xb *b, const struct xconn *x, const char *cert_opt,
               const char *key_opt)
{
	const struct export_options *o = x->o;

	if (o->client_cert == NULL)
		return;
	xb_opt(b, cert_opt, o->client_cert);
	xb_opt(b, key_opt, o->client_key != NULL ? o->client_key : o->client_cert);
}

/* startle's ':'- or ','-separated list separated by sep alone. */
static char *
xb_list(const char *list, char sep)
{
	char *s = xstrdup(list);

	for (char *p = s; *p; p++)
		if (*p == ':' || *p == ',')
			*p = sep;
	return s;
}

/* --timeout for a tool with no time limit of its own. */
static void
xb_no_timeout(struct xb *b, const struct xconn *x, const char *tool)
{
	int s = x->o->timeout_s;

	if (s > 0 && s != EXPORT_TIMEOUT_DEFAULT_S)
		xb_comment(b,
		           "not expressible: --timeout %d (%s waits as long as the "
		           "server does: put \"timeout %d\" in front of it)",
		           s, tool, s);
}

/* --auth for a tool that does not log in. */
static void
xb_no_auth(struct xb *b, const struct xconn *x, const char *tool)
{
	if (x->o->auth_user != NULL)
		xb_comment(b,
		           "not expressible: --auth (%s does not log in: type the "
		           "%s exchange yourself)",
		           tool, auth_mech_name(x->o->auth_mech));
}

/* openssl s_client's -min_protocol/-max_protocol, or -tls1_2/-tls1_3. */
static void
xb_openssl_versions(struct xb *b, const struct export_options *o)
{
	if (o->tls_min == 13 || (o->tls_min == 12 && o->tls_max == 12)) {
		xb_word(b, o->tls_min == 13 ? "-tls1_3" : "-tls1_2");
		return;
	}
	if (o->tls_min != 0)
		xb_optf(b, "-min_protocol", "TLSv1.%d", o->tls_min - 10);
	if (o->tls_max != 0)
		xb_optf(b, "-max_protocol", "TLSv1.%d", o->tls_max - 10);
}

/* s_client's -groups, -alpn, -cert/-key and -reconnect. */
static void
xb_openssl_handshake(struct xb *b, const struct xconn *x)
{
	const struct export_options *o = x->o;

	if (o->groups != NULL) {
		char *g = xb_list(o->groups, ':');
		xb_opt(b, "-groups", g);
		free(g);
	}
	if (o->alpn != NULL) {
		char *a = xb_list(o->alpn, ',');
		xb_opt(b, "-alpn", a);
		free(a);
	}
	xb_client_cert(b, x, "-cert", "-key");
	if (o->reconnect)
		xb_word(b, "-reconnect");
}

static void
export_openssl(struct xb *b, const struct xconn *x)
{
	const struct export_options *o = x->o;

	xb_beyond(b, x);
	xb_unsaid(b, x, true, true, true);
	xb_no_timeout(b, x, "s_client");
	xb_no_auth(b, x, "s_client");
	if (o->save_chain != NULL)
		xb_comment(b, "not expressible: --save-chain (-showcerts prints the "
		              "chain among the rest: copy the PEM blocks from there)");
	if (o->ehlo != NULL && !(x->starttls && o->target.proto == PROTO_SMTP))
		xb_comment(b, "not expressible: --ehlo (s_client sends EHLO only for "
		              "-starttls smtp: type EHLO yourself)");
	xb_word(b, "openssl");
	xb_word(b, "s_client");
	if (x->starttls)
		xb_opt(b, "-starttls", x->proto);
	if (o->ehlo != NULL && x->starttls && o->target.proto == PROTO_SMTP)
		xb_opt(b, "-name", o->ehlo);
	xb_opt(b, "-connect", x->hostport);
	if (x->name_is_ip)
		xb_word(b, "-noservername");
	else
		xb_opt(b, "-servername", x->name);
	xb_opt(b, x->name_is_ip ? "-verify_ip" : "-verify_hostname", x->name);
	if (o->cafile != NULL)
		xb_opt(b, "-CAfile", o->cafile);
	xb_word(b, "-verify_return_error");
	xb_openssl_versions(b, o);
	if (o->keylog != NULL)
		xb_opt(b, "-keylogfile", o->keylog);
	if (o->save_chain != NULL)
		xb_word(b, "-showcerts");
	xb_openssl_handshake(b, x);
	xb_word(b, "-crlf");
}

/* gnutls-cli's --priority for the version limits, or NULL for none. */
static char *
export_gnutls_priority(const struct export_options *o)
{
	if (o->tls_min == 0 && o->tls_max == 0)
		return NULL;
	if (o->tls_min == 0)
		return xstrdup("NORMAL:-VERS-TLS1.3");
	int max = o->tls_max ? o->tls_max : 13;
	return str_printf("NORMAL:-VERS-ALL%s%s", max >= 13 ? ":+VERS-TLS1.3" : "",
	                  o->tls_min <= 12 ? ":+VERS-TLS1.2" : "");
}

static void
export_gnutls(struct xb *b, const struct xconn *x)
{
	const struct export_options *o = x->o;

	xb_beyond(b, x);
	xb_unsaid(b, x, false, true, true);
	xb_no_timeout(b, x, "gnutls-cli");
	xb_no_auth(b, x, "gnutls-cli");
	if (o->ehlo != NULL)
		xb_comment(b, "not expressible: --ehlo (gnutls-cli sends its own EHLO "
		              "name)");
	if (o->keylog != NULL)
		xb_env(b, "SSLKEYLOGFILE", o->keylog);
	xb_word(b, "gnutls-cli");
	if (x->starttls)
		xb_opt(b, "--starttls-proto", x->proto);
	xb_optf(b, "-p", "%u", o->target.port);
	if (o->cafile != NULL)
		xb_opt(b, "--x509cafile", o->cafile);
	if (x->name_differs) {
		if (x->name_is_ip)
			xb_word(b, "--disable-sni");
		else
			xb_opt(b, "--sni-hostname", x->name);
		xb_opt(b, "--verify-hostname", x->name);
	}
	char *prio = export_gnutls_priority(o);
	if (prio != NULL)
		xb_opt(b, "--priority", prio);
	free(prio);
	if (o->save_chain != NULL)
		xb_opt(b, "--save-cert", o->save_chain);
	xb_client_cert(b, x, "--x509certfile", "--x509keyfile");
	if (o->alpn != NULL) {
		char *a = xb_list(o->alpn, ',');
		for (char *p = strtok(a, ","); p != NULL; p = strtok(NULL, ","))
			xb_opt(b, "--alpn", p);
		free(a);
	}
	if (o->reconnect)
		xb_word(b, "--resume");
	xb_word(b, "--crlf");
	xb_word(b, o->target.host);
}

/* swaks --tls-protocol: the versions it may use, or NULL for its own. */
static const char *
export_swaks_protocols(const struct export_options *o)
{
	if (o->tls_min == 0 && o->tls_max == 0)
		return NULL;
	if (o->tls_min == 0)
		return "no_tlsv1_3";
	if (o->tls_min == 13)
		return "tlsv1_3";
	return o->tls_max == 12 ? "tlsv1_2" : "tlsv1_2,tlsv1_3";
}

/* What swaks leaves out of an SMTP session startle would have. */
static void
export_swaks_comments(struct xb *b, const struct xconn *x)
{
	const struct export_options *o = x->o;

	xb_beyond(b, x);
	if (o->keylog != NULL)
		xb_comment(b, "not expressible: --keylog (swaks writes no key log)");
	xb_comment(b, "not expressible: checking that the certificate names the "
	              "server (--tls-verify checks the chain only)");
	if (o->save_chain != NULL)
		xb_comment(b, "not expressible: --save-chain saves the whole chain; "
		              "--tls-get-peer-cert saves the server's own certificate "
		              "only");
}

static void
export_swaks(struct xb *b, const struct xconn *x)
{
	const struct export_options *o = x->o;

	if (o->target.proto != PROTO_SMTP) {
		xb_comment(b,
		           "not expressible: swaks speaks SMTP only, and this target is "
		           "%s: export to openssl, gnutls or curl instead",
		           o->target.proto == PROTO_IMAP ? "IMAP" : "POP3");
		return;
	}
	export_swaks_comments(b, x);
	xb_unsaid(b, x, false, false, false);
	xb_word(b, "swaks");
	xb_opt(b, "--server", x->hostport);
	xb_word(b, x->starttls ? "--tls" : "--tls-on-connect");
	xb_word(b, "--tls-verify");
	if (o->cafile != NULL)
		xb_opt(b, "--tls-ca-path", o->cafile);
	if (!x->name_is_ip)
		xb_opt(b, "--tls-sni", x->name);
	if (export_swaks_protocols(o) != NULL)
		xb_opt(b, "--tls-protocol", export_swaks_protocols(o));
	if (o->ehlo != NULL)
		xb_opt(b, "--ehlo", o->ehlo);
	if (o->auth_user != NULL) {
		xb_opt(b, "--auth", auth_mech_name(o->auth_mech));
		xb_opt(b, "--auth-user", o->auth_user);
	}
	if (o->save_chain != NULL)
		xb_opt(b, "--tls-get-peer-cert", o->save_chain);
	xb_client_cert(b, x, "--tls-cert", "--tls-key");
	if (o->timeout_s > 0 && o->timeout_s != EXPORT_TIMEOUT_DEFAULT_S)
		xb_optf(b, "--timeout", "%ds", o->timeout_s);
	xb_opt(b, "--quit-after", o->auth_user != NULL ? "auth" : "helo");
}

/* The URL's scheme: curl has no "submission". */
static const char *
export_curl_scheme(const struct target *t)
{
	static const char *const names[PROTO_COUNT][2] = {
	    [PROTO_SMTP] = {"smtp", "smtps"},
	    [PROTO_IMAP] = {"imap", "imaps"},
	    [PROTO_POP3] = {"pop3", "pop3s"},
	};
	return names[t->proto][t->mode == TLS_MODE_IMPLICIT];
}

/* The EHLO name as the path of an SMTP URL (percent-encoded). */
static char *
export_curl_path(const char *ehlo)
{
	char *out = xmalloc(3 * strlen(ehlo) + 1);
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)ehlo; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			out[o++] = (char)*p;
		else
			o += (size_t)sprintf(out + o, "%%%02X", *p);
	}
	out[o] = '\0';
	return out;
}

/* The URL, and where curl connects when the name is not the host. */
static void
export_curl_target(struct xb *b, const struct xconn *x)
{
	const struct target *t = x->t;
	bool name_v6 = strchr(x->name, ':') != NULL;

	if (x->name_differs && !x->name_is_ip && util_is_ip_literal(t->host)) {
		xb_optf(b, "--resolve", "%s:%u:%s%s%s", x->name, t->port,
		        x->host_v6 ? "[" : "", t->host, x->host_v6 ? "]" : "");
	} else if (x->name_differs) {
		xb_optf(b, "--connect-to", "%s%s%s:%u:%s", name_v6 ? "[" : "", x->name,
		        name_v6 ? "]" : "", t->port, x->hostport);
	}
	if (name_v6)
		xb_word(b, "--globoff");
	if (t->proto == PROTO_IMAP)
		xb_opt(b, "--request", "CAPABILITY");
	else if (t->proto == PROTO_POP3)
		xb_opt(b, "--request", "CAPA");
	char *path = export_curl_path(
	    x->o->ehlo != NULL && t->proto == PROTO_SMTP ? x->o->ehlo : "");
	xb_wordf(b, "%s://%s%s%s:%u/%s", export_curl_scheme(t), name_v6 ? "[" : "", x->name,
	         name_v6 ? "]" : "", t->port, path);
	free(path);
}

/* curl's options for the TLS versions and the login. */
static void
export_curl_options(struct xb *b, const struct xconn *x)
{
	const struct export_options *o = x->o;

	if (o->tls_min != 0)
		xb_wordf(b, "--tlsv1.%d", o->tls_min - 10);
	if (o->tls_max != 0)
		xb_optf(b, "--tls-max", "1.%d", o->tls_max - 10);
	if (o->auth_user != NULL && strchr(o->auth_user, ':') == NULL) {
		xb_opt(b, "--user", o->auth_user);
		xb_optf(b, "--login-options", "AUTH=%s", auth_mech_name(o->auth_mech));
	}
	if (o->timeout_s > 0 && o->timeout_s != EXPORT_TIMEOUT_DEFAULT_S)
		xb_optf(b, "--connect-timeout", "%d", o->timeout_s);
	if (o->groups != NULL) {
		char *g = xb_list(o->groups, ':');
		xb_opt(b, "--curves", g);
		free(g);
	}
	xb_client_cert(b, x, "--cert", "--key");
}

static void
export_curl(struct xb *b, const struct xconn *x)
{
	const struct export_options *o = x->o;

	xb_beyond(b, x);
	xb_unsaid(b, x, true, false, false);
	if (o->save_chain != NULL)
		xb_comment(b, "not expressible: --save-chain (curl does not save the "
		              "chain)");
	if (o->auth_user != NULL && strchr(o->auth_user, ':') != NULL)
		xb_comment(b, "not expressible: --auth with a user name holding ':' "
		              "(curl reads what follows as the password)");
	if (o->ehlo != NULL && o->target.proto != PROTO_SMTP)
		xb_comment(b, "not expressible: --ehlo (not SMTP)");
	if (o->keylog != NULL)
		xb_env(b, "SSLKEYLOGFILE", o->keylog);
	xb_word(b, "curl");
	xb_word(b, "--verbose");
	if (x->starttls)
		xb_word(b, "--ssl-reqd");
	if (o->cafile != NULL)
		xb_opt(b, "--cacert", o->cafile);
	export_curl_options(b, x);
	export_curl_target(b, x);
}

void
export_build(enum export_tool tool, const struct export_options *o,
             struct export_command *out)
{
	static void (*const builders[EXPORT_TOOL_COUNT])(struct xb *,
	                                                 const struct xconn *) = {
	    [EXPORT_OPENSSL] = export_openssl,
	    [EXPORT_GNUTLS] = export_gnutls,
	    [EXPORT_SWAKS] = export_swaks,
	    [EXPORT_CURL] = export_curl,
	};
	struct xb b = {.c = out};
	struct xconn x;

	memset(out, 0, sizeof *out);
	xconn_init(&x, o);
	builders[tool](&b, &x);
}

void
export_command_free(struct export_command *c)
{
	for (size_t i = 0; i < c->ncomments; i++)
		free(c->comments[i]);
	for (size_t i = 0; i < c->nwords; i++)
		free(c->words[i]);
	free(c->comments);
	free(c->words);
	memset(c, 0, sizeof *c);
}

/* Appends s to the growing text *buf. */
static void
export_append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

char *
export_format(const struct export_command *c, int width)
{
	size_t len = 0, cap = 256, col = 0;
	char *buf = xmalloc(cap);

	buf[0] = '\0';
	for (size_t i = 0; i < c->ncomments; i++) {
		export_append(&buf, &len, &cap, c->comments[i]);
		export_append(&buf, &len, &cap, "\n");
	}
	for (size_t i = 0; i < c->nwords; i++) {
		size_t n = strlen(c->words[i]);
		if (i > 0 && width > 0 && col + 1 + n + 2 > (size_t)width) {
			export_append(&buf, &len, &cap, " \\\n    ");
			col = 4;
		} else if (i > 0) {
			export_append(&buf, &len, &cap, " ");
			col++;
		}
		export_append(&buf, &len, &cap, c->words[i]);
		col += n;
	}
	if (c->nwords > 0)
		export_append(&buf, &len, &cap, "\n");
	return buf;
}

size_t
export_chain(const struct transcript *t, const struct cert_info **out, size_t max)
{
	size_t i = transcript_count(t), end = 0, n = 0;
	bool found = false;

	while (i-- > 0) {
		const struct event *ev = transcript_get(t, i);
		if (ev == NULL || ev->kind == EV_CONNECT)
			break;
		if (ev->kind == EV_CERT && ev->cert != NULL) {
			end = i;
			found = true;
			break;
		}
	}
	if (!found)
		return 0;
	size_t start = end;
	while (start > 0) {
		const struct event *ev = transcript_get(t, start - 1);
		if (ev == NULL || ev->kind != EV_CERT || ev->cert == NULL)
			break;
		start--;
	}
	for (i = start; i <= end && n < max; i++)
		out[n++] = transcript_get(t, i)->cert;
	return n;
}

int
export_save_chain(const struct transcript *t, const char *path, bool *replaced,
                  char **cause)
{
	const struct cert_info *certs[CERT_CHAIN_MAX];
	size_t n = export_chain(t, certs, CERT_CHAIN_MAX);

	if (n == 0) {
		*cause = str_printf("there is no certificate chain to save: this "
		                    "connection has not reached TLS");
		return -1;
	}
	if (certfile_write_chain(path, certs, n, replaced, cause) != 0)
		return -1;
	return (int)n;
}
