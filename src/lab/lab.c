#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"
#include "lab_int.h"
#include "labcert.h"
#include "labocsp.h"
#include "util.h"

/* What each scenario changes; every field left out is the honest server's. */
static const struct lab_behaviour behaviours[LAB_SCENARIO_COUNT] = {
    [LAB_HONEST] = {.cert = LABCERT_GOOD},
    [LAB_STRIP] = {.explicit_only = true,
                   .hide_starttls = true,
                   .go = LAB_GO_UNKNOWN,
                   .plain_auth = true},
    [LAB_REFUSE] = {.explicit_only = true, .go = LAB_GO_REFUSE, .plain_auth = true},
    [LAB_INJECT] = {.explicit_only = true, .go = LAB_GO_INJECT},
    [LAB_PARTIAL] = {.explicit_only = true, .go = LAB_GO_PARTIAL},
    [LAB_PREAUTH] = {.only_protos = 1u << PROTO_IMAP,
                     .explicit_only = true,
                     .hide_starttls = true,
                     .preauth = true},
    [LAB_STILL_OFFERED] = {.offer_in_tls = true},
    [LAB_CAPS_CHANGE] = {.explicit_only = true, .extra_in_tls = true},
    [LAB_ESCAPE] = {.escape = true},
    [LAB_SLOW] = {.slow = true},
    [LAB_FLOOD] = {.flood = true},
    [LAB_GARBAGE_HANDSHAKE] = {.hs = LAB_HS_GARBAGE},
    [LAB_CLOSE_MID_HANDSHAKE] = {.hs = LAB_HS_CLOSE},
    [LAB_NO_CLOSE_NOTIFY] = {.no_close_notify = true},
    [LAB_TLS12_ONLY] = {.tls12 = true},
    [LAB_EXPIRED] = {.cert = LABCERT_EXPIRED},
    [LAB_WRONG_HOST] = {.cert = LABCERT_WRONG_HOST},
    [LAB_SELF_SIGNED] = {.cert = LABCERT_SELF_SIGNED},
    [LAB_OCSP_REVOKED] = {.staple = LAB_STAPLE_REVOKED},
    [LAB_MUST_STAPLE] = {.cert = LABCERT_MUST_STAPLE, .staple = LAB_STAPLE_NONE},
    [LAB_CLIENT_CERT] = {.client_cert = true},
};

static const struct {
	const char *name;
	const char *lesson;
} scenario_names[LAB_SCENARIO_COUNT] = {
#define LAB_SCENARIO_ROW(sym, n, l) [LAB_##sym] = {n, l},
    LAB_SCENARIOS(LAB_SCENARIO_ROW)
#undef LAB_SCENARIO_ROW
};

const char *
lab_scenario_name(enum lab_scenario s)
{
	return (unsigned)s < LAB_SCENARIO_COUNT ? scenario_names[s].name : "unknown";
}

const char *
lab_scenario_lesson(enum lab_scenario s)
{
	return (unsigned)s < LAB_SCENARIO_COUNT ? scenario_names[s].lesson : "";
}

int
lab_scenario_from_name(const char *name)
{
	for (int i = 0; name != NULL && i < LAB_SCENARIO_COUNT; i++)
		if (strcasecmp(name, scenario_names[i].name) == 0)
			return i;
	return -1;
}

const struct lab_behaviour *
lab_behaviour(enum lab_scenario s)
{
	return (unsigned)s < LAB_SCENARIO_COUNT ? &behaviours[s] : NULL;
}

