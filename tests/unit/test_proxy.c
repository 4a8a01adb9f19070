/* The attack proxy between a test client and a scripted upstream server, all
 * on loopback: what each attack does to the lines, what the upstream receives,
 * and that the relay is byte-exact once the upgrade begins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "proxy.h"

#define WAIT_MS 5000
#define BIN_LEN (64 * 1024)

/* One step of the upstream's script: read a line starting with expect (when
 * set), wait delay_ms, send the bytes; with binary, then trade BIN_LEN bytes
 * of binary both ways. */
struct up_step {
	const char *expect;
	const char *send;
	size_t send_len;
	int delay_ms;
	bool binary;
};

struct upstream {
	int listen_fd;
	unsigned port;
	pthread_t thread;
	bool running;
	const struct up_step *steps;
	size_t nsteps;
	unsigned char *received; /* every byte the proxy delivered, NUL-terminated */
	size_t received_len, received_cap;
	char mismatch[256];
	const unsigned char *bin_out;
	unsigned char *bin_in;
	size_t bin_in_len;
};

struct rig {
	struct upstream up;
	pid_t proxy;
	unsigned port;
	char logpath[64];
	char *log; /* the proxy's log, read once it has stopped */
	int client;
	int proxy_status;
	unsigned max_clients; /* 0: the proxy's default */
};

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Deterministic bytes covering every value (CR, LF, NUL included). */
static void
fill_random(unsigned char *p, size_t n, uint32_t seed)
{
	uint32_t x = seed;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
}

static void
up_keep(struct upstream *up, const unsigned char *p, size_t n)
{
	if (up->received_len + n + 1 > up->received_cap) {
		size_t cap = up->received_cap ? up->received_cap : 4096;
		while (cap < up->received_len + n + 1)
			cap *= 2;
		up->received = realloc(up->received, cap);
		up->received_cap = cap;
	}
	memcpy(up->received + up->received_len, p, n);
	up->received_len += n;
	up->received[up->received_len] = '\0';
}

/* Reads one line, byte by byte, into the received bytes; returns its start
 * offset or -1. */
static long
up_read_line(struct upstream *up, int fd)
{
	size_t start = up->received_len;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		unsigned char c;
		if (poll(&p, 1, WAIT_MS) <= 0 || recv(fd, &c, 1, 0) != 1)
			return -1;
		up_keep(up, &c, 1);
		if (c == '\n')
			return (long)start;
	}
}

/* Sends out and receives want bytes at the same time, so neither side of a
 * full-duplex transfer waits on the other. Returns the bytes received. */
