/*
 * tls_opts: the choices a user makes about a connection's TLS -- the version
 * range, the cipher suites, the key exchange groups, the protocols offered by
 * ALPN -- checked by name before anything is sent, and the session an earlier
 * connection leaves behind to be resumed.
 */
#include "tls_int.h"

#include <wolfssl/wolfcrypt/sha256.h>

#include "escape.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define TLS_OPTS_NAMES_MAX 64 /* names in one --ciphers or --groups list */
#define TLS_ALPN_NAME_MAX 255 /* RFC 7301 §3.1 */

/* Bounded copy into a fixed field; NULL becomes "". */
static void
opts_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* Protocol versions as the configuration spells them. */
static const struct {
	int cfg;
	int proto;
} tls_versions[] = {
    {12, TLS1_2_VERSION},
    {13, TLS1_3_VERSION},
};

/* Maps 12/13 to the protocol number; 0 if unknown. */
static int
tls_version_proto(int cfg)
{
	for (size_t i = 0; i < sizeof(tls_versions) / sizeof(tls_versions[0]); i++) {
		if (tls_versions[i].cfg == cfg)
			return tls_versions[i].proto;
	}
	return 0;
}

/* Applies the configured version range to a fresh context. */
static int
tls_set_versions(WOLFSSL_CTX *ctx, const struct tls_config *cfg, char **cause)
{
	int min = cfg->min_version ? tls_version_proto(cfg->min_version) : 0;
	int max = cfg->max_version ? tls_version_proto(cfg->max_version) : 0;

	if ((cfg->min_version && min == 0) || (cfg->max_version && max == 0)) {
		tls_set_cause(cause,
		              str_printf("unsupported TLS version limit (min %d, max %d): "
		                         "use 1.2 or 1.3",
		                         cfg->min_version, cfg->max_version));
		return -1;
	}
	if (min && max && min > max) {
		tls_set_cause(cause,
		              str_printf("the minimum TLS version is above the maximum: "
		                         "choose a minimum no higher than the maximum"));
		return -1;
	}
	if ((min && wolfSSL_CTX_set_min_proto_version(ctx, min) != WOLFSSL_SUCCESS) ||
	    (max && wolfSSL_CTX_set_max_proto_version(ctx, max) != WOLFSSL_SUCCESS)) {
		tls_set_cause(cause,
		              str_printf("the TLS library refused the version limits"));
		return -1;
	}
	return 0;
}

/* Key exchange groups by the names s_client and gnutls-cli users know. */
static const struct {
	const char *name;
	int group;
} tls_group_names[] = {
#ifdef HAVE_CURVE25519
    {"X25519", WOLFSSL_ECC_X25519},
#endif
#ifdef HAVE_CURVE448
    {"X448", WOLFSSL_ECC_X448},
#endif
    {"P-256", WOLFSSL_ECC_SECP256R1},
    {"secp256r1", WOLFSSL_ECC_SECP256R1},
    {"prime256v1", WOLFSSL_ECC_SECP256R1},
    {"P-384", WOLFSSL_ECC_SECP384R1},
    {"secp384r1", WOLFSSL_ECC_SECP384R1},
    {"P-521", WOLFSSL_ECC_SECP521R1},
    {"secp521r1", WOLFSSL_ECC_SECP521R1},
#ifdef HAVE_FFDHE_2048
    {"ffdhe2048", WOLFSSL_FFDHE_2048},
#endif
#ifdef HAVE_FFDHE_3072
    {"ffdhe3072", WOLFSSL_FFDHE_3072},
#endif
};

/* The groups startle offers when the user names none: X25519 (the common
 * first choice of servers, and the cheapest key share), then the NIST curves. */
static const int tls_default_groups[] = {
#ifdef HAVE_CURVE25519
    WOLFSSL_ECC_X25519,
#endif
    WOLFSSL_ECC_SECP256R1, WOLFSSL_ECC_SECP384R1, WOLFSSL_ECC_SECP521R1};

/* The next name of a list separated by ':' or ',' (spaces around allowed):
 * copied into name; false at the end. */
static bool
next_name(const char **list, char *name, size_t size, bool *too_long)
{
	const char *p = *list;
	size_t n = 0;

	while (*p == ' ' || *p == ':' || *p == ',')
		p++;
	if (*p == '\0')
		return false;
	const char *start = p;
	while (*p != '\0' && *p != ':' && *p != ',' && *p != ' ')
		p++;
	n = (size_t)(p - start);
	*too_long = n >= size;
	snprintf(name, size, "%.*s", (int)(n < size ? n : size - 1), start);
	*list = p;
	return true;
}

