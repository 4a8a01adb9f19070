/*
 * A scripted mail server for unit tests: listens on 127.0.0.1 (ephemeral
 * port), accepts one client in a thread, and for each step reads one client
 * line (when expect is set), then sends the step's bytes. Everything the
 * client sent is kept for assertions. Every wait is bounded.
 */
#ifndef STARTLE_TEST_SCRIPTSERVER_H
#define STARTLE_TEST_SCRIPTSERVER_H

#include <pthread.h>
#include <stddef.h>

struct script_step {
	const char *expect; /* prefix the client line must have, NULL: read nothing */
	const char *send;   /* bytes to send after it (may be NULL) */
	size_t send_len;    /* 0: strlen(send) */
	int close_after;    /* close the connection after sending */
	int delay_ms;       /* wait before sending */
};

struct script_server {
	int listen_fd;
	unsigned port;
	pthread_t thread;
	const struct script_step *steps;
	size_t nsteps;
	char received[16384]; /* every byte the client sent */
	size_t received_len;
	char mismatch[256]; /* "" or what went wrong */
};

int script_server_start(struct script_server *ss, const struct script_step *steps,
                        size_t nsteps);
void script_server_join(struct script_server *ss);

#endif