static size_t
exchange(int fd, const unsigned char *out, size_t outlen, unsigned char *in, size_t want)
{
	size_t sent = 0, got = 0;
	double deadline = now_ms() + WAIT_MS;
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while ((sent < outlen || got < want) && now_ms() < deadline) {
		struct pollfd p = {.fd = fd,
		                   .events = (short)((sent < outlen ? POLLOUT : 0) |
		                                     (got < want ? POLLIN : 0))};
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (sent < outlen && (p.revents & POLLOUT)) {
			ssize_t n = send(fd, out + sent, outlen - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
		}
		if (got < want && (p.revents & (POLLIN | POLLHUP))) {
			ssize_t n = recv(fd, in + got, want - got, 0);
			if (n == 0)
				break;
			if (n > 0)
				got += (size_t)n;
		}
	}
	fcntl(fd, F_SETFL, fl);
	return got;
}

static void *
up_serve(void *arg)
{
	struct upstream *up = arg;
	struct pollfd p = {.fd = up->listen_fd, .events = POLLIN};
	int fd;

	if (poll(&p, 1, WAIT_MS) <= 0 || (fd = accept(up->listen_fd, NULL, NULL)) < 0) {
		snprintf(up->mismatch, sizeof(up->mismatch), "the proxy never connected");
		return NULL;
	}
	for (size_t i = 0; i < up->nsteps; i++) {
		const struct up_step *st = &up->steps[i];
		if (st->expect != NULL) {
			long at = up_read_line(up, fd);
			if (at < 0) {
				snprintf(up->mismatch, sizeof(up->mismatch),
				         "step %zu: no line (expected %s)", i, st->expect);
				close(fd);
				return NULL;
			}
			if (strncasecmp((char *)up->received + at, st->expect,
			                strlen(st->expect)) != 0)
				snprintf(up->mismatch, sizeof(up->mismatch),
				         "step %zu: got %.60s, expected %s", i,
				         (char *)up->received + at, st->expect);
		}
		if (st->delay_ms > 0)
			sleep_ms(st->delay_ms);
		if (st->send != NULL) {
			size_t n = st->send_len ? st->send_len : strlen(st->send);
			if (send(fd, st->send, n, MSG_NOSIGNAL) != (ssize_t)n)
				snprintf(up->mismatch, sizeof(up->mismatch),
				         "step %zu: send failed", i);
		}
		if (st->binary)
			up->bin_in_len =
			    exchange(fd, up->bin_out, BIN_LEN, up->bin_in, BIN_LEN);
	}
	/* Keep whatever else arrives until the proxy closes. */
	for (;;) {
		unsigned char buf[4096];
		struct pollfd q = {.fd = fd, .events = POLLIN};
		if (poll(&q, 1, WAIT_MS) <= 0)
			break;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		up_keep(up, buf, (size_t)n);
	}
	close(fd);
	return NULL;
}

/* A listening socket on 127.0.0.1, ephemeral port; sets *port. */
static int
listen_loopback(unsigned *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (f == NULL)
		return calloc(1, 1);
	FILE *mem = open_memstream(&text, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, mem);
	fclose(mem);
	fclose(f);
	return text;
}

/* Forks proxy_run on 127.0.0.1 with an ephemeral port, logging to a file,
 * and learns the port from the log's first line. */
static void
proxy_start(struct rig *r, enum proto_id proto, enum proxy_attack attack,
            unsigned upstream_port)
{
	strcpy(r->logpath, "/tmp/test_proxy.XXXXXX");
	int lfd = mkstemp(r->logpath);
	assert_true(lfd >= 0);
	close(lfd);
	fflush(NULL);
	r->proxy = fork();
	assert_true(r->proxy >= 0);
	if (r->proxy == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (r->up.listen_fd >= 0)
			close(r->up.listen_fd);
		FILE *log = fopen(r->logpath, "a");
		struct proxy_config cfg = {
		    .proto = proto,
		    .listen_host = "127.0.0.1",
		    .listen_port = 0,
		    .upstream_host = "127.0.0.1",
		    .upstream_port = upstream_port,
		    .attack = attack,
		    .log = log,
		    .max_clients = r->max_clients,
		};
		char *cause = NULL;
		int rc = proxy_run(&cfg, &cause);
		free(cause);
		fclose(log);
		_exit(rc == 0 ? 0 : 2);
	}
	double deadline = now_ms() + WAIT_MS;
	while (r->port == 0 && now_ms() < deadline) {
		char *log = read_file(r->logpath);
		const char *at = strstr(log, "listening on 127.0.0.1:");
		if (at != NULL)
			r->port = (unsigned)strtoul(at + strlen("listening on 127.0.0.1:"),
			                            NULL, 10);
		free(log);
		if (r->port == 0)
			sleep_ms(10);
	}
	assert_true(r->port > 0);
}

static int
client_connect(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Starts the upstream with its script, the proxy in front of it, and a
 * client connected to the proxy. */
static void
rig_start(struct rig *r, enum proto_id proto, enum proxy_attack attack,
          const struct up_step *steps, size_t nsteps)
{
	r->up.listen_fd = listen_loopback(&r->up.port);
	r->up.steps = steps;
	r->up.nsteps = nsteps;
	proxy_start(r, proto, attack, r->up.port);
	assert_int_equal(pthread_create(&r->up.thread, NULL, up_serve, &r->up), 0);
	r->up.running = true;
	r->client = client_connect(r->port);
}

/* Stops the proxy with SIGTERM and reads its log. */
static void
rig_stop_proxy(struct rig *r)
{
	if (r->proxy <= 0)
		return;
	kill(r->proxy, SIGTERM);
	while (waitpid(r->proxy, &r->proxy_status, 0) < 0 && errno == EINTR)
		;
	r->proxy = 0;
	free(r->log);
	r->log = read_file(r->logpath);
}

static size_t
count_of(const char *text, const char *what)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* Waits until every connection the proxy accepted has logged its end (with
 * its summary), so stopping the proxy cuts nothing short. */
static void
rig_wait_connections_closed(struct rig *r)
{
	double deadline = now_ms() + WAIT_MS;

	while (r->proxy > 0 && now_ms() < deadline) {
		char *log = read_file(r->logpath);
		bool done =
		    count_of(log, "== connection closed") >= count_of(log, "== client ");
		free(log);
		if (done)
			return;
		sleep_ms(10);
	}
}

/* Closes the client, lets the upstream see the end, waits for the proxy's
 * connections to finish, then stops it. The proxy must have ended cleanly
 * (proxy_run returned 0). */
static void
rig_finish(struct rig *r)
{
	if (r->client >= 0) {
		close(r->client);
		r->client = -1;
	}
	if (r->up.running) {
		pthread_join(r->up.thread, NULL);
		r->up.running = false;
	}
	rig_wait_connections_closed(r);
	rig_stop_proxy(r);
	assert_true(WIFEXITED(r->proxy_status));
	assert_int_equal(WEXITSTATUS(r->proxy_status), 0);
	assert_string_equal(r->up.mismatch, "");
}

static int
rig_setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	r->client = -1;
	r->up.listen_fd = -1;
	*state = r;
	return 0;
}

static int
rig_teardown(void **state)
{
	struct rig *r = *state;

	if (r->client >= 0)
		close(r->client);
	r->client = -1;
	if (r->up.running)
		pthread_join(r->up.thread, NULL);
	rig_stop_proxy(r);
	if (r->up.listen_fd >= 0)
		close(r->up.listen_fd);
	if (r->logpath[0] != '\0')
		unlink(r->logpath);
	free(r->log);
	free(r->up.received);
	free(r);
	return 0;
}

static void
client_send(int fd, const char *text)
{
	size_t n = strlen(text);
	assert_int_equal(send(fd, text, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Reads byte by byte until the bytes read end with `end` (so nothing after
 * it is consumed); returns the NUL-terminated bytes read. */
static char *
client_read_until(int fd, const char *end)
{
	static char buf[8192];
	size_t len = 0, el = strlen(end);

	buf[0] = '\0';
	while (len < sizeof(buf) - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, WAIT_MS) <= 0 || recv(fd, buf + len, 1, 0) != 1)
			break;
		buf[++len] = '\0';
		if (len >= el && memcmp(buf + len - el, end, el) == 0)
			return buf;
	}
	fail_msg("no \"%s\" from the proxy; got \"%s\"", end, buf);
	return buf;
}

/* One recv() of what is there, after waiting for the first byte. */
static char *
client_read_once(int fd)
{
	static char buf[8192];
	struct pollfd p = {.fd = fd, .events = POLLIN};

	assert_true(poll(&p, 1, WAIT_MS) > 0);
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	return buf;
}

/* True if the client sees the connection close within WAIT_MS. */
static bool
client_sees_close(int fd)
{
	char c;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, WAIT_MS) > 0 && recv(fd, &c, 1, 0) == 0;
}

static bool
upstream_got(const struct rig *r, const char *text)
{
	return r->up.received != NULL && strstr((const char *)r->up.received, text) != NULL;
}

static const char smtp_greeting[] = "220 mail.test ESMTP\r\n";

static void
test_attack_names_round_trip(void **state)
{
	(void)state;
	for (int a = 0; a < PROXY_ATTACK_COUNT; a++)
		assert_int_equal(
		    proxy_attack_from_name(proxy_attack_name((enum proxy_attack)a)), a);
	assert_string_equal(proxy_attack_name(PROXY_STRIP), "strip");
	assert_int_equal(proxy_attack_from_name("sniff"), -1);
	assert_int_equal(proxy_attack_from_name(NULL), -1);
}

static void
test_strip_drops_starttls_line_from_smtp_ehlo_reply(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "EHLO",
	     .send = "250-mail.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"},
	};

	rig_start(r, PROTO_SMTP, PROXY_STRIP, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "EHLO me\r\n");
	assert_string_equal(client_read_until(r->client, "250 8BITMIME\r\n"),
	                    "250-mail.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
	rig_finish(r);
	assert_non_null(strstr(r->log, "!! strip: dropped this line"));
}

