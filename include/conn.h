/*
 * conn: TCP to a host and port: resolution (names, IPv4, IPv6 literals),
 * non-blocking connect with a deadline, TCP_NODELAY, and plain writes that
 * never raise SIGPIPE. Every failure comes back as a sentence naming the
 * address, what failed and the system's reason.
 */
#ifndef STARTLE_CONN_H
#define STARTLE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct conn_result {
	int fd;           /* connected, non-blocking */
	char address[64]; /* numeric address connected to, e.g. "127.0.0.1" or "::1" */
	unsigned port;
	double connect_ms; /* time of the successful connect() */
};

/* Ignores SIGPIPE for the process (wolfSSL's default IO does not use
 * MSG_NOSIGNAL). Call once at start. */
void conn_ignore_sigpipe(void);

/* A connect in progress: resolution is done, attempts run over the
 * addresses in turn without blocking. */
struct conn_attempt;

/* Resolves host (this blocks for name lookups) and starts a non-blocking
 * connect to the first address. Returns the attempt, or NULL with *cause. */
struct conn_attempt *conn_begin(const char *host, unsigned port, char **cause);

/* The socket of the current attempt: poll it for POLLOUT. */
int conn_attempt_fd(const struct conn_attempt *a);

/* Advances after POLLOUT (timed_out false) or when the attempt's deadline
 * passed (timed_out true): 1 connected (fills *res; the fd now belongs to the
 * caller), 0 still trying (a new fd may be current), -1 every address failed
 * (*cause names each). */
int conn_continue(struct conn_attempt *a, bool timed_out, struct conn_result *res,
                  char **cause);

/* When the current attempt started (util_now_ms clock), for its deadline. */
double conn_attempt_started(const struct conn_attempt *a);

void conn_attempt_free(struct conn_attempt *a);

/* Resolves host and connects to each address in turn until one answers, each
 * attempt bounded by timeout_ms. Returns 0 and fills *res, or -1 with *cause
 * (caller frees). */
int conn_open(const char *host, unsigned port, int timeout_ms, struct conn_result *res,
              char **cause);

/* Writes all of buf to a non-blocking fd, waiting at most timeout_ms in total.
 * Returns 0 or -1 with *cause. */
int conn_write_all(int fd, const void *buf, size_t len, int timeout_ms, char **cause);

/* Reads what is available: > 0 bytes, 0 on EOF, -1 with *cause on error, -2
 * when nothing is available now (EAGAIN). */
ssize_t conn_read(int fd, void *buf, size_t len, char **cause);

/* Closes a socket (a no-op for -1). */
void conn_close(int fd);

/* Waits up to timeout_ms (-1: no limit) for events on fd, as poll(2) does:
 * 1 with *revents, 0 on timeout, -1 on error or a signal. */
int conn_wait(int fd, short events, int timeout_ms, short *revents);

#endif