/* A sentence naming a bad entry of an option's list, quoted and escaped. */
static char *
bad_name(const char *option, const char *name, const char *what)
{
	char *esc = escape_bytes((const unsigned char *)name, strlen(name), ESCAPE_TEXT);
	char *s = str_printf("%s: \"%s\" %s", option, esc != NULL ? esc : "?", what);
	free(esc);
	return s;
}

/* The groups startle knows, for a message. */
static char *
group_names(void)
{
	char buf[256] = "";
	size_t n = 0;

	for (size_t i = 0; i < sizeof tls_group_names / sizeof tls_group_names[0]; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? ", " : "",
		                      tls_group_names[i].name);
	return xstrdup(buf);
}

/* Reads a --groups list into groups (at most WOLFSSL_MAX_GROUP_COUNT). */
static int
parse_groups(const char *list, int *groups, int *count, char **cause)
{
	char name[32];
	bool too_long;

	*count = 0;
	while (next_name(&list, name, sizeof name, &too_long)) {
		size_t i = 0;
		while (i < sizeof tls_group_names / sizeof tls_group_names[0] &&
		       (too_long || strcasecmp(tls_group_names[i].name, name) != 0))
			i++;
		if (i == sizeof tls_group_names / sizeof tls_group_names[0]) {
			char *known = group_names();
			char *what =
			    str_printf("is not a group this build knows; use %s", known);
			tls_set_cause(cause, bad_name("--groups", name, what));
			free(what);
			free(known);
			return -1;
		}
		if (*count == WOLFSSL_MAX_GROUP_COUNT) {
			tls_set_cause(cause, str_printf("--groups: at most %d groups",
			                                WOLFSSL_MAX_GROUP_COUNT));
			return -1;
		}
		groups[(*count)++] = tls_group_names[i].group;
	}
	if (*count == 0) {
		tls_set_cause(cause, str_printf("--groups: the list is empty; name groups "
		                                "such as X25519:P-256"));
		return -1;
	}
	return 0;
}

int
tls_check_groups(const char *list, char **cause)
{
	int groups[WOLFSSL_MAX_GROUP_COUNT], n;

	return parse_groups(list, groups, &n, cause);
}

/* Room for the library's list of suites (wolfSSL_get_ciphers). */
#define TLS_SUITES_TEXT_MAX 16384

/* Finds a suite by the user's name, the library's own ("ECDHE-RSA-AES128-
 * GCM-SHA256", "TLS13-AES128-GCM-SHA256") or the IANA one
 * ("TLS_AES_128_GCM_SHA256"), ignoring case: copies the library's name into
 * lib and says whether it is a TLS 1.3 suite. Older libraries know only
 * their own names, so the IANA ones are looked up through each suite. */
static bool
cipher_lookup(const char *user, const char *all, char *lib, size_t size, bool *tls13)
{
	for (const char *p = all; *p != '\0';) {
		size_t n = strcspn(p, ":");
		char name[96];
		unsigned char s0 = 0, s1 = 0;
		int flags = 0;

		snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : 0), p);
		p += n + (p[n] == ':');
		if (name[0] == '\0' ||
		    wolfSSL_get_cipher_suite_from_name(name, &s0, &s1, &flags) != 0)
			continue;
		const char *iana = wolfSSL_get_cipher_name_iana_from_suite(s0, s1);
		if (strcasecmp(name, user) != 0 &&
		    (iana == NULL || strcasecmp(iana, user) != 0))
			continue;
		snprintf(lib, size, "%s", name);
		*tls13 = s0 == 0x13;
		return true;
	}
	return false;
}

/* Reads a --ciphers list: every name must be a suite the library knows.
 * Writes the library's names joined by ':' into out, and says whether the
 * list holds TLS 1.3 suites and other ones. */