int
lab_check_config(const struct lab_config *cfg, char **cause)
{
	const struct lab_behaviour *b = lab_behaviour(cfg->scenario);

	if ((unsigned)cfg->proto >= PROTO_COUNT) {
		*cause = xstrdup("unknown protocol: choose smtp, imap or pop3");
		return -1;
	}
	if (b == NULL) {
		*cause = xstrdup(
		    "unknown scenario: startle-lab --list-scenarios shows them all");
		return -1;
	}
	if (b->only_protos != 0 && !(b->only_protos & (1u << cfg->proto))) {
		char list[64] = "";
		size_t used = 0;
		for (int p = 0; p < PROTO_COUNT; p++)
			if (b->only_protos & (1u << p))
				used += (size_t)snprintf(list + used, sizeof list - used,
				                         "%s%s", used ? " or " : "",
				                         proto_info(p)->name);
		*cause =
		    str_printf("the %s scenario does not apply to %s, only to %s: choose "
		               "--proto %s",
		               lab_scenario_name(cfg->scenario),
		               proto_info(cfg->proto)->display, list, list);
		return -1;
	}
	if (b->explicit_only && cfg->implicit) {
		*cause =
		    str_printf("the %s scenario is about the %s step, which implicit TLS "
		               "does not have: drop --implicit",
		               lab_scenario_name(cfg->scenario),
		               proto_info(cfg->proto)->starttls_command);
		return -1;
	}
	if (cfg->slow_ms < 0) {
		*cause =
		    xstrdup("the slow delay must be 0 (the default) or more milliseconds");
		return -1;
	}
	return 0;
}

/* True if the address is on this machine's loopback (127/8, ::1, or 127/8
 * mapped into IPv6). */
static bool
lab_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a))
			return true;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return false;
}

/* True if the address means "every address" rather than one. */
static bool
lab_is_wildcard(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

/* Resolves the listen address (numeric, or "localhost") into *out. */
static int
lab_resolve(const char *given, struct sockaddr_storage *out, socklen_t *outlen,
            char **cause)
{
	char host[256];
	size_t n = strlen(given);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *res = NULL;
	int rc;

	if (n >= 2 && given[0] == '[' && given[n - 1] == ']') {
		given++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof host || strcmp(given, "*") == 0) {
		*cause =
		    xstrdup("the listen address is empty or a wildcard: name one address "
		            "(127.0.0.1 is the default); the lab never listens on every "
		            "address at once");
		return -1;
	}
	memcpy(host, given, n);
	host[n] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "%s", LAB_DEFAULT_ADDRESS);
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || res == NULL) {
		*cause = str_printf("%s is not a numeric address: give an address such as "
		                    "127.0.0.1 or [::1]",
		                    host);
		if (res)
			freeaddrinfo(res);
		return -1;
	}
	if (lab_is_wildcard(res->ai_addr)) {
		*cause =
		    str_printf("%s means every address of this machine: the lab never "
		               "listens everywhere; name one address (127.0.0.1 is the "
		               "default)",
		               host);
		freeaddrinfo(res);
		return -1;
	}
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*outlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Creates, binds and listens on port (0: ephemeral); fills *fd, *bound,
 * lab->address and lab->loopback. */
