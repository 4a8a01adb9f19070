/*
 * proxy: the lab's man in the middle. One process listens; each client gets
 * a child process that connects upstream and relays (proxy_relay.c), line by
 * line while the session is plaintext, where the attack applies
 * (proxy_plain.c), then byte for byte once the upgrade has begun, reading
 * nothing but the TLS record headers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "proto.h"
#include "proxy.h"
#include "proxy_int.h"
#include "util.h"

static const struct {
	const char *name;
	const char *text;
} proxy_attacks[PROXY_ATTACK_COUNT] = {
#define PROXY_ATTACK_ROW(sym, n, t) [PROXY_##sym] = {n, t},
    PROXY_ATTACKS(PROXY_ATTACK_ROW)
#undef PROXY_ATTACK_ROW
};

const char *
proxy_attack_name(enum proxy_attack a)
{
	return (unsigned)a < PROXY_ATTACK_COUNT ? proxy_attacks[a].name : "unknown";
}

const char *
proxy_attack_text(enum proxy_attack a)
{
	return (unsigned)a < PROXY_ATTACK_COUNT ? proxy_attacks[a].text : "unknown attack";
}

int
proxy_attack_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < PROXY_ATTACK_COUNT; i++) {
		if (strcasecmp(name, proxy_attacks[i].name) == 0)
			return i;
	}
	return -1;
}

/* Numeric "address:port" of a socket address ("[::1]:25" for IPv6). */
static void
px_addr_text(const struct sockaddr *sa, socklen_t len, char *out, size_t outsz)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, outsz, "?");
		return;
	}
	snprintf(out, outsz, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

static bool
px_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/* Binds and listens on host:port (port 0: an ephemeral one). Fills text with
 * the address actually bound and *loopback with whether it is loopback. */
static int
px_listen(const char *host, unsigned port, char *text, size_t textsz, bool *loopback,
          char **cause)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *list = NULL;
	char portstr[16];
	int err = 0;

	snprintf(portstr, sizeof(portstr), "%u", port);
	int rc = getaddrinfo(host, portstr, &hints, &list);
	if (rc != 0) {
		*cause = str_printf("cannot resolve the listen address %s: %s", host,
		                    gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
		int fd =
		    socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 64) < 0) {
			err = errno;
			close(fd);
			continue;
		}
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
			err = errno;
			close(fd);
			continue;
		}
		px_addr_text((const struct sockaddr *)&ss, sl, text, textsz);
		*loopback = px_is_loopback((const struct sockaddr *)&ss);
		freeaddrinfo(list);
		return fd;
	}
	freeaddrinfo(list);
	*cause =
	    str_printf("cannot listen on %s port %u: %s; choose another port or address",
	               host, port, strerror(err ? err : EADDRNOTAVAIL));
	return -1;
}

/* The signal that asked the listener to stop, or 0: written by the handler,
 * which can reach nothing but file-scope state of type sig_atomic_t. */
static volatile sig_atomic_t px_stop_signal;

static void
px_on_signal(int sig)
{
	if (sig != SIGCHLD)
		px_stop_signal = sig;
}

/* The listener's bookkeeping: its children, by pid. */
struct px_children {
	pid_t *pids;
	size_t n;
};

/* Reaps the children that have ended, without waiting for the others. */
static void
px_reap(struct px_children *ch)
{
	size_t k = 0;

	for (size_t i = 0; i < ch->n; i++) {
		pid_t r = waitpid(ch->pids[i], NULL, WNOHANG);
		if (r == 0 || (r < 0 && errno == EINTR))
			ch->pids[k++] = ch->pids[i];
	}
	ch->n = k;
}

/* Accepts one client and forks its relay. The child restores the signal
 * dispositions, dies with the listener and never returns. */