static int
parse_ciphers(const char *list, char *out, size_t size, bool *tls13, bool *older,
              char **cause)
{
	char name[96], lib[96];
	bool too_long, v13;
	size_t used = 0, count = 0;
	char *all = xcalloc(1, TLS_SUITES_TEXT_MAX);

	*tls13 = *older = false;
	out[0] = '\0';
	(void)wolfSSL_get_ciphers(all, TLS_SUITES_TEXT_MAX);
	while (next_name(&list, name, sizeof name, &too_long)) {
		if (too_long || count == TLS_OPTS_NAMES_MAX ||
		    !cipher_lookup(name, all, lib, sizeof lib, &v13)) {
			tls_set_cause(
			    cause,
			    bad_name(
			        "--ciphers", name,
			        count == TLS_OPTS_NAMES_MAX
			            ? "is one name too many"
			            : "is not a cipher suite this build knows; use "
			              "IANA names such as TLS_AES_128_GCM_SHA256 or "
			              "OpenSSL names such as ECDHE-RSA-AES128-GCM-SHA256"));
			free(all);
			return -1;
		}
		*tls13 = *tls13 || v13;
		*older = *older || !v13;
		used += (size_t)snprintf(out + used, size - used, "%s%s", count ? ":" : "",
		                         lib);
		count++;
	}
	free(all);
	if (count == 0) {
		tls_set_cause(cause,
		              str_printf("--ciphers: the list is empty; name suites such "
		                         "as TLS_AES_128_GCM_SHA256"));
		return -1;
	}
	return 0;
}

/* Room for a joined --ciphers list. */
#define TLS_CIPHERS_MAX (TLS_OPTS_NAMES_MAX * 96)

int
tls_check_ciphers(const char *list, int min_version, int max_version, char **cause)
{
	char *joined = xmalloc(TLS_CIPHERS_MAX);
	bool tls13, older;
	int rc = parse_ciphers(list, joined, TLS_CIPHERS_MAX, &tls13, &older, cause);

	free(joined);
	if (rc != 0)
		return -1;
	if (!tls13 && min_version == 13) {
		tls_set_cause(cause,
		              str_printf("--ciphers names no TLS 1.3 suite (TLS_AES_...), "
		                         "but --tls-min 1.3 allows nothing else"));
		return -1;
	}
	if (!older && max_version == 12) {
		tls_set_cause(cause, str_printf("--ciphers names only TLS 1.3 suites, but "
		                                "--tls-max 1.2 allows no TLS 1.3"));
		return -1;
	}
	return 0;
}