static int
lab_listen(struct lab *lab, unsigned port, int *fd, unsigned *bound, char **cause)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	int one = 1;

	if (lab_resolve(lab->listen, &ss, &sl, cause) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
	lab->loopback = lab_is_loopback((struct sockaddr *)&ss);
	if (getnameinfo((struct sockaddr *)&ss, sl, lab->address, sizeof lab->address, NULL,
	                0, NI_NUMERICHOST) != 0)
		snprintf(lab->address, sizeof lab->address, "%s", lab->listen);
	*fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0) {
		*cause = str_printf("cannot create a socket for %s: %s", lab->address,
		                    strerror(errno));
		return -1;
	}
	setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(*fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(*fd, (struct sockaddr *)&ss, sl) != 0 || listen(*fd, 64) != 0) {
		*cause = str_printf("cannot listen on %s port %u: %s; choose another port "
		                    "(--port 0 picks a free one)",
		                    lab->address, port, strerror(errno));
		return -1;
	}
	sl = sizeof ss;
	if (getsockname(*fd, (struct sockaddr *)&ss, &sl) == 0)
		*bound = ntohs(ss.ss_family == AF_INET
		                      ? ((struct sockaddr_in *)&ss)->sin_port
		                      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/* The lab's OCSP responder, as the TLS library calls it when it wants a
 * response to staple: the one made at start, whatever the request (the
 * override URL below never reaches the network). */
static int
lab_ocsp_io(void *arg, const char *url, int url_len, unsigned char *req, int req_len,
            unsigned char **resp)
{
	const struct lab *lab = arg;
	(void)url;
	(void)url_len;
	(void)req;
	(void)req_len;
	*resp = lab->staple_der;
	return (int)lab->staple_der_len;
}

/* Staples an OCSP response about the good certificate, signed by the lab
 * CA. The library checks it against its trust store before stapling, so the
 * CA goes there too (no client is asked for a certificate by that). */
static int
lab_tls_staple(struct lab *lab, char **cause)
{
	size_t ca_len;
	const char *ca = labcert_ca_pem(lab->certs, &ca_len);

	if (lab->b->staple == LAB_STAPLE_NONE || lab->b->cert != LABCERT_GOOD)
		return 0;
	if (labocsp_response(lab->certs, LABCERT_GOOD,
	                     lab->b->staple == LAB_STAPLE_REVOKED ? LABOCSP_REVOKED : LABOCSP_GOOD,
	                     &labocsp_default_times, time(NULL), &lab->staple_der,
	                     &lab->staple_der_len, cause) != 0)
		return -1;
	if (wolfSSL_CTX_load_verify_buffer(lab->ctx, (const unsigned char *)ca, (long)ca_len,
	                                   WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_EnableOCSP(lab->ctx, WOLFSSL_OCSP_URL_OVERRIDE | WOLFSSL_OCSP_NO_NONCE) !=
	        WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_SetOCSP_OverrideURL(lab->ctx, "http://ocsp.startle.test/") !=
	        WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_DisableOCSP(lab->ctx) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_EnableOCSPStapling(lab->ctx) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_SetOCSP_Cb(lab->ctx, lab_ocsp_io, NULL, lab) != WOLFSSL_SUCCESS) {
		*cause = xstrdup("the TLS library would not staple the lab's OCSP response");
		return -1;
	}
	return 0;
}

/* Requires a client certificate issued by the lab CA (mutual TLS). */
static int
lab_tls_client_cert(struct lab *lab, char **cause)
{
	size_t ca_len;
	const char *ca = labcert_ca_pem(lab->certs, &ca_len);

	if (!lab->b->client_cert)
		return 0;
	if (wolfSSL_CTX_load_verify_buffer(lab->ctx, (const unsigned char *)ca, (long)ca_len,
	                                   WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
		*cause = xstrdup("the TLS library would not trust the lab CA for client "
		                 "certificates");
		return -1;
	}
	wolfSSL_CTX_set_verify(lab->ctx,
	                       WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return 0;
}

/* Makes the TLS context with the scenario's certificate and versions. */
static int
lab_tls_context(struct lab *lab, char **cause)
{
	const struct labcert_pair *pair = NULL;
	const struct lab_policy *pol = lab->cfg.policy;
	WOLFSSL_METHOD *method;

	if (pol != NULL) {
		if (labcert_named(lab->certs, pol->hosts, pol->nhosts, &lab->named, cause) !=
		    0)
			return -1;
		pair = &lab->named;
	} else if (labcert_get(lab->certs, lab->b->cert, &pair, cause) != 0) {
		return -1;
	}
	method = lab->b->tls12 ? wolfTLSv1_2_server_method() : wolfSSLv23_server_method();
	lab->ctx = method ? wolfSSL_CTX_new(method) : NULL;
	if (lab->ctx == NULL) {
		*cause = xstrdup("cannot create the TLS context (out of memory?)");
		return -1;
	}
	if (!lab->b->tls12)
		wolfSSL_CTX_SetMinVersion(lab->ctx, WOLFSSL_TLSV1_2);
	if (wolfSSL_CTX_use_certificate_chain_buffer_format(
	        lab->ctx, (const unsigned char *)pair->chain_pem, (long)pair->chain_len,
	        WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_use_PrivateKey_buffer(
	        lab->ctx, (const unsigned char *)pair->key_pem, (long)pair->key_len,
	        WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
		*cause =
		    str_printf("the %s certificate or its key was not accepted by the TLS "
		               "library",
		               labcert_kind_name(lab->b->cert));
		return -1;
	}
	return lab_tls_staple(lab, cause) != 0 || lab_tls_client_cert(lab, cause) != 0 ? -1
	                                                                              : 0;
}

struct lab *
lab_new(const struct lab_config *cfg, char **cause)
{
	struct lab *lab;

	if (lab_check_config(cfg, cause) != 0)
		return NULL;
	if (cfg->port > 65535) {
		*cause = str_printf(
		    "port %u is out of range: choose 1 to 65535, or 0 for a free "
		    "one",
		    cfg->port);
		return NULL;
	}
	lab = xcalloc(1, sizeof *lab);
	lab->cfg = *cfg;
	lab->fd = -1;
	lab->fd_implicit = -1;
	lab->b = lab_behaviour(cfg->scenario);
	lab->listen = xstrdup(cfg->listen != NULL ? cfg->listen : LAB_DEFAULT_ADDRESS);
	lab->cfg.listen = lab->listen;
	if (cfg->policy != NULL)
		lab->cfg.implicit = true; /* HTTPS: TLS first */
	lab->idle_ms = LAB_IDLE_MS;
	lab->session_ms = cfg->session_ms > 0 ? cfg->session_ms : LAB_SESSION_MS;
	lab->slow_ms = cfg->slow_ms > 0 ? cfg->slow_ms : LAB_SLOW_MS_DEFAULT;
	wolfSSL_Init();
	if (lab_listen(lab, cfg->port, &lab->fd, &lab->port, cause) != 0 ||
	    (cfg->both && lab_listen(lab, cfg->port_implicit, &lab->fd_implicit,
	                             &lab->port_implicit, cause) != 0) ||
	    (lab->certs = labcert_new(cause)) == NULL ||
	    lab_tls_context(lab, cause) != 0) {
		lab_free(lab);
		return NULL;
	}
	if (!lab->loopback) {
		FILE *f = cfg->log != NULL ? cfg->log : stderr;
		fprintf(
		    f,
		    "warning: %s is not a loopback address: other machines can reach this "
		    "lab server, which hands out a demo account and accepts plaintext\n",
		    lab->address);
		fflush(f);
	}
	return lab;
}

void
lab_free(struct lab *lab)
{
	if (lab == NULL)
		return;
	if (lab->fd >= 0)
		close(lab->fd);
	if (lab->fd_implicit >= 0)
		close(lab->fd_implicit);
	if (lab->ctx != NULL)
		wolfSSL_CTX_free(lab->ctx);
	labcert_pair_free(&lab->named);
	labcert_free(lab->certs);
	free(lab->staple_der);
	free(lab->listen);
	free(lab);
}

unsigned
lab_port(const struct lab *lab)
{
	return lab->port;
}

unsigned
lab_port_implicit(const struct lab *lab)
{
	return lab->port_implicit;
}

const struct labcert *
lab_certs(const struct lab *lab)
{
	return lab->certs;
}

/* Writes one PEM text into a new private file. */
static int
lab_write_private(const char *path, const char *text, size_t len, char **cause)
{
	char *why = NULL;
	FILE *f = util_open_private(path, false, &why);

	if (f == NULL) {
		*cause = str_printf("cannot write the client certificate: %s", why);
		free(why);
		return -1;
	}
	bool ok = fwrite(text, 1, len, f) == len;
	if (fclose(f) != 0 || !ok) {
		*cause = str_printf("cannot write the client certificate to %s: %s", path,
		                    strerror(errno));
		return -1;
	}
	return 0;
}

int
lab_write_client_cert(struct lab *lab, const char *dir, char **cert_path, char **key_path,
                      char **cause)
{
	const struct labcert_pair *pair = NULL;
	struct stat st;

	*cert_path = *key_path = NULL;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		*cause = str_printf("%s is not a directory: --write-client-cert takes an "
		                    "existing directory, where client.pem and client.key go",
		                    dir);
		return -1;
	}
	if (labcert_get(lab->certs, LABCERT_CLIENT, &pair, cause) != 0)
		return -1;
	*cert_path = str_printf("%s/client.pem", dir);
	*key_path = str_printf("%s/client.key", dir);
	if (lab_write_private(*cert_path, pair->chain_pem, pair->chain_len, cause) != 0 ||
	    lab_write_private(*key_path, pair->key_pem, pair->key_len, cause) != 0) {
		free(*cert_path);
		free(*key_path);
		*cert_path = *key_path = NULL;
		return -1;
	}
	return 0;
}

static void
lab_on_sigchld(int sig)
{
	(void)sig;
}

/* Reaps the clients that finished (all of them, waiting, when wait is set). */
static void
lab_reap(struct lab *lab, bool wait)
{
	for (size_t i = 0; i < lab->nkids;) {
		pid_t r = waitpid(lab->kids[i], NULL, wait ? 0 : WNOHANG);
		if (r == lab->kids[i] || (r < 0 && errno == ECHILD)) {
			lab->kids[i] = lab->kids[--lab->nkids];
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		i++;
	}
}

/* Turns a client away when LAB_KIDS_MAX are already being served. */
static void
lab_turn_away(const struct lab *lab, int fd, bool implicit)
{
	static const char *const busy[PROTO_COUNT] = {
	    [PROTO_SMTP] =
	        "421 4.3.2 " LAB_HOST " Too many connections, try again later\r\n",
	    [PROTO_IMAP] = "* BYE Too many connections, try again later\r\n",
	    [PROTO_POP3] = "-ERR [SYS/TEMP] Too many connections, try again later\r\n",
	};
	const char *msg = busy[lab->cfg.proto];

	if (!implicit && lab->cfg.policy == NULL)
		(void)!send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/* Formats a peer address as "127.0.0.1:4321" or "[::1]:4321". */
static void
lab_peer_name(const struct sockaddr_storage *ss, socklen_t sl, char *out, size_t size)
{
	char host[64] = "?", port[16] = "?";

	getnameinfo((const struct sockaddr *)ss, sl, host, sizeof host, port, sizeof port,
	            NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(out, size, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

/* Accepts one client on listening socket lfd and forks the process that
 * serves it, with TLS first if implicit. */
static void
lab_accept(struct lab *lab, int lfd, bool implicit)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char peer[96];
	pid_t pid;
	int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (lab->nkids >= LAB_KIDS_MAX) {
		lab_turn_away(lab, fd, implicit);
		return;
	}
	lab_peer_name(&ss, sl, peer, sizeof peer);
	lab->next_id++;
	if (lab->cfg.log != NULL)
		fflush(lab->cfg.log);
	fflush(stdout);
	fflush(stderr);
	pid_t server = getpid();
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != server)
			_exit(0);
		close(lab->fd);
		if (lab->fd_implicit >= 0)
			close(lab->fd_implicit);
		lab->cfg.implicit = implicit;
		lab_client_run(lab, fd, lab->next_id, peer);
		_exit(0);
	}
	close(fd);
	if (pid > 0)
		lab->kids[lab->nkids++] = pid;
	else if (lab->cfg.log != NULL)
		fprintf(lab->cfg.log, "cannot serve a client: fork failed: %s\n",
		        strerror(errno));
}

void
lab_serve(struct lab *lab, volatile const sig_atomic_t *stop)
{
	struct sigaction sa, old;

	signal(SIGPIPE, SIG_IGN);
	if (sigaction(SIGCHLD, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = lab_on_sigchld;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGCHLD, &sa, NULL);
	}
	while (lab->fd >= 0 && (stop == NULL || !*stop)) {
		struct pollfd p[2] = {{.fd = lab->fd, .events = POLLIN},
		                      {.fd = lab->fd_implicit, .events = POLLIN}};
		int r = poll(p, lab->fd_implicit >= 0 ? 2 : 1, 1000);

		lab_reap(lab, false);
		if (r > 0 && (p[0].revents & POLLIN))
			lab_accept(lab, lab->fd, lab->cfg.implicit);
		if (r > 0 && lab->fd_implicit >= 0 && (p[1].revents & POLLIN))
			lab_accept(lab, lab->fd_implicit, true);
	}
	for (size_t i = 0; i < lab->nkids; i++)
		kill(lab->kids[i], SIGTERM);
	lab_reap(lab, true);
}

pid_t
lab_spawn(struct lab *lab, char **cause)
{
	pid_t parent = getpid();
	pid_t pid;

	if (lab->fd < 0) {
		*cause = xstrdup("this lab is already being served by another process");
		return -1;
	}
	if (lab->cfg.log != NULL)
		fflush(lab->cfg.log);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		*cause =
		    str_printf("cannot start the lab server process: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(0);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		lab_serve(lab, NULL);
		_exit(0);
	}
	close(lab->fd);
	lab->fd = -1;
	if (lab->fd_implicit >= 0)
		close(lab->fd_implicit);
	lab->fd_implicit = -1;
	return pid;
}