static void
test_strip_makes_the_previous_line_last_when_starttls_ends_the_reply(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "EHLO",
	     .send = "250-mail.test\r\n250-SIZE 1000\r\n250 STARTTLS\r\n"},
	    {.expect = "NOOP", .send = "250 2.0.0 Ok\r\n"},
	};

	rig_start(r, PROTO_SMTP, PROXY_STRIP, steps, 3);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "EHLO me\r\n");
	assert_string_equal(client_read_until(r->client, "250 SIZE 1000\r\n"),
	                    "250-mail.test\r\n250 SIZE 1000\r\n");
	client_send(r->client, "NOOP\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"), "250 2.0.0 Ok\r\n");
	rig_finish(r);
}

static void
test_strip_finds_starttls_split_across_segments(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "EHLO", .send = "250-mail.test\r\n250-STARTT"},
	    {.delay_ms = 100, .send = "LS\r\n250 8BITM"},
	    {.delay_ms = 100, .send = "IME\r\n"},
	};

	rig_start(r, PROTO_SMTP, PROXY_STRIP, steps, 4);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "EHLO me\r\n");
	assert_string_equal(client_read_until(r->client, "250 8BITMIME\r\n"),
	                    "250-mail.test\r\n250 8BITMIME\r\n");
	rig_finish(r);
}