int
tls_check_alpn(const char *list, char **cause)
{
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		bool printable = true;
		for (size_t i = 0; i < n; i++)
			printable = printable && p[i] > 0x20 && p[i] < 0x7f;
		if (n == 0 || n > TLS_ALPN_NAME_MAX || !printable) {
			tls_set_cause(
			    cause, str_printf("--alpn takes protocol names separated by "
			                      "commas (e.g. smtp or imap,pop3), each 1 to "
			                      "%d printable characters without spaces",
			                      TLS_ALPN_NAME_MAX));
			return -1;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

/* The suites: the user's, and with only TLS 1.2 (or older) suites no
 * offer of TLS 1.3, which would have none to use. */
static int
tls_set_ciphers(WOLFSSL_CTX *ctx, const struct tls_config *cfg, char **cause)
{
	char *joined;
	bool tls13, older;

	if (cfg->ciphers == NULL)
		return 0;
	joined = xmalloc(TLS_CIPHERS_MAX);
	if (parse_ciphers(cfg->ciphers, joined, TLS_CIPHERS_MAX, &tls13, &older, cause) !=
	    0) {
		free(joined);
		return -1;
	}
	int ok = wolfSSL_CTX_set_cipher_list(ctx, joined) == WOLFSSL_SUCCESS;
	free(joined);
	if (!ok) {
		tls_set_cause(cause,
		              str_printf("the TLS library refused the --ciphers list"));
		return -1;
	}
	if (!tls13 && cfg->max_version != 12 &&
	    wolfSSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) != WOLFSSL_SUCCESS) {
		tls_set_cause(cause,
		              str_printf("the TLS library refused to leave out TLS 1.3"));
		return -1;
	}
	if (!older && cfg->min_version != 13 &&
	    wolfSSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != WOLFSSL_SUCCESS) {
		tls_set_cause(cause,
		              str_printf("the TLS library refused to leave out TLS 1.2"));
		return -1;
	}
	return 0;
}

int
tls_opts_ctx(WOLFSSL_CTX *ctx, const struct tls_config *cfg, char **cause)
{
	if (tls_set_versions(ctx, cfg, cause) != 0)
		return -1;
	return tls_set_ciphers(ctx, cfg, cause);
}

/* Offers groups in order. A library whose set_groups serves TLS 1.3 alone
 * (Debian's 5.5.4 refuses it once TLS 1.2 is the most allowed) gets TLS
 * 1.2's supported groups one by one; a group already listed stays once. */
static bool
apply_groups(WOLFSSL *ssl, const int *groups, int n)
{
	bool tls13 = wolfSSL_set_groups(ssl, (int *)groups, n) == WOLFSSL_SUCCESS;
	bool tls12 = true;

	for (int i = 0; i < n; i++)
		tls12 = tls12 && wolfSSL_UseSupportedCurve(ssl, (word16)groups[i]) ==
		                     WOLFSSL_SUCCESS;
	return tls13 || tls12;
}

/* The groups to offer, in order: the user's or startle's. */
static int
tls_set_groups(WOLFSSL *ssl, const struct tls_config *cfg, char **cause)
{
	int groups[WOLFSSL_MAX_GROUP_COUNT], n;

	if (cfg->groups == NULL) {
		(void)apply_groups(
		    ssl, tls_default_groups,
		    (int)(sizeof tls_default_groups / sizeof tls_default_groups[0]));
		return 0;
	}
	if (parse_groups(cfg->groups, groups, &n, cause) != 0)
		return -1;
	if (!apply_groups(ssl, groups, n)) {
		tls_set_cause(cause,
		              str_printf("the TLS library refused the --groups list"));
		return -1;
	}
	return 0;
}

/* ALPN: offered only when asked for, as mail clients do; a server that
 * knows none of the protocols still gets the handshake (it may refuse). */
static int
tls_set_alpn(WOLFSSL *ssl, const struct tls_config *cfg, char **cause)
{
	if (cfg->alpn == NULL)
		return 0;
	if (tls_check_alpn(cfg->alpn, cause) != 0)
		return -1;
	char *list = xstrdup(cfg->alpn);
	int rc = wolfSSL_UseALPN(ssl, list, (unsigned)strlen(list),
	                         WOLFSSL_ALPN_CONTINUE_ON_MISMATCH);
	free(list);
	if (rc != WOLFSSL_SUCCESS) {
		tls_set_cause(cause, str_printf("the TLS library refused the --alpn list"));
		return -1;
	}
	return 0;
}

/* A session an earlier connection left, to resume; and the ticket
 * extension, without which a TLS 1.2 server (Postfix) keeps no session. */
static int
tls_set_resume(WOLFSSL *ssl, const struct tls_config *cfg, char **cause)
{
#ifdef HAVE_SESSION_TICKET
	(void)wolfSSL_UseSessionTicket(ssl);
#endif
	if (cfg->resume == NULL)
		return 0;
	if (wolfSSL_set_session(ssl, cfg->resume->session) != WOLFSSL_SUCCESS) {
		tls_set_cause(cause,
		              str_printf("the TLS library refused the session to resume"));
		return -1;
	}
	return 0;
}

int
tls_opts_session(WOLFSSL *ssl, const struct tls_config *cfg, char **cause)
{
	if (tls_set_groups(ssl, cfg, cause) != 0 || tls_set_alpn(ssl, cfg, cause) != 0)
		return -1;
	return tls_set_resume(ssl, cfg, cause);
}

void
tls_opts_summary(WOLFSSL *ssl, const char *alpn, struct tls_summary *sum)
{
	char *name = NULL;
	unsigned short len = 0;

	sum->alpn_offered = alpn != NULL;
	if (alpn == NULL || wolfSSL_ALPN_GetProtocol(ssl, &name, &len) != WOLFSSL_SUCCESS ||
	    name == NULL)
		return;
	/* Shown only as one of the names startle offered: never the server's bytes. */
	for (const char *p = alpn; *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == len && memcmp(p, name, n) == 0 && n < sizeof sum->alpn) {
			memcpy(sum->alpn, p, n);
			sum->alpn[n] = '\0';
			return;
		}
		p += n + (end != NULL);
	}
}

/* SHA-256 over the DER of count certificates of chain from first on. */
static void
chain_digest(WOLFSSL_X509_CHAIN *chain, int first, int count, unsigned char out[32])
{
	wc_Sha256 sha;

	memset(out, 0, 32);
	if (wc_InitSha256(&sha) != 0)
		return;
	for (int i = first; i < first + count; i++) {
		int len = wolfSSL_get_chain_length(chain, i);
		const unsigned char *der = wolfSSL_get_chain_cert(chain, i);
		if (der != NULL && len > 0)
			(void)wc_Sha256Update(&sha, der, (word32)len);
	}
	(void)wc_Sha256Final(&sha, out);
	wc_Sha256Free(&sha);
}

