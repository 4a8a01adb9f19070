#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scriptserver.h"

#define WAIT_MS 5000

/* Reads one line from fd into the received buffer; returns its start or NULL. */
static const char *
read_line(struct script_server *ss, int fd)
{
	size_t start = ss->received_len;

	while (ss->received_len < sizeof ss->received - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, WAIT_MS) <= 0)
			return NULL;
		char c;
		if (recv(fd, &c, 1, 0) != 1)
			return NULL;
		ss->received[ss->received_len++] = c;
		ss->received[ss->received_len] = '\0';
		if (c == '\n')
			return ss->received + start;
	}
	return NULL;
}

static void *
serve(void *arg)
{
	struct script_server *ss = arg;
	struct pollfd p = {.fd = ss->listen_fd, .events = POLLIN};
	int fd;

	if (poll(&p, 1, WAIT_MS) <= 0 || (fd = accept(ss->listen_fd, NULL, NULL)) < 0) {
		snprintf(ss->mismatch, sizeof ss->mismatch, "no client connected");
		return NULL;
	}
	for (size_t i = 0; i < ss->nsteps; i++) {
		const struct script_step *st = &ss->steps[i];
		if (st->expect != NULL) {
			const char *line = read_line(ss, fd);
			if (line == NULL) {
				snprintf(ss->mismatch, sizeof ss->mismatch,
				         "step %zu: no line (expected %s)", i, st->expect);
				close(fd);
				return NULL;
			}
			if (strncasecmp(line, st->expect, strlen(st->expect)) != 0) {
				snprintf(ss->mismatch, sizeof ss->mismatch,
				         "step %zu: got %.60s, expected %s", i, line,
				         st->expect);
			}
		}
		if (st->delay_ms > 0) {
			struct timespec ts = {st->delay_ms / 1000,
			                      (st->delay_ms % 1000) * 1000000L};
			nanosleep(&ts, NULL);
		}
		if (st->send != NULL) {
			size_t n = st->send_len ? st->send_len : strlen(st->send);
			if (send(fd, st->send, n, MSG_NOSIGNAL) != (ssize_t)n)
				snprintf(ss->mismatch, sizeof ss->mismatch,
				         "step %zu: send failed", i);
		}
		if (st->close_after) {
			close(fd);
			return NULL;
		}
	}
	/* Keep what the client sends until it closes. */
	while (read_line(ss, fd) != NULL)
		;
	close(fd);
	return NULL;
}

int
script_server_start(struct script_server *ss, const struct script_step *steps,
                    size_t nsteps)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	int one = 1;

	memset(ss, 0, sizeof *ss);
	ss->steps = steps;
	ss->nsteps = nsteps;
	ss->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (ss->listen_fd < 0)
		return -1;
	setsockopt(ss->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ss->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(ss->listen_fd, 1) != 0 ||
	    getsockname(ss->listen_fd, (struct sockaddr *)&a, &len) != 0) {
		close(ss->listen_fd);
		return -1;
	}
	ss->port = ntohs(a.sin_port);
	return pthread_create(&ss->thread, NULL, serve, ss) == 0 ? 0 : -1;
}

void
script_server_join(struct script_server *ss)
{
	pthread_join(ss->thread, NULL);
	close(ss->listen_fd);
}