static void
test_strip_removes_starttls_atom_from_imap_greeting_code(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send =
	         "* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED] ready\r\n"},
	};

	rig_start(r, PROTO_IMAP, PROXY_STRIP, steps, 1);
	assert_string_equal(client_read_until(r->client, "\r\n"),
	                    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGINDISABLED] ready\r\n");
	rig_finish(r);
	assert_non_null(strstr(r->log, "!! strip: removed the STARTTLS atom"));
}

static void
test_strip_removes_starttls_atom_from_imap_capability_response(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a CAPABILITY",
	     .send = "* CAPABILITY IMAP4rev1 STARTTLS\r\n"
	             "a OK [CAPABILITY IMAP4rev1 STARTTLS IDLE] done\r\n"},
	};

	rig_start(r, PROTO_IMAP, PROXY_STRIP, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "a CAPABILITY\r\n");
	assert_string_equal(
	    client_read_until(r->client, "done\r\n"),
	    "* CAPABILITY IMAP4rev1\r\na OK [CAPABILITY IMAP4rev1 IDLE] done\r\n");
	rig_finish(r);
}

static void
test_strip_drops_stls_line_from_pop3_capa(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = "+OK POP3 ready\r\n"},
	    {.expect = "CAPA", .send = "+OK\r\nTOP\r\nSTLS\r\nUIDL\r\n.\r\n"},
	};

	rig_start(r, PROTO_POP3, PROXY_STRIP, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "CAPA\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n.\r\n"),
	                    "+OK\r\nTOP\r\nUIDL\r\n.\r\n");
	rig_finish(r);
}

static void
test_strip_answers_smtp_starttls_itself_and_upstream_never_sees_it(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "QUIT", .send = "221 2.0.0 Bye\r\n"},
	};

	rig_start(r, PROTO_SMTP, PROXY_STRIP, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "STARTTLS\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"),
	                    "502 5.5.1 STARTTLS not supported\r\n");
	client_send(r->client, "QUIT\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"), "221 2.0.0 Bye\r\n");
	rig_finish(r);
	assert_false(upstream_got(r, "STARTTLS"));
	assert_true(upstream_got(r, "QUIT\r\n"));
}

static void
test_strip_answers_imap_starttls_with_tagged_bad(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = "* OK ready\r\n"},
	};

	rig_start(r, PROTO_IMAP, PROXY_STRIP, steps, 1);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "x7 STARTTLS\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"),
	                    "x7 BAD STARTTLS not supported\r\n");
	rig_finish(r);
	assert_false(upstream_got(r, "STARTTLS"));
}