void
tls_opts_chain_memo(WOLFSSL *ssl, int skip, struct tls_verify_memo *m)
{
	WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(ssl);
	int n = chain != NULL ? wolfSSL_get_chain_count(chain) : 0;

	m->chain_count = n > skip ? n - skip : 0;
	if (m->chain_count > 0)
		chain_digest(chain, skip, m->chain_count, m->chain_hash);
}

int
tls_opts_chain_skip(WOLFSSL *ssl, const struct tls_verify_memo *m)
{
	WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(ssl);
	int n = chain != NULL ? wolfSSL_get_chain_count(chain) : 0;
	unsigned char hash[32];

	if (m->chain_count <= 0 || n <= m->chain_count)
		return 0;
	chain_digest(chain, 0, m->chain_count, hash);
	return memcmp(hash, m->chain_hash, sizeof hash) == 0 ? m->chain_count : 0;
}

struct tls_ticket *
tls_opts_ticket(WOLFSSL *ssl, const struct tls_verify_memo *memo, const char *verify_name)
{
	WOLFSSL_SESSION *session = wolfSSL_get1_session(ssl);

	if (session == NULL)
		return NULL;
	if (!wolfSSL_SESSION_is_resumable(session)) {
		wolfSSL_SESSION_free(session);
		return NULL;
	}
	struct tls_ticket *t = xcalloc(1, sizeof *t);
	t->session = session;
	t->memo = *memo;
	t->version = wolfSSL_version(ssl);
	opts_copy(t->verify_name, sizeof t->verify_name, verify_name);
	return t;
}

/* Handshake messages that only a full TLS 1.2 handshake sends after
 * ServerHello. */
static bool
full_handshake_message(unsigned char type)
{
	return type == 11 || type == 12 || type == 13 || type == 14;
}

/* Peeks at the next n bytes of fd into p, waiting at most until (util_now_ms
 * clock) for them; true when all n are there. */
static bool
peek_bytes(int fd, unsigned char *p, size_t n, double until)
{
	for (;;) {
		ssize_t got = n > 0 ? recv(fd, p, n, MSG_PEEK | MSG_DONTWAIT) : 0;
		int left = (int)(until - util_now_ms());
		if (got == (ssize_t)n)
			return true;
		if (got == 0 || left <= 0 ||
		    (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			return false;
		if (got > 0) {
			usleep(1000); /* part of it is in: the rest follows */
			continue;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		(void)poll(&pfd, 1, left);
	}
}

void
tls_opts_server_hello(WOLFSSL *ssl, int fd, const struct record_scanner *sc,
                      unsigned long hello)
{
	unsigned char next[RECORD_HEADER_LEN + 1];
	size_t have = 0;

	/* What was read after the ServerHello already is in the scanner. */
	if (sc->records > hello) {
		next[0] = sc->rec.type;
		have = RECORD_HEADER_LEN;
		if (sc->rec.head_len > 0)
			next[have++] = sc->rec.head[0];
	} else {
		memcpy(next, sc->hdr, sc->hdr_len);
		have = sc->hdr_len;
	}
	unsigned char more[RECORD_HEADER_LEN + 1];
	if (have < sizeof next) {
		if (!peek_bytes(fd, more, sizeof next - have,
		                util_now_ms() + TLS_HELLO_PEEK_MS))
			return;
		memcpy(next + have, more, sizeof next - have);
	}
	if (next[0] != RECORD_HANDSHAKE || !full_handshake_message(next[RECORD_HEADER_LEN]))
		return;
#ifdef HAVE_SESSION_TICKET
	(void)wolfSSL_set_SessionTicket(ssl, NULL, 0);
#else
	(void)ssl;
#endif
}

bool
tls_opts_ticket_is_tls12(const struct tls_ticket *t)
{
	return t != NULL && t->version != TLS1_3_VERSION;
}

void
tls_ticket_free(struct tls_ticket *t)
{
	if (t == NULL)
		return;
	wolfSSL_SESSION_free(t->session);
	free(t);
}

bool
tls_ticket_fits(const struct tls_ticket *t, const char *verify_name)
{
	return t != NULL &&
	       strcmp(t->verify_name, verify_name != NULL ? verify_name : "") == 0;
}
