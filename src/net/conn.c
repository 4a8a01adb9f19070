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

int
conn_is_ip_literal(const char *text)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1;
}

static void
numeric_address(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	if (getnameinfo(sa, len, buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, size, "?");
}

/* One non-blocking connect attempt bounded by timeout_ms. Returns the fd, or
 * -1 with *err holding the errno (ETIMEDOUT on the deadline). */
static int
connect_one(const struct addrinfo *ai, int timeout_ms, int *err)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			*err = errno;
			close(fd);
			return -1;
		}
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		double deadline = util_now_ms() + timeout_ms;
		for (;;) {
			int left = (int)(deadline - util_now_ms());
			if (left < 0)
				left = 0;
			int n = poll(&p, 1, left);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				*err = n == 0 ? ETIMEDOUT : errno;
				close(fd);
				return -1;
			}
			break;
		}
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			soerr = errno;
		if (soerr != 0) {
			*err = soerr;
			close(fd);
			return -1;
		}
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

int
conn_open(const char *host, unsigned port, int timeout_ms, struct conn_result *res,
	  char **cause)
{
	struct addrinfo hints, *list = NULL;
	char portbuf[8];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	if (conn_is_ip_literal(host))
		hints.ai_flags = AI_NUMERICHOST;
	snprintf(portbuf, sizeof portbuf, "%u", port);
	rc = getaddrinfo(host, portbuf, &hints, &list);
	if (rc != 0) {
		*cause = str_printf("cannot resolve %s: %s; check the host name", host,
				    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	char tried[256] = "";
	size_t used = 0;
	int last_err = 0;
	for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
		char addr[64];
		int err = 0;
		double t0 = util_now_ms();
		numeric_address(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr);
		int fd = connect_one(ai, timeout_ms, &err);
		if (fd >= 0) {
			res->fd = fd;
			snprintf(res->address, sizeof res->address, "%s", addr);
			res->port = port;
			res->connect_ms = util_now_ms() - t0;
			freeaddrinfo(list);
			return 0;
		}
		last_err = err;
		if (used < sizeof tried)
			used += (size_t)snprintf(tried + used, sizeof tried - used, "%s%s port %u: %s",
						 used ? "; " : "", addr, port,
						 err == ETIMEDOUT ? "no answer in time"
								  : strerror(err));
	}
	freeaddrinfo(list);
	*cause = str_printf("cannot connect to %s (%s)%s", host, tried,
			    last_err == ECONNREFUSED ? ": is a server listening on that port?"
			    : last_err == ETIMEDOUT ? ": raise --timeout or check the network"
						     : "");
	return -1;
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
				*cause = str_printf("the server stopped accepting data (send timed out)");
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