static void
test_strip_answers_starttls_split_across_segments(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	};

	rig_start(r, PROTO_SMTP, PROXY_STRIP, steps, 1);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "STAR");
	sleep_ms(100);
	client_send(r->client, "TTLS\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"),
	                    "502 5.5.1 STARTTLS not supported\r\n");
	rig_finish(r);
	assert_false(upstream_got(r, "STAR"));
}

static void
test_strip_answers_pipelined_starttls_after_the_pending_reply(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "EHLO",
	     .delay_ms = 200,
	     .send = "250-mail.test\r\n250 STARTTLS\r\n"},
	};

	rig_start(r, PROTO_SMTP, PROXY_STRIP, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "EHLO me\r\nSTARTTLS\r\n");
	assert_string_equal(
	    client_read_until(r->client, "502 5.5.1 STARTTLS not supported\r\n"),
	    "250 mail.test\r\n502 5.5.1 STARTTLS not supported\r\n");
	rig_finish(r);
	assert_false(upstream_got(r, "STARTTLS"));
}

static void
test_refuse_relays_the_capabilities_unchanged(void **state)
{
	struct rig *r = *state;
	const char reply[] = "250-mail.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n";
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "EHLO", .send = reply},
	};

	rig_start(r, PROTO_SMTP, PROXY_REFUSE, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "EHLO me\r\n");
	assert_string_equal(client_read_until(r->client, "250 8BITMIME\r\n"), reply);
	rig_finish(r);
}

static void
test_refuse_answers_smtp_starttls_with_454_and_upstream_never_sees_it(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "EHLO", .send = "250-mail.test\r\n250 STARTTLS\r\n"},
	};

	rig_start(r, PROTO_SMTP, PROXY_REFUSE, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "EHLO me\r\n");
	client_read_until(r->client, "250 STARTTLS\r\n");
	client_send(r->client, "STARTTLS\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"),
	                    "454 4.7.0 TLS not available\r\n");
	rig_finish(r);
	assert_false(upstream_got(r, "STARTTLS"));
	assert_non_null(strstr(r->log, "the server never saw it"));
}

static void
test_refuse_answers_imap_starttls_with_tagged_no(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"},
	};

	rig_start(r, PROTO_IMAP, PROXY_REFUSE, steps, 1);
	assert_string_equal(client_read_until(r->client, "\r\n"),
	                    "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
	client_send(r->client, "a STARTTLS\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"),
	                    "a NO TLS not available\r\n");
	rig_finish(r);
	assert_false(upstream_got(r, "STARTTLS"));
}

static void
test_refuse_answers_pop3_stls_with_err(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = "+OK POP3 ready\r\n"},
	};

	rig_start(r, PROTO_POP3, PROXY_REFUSE, steps, 1);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "STLS\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"),
	                    "-ERR TLS not available\r\n");
	rig_finish(r);
	assert_false(upstream_got(r, "STLS"));
}

static void
test_inject_smtp_sends_go_ahead_and_forged_lines_in_one_segment(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "STARTTLS", .send = "220 2.0.0 Ready to start TLS\r\n"},
	};

	rig_start(r, PROTO_SMTP, PROXY_INJECT, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "STARTTLS\r\n");
	assert_string_equal(
	    client_read_once(r->client),
	    "220 2.0.0 Ready to start TLS\r\n250-INJECTED\r\n250 AUTH PLAIN\r\n");
	rig_finish(r);
	assert_true(upstream_got(r, "STARTTLS\r\n"));
}

static void
test_inject_imap_follows_the_tagged_go_ahead(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "t1 STARTTLS", .send = "t1 OK Begin TLS negotiation now\r\n"},
	};

	rig_start(r, PROTO_IMAP, PROXY_INJECT, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "t1 STARTTLS\r\n");
	assert_string_equal(client_read_once(r->client),
	                    "t1 OK Begin TLS negotiation now\r\n"
	                    "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
	rig_finish(r);
}

