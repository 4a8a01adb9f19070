#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "util.h"

void
conn_ignore_sigpipe(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void
numeric_address(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	if (getnameinfo(sa, len, buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, size, "?");
}

struct conn_attempt {
	struct addrinfo *list, *cur;
	char host[256];
	unsigned port;
	int fd;
	double t0;
	char tried[512];
	size_t used;
	int last_err;
};

/* Notes the failure of the current address and closes its socket. */
static void
attempt_failed(struct conn_attempt *a, int err)
{
	char addr[64];

	numeric_address(a->cur->ai_addr, a->cur->ai_addrlen, addr, sizeof addr);
	if (a->used < sizeof a->tried)
		a->used += (size_t)snprintf(
		    a->tried + a->used, sizeof a->tried - a->used, "%s%s port %u: %s",
		    a->used ? "; " : "", addr, a->port,
		    err == ETIMEDOUT ? "no answer in time" : strerror(err));
	a->last_err = err;
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

/* Starts connecting to the current address and the ones after it until one
 * is in progress or connected at once. Returns 1 connected, 0 in progress,
 * -1 no address left. */
static int
attempt_start(struct conn_attempt *a)
{
	for (; a->cur != NULL; a->cur = a->cur->ai_next) {
		const struct addrinfo *ai = a->cur;
		a->t0 = util_now_ms();
		a->fd =
		    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		           ai->ai_protocol);
		if (a->fd < 0) {
			attempt_failed(a, errno);
			continue;
		}
		if (connect(a->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			return 1;
		if (errno == EINPROGRESS)
			return 0;
		attempt_failed(a, errno);
	}
	return -1;
}

static char *
attempt_cause(const struct conn_attempt *a)
{
	return str_printf(
	    "cannot connect to %s (%s)%s", a->host, a->tried,
	    a->last_err == ECONNREFUSED ? ": is a server listening on that port?"
	    : a->last_err == ETIMEDOUT  ? ": raise --timeout or check the network"
	                                : "");
}

static void
attempt_result(struct conn_attempt *a, struct conn_result *res)
{
	int one = 1;

	setsockopt(a->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	res->fd = a->fd;
	numeric_address(a->cur->ai_addr, a->cur->ai_addrlen, res->address,
	                sizeof res->address);
	res->port = a->port;
	res->connect_ms = util_now_ms() - a->t0;
	a->fd = -1;
}

struct conn_attempt *
conn_begin(const char *host, unsigned port, char **cause)
{
	struct addrinfo hints;
	struct conn_attempt *a;
	char portbuf[8];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = util_is_ip_literal(host) ? AI_NUMERICHOST : AI_ADDRCONFIG;
	snprintf(portbuf, sizeof portbuf, "%u", port);
	a = xcalloc(1, sizeof *a);
	a->fd = -1;
	a->port = port;
	snprintf(a->host, sizeof a->host, "%s", host);
	rc = getaddrinfo(host, portbuf, &hints, &a->list);
	if (rc != 0) {
		*cause = str_printf("cannot resolve %s: %s; check the host name", host,
		                    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		free(a);
		return NULL;
	}
	a->cur = a->list;
	if (attempt_start(a) < 0) {
		*cause = attempt_cause(a);
		conn_attempt_free(a);
		return NULL;
	}
	return a;
}

int
conn_attempt_fd(const struct conn_attempt *a)
{
	return a->fd;
}

int
conn_continue(struct conn_attempt *a, bool timed_out, struct conn_result *res, char **cause)
{
	int err = 0;
	socklen_t sl = sizeof err;

	if (a->fd < 0 || a->cur == NULL) {
		*cause = attempt_cause(a);
		return -1;
	}
	if (timed_out)
		err = ETIMEDOUT;
	else if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0)
		err = errno;
	if (err == 0) {
		attempt_result(a, res);
		return 1;
	}
	attempt_failed(a, err);
	a->cur = a->cur->ai_next;
	switch (attempt_start(a)) {
	case 1:
		attempt_result(a, res);
		return 1;
	case 0:
		return 0;
	default:
		*cause = attempt_cause(a);
		return -1;
	}
}

double
conn_attempt_started(const struct conn_attempt *a)
{
	return a->t0;
}

void
conn_attempt_free(struct conn_attempt *a)
{
	if (a == NULL)
		return;
	if (a->fd >= 0)
		close(a->fd);
	if (a->list != NULL)
		freeaddrinfo(a->list);
	free(a);
}

int
conn_open(const char *host, unsigned port, int timeout_ms, struct conn_result *res,
          char **cause)
{
	struct conn_attempt *a = conn_begin(host, port, cause);
	int rc;

	if (a == NULL)
		return -1;
	for (;;) {
		struct pollfd p = {.fd = a->fd, .events = POLLOUT};
		int left = (int)(a->t0 + timeout_ms - util_now_ms());
		int n = poll(&p, 1, left < 0 ? 0 : left);
		if (n < 0 && errno == EINTR)
			continue;
		rc = conn_continue(a, n == 0, res, cause);
		if (rc != 0)
			break;
	}
	conn_attempt_free(a);
	return rc == 1 ? 0 : -1;
}

int
conn_write_all(int fd, const void *buf, size_t len, int timeout_ms, char **cause)
{
	const char *p = buf;
	double deadline = util_now_ms() + timeout_ms;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int left = (int)(deadline - util_now_ms());
			struct pollfd pf = {.fd = fd, .events = POLLOUT};
			if (left <= 0 || poll(&pf, 1, left) == 0) {
				*cause = str_printf(
				    "the server stopped accepting data (send timed out)");
				return -1;
			}
			continue;
		}
		*cause = str_printf("cannot send to the server: %s", strerror(errno));
		return -1;
	}
	return 0;
}

ssize_t
conn_read(int fd, void *buf, size_t len, char **cause)
{
	for (;;) {
		ssize_t n = recv(fd, buf, len, 0);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -2;
		*cause = str_printf("cannot read from the server: %s", strerror(errno));
		return -1;
	}
}

void
conn_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
conn_wait(int fd, short events, int timeout_ms, short *revents)
{
	struct pollfd p = {.fd = fd, .events = events};
	int n = poll(&p, 1, timeout_ms);

	*revents = n > 0 ? p.revents : 0;
	return n > 0 ? 1 : n;
}