static void
px_accept(const struct proxy_config *cfg, int lfd, unsigned id, struct px_children *ch,
          const sigset_t *oldmask)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int cfd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	unsigned max = cfg->max_clients > 0 ? cfg->max_clients : PROXY_CLIENTS_MAX;

	if (cfd >= 0 && ch->n >= max) {
		proxy_logf(cfg->log, id,
		           "** %zu clients are being relayed, the most at once: "
		           "turned a new one away",
		           ch->n);
		close(cfd);
		return;
	}
	if (cfd < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED)
			return;
		proxy_logf(cfg->log, 0, "** accept failed: %s", strerror(errno));
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
		return;
	}
	char peer[96];
	px_addr_text((const struct sockaddr *)&ss, sl, peer, sizeof(peer));
	proxy_logf(cfg->log, id, "== client %s connected", peer);
	if (cfg->log != NULL)
		fflush(cfg->log);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		proxy_logf(cfg->log, id, "** cannot fork: %s; closing the client",
		           strerror(errno));
		close(cfd);
		return;
	}
	if (pid == 0) {
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		sigaction(SIGCHLD, &dfl, NULL);
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(0);
		close(lfd);
		free(ch->pids);
		proxy_serve(cfg, cfd, id);
		close(cfd);
		proxy_logf(cfg->log, id, "== connection closed");
		_exit(0);
	}
	close(cfd);
	ch->pids = xrealloc(ch->pids, (ch->n + 1) * sizeof(*ch->pids));
	ch->pids[ch->n++] = pid;
}

/* Ends every child still running (by pid) and waits for each. */
static void
px_end_children(struct px_children *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		kill(ch->pids[i], SIGTERM);
	for (size_t i = 0; i < ch->n; i++) {
		while (waitpid(ch->pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(ch->pids);
	ch->pids = NULL;
	ch->n = 0;
}

static int
px_check_config(const struct proxy_config *cfg, char **cause)
{
	if ((unsigned)cfg->proto >= PROTO_COUNT) {
		*cause = str_printf("unknown protocol; use smtp, imap or pop3");
		return -1;
	}
	if ((unsigned)cfg->attack >= PROXY_ATTACK_COUNT) {
		*cause = str_printf("unknown attack; use pass, strip, refuse or inject");
		return -1;
	}
	if (cfg->upstream_host == NULL || *cfg->upstream_host == '\0' ||
	    cfg->upstream_port == 0 || cfg->upstream_port > 65535) {
		*cause =
		    str_printf("the upstream server needs a host and a port (1-65535)");
		return -1;
	}
	if (cfg->listen_port > 65535) {
		*cause = str_printf("the listen port %u is out of range (0-65535)",
		                    cfg->listen_port);
		return -1;
	}
	return 0;
}

int
proxy_run(const struct proxy_config *cfg, char **cause)
{
	const char *host = cfg->listen_host ? cfg->listen_host : "127.0.0.1";
	char where[96];
	bool loopback = false;

	if (px_check_config(cfg, cause) < 0)
		return -1;
	conn_ignore_sigpipe();
	int lfd = px_listen(host, cfg->listen_port, where, sizeof(where), &loopback, cause);
	if (lfd < 0)
		return -1;
	proxy_logf(cfg->log, 0, "listening on %s, relaying to %s:%u (%s); attack %s: %s",
	           where, cfg->upstream_host, cfg->upstream_port,
	           proto_info(cfg->proto)->name, proxy_attack_name(cfg->attack),
	           proxy_attack_text(cfg->attack));
	if (!loopback)
		proxy_logf(cfg->log, 0,
		           "warning: %s is not a loopback address: "
		           "anyone who can reach it can use this proxy",
		           where);

	struct sigaction sa = {.sa_handler = px_on_signal}, old_int, old_term, old_chld;
	sigset_t block, oldmask, waitmask;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGCHLD, &sa, &old_chld);
	waitmask = oldmask;
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGCHLD);
	px_stop_signal = 0;

	struct px_children ch = {0};
	unsigned next_id = 1;
	while (px_stop_signal == 0) {
		struct pollfd pf = {.fd = lfd, .events = POLLIN};
		int n = ppoll(&pf, 1, NULL, &waitmask);
		px_reap(&ch);
		if (px_stop_signal != 0)
			break;
		if (n > 0 && (pf.revents & POLLIN))
			px_accept(cfg, lfd, next_id++, &ch, &oldmask);
	}
	close(lfd);
	proxy_logf(cfg->log, 0, "stopping on %s; ending %zu connection(s)",
	           px_stop_signal == SIGINT ? "SIGINT" : "SIGTERM", ch.n);
	px_end_children(&ch);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return 0;
}