static void
test_inject_pop3_follows_the_ok(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = "+OK POP3 ready\r\n"},
	    {.expect = "STLS", .send = "+OK Begin TLS\r\n"},
	};

	rig_start(r, PROTO_POP3, PROXY_INJECT, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "STLS\r\n");
	assert_string_equal(client_read_once(r->client),
	                    "+OK Begin TLS\r\n+OK injected\r\n");
	rig_finish(r);
}

static void
test_inject_adds_nothing_when_the_server_refuses(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "STARTTLS",
	     .send = "454 4.7.0 TLS not available due to local problem\r\n"},
	    {.expect = "NOOP", .send = "250 2.0.0 Ok\r\n"},
	};

	rig_start(r, PROTO_SMTP, PROXY_INJECT, steps, 3);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "STARTTLS\r\n");
	client_read_until(r->client, "problem\r\n");
	client_send(r->client, "NOOP\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"), "250 2.0.0 Ok\r\n");
	rig_finish(r);
	assert_null(strstr(r->log, "!! inject"));
	assert_non_null(strstr(r->log, "<- 250 2.0.0 Ok"));
}

static void
test_pass_relays_plaintext_byte_for_byte(void **state)
{
	struct rig *r = *state;
	const char reply[] = "250-mail.test \x1b[31mred\r\n250-bare\n250 STARTTLS\r\n";
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "EHLO", .send = reply},
	};

	rig_start(r, PROTO_SMTP, PROXY_PASS, steps, 2);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "EHLO me\r\n");
	assert_string_equal(client_read_until(r->client, "250 STARTTLS\r\n"), reply);
	rig_finish(r);
	assert_true(upstream_got(r, "EHLO me\r\n"));
}

static void
test_pass_relays_a_line_longer_than_the_framer_keeps(void **state)
{
	struct rig *r = *state;
	size_t n = 40000;
	char *greeting = malloc(n + 1);
	memset(greeting, 'a', n);
	memcpy(greeting, "220 ", 4);
	memcpy(greeting + n - 2, "\r\n", 2);
	greeting[n] = '\0';
	const struct up_step steps[] = {
	    {.send = greeting},
	    {.expect = "NOOP", .send = "250 2.0.0 Ok\r\n"},
	};
	unsigned char *got = calloc(1, n);

	rig_start(r, PROTO_SMTP, PROXY_PASS, steps, 2);
	size_t len = exchange(r->client, NULL, 0, got, n);
	client_send(r->client, "NOOP\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"), "250 2.0.0 Ok\r\n");
	rig_finish(r);
	assert_int_equal(len, n);
	assert_memory_equal(got, greeting, n);
	free(got);
	free(greeting);
}

static void
test_pass_relay_after_go_ahead_is_byte_exact_both_ways(void **state)
{
	struct rig *r = *state;
	unsigned char *to_client = malloc(BIN_LEN), *to_server = malloc(BIN_LEN);
	unsigned char *at_client = calloc(1, BIN_LEN);
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	    {.expect = "EHLO", .send = "250-mail.test\r\n250 STARTTLS\r\n"},
	    {.expect = "STARTTLS",
	     .send = "220 2.0.0 Ready to start TLS\r\n",
	     .binary = true},
	};

	fill_random(to_client, BIN_LEN, 0x2545f491u);
	fill_random(to_server, BIN_LEN, 0x9e3779b9u);
	r->up.bin_out = to_client;
	r->up.bin_in = calloc(1, BIN_LEN);
	rig_start(r, PROTO_SMTP, PROXY_PASS, steps, 3);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "EHLO me\r\n");
	client_read_until(r->client, "250 STARTTLS\r\n");
	client_send(r->client, "STARTTLS\r\n");
	assert_string_equal(client_read_until(r->client, "\r\n"),
	                    "220 2.0.0 Ready to start TLS\r\n");
	size_t got = exchange(r->client, to_server, BIN_LEN, at_client, BIN_LEN);
	rig_finish(r);
	assert_int_equal(got, BIN_LEN);
	assert_memory_equal(at_client, to_client, BIN_LEN);
	assert_int_equal(r->up.bin_in_len, BIN_LEN);
	assert_memory_equal(r->up.bin_in, to_server, BIN_LEN);
	free(r->up.bin_in);
	free(at_client);
	free(to_server);
	free(to_client);
}

static void
test_log_names_tls_records_seen_after_go_ahead(void **state)
{
	struct rig *r = *state;
	static const char server_records[] = "\x16\x03\x03\x00\x04\x02\x00\x00\x00"
	                                     "\x14\x03\x03\x00\x01\x01"
	                                     "\x17\x03\x03\x00\x03\xaa\xbb\xcc";
	const struct up_step steps[] = {
	    {.send = "+OK POP3 ready\r\n"},
	    {.expect = "STLS", .send = "+OK Begin TLS\r\n"},
	    {.delay_ms = 100,
	     .send = server_records,
	     .send_len = sizeof(server_records) - 1},
	};

	rig_start(r, PROTO_POP3, PROXY_PASS, steps, 3);
	client_read_until(r->client, "\r\n");
	client_send(r->client, "STLS\r\n");
	client_read_until(r->client, "+OK Begin TLS\r\n");
	assert_int_equal(send(r->client, "\x16\x03\x01\x00\x04\x01\x00\x00\x00", 9, 0), 9);
	unsigned char got[sizeof(server_records) - 1];
	assert_int_equal(exchange(r->client, NULL, 0, got, sizeof(got)), sizeof(got));
	rig_finish(r);
	assert_non_null(
	    strstr(r->log, "from here the proxy relays TLS bytes it cannot read"));
	assert_non_null(strstr(r->log, "~> TLS record: handshake ClientHello, 4 bytes"));
	assert_non_null(strstr(r->log, "<~ TLS record: handshake ServerHello, 4 bytes"));
	assert_non_null(strstr(r->log, "<~ TLS record: application_data, 3 bytes"));
	assert_non_null(
	    strstr(r->log, "server->client after the go-ahead: 23 bytes relayed unread, "
	                   "3 TLS records"));
	assert_non_null(strstr(r->log,
	                       "client->server after the go-ahead: 9 bytes relayed unread, "
	                       "1 TLS record (handshake 1)"));
}

static void
test_log_escapes_control_bytes(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = "220 evil \x1b]52;c;Zm9v\x07 \x01\r\n"},
	};

	rig_start(r, PROTO_SMTP, PROXY_PASS, steps, 1);
	client_read_until(r->client, "\r\n");
	rig_finish(r);
	assert_non_null(strstr(r->log, "<- 220 evil \\x1b]52;c;Zm9v\\x07 \\x01\n"));
	for (const char *p = r->log; *p; p++) {
		unsigned char c = (unsigned char)*p;
		assert_true(c == '\n' || (c >= 0x20 && c != 0x7f));
	}
}

static void
test_unreachable_upstream_closes_the_client(void **state)
{
	struct rig *r = *state;
	unsigned closed_port;
	int fd = listen_loopback(&closed_port);

	close(fd);
	proxy_start(r, PROTO_SMTP, PROXY_PASS, closed_port);
	r->client = client_connect(r->port);
	assert_true(client_sees_close(r->client));
	rig_finish(r);
	assert_non_null(strstr(r->log, "cannot reach the upstream server"));
}

static void
test_sigterm_ends_the_proxy_and_its_connections(void **state)
{
	struct rig *r = *state;
	const struct up_step steps[] = {
	    {.send = smtp_greeting},
	};

	rig_start(r, PROTO_SMTP, PROXY_PASS, steps, 1);
	client_read_until(r->client, "\r\n");
	rig_stop_proxy(r);
	assert_true(WIFEXITED(r->proxy_status));
	assert_int_equal(WEXITSTATUS(r->proxy_status), 0);
	assert_true(client_sees_close(r->client));
	assert_non_null(strstr(r->log, "stopping on"));
	rig_finish(r);
}

static void
test_run_fails_with_a_cause_when_the_port_is_taken(void **state)
{
	unsigned port;
	int fd = listen_loopback(&port);
	struct proxy_config cfg = {
	    .proto = PROTO_SMTP,
	    .listen_port = port,
	    .upstream_host = "127.0.0.1",
	    .upstream_port = 25,
	    .attack = PROXY_PASS,
	};
	char *cause = NULL;

	(void)state;
	assert_int_equal(proxy_run(&cfg, &cause), -1);
	close(fd);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "cannot listen on 127.0.0.1"));
	free(cause);
}

/* Clients beyond the limit are turned away at once: a flood of connections
 * cannot make a process each. */
static void
test_clients_beyond_the_limit_are_turned_away(void **state)
{
	struct rig *r = *state;
	int fds[3];
	char b;

	r->max_clients = 2;
	/* An upstream that never answers keeps the first two relays busy. */
	r->up.listen_fd = listen_loopback(&r->up.port);
	proxy_start(r, PROTO_SMTP, PROXY_PASS, r->up.port);
	for (int i = 0; i < 3; i++) {
		fds[i] = client_connect(r->port);
		double deadline = now_ms() + WAIT_MS;
		char want[32];
		snprintf(want, sizeof want, "proxy[%d]: == client", i + 1);
		while (now_ms() < deadline) {
			char *log = read_file(r->logpath);
			bool seen = strstr(log, want) != NULL ||
			            strstr(log, "turned a new one away");
			free(log);
			if (seen)
				break;
			sleep_ms(10);
		}
	}
	struct timeval tv = {.tv_sec = WAIT_MS / 1000};
	setsockopt(fds[2], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	assert_int_equal(recv(fds[2], &b, 1, 0), 0); /* closed, not relayed */
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	rig_stop_proxy(r);
	assert_non_null(strstr(r->log, "2 clients are being relayed, the most at once"));
	assert_int_equal(count_of(r->log, "== client "), 2);
}

#define RIG_TEST(f) cmocka_unit_test_setup_teardown(f, rig_setup, rig_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_attack_names_round_trip),
	    RIG_TEST(test_clients_beyond_the_limit_are_turned_away),
	    RIG_TEST(test_strip_drops_starttls_line_from_smtp_ehlo_reply),
	    RIG_TEST(test_strip_makes_the_previous_line_last_when_starttls_ends_the_reply),
	    RIG_TEST(test_strip_finds_starttls_split_across_segments),
	    RIG_TEST(test_strip_removes_starttls_atom_from_imap_greeting_code),
	    RIG_TEST(test_strip_removes_starttls_atom_from_imap_capability_response),
	    RIG_TEST(test_strip_drops_stls_line_from_pop3_capa),
	    RIG_TEST(test_strip_answers_smtp_starttls_itself_and_upstream_never_sees_it),
	    RIG_TEST(test_strip_answers_imap_starttls_with_tagged_bad),
	    RIG_TEST(test_strip_answers_starttls_split_across_segments),
	    RIG_TEST(test_strip_answers_pipelined_starttls_after_the_pending_reply),
	    RIG_TEST(test_refuse_relays_the_capabilities_unchanged),
	    RIG_TEST(test_refuse_answers_smtp_starttls_with_454_and_upstream_never_sees_it),
	    RIG_TEST(test_refuse_answers_imap_starttls_with_tagged_no),
	    RIG_TEST(test_refuse_answers_pop3_stls_with_err),
	    RIG_TEST(test_inject_smtp_sends_go_ahead_and_forged_lines_in_one_segment),
	    RIG_TEST(test_inject_imap_follows_the_tagged_go_ahead),
	    RIG_TEST(test_inject_pop3_follows_the_ok),
	    RIG_TEST(test_inject_adds_nothing_when_the_server_refuses),
	    RIG_TEST(test_pass_relays_plaintext_byte_for_byte),
	    RIG_TEST(test_pass_relays_a_line_longer_than_the_framer_keeps),
	    RIG_TEST(test_pass_relay_after_go_ahead_is_byte_exact_both_ways),
	    RIG_TEST(test_log_names_tls_records_seen_after_go_ahead),
	    RIG_TEST(test_log_escapes_control_bytes),
	    RIG_TEST(test_unreachable_upstream_closes_the_client),
	    RIG_TEST(test_sigterm_ends_the_proxy_and_its_connections),
	    cmocka_unit_test(test_run_fails_with_a_cause_when_the_port_is_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
