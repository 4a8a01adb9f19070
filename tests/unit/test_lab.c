/*
 * lab: the teaching server, spoken to as a client would. Each test starts a
 * lab with lab_spawn on an ephemeral 127.0.0.1 port and talks to it through
 * a small line client written here (plain sockets, wolfSSL after the
 * go-ahead). Every read is bounded by a receive timeout.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"
#include "labcert.h"
#include "proto.h"
#include "util.h"

#define READ_TIMEOUT_S 5

/* ---- a running lab ---- */

struct running {
	struct lab *lab;
	pid_t pid;
	unsigned port;
	FILE *log;
};

static struct running
start_lab_cfg(struct lab_config cfg)
{
	struct running r = {0};
	char *cause = NULL;

	r.log = tmpfile();
	assert_non_null(r.log);
	cfg.log = r.log;
	r.lab = lab_new(&cfg, &cause);
	if (r.lab == NULL)
		fail_msg("lab_new: %s", cause);
	r.port = lab_port(r.lab);
	r.pid = lab_spawn(r.lab, &cause);
	if (r.pid < 0)
		fail_msg("lab_spawn: %s", cause);
	return r;
}

static struct running
start_lab(enum proto_id proto, enum lab_scenario scenario)
{
	struct lab_config cfg = {.proto = proto, .scenario = scenario};
	return start_lab_cfg(cfg);
}

static void
stop_lab(struct running *r)
{
	kill(r->pid, SIGTERM);
	waitpid(r->pid, NULL, 0);
	lab_free(r->lab);
	fclose(r->log);
}

/* Everything the lab logged so far (caller frees). */
static char *
lab_log_text(const struct running *r)
{
	size_t cap = 1 << 16, used = 0;
	char *buf = malloc(cap + 1);
	ssize_t n;

	while ((n = pread(fileno(r->log), buf + used, cap - used, (off_t)used)) > 0) {
		used += (size_t)n;
		if (used == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	buf[used] = '\0';
	return buf;
}

/* Waits (at most 5 s) until the log contains text; returns the log. */
static char *
wait_log(const struct running *r, const char *text)
{
	for (int i = 0; i < 100; i++) {
		char *log = lab_log_text(r);
		if (strstr(log, text) != NULL)
			return log;
		free(log);
		usleep(50000);
	}
	char *log = lab_log_text(r);
	fail_msg("the lab log never showed \"%s\"; it holds:\n%s", text, log);
	return log;
}

/* ---- a line client ---- */

struct client {
	int fd;
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
	char buf[1 << 16];
	size_t len;
	char line[1 << 16];
	size_t line_len;
};

static int
connect_to(int family, const char *addr, unsigned port)
{
	struct sockaddr_storage ss = {0};
	socklen_t sl;
	struct timeval tv = {.tv_sec = READ_TIMEOUT_S};
	int fd = socket(family, SOCK_STREAM, 0);

	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &in->sin_addr);
		sl = sizeof *in;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &in6->sin6_addr);
		sl = sizeof *in6;
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

static void
client_open(struct client *c, const struct running *r)
{
	memset(c, 0, sizeof *c);
	c->fd = connect_to(AF_INET, "127.0.0.1", r->port);
	assert_true(c->fd >= 0);
}

static void
client_close(struct client *c)
{
	if (c->ssl)
		wolfSSL_free(c->ssl);
	if (c->ctx)
		wolfSSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Receives some bytes: > 0, 0 at EOF, -1 on error or timeout. */
static ssize_t
client_recv(struct client *c, void *buf, size_t len)
{
	if (c->ssl != NULL) {
		int n = wolfSSL_read(c->ssl, buf, (int)len);
		return n > 0                                                       ? n
		       : wolfSSL_get_error(c->ssl, n) == WOLFSSL_ERROR_ZERO_RETURN ? 0
		                                                                   : -1;
	}
	return recv(c->fd, buf, len, 0);
}

/* Reads one line (without CRLF) into c->line. Returns 1, or 0 at EOF. */
static int
client_line(struct client *c)
{
	for (;;) {
		char *lf = memchr(c->buf, '\n', c->len);
		if (lf != NULL) {
			size_t n = (size_t)(lf - c->buf);
			c->line_len = n > 0 && c->buf[n - 1] == '\r' ? n - 1 : n;
			memcpy(c->line, c->buf, c->line_len);
			c->line[c->line_len] = '\0';
			memmove(c->buf, lf + 1, c->len - n - 1);
			c->len -= n + 1;
			return 1;
		}
		assert_true(c->len < sizeof c->buf);
		ssize_t got = client_recv(c, c->buf + c->len, sizeof c->buf - c->len);
		if (got == 0)
			return 0;
		if (got < 0)
			fail_msg("no line from the lab within %d s (have %zu bytes: %.*s)",
			         READ_TIMEOUT_S, c->len, (int)c->len, c->buf);
		c->len += (size_t)got;
	}
}

/* Reads exactly n bytes (an IMAP literal) into out. */
static void
client_bytes(struct client *c, char *out, size_t n)
{
	while (c->len < n) {
		ssize_t got = client_recv(c, c->buf + c->len, sizeof c->buf - c->len);
		if (got <= 0)
			fail_msg("the literal ended early: %zu of %zu bytes", c->len, n);
		c->len += (size_t)got;
	}
	memcpy(out, c->buf, n);
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

static void
client_send(struct client *c, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 2, fmt, ap);
	va_end(ap);
	memcpy(line + n, "\r\n", 2);
	if (c->ssl != NULL)
		assert_int_equal(wolfSSL_write(c->ssl, line, n + 2), n + 2);
	else
		assert_int_equal(send(c->fd, line, (size_t)n + 2, MSG_NOSIGNAL), n + 2);
}

/* Reads the line and asserts it starts with prefix. */
static void
expect_line(struct client *c, const char *prefix)
{
	if (!client_line(c))
		fail_msg("the lab closed the connection; expected a line starting \"%s\"",
		         prefix);
	if (strncmp(c->line, prefix, strlen(prefix)) != 0)
		fail_msg("expected a line starting \"%s\", got \"%s\"", prefix, c->line);
}

/* Reads an SMTP reply; returns the whole reply as text, lines joined by \n. */
static char *
smtp_reply(struct client *c)
{
	static char all[8192];
	size_t used = 0;

	all[0] = '\0';
	do {
		if (!client_line(c))
			fail_msg(
			    "the lab closed the connection in the middle of a reply: %s",
			    all);
		used += (size_t)snprintf(all + used, sizeof all - used, "%s\n", c->line);
	} while (c->line_len >= 4 && c->line[3] == '-');
	return all;
}

/* Reads IMAP lines until the tagged one; returns them joined by \n. */
static char *
imap_until(struct client *c, const char *tag)
{
	static char all[16384];
	size_t used = 0, tl = strlen(tag);

	all[0] = '\0';
	do {
		if (!client_line(c))
			fail_msg("the lab closed the connection before the %s reply: %s",
			         tag, all);
		used += (size_t)snprintf(all + used, sizeof all - used, "%s\n", c->line);
	} while (!(strncmp(c->line, tag, tl) == 0 && c->line[tl] == ' '));
	return all;
}

/* Reads a POP3 multi-line body after its status line, still stuffed,
 * lines joined by \n, up to (without) the lone dot. */
static char *
pop3_multi(struct client *c)
{
	static char all[16384];
	size_t used = 0;

	all[0] = '\0';
	for (;;) {
		if (!client_line(c))
			fail_msg("the lab closed the connection before the lone dot: %s",
			         all);
		if (strcmp(c->line, ".") == 0)
			return all;
		used += (size_t)snprintf(all + used, sizeof all - used, "%s\n", c->line);
	}
}

/* Runs the client side of the handshake, trusting the lab's CA. */
static void
client_tls(struct client *c, const struct running *r)
{
	size_t len;
	const char *ca = labcert_ca_pem(lab_certs(r->lab), &len);

	assert_int_equal(c->len, 0);
	c->ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
	assert_non_null(c->ctx);
	assert_int_equal(wolfSSL_CTX_load_verify_buffer(c->ctx, (const unsigned char *)ca,
	                                                (long)len, WOLFSSL_FILETYPE_PEM),
	                 WOLFSSL_SUCCESS);
	wolfSSL_CTX_set_verify(c->ctx, WOLFSSL_VERIFY_PEER, NULL);
	c->ssl = wolfSSL_new(c->ctx);
	assert_non_null(c->ssl);
	wolfSSL_set_fd(c->ssl, c->fd);
	wolfSSL_UseSNI(c->ssl, WOLFSSL_SNI_HOST_NAME, LABCERT_HOST, strlen(LABCERT_HOST));
	wolfSSL_check_domain_name(c->ssl, LABCERT_HOST);
	int rc = wolfSSL_connect(c->ssl);
	if (rc != WOLFSSL_SUCCESS)
		fail_msg("the TLS handshake with the lab failed: error %d",
		         wolfSSL_get_error(c->ssl, rc));
}

/* Greeting, EHLO, STARTTLS, handshake, EHLO again (SMTP). */
static void
smtp_upgrade(struct client *c, const struct running *r)
{
	client_open(c, r);
	expect_line(c, "220 ");
	client_send(c, "EHLO client.test");
	smtp_reply(c);
	client_send(c, "STARTTLS");
	expect_line(c, "220 ");
	client_tls(c, r);
	client_send(c, "EHLO client.test");
}

/* Greeting, STARTTLS, handshake, LOGIN demo/demo, SELECT INBOX (IMAP). */
static void
imap_selected(struct client *c, const struct running *r)
{
	client_open(c, r);
	expect_line(c, "* OK ");
	client_send(c, "s STARTTLS");
	expect_line(c, "s OK ");
	client_tls(c, r);
	client_send(c, "l LOGIN demo demo");
	imap_until(c, "l");
	assert_non_null(strstr(c->line, "l OK"));
	client_send(c, "m SELECT INBOX");
	imap_until(c, "m");
	assert_non_null(strstr(c->line, "m OK [READ-WRITE]"));
}

/* Greeting, STLS, handshake, USER/PASS demo (POP3). */
static void
pop3_logged_in(struct client *c, const struct running *r)
{
	client_open(c, r);
	expect_line(c, "+OK");
	client_send(c, "STLS");
	expect_line(c, "+OK");
	client_tls(c, r);
	client_send(c, "USER demo");
	expect_line(c, "+OK");
	client_send(c, "PASS demo");
	expect_line(c, "+OK Logged in");
}

/* ---- the scenario table ---- */

static void
scenario_names_are_unique_and_every_lesson_is_a_sentence(void **state)
{
	(void)state;
	for (int i = 0; i < LAB_SCENARIO_COUNT; i++) {
		assert_true(strlen(lab_scenario_name(i)) > 0);
		assert_true(strlen(lab_scenario_lesson(i)) > 10);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(lab_scenario_name(i), lab_scenario_name(j));
	}
}

static void
scenario_names_round_trip_and_unknown_names_are_minus_one(void **state)
{
	(void)state;
	for (int i = 0; i < LAB_SCENARIO_COUNT; i++)
		assert_int_equal(lab_scenario_from_name(lab_scenario_name(i)), i);
	assert_int_equal(lab_scenario_from_name("no-such-scenario"), -1);
	assert_int_equal(lab_scenario_from_name(""), -1);
	assert_int_equal(lab_scenario_from_name("honest"), LAB_HONEST);
}

static void
every_scenario_starts_for_every_protocol_it_applies_to(void **state)
{
	(void)state;
	for (int s = 0; s < LAB_SCENARIO_COUNT; s++) {
		int started = 0;
		for (int p = 0; p < PROTO_COUNT; p++) {
			struct lab_config cfg = {.proto = p, .scenario = s};
			char *cause = NULL;
			struct lab *lab = lab_new(&cfg, &cause);
			if (lab != NULL) {
				started++;
				assert_true(lab_port(lab) > 0);
				lab_free(lab);
			} else {
				free(cause);
			}
		}
		if (started == 0)
			fail_msg("scenario %s starts for no protocol",
			         lab_scenario_name(s));
	}
}

static void
preauth_for_smtp_is_refused_with_a_sentence_naming_imap(void **state)
{
	struct lab_config cfg = {.proto = PROTO_SMTP, .scenario = LAB_PREAUTH};
	char *cause = NULL;

	(void)state;
	assert_null(lab_new(&cfg, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "preauth"));
	assert_non_null(strstr(cause, "imap"));
	free(cause);
}

static void
starttls_scenarios_are_refused_with_implicit_tls(void **state)
{
	struct lab_config cfg = {
	    .proto = PROTO_SMTP, .scenario = LAB_STRIP, .implicit = true};
	char *cause = NULL;

	(void)state;
	assert_null(lab_new(&cfg, &cause));
	assert_non_null(strstr(cause, "implicit"));
	free(cause);
}

/* ---- where it listens ---- */

static void
wildcard_listen_addresses_are_refused(void **state)
{
	static const char *const wild[] = {"0.0.0.0", "::", "[::]", "", "*"};

	(void)state;
	for (size_t i = 0; i < sizeof wild / sizeof wild[0]; i++) {
		struct lab_config cfg = {.proto = PROTO_SMTP, .listen = wild[i]};
		char *cause = NULL;
		struct lab *lab = lab_new(&cfg, &cause);
		if (lab != NULL)
			fail_msg("the lab listened on \"%s\"", wild[i]);
		assert_non_null(cause);
		free(cause);
	}
}

static void
default_listen_is_127_0_0_1_only(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct sockaddr_in other = {.sin_family = AF_INET,
	                            .sin_port = htons((uint16_t)r.port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), probe;

	(void)state;
	probe = connect_to(AF_INET, "127.0.0.1", r.port);
	assert_true(probe >= 0);
	close(probe);
	/* Another loopback address on the same port is still free: the lab did not
	 * take every address. */
	inet_pton(AF_INET, "127.0.0.2", &other.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&other, sizeof other), 0);
	close(fd);
	stop_lab(&r);
}

static void
ipv6_loopback_is_served_when_named(void **state)
{
	struct lab_config cfg = {.proto = PROTO_POP3, .listen = "[::1]"};
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 probe = {.sin6_family = AF_INET6,
	                             .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct client c = {0};

	(void)state;
	if (fd < 0 || bind(fd, (struct sockaddr *)&probe, sizeof probe) != 0) {
		if (fd >= 0)
			close(fd);
		skip();
	}
	close(fd);
	struct running r = start_lab_cfg(cfg);
	c.fd = connect_to(AF_INET6, "::1", r.port);
	assert_true(c.fd >= 0);
	expect_line(&c, "+OK startle-lab POP3 ready");
	client_close(&c);
	stop_lab(&r);
}

/* ---- SMTP ---- */

static void
smtp_greets_with_220_and_ehlo_offers_starttls_but_not_auth_before_tls(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;
	char *reply;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 " LABCERT_HOST " ESMTP");
	client_send(&c, "ehlo client.test");
	reply = smtp_reply(&c);
	assert_non_null(strstr(reply, "250-" LABCERT_HOST " Hello client.test\n"));
	assert_non_null(strstr(reply, "250-PIPELINING\n"));
	assert_non_null(strstr(reply, "250-SIZE 10240000\n"));
	assert_non_null(strstr(reply, "250-STARTTLS\n"));
	assert_non_null(strstr(reply, "250-ENHANCEDSTATUSCODES\n"));
	assert_non_null(strstr(reply, "250 8BITMIME\n"));
	assert_null(strstr(reply, "AUTH"));
	client_close(&c);
	stop_lab(&r);
}

static void
smtp_starttls_go_ahead_is_220_2_0_0_ready_to_start_tls(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "EHLO client.test");
	smtp_reply(&c);
	client_send(&c, "StartTLS");
	expect_line(&c, "220 2.0.0 Ready to start TLS");
	assert_int_equal(c.line_len, strlen("220 2.0.0 Ready to start TLS"));
	client_close(&c);
	stop_lab(&r);
}

static void
smtp_auth_in_plaintext_is_refused_with_538(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "EHLO client.test");
	smtp_reply(&c);
	client_send(&c, "AUTH PLAIN AGRlbW8AZGVtbw==");
	expect_line(&c, "538 5.7.11 Encryption required");
	client_close(&c);
	stop_lab(&r);
}

static void
smtp_inside_tls_offers_auth_and_drops_starttls(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;
	char *reply;

	(void)state;
	smtp_upgrade(&c, &r);
	reply = smtp_reply(&c);
	assert_non_null(strstr(reply, "250-AUTH PLAIN LOGIN\n"));
	assert_null(strstr(reply, "STARTTLS"));
	client_close(&c);
	stop_lab(&r);
}

static void
smtp_auth_plain_inside_tls_accepts_demo_demo(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;

	(void)state;
	smtp_upgrade(&c, &r);
	smtp_reply(&c);
	client_send(&c, "AUTH PLAIN AGRlbW8AZGVtbw==");
	expect_line(&c, "235 2.7.0 ");
	client_close(&c);
	stop_lab(&r);
}

static void
smtp_auth_plain_with_a_334_continuation_rejects_a_wrong_password(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;

	(void)state;
	smtp_upgrade(&c, &r);
	smtp_reply(&c);
	client_send(&c, "AUTH PLAIN");
	expect_line(&c, "334 ");
	client_send(&c, "AGRlbW8Ad3Jvbmc="); /* \0demo\0wrong */
	expect_line(&c, "535 5.7.8 ");
	client_close(&c);
	stop_lab(&r);
}

/* Runs AUTH PLAIN with an initial response and returns the reply line. */
static void
smtp_auth_plain_expect(const char *response, const char *want)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;
	char line[128];

	smtp_upgrade(&c, &r);
	smtp_reply(&c);
	snprintf(line, sizeof(line), "AUTH PLAIN %s", response);
	client_send(&c, line);
	expect_line(&c, want);
	client_close(&c);
	stop_lab(&r);
}

static void
smtp_auth_plain_accepts_base64_without_padding(void **state)
{
	(void)state;
	smtp_auth_plain_expect("AGRlbW8AZGVtbw", "235 2.7.0 ");
}

static void
smtp_auth_plain_refuses_base64_with_inner_or_partial_padding(void **state)
{
	(void)state;
	smtp_auth_plain_expect("AGRlbW8=AGRlbW8=", "501 ");
	smtp_auth_plain_expect("AGRlbW8AZGVtbw=", "501 ");
}

static void
smtp_auth_login_asks_username_then_password_in_base64(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;

	(void)state;
	smtp_upgrade(&c, &r);
	smtp_reply(&c);
	client_send(&c, "AUTH LOGIN");
	expect_line(&c, "334 VXNlcm5hbWU6");
	client_send(&c, "ZGVtbw==");
	expect_line(&c, "334 UGFzc3dvcmQ6");
	client_send(&c, "ZGVtbw==");
	expect_line(&c, "235 ");
	client_close(&c);
	stop_lab(&r);
}

static void
smtp_message_is_queued_after_the_lone_dot_and_unstuffed(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;
	char *log;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "HELO client.test");
	expect_line(&c, "250 ");
	client_send(&c, "MAIL FROM:<a@client.test>");
	expect_line(&c, "250 2.1.0");
	client_send(&c, "RCPT TO:<demo@" LABCERT_HOST ">");
	expect_line(&c, "250 2.1.5");
	client_send(&c, "DATA");
	expect_line(&c, "354 ");
	client_send(&c, "..");
	client_send(&c, "more");
	client_send(&c, ".");
	expect_line(&c, "250 2.0.0 Ok: queued");
	/* ".." is one dot after unstuffing: 1 + 2 + 4 + 2 bytes. */
	log = wait_log(&r, "message data");
	assert_non_null(strstr(log, "2 lines, 9 bytes after dot-unstuffing"));
	free(log);
	client_close(&c);
	stop_lab(&r);
}

static void
smtp_commands_out_of_order_get_503(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "MAIL FROM:<a@client.test>");
	expect_line(&c, "503 5.5.1 ");
	client_send(&c, "EHLO client.test");
	smtp_reply(&c);
	client_send(&c, "RCPT TO:<demo@" LABCERT_HOST ">");
	expect_line(&c, "503 5.5.1 ");
	client_close(&c);
	stop_lab(&r);
}

static void
smtp_vrfy_is_252_noop_rset_250_and_quit_221(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "VRFY demo");
	expect_line(&c, "252 ");
	client_send(&c, "noop");
	expect_line(&c, "250 ");
	client_send(&c, "RSET");
	expect_line(&c, "250 ");
	client_send(&c, "HELP");
	assert_non_null(strstr(smtp_reply(&c), "214 "));
	client_send(&c, "QUIT");
	expect_line(&c, "221 ");
	assert_int_equal(client_line(&c), 0);
	client_close(&c);
	stop_lab(&r);
}

static void
smtp_unknown_command_gets_500(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "FROB something");
	expect_line(&c, "500 5.5.2 ");
	client_send(&c, "NOOP");
	expect_line(&c, "250 ");
	client_close(&c);
	stop_lab(&r);
}

/* ---- IMAP ---- */

static void
imap_greeting_offers_starttls_and_logindisabled_before_tls(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ");
	client_send(&c, "a capability");
	assert_non_null(
	    strstr(imap_until(&c, "a"), "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\n"));
	assert_non_null(strstr(c.line, "a OK"));
	client_close(&c);
	stop_lab(&r);
}

static void
imap_starttls_go_ahead_then_capability_offers_auth_plain(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "* OK ");
	client_send(&c, "x1 STARTTLS");
	expect_line(&c, "x1 OK Begin TLS negotiation now");
	client_tls(&c, &r);
	client_send(&c, "x2 CAPABILITY");
	assert_non_null(
	    strstr(imap_until(&c, "x2"), "* CAPABILITY IMAP4rev1 AUTH=PLAIN\n"));
	client_close(&c);
	stop_lab(&r);
}

static void
imap_login_in_plaintext_is_refused_with_privacyrequired(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "* OK ");
	client_send(&c, "a LOGIN demo demo");
	expect_line(&c, "a NO [PRIVACYREQUIRED] ");
	client_close(&c);
	stop_lab(&r);
}

static void
imap_login_takes_a_literal_after_a_continuation(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "* OK ");
	client_send(&c, "s STARTTLS");
	expect_line(&c, "s OK ");
	client_tls(&c, &r);
	client_send(&c, "a LOGIN {4}");
	expect_line(&c, "+ ");
	client_send(&c, "demo \"demo\"");
	expect_line(&c, "a OK [CAPABILITY IMAP4rev1] Logged in");
	client_close(&c);
	stop_lab(&r);
}

static void
imap_authenticate_plain_with_continuation_logs_in(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "* OK ");
	client_send(&c, "s STARTTLS");
	expect_line(&c, "s OK ");
	client_tls(&c, &r);
	client_send(&c, "a AUTHENTICATE PLAIN");
	expect_line(&c, "+");
	client_send(&c, "AGRlbW8AZGVtbw==");
	expect_line(&c, "a OK ");
	client_close(&c);
	stop_lab(&r);
}

/* Parses "{n}" at the end of the current line. */
static size_t
literal_size(const struct client *c)
{
	const char *brace = strrchr(c->line, '{');

	assert_non_null(brace);
	assert_int_equal(c->line[c->line_len - 1], '}');
	return (size_t)strtoul(brace + 1, NULL, 10);
}

static void
imap_fetch_body_literal_has_the_exact_byte_count(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;
	char body[8192], size_text[32];
	size_t n;

	(void)state;
	imap_selected(&c, &r);
	client_send(&c, "f FETCH 1 (RFC822.SIZE BODY.PEEK[])");
	expect_line(&c, "* 1 FETCH (RFC822.SIZE ");
	n = literal_size(&c);
	snprintf(size_text, sizeof size_text, "RFC822.SIZE %zu ", n);
	assert_non_null(strstr(c.line, size_text));
	assert_true(n > 100 && n < sizeof body);
	client_bytes(&c, body, n);
	body[n] = '\0';
	assert_true(strncmp(body, "Return-Path: ", 13) == 0);
	assert_true(n >= 2 && body[n - 2] == '\r' && body[n - 1] == '\n');
	/* The byte after the literal closes the response; nothing is lost or extra. */
	expect_line(&c, ")");
	assert_int_equal(c.line_len, 1);
	expect_line(&c, "f OK ");
	client_close(&c);
	stop_lab(&r);
}

static void
imap_fetch_header_ends_with_the_blank_line_and_text_is_the_rest(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;
	char header[4096], text[4096];
	size_t hn, tn, total;

	(void)state;
	imap_selected(&c, &r);
	client_send(&c, "f FETCH 3 RFC822.SIZE");
	expect_line(&c, "* 3 FETCH (RFC822.SIZE ");
	total = (size_t)strtoul(c.line + strlen("* 3 FETCH (RFC822.SIZE "), NULL, 10);
	imap_until(&c, "f");
	client_send(&c, "g FETCH 3 (BODY.PEEK[HEADER])");
	expect_line(&c, "* 3 FETCH (BODY[HEADER] {");
	hn = literal_size(&c);
	client_bytes(&c, header, hn);
	imap_until(&c, "g");
	client_send(&c, "h FETCH 3 BODY.PEEK[TEXT]");
	expect_line(&c, "* 3 FETCH (BODY[TEXT] {");
	tn = literal_size(&c);
	client_bytes(&c, text, tn);
	imap_until(&c, "h");
	assert_true(hn >= 4 && memcmp(header + hn - 4, "\r\n\r\n", 4) == 0);
	assert_int_equal(hn + tn, total);
	client_close(&c);
	stop_lab(&r);
}

static void
imap_fetch_body_sets_seen_and_reports_the_new_flags(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;
	char body[8192];

	(void)state;
	imap_selected(&c, &r);
	client_send(&c, "f FETCH 2 (FLAGS)");
	expect_line(&c, "* 2 FETCH (FLAGS ())");
	imap_until(&c, "f");
	client_send(&c, "g FETCH 2 BODY[]");
	expect_line(&c, "* 2 FETCH (BODY[] {");
	client_bytes(&c, body, literal_size(&c));
	expect_line(&c, " FLAGS (\\Seen))");
	imap_until(&c, "g");
	client_send(&c, "h UID FETCH 2 FLAGS");
	expect_line(&c, "* 2 FETCH (UID 2 FLAGS (\\Seen))");
	client_close(&c);
	stop_lab(&r);
}

static void
imap_search_all_list_and_noop_answer_as_the_rfc_says(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;

	(void)state;
	imap_selected(&c, &r);
	client_send(&c, "s SEARCH ALL");
	expect_line(&c, "* SEARCH 1 2 3");
	expect_line(&c, "s OK ");
	client_send(&c, "l LIST \"\" \"*\"");
	expect_line(&c, "* LIST (\\HasNoChildren) \"/\" INBOX");
	expect_line(&c, "l OK ");
	client_send(&c, "n NOOP");
	expect_line(&c, "n OK ");
	client_send(&c, "o LOGOUT");
	expect_line(&c, "* BYE ");
	expect_line(&c, "o OK ");
	client_close(&c);
	stop_lab(&r);
}

static void
imap_examine_is_read_only_and_an_unknown_mailbox_is_no(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;

	(void)state;
	imap_selected(&c, &r);
	client_send(&c, "e EXAMINE inbox");
	assert_non_null(strstr(imap_until(&c, "e"), "* 3 EXISTS\n"));
	assert_non_null(strstr(c.line, "e OK [READ-ONLY]"));
	client_send(&c, "f SELECT Archive");
	expect_line(&c, "f NO ");
	client_close(&c);
	stop_lab(&r);
}

static void
imap_unknown_command_and_missing_tag_get_bad(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "* OK ");
	client_send(&c, "a FROB");
	expect_line(&c, "a BAD ");
	client_send(&c, "NOTAG");
	expect_line(&c, "* BAD ");
	client_send(&c, "b SELECT INBOX");
	expect_line(&c, "b BAD ");
	client_close(&c);
	stop_lab(&r);
}

static void
imap_preauth_greets_authenticated_and_refuses_starttls(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_PREAUTH);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "* PREAUTH [CAPABILITY IMAP4rev1] demo logged in");
	client_send(&c, "a STARTTLS");
	expect_line(&c, "a BAD ");
	client_send(&c, "b SELECT INBOX");
	assert_non_null(strstr(imap_until(&c, "b"), "* 3 EXISTS"));
	client_close(&c);
	stop_lab(&r);
}

/* ---- POP3 ---- */

static void
pop3_capa_lists_stls_but_not_user_before_tls(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_HONEST);
	struct client c;
	char *capa;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "+OK ");
	client_send(&c, "CAPA");
	expect_line(&c, "+OK");
	capa = pop3_multi(&c);
	assert_non_null(strstr(capa, "STLS\n"));
	assert_non_null(strstr(capa, "TOP\n"));
	assert_non_null(strstr(capa, "UIDL\n"));
	assert_non_null(strstr(capa, "RESP-CODES\n"));
	assert_non_null(strstr(capa, "PIPELINING\n"));
	assert_null(strstr(capa, "USER"));
	assert_null(strstr(capa, "SASL"));
	client_close(&c);
	stop_lab(&r);
}

static void
pop3_user_in_plaintext_is_refused_with_the_auth_code(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "+OK ");
	client_send(&c, "USER demo");
	expect_line(&c, "-ERR [AUTH] ");
	client_close(&c);
	stop_lab(&r);
}

static void
pop3_stls_go_ahead_then_capa_offers_user_and_sasl_plain(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_HONEST);
	struct client c;
	char *capa;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "+OK ");
	client_send(&c, "stls");
	expect_line(&c, "+OK Begin TLS negotiation");
	client_tls(&c, &r);
	client_send(&c, "CAPA");
	expect_line(&c, "+OK");
	capa = pop3_multi(&c);
	assert_non_null(strstr(capa, "USER\n"));
	assert_non_null(strstr(capa, "SASL PLAIN\n"));
	assert_null(strstr(capa, "STLS"));
	client_close(&c);
	stop_lab(&r);
}

static void
pop3_retr_dot_stuffs_lines_and_ends_with_a_lone_dot(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_HONEST);
	struct client c;
	char *body;
	size_t octets, unstuffed = 0;

	(void)state;
	pop3_logged_in(&c, &r);
	client_send(&c, "RETR 2");
	expect_line(&c, "+OK ");
	octets = (size_t)strtoul(c.line + 4, NULL, 10);
	body = pop3_multi(&c);
	assert_non_null(strstr(body, "\n..A line that starts with a dot"));
	assert_non_null(strstr(body, "\n..\n"));
	assert_non_null(strstr(body, "\n...and this line started with two dots.\n"));
	/* Unstuffed, with CRLF line ends, the body is exactly the octets announced. */
	for (char *line = body; *line != '\0';) {
		char *nl = strchr(line, '\n');
		unstuffed += (size_t)(nl - line) - (line[0] == '.') + 2;
		line = nl + 1;
	}
	assert_int_equal(unstuffed, octets);
	client_close(&c);
	stop_lab(&r);
}

static void
pop3_stat_list_uidl_top_and_dele_work_on_three_messages(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_HONEST);
	struct client c;
	char *list;

	(void)state;
	pop3_logged_in(&c, &r);
	client_send(&c, "STAT");
	expect_line(&c, "+OK 3 ");
	client_send(&c, "LIST");
	expect_line(&c, "+OK");
	list = pop3_multi(&c);
	assert_non_null(strstr(list, "1 "));
	assert_non_null(strstr(list, "\n3 "));
	client_send(&c, "UIDL 1");
	expect_line(&c, "+OK 1 ");
	client_send(&c, "TOP 1 0");
	expect_line(&c, "+OK");
	list = pop3_multi(&c);
	assert_non_null(strstr(list, "Subject: Welcome to the startle lab\n"));
	assert_null(strstr(list, "Hello demo"));
	client_send(&c, "DELE 1");
	expect_line(&c, "+OK ");
	client_send(&c, "RETR 1");
	expect_line(&c, "-ERR ");
	client_send(&c, "RSET");
	expect_line(&c, "+OK");
	client_send(&c, "QUIT");
	expect_line(&c, "+OK ");
	client_close(&c);
	stop_lab(&r);
}

static void
pop3_unknown_command_gets_err(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_HONEST);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "+OK ");
	client_send(&c, "FROB");
	expect_line(&c, "-ERR ");
	client_send(&c, "STAT");
	expect_line(&c, "-ERR ");
	client_close(&c);
	stop_lab(&r);
}

/* ---- scenarios ---- */

static void
strip_removes_starttls_and_answers_it_as_unknown(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_STRIP);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "EHLO client.test");
	assert_null(strstr(smtp_reply(&c), "STARTTLS"));
	client_send(&c, "STARTTLS");
	expect_line(&c, "502 ");
	client_close(&c);
	stop_lab(&r);
}

static void
strip_removes_stls_from_pop3_capa(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_STRIP);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "+OK ");
	client_send(&c, "CAPA");
	expect_line(&c, "+OK");
	assert_null(strstr(pop3_multi(&c), "STLS"));
	client_send(&c, "STLS");
	expect_line(&c, "-ERR ");
	client_close(&c);
	stop_lab(&r);
}

static void
refuse_offers_starttls_then_answers_454(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_REFUSE);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "EHLO client.test");
	assert_non_null(strstr(smtp_reply(&c), "250-STARTTLS\n"));
	client_send(&c, "STARTTLS");
	expect_line(&c, "454 4.7.0 TLS not available");
	client_send(&c, "NOOP");
	expect_line(&c, "250 ");
	client_close(&c);
	stop_lab(&r);
}

/* Sends the TLS command and, after a short wait, reads what arrived with one
 * recv. */
static size_t
go_ahead_segment(struct client *c, const char *command, char *buf, size_t size)
{
	ssize_t n;

	client_send(c, "%s", command);
	usleep(300000);
	n = recv(c->fd, buf, size - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	return (size_t)n;
}

static void
inject_sends_go_ahead_and_injected_lines_in_one_segment(void **state)
{
	static const char want[] = "220 2.0.0 Ready\r\n250-INJECTED\r\n250 AUTH PLAIN\r\n";
	struct running r = start_lab(PROTO_SMTP, LAB_INJECT);
	struct client c;
	char seg[512];

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "EHLO client.test");
	smtp_reply(&c);
	assert_int_equal(go_ahead_segment(&c, "STARTTLS", seg, sizeof seg), strlen(want));
	assert_string_equal(seg, want);
	/* A client that discards those bytes can still upgrade. */
	client_tls(&c, &r);
	client_send(&c, "EHLO client.test");
	assert_non_null(strstr(smtp_reply(&c), "AUTH PLAIN LOGIN"));
	client_close(&c);
	stop_lab(&r);
}

static void
inject_in_imap_follows_the_clients_tag(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_INJECT);
	struct client c;
	char seg[512];

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "* OK ");
	go_ahead_segment(&c, "t7 STARTTLS", seg, sizeof seg);
	assert_string_equal(seg,
	                    "t7 OK Begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
	client_close(&c);
	stop_lab(&r);
}

static void
partial_sends_go_ahead_and_a_line_without_its_end(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_PARTIAL);
	struct client c;
	char seg[512];

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "+OK ");
	go_ahead_segment(&c, "STLS", seg, sizeof seg);
	assert_string_equal(seg, "+OK Begin TLS negotiation\r\n+OK inj");
	client_close(&c);
	stop_lab(&r);
}

static void
still_offered_lists_starttls_inside_tls(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_STILL_OFFERED);
	struct client c;

	(void)state;
	smtp_upgrade(&c, &r);
	assert_non_null(strstr(smtp_reply(&c), "250-STARTTLS\n"));
	client_send(&c, "STARTTLS");
	expect_line(&c, "554 ");
	client_close(&c);
	stop_lab(&r);
}

static void
caps_change_adds_keywords_inside_tls(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_CAPS_CHANGE);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED]");
	client_send(&c, "s STARTTLS");
	expect_line(&c, "s OK ");
	client_tls(&c, &r);
	client_send(&c, "c CAPABILITY");
	expect_line(&c, "* CAPABILITY IMAP4rev1 AUTH=PLAIN ID UNSELECT");
	client_close(&c);
	stop_lab(&r);
}

static void
escape_greeting_carries_esc_nul_cr_invalid_utf8_and_bidi(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_ESCAPE);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	assert_non_null(memmem(c.line, c.line_len, "\x1b]0;", 4));  /* OSC 0 title */
	assert_non_null(memmem(c.line, c.line_len, "\x1b]2;", 4));  /* OSC 2 title */
	assert_non_null(memmem(c.line, c.line_len, "\x1b[2J", 4));  /* clear screen */
	assert_non_null(memmem(c.line, c.line_len, "\x1b]52;", 5)); /* clipboard */
	assert_non_null(memchr(c.line, '\0', c.line_len));
	assert_non_null(memchr(c.line, '\r', c.line_len));
	assert_non_null(memmem(c.line, c.line_len, "\xff\xfe", 2));
	assert_non_null(memmem(c.line, c.line_len, "\xe2\x80\xae", 3)); /* U+202E */
	client_close(&c);
	stop_lab(&r);
}

static void
escape_never_writes_raw_control_bytes_to_the_log(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_ESCAPE);
	struct client c;
	char *log;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "NOOP \x1b[31mred");
	expect_line(&c, "250 ");
	client_send(&c, "QUIT");
	expect_line(&c, "221 ");
	log = wait_log(&r, "closed");
	for (const unsigned char *p = (const unsigned char *)log; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f || *p == 0xff)
			fail_msg("raw byte 0x%02x in the lab log:\n%s", *p, log);
	assert_non_null(strstr(log, "\\x1b]0;"));
	assert_non_null(strstr(log, "NOOP \\x1b[31mred"));
	free(log);
	client_close(&c);
	stop_lab(&r);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
slow_waits_before_the_greeting_then_trickles_bytes(void **state)
{
	struct lab_config cfg = {.proto = PROTO_POP3, .scenario = LAB_SLOW, .slow_ms = 400};
	struct running r = start_lab_cfg(cfg);
	struct client c;
	char byte[64];
	double t0;

	(void)state;
	t0 = now_ms();
	client_open(&c, &r);
	assert_int_equal(recv(c.fd, byte, sizeof byte, 0), 1);
	assert_true(now_ms() - t0 >= 380);
	assert_int_equal(byte[0], '+');
	/* The next byte comes slow_ms / 40 later, alone. */
	assert_int_equal(recv(c.fd, byte, sizeof byte, 0), 1);
	assert_int_equal(byte[0], 'O');
	client_close(&c);
	stop_lab(&r);
}

/* A TLS record header announcing a short handshake message, and its body. */
static void
send_fake_client_hello(struct client *c)
{
	static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x00, 0x04,
	                                      0x01, 0x00, 0x00, 0x00};

	assert_int_equal(send(c->fd, hello, sizeof hello, MSG_NOSIGNAL),
	                 (ssize_t)sizeof hello);
}

static void
garbage_handshake_answers_the_client_hello_with_plaintext(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_GARBAGE_HANDSHAKE);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	client_send(&c, "STARTTLS");
	expect_line(&c, "220 2.0.0 Ready to start TLS");
	send_fake_client_hello(&c);
	expect_line(&c, "this is not TLS");
	assert_int_equal(client_line(&c), 0);
	client_close(&c);
	stop_lab(&r);
}

static void
close_mid_handshake_closes_after_the_client_hello(void **state)
{
	struct running r = start_lab(PROTO_IMAP, LAB_CLOSE_MID_HANDSHAKE);
	struct client c;
	char buf[64];

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "* OK ");
	client_send(&c, "a STARTTLS");
	expect_line(&c, "a OK ");
	send_fake_client_hello(&c);
	assert_int_equal(recv(c.fd, buf, sizeof buf, 0), 0);
	client_close(&c);
	stop_lab(&r);
}

static void
no_close_notify_cuts_the_tls_capability_reply_and_closes_without_close_notify(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_NO_CLOSE_NOTIFY);
	struct client c;
	char buf[64];
	int n;

	(void)state;
	smtp_upgrade(&c, &r);
	expect_line(&c, "250-" LABCERT_HOST " Hello");
	assert_int_equal(c.len, 0);
	n = wolfSSL_read(c.ssl, buf, sizeof buf);
	assert_true(n <= 0);
	assert_int_not_equal(wolfSSL_get_error(c.ssl, n), WOLFSSL_ERROR_ZERO_RETURN);
	client_close(&c);
	stop_lab(&r);
}

static void
honest_quit_inside_tls_sends_close_notify(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;
	char buf[64];
	int n;

	(void)state;
	smtp_upgrade(&c, &r);
	smtp_reply(&c);
	client_send(&c, "QUIT");
	expect_line(&c, "221 ");
	n = wolfSSL_read(c.ssl, buf, sizeof buf);
	assert_int_equal(wolfSSL_get_error(c.ssl, n), WOLFSSL_ERROR_ZERO_RETURN);
	client_close(&c);
	stop_lab(&r);
}

static void
tls12_only_negotiates_tls_1_2(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_TLS12_ONLY);
	struct client c;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "+OK ");
	client_send(&c, "STLS");
	expect_line(&c, "+OK ");
	client_tls(&c, &r);
	assert_string_equal(wolfSSL_get_version(c.ssl), "TLSv1.2");
	client_close(&c);
	stop_lab(&r);
}

static void
implicit_tls_handshakes_before_the_greeting(void **state)
{
	struct lab_config cfg = {.proto = PROTO_IMAP, .implicit = true};
	struct running r = start_lab_cfg(cfg);
	struct client c;

	(void)state;
	client_open(&c, &r);
	client_tls(&c, &r);
	expect_line(&c, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ");
	client_close(&c);
	stop_lab(&r);
}

/* ---- the server's limits and processes ---- */

static void
a_mebibyte_without_a_line_end_is_cut_off(void **state)
{
	struct running r = start_lab(PROTO_SMTP, LAB_HONEST);
	struct client c;
	size_t total = 1024 * 1024;
	char *junk = malloc(total);

	(void)state;
	memset(junk, 'a', total);
	client_open(&c, &r);
	expect_line(&c, "220 ");
	for (size_t sent = 0; sent < total;) {
		ssize_t n = send(c.fd, junk + sent, total - sent, MSG_NOSIGNAL);
		assert_true(n > 0);
		sent += (size_t)n;
	}
	expect_line(&c, "500 5.5.0 ");
	assert_int_equal(client_line(&c), 0);
	free(junk);
	client_close(&c);
	stop_lab(&r);
}

static void
two_clients_are_served_at_once(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_HONEST);
	struct client a, b;

	(void)state;
	client_open(&a, &r);
	expect_line(&a, "+OK ");
	client_open(&b, &r);
	expect_line(&b, "+OK ");
	client_send(&b, "QUIT");
	expect_line(&b, "+OK ");
	client_send(&a, "CAPA");
	expect_line(&a, "+OK");
	client_close(&a);
	client_close(&b);
	stop_lab(&r);
}

static void
log_has_one_line_per_connection_command_and_reply(void **state)
{
	struct running r = start_lab(PROTO_POP3, LAB_HONEST);
	struct client c;
	char *log;

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "+OK ");
	client_send(&c, "NOOP");
	expect_line(&c, "-ERR ");
	client_send(&c, "QUIT");
	expect_line(&c, "+OK ");
	log = wait_log(&r, "closed");
	assert_non_null(strstr(log, "#1 connection from 127.0.0.1:"));
	assert_non_null(strstr(log, "#1 S: +OK startle-lab POP3 ready"));
	assert_non_null(strstr(log, "#1 C: NOOP\n"));
	assert_non_null(strstr(log, "#1 C: QUIT\n"));
	assert_non_null(strstr(log, "#1 S: +OK Logging out."));
	free(log);
	client_close(&c);
	stop_lab(&r);
}

static void
spawned_server_dies_with_its_parent(void **state)
{
	int fds[2];
	unsigned port = 0;
	pid_t parent;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	parent = fork();
	assert_true(parent >= 0);
	if (parent == 0) {
		struct lab_config cfg = {.proto = PROTO_SMTP};
		char *cause = NULL;
		struct lab *lab = lab_new(&cfg, &cause);
		if (lab == NULL || lab_spawn(lab, &cause) < 0)
			_exit(1);
		port = lab_port(lab);
		(void)!write(fds[1], &port, sizeof port);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &port, sizeof port), (ssize_t)sizeof port);
	close(fds[0]);
	waitpid(parent, NULL, 0);
	for (int i = 0; i < 100; i++) {
		int fd = connect_to(AF_INET, "127.0.0.1", port);
		if (fd < 0)
			return;
		close(fd);
		usleep(50000);
	}
	fail_msg("the lab on port %u still accepts connections 5 s after its parent died",
	         port);
}

static void
a_client_that_trickles_bytes_is_let_go_at_the_session_limit(void **state)
{
	struct lab_config cfg = {
	    .proto = PROTO_SMTP, .scenario = LAB_HONEST, .session_ms = 1200};
	struct running r = start_lab_cfg(cfg);
	struct client c;
	double t0 = util_now_ms();

	(void)state;
	client_open(&c, &r);
	expect_line(&c, "220 ");
	/* One byte every 100 ms: never idle, never a whole line. */
	for (int i = 0; i < 30 && util_now_ms() - t0 < 3000; i++) {
		if (send(c.fd, "N", 1, MSG_NOSIGNAL) != 1)
			break;
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
		struct pollfd p = {.fd = c.fd, .events = POLLIN};
		if (poll(&p, 1, 0) > 0)
			break;
	}
	expect_line(&c, "421 4.4.2 mail.startle.test Error: session time limit reached");
	assert_true(util_now_ms() - t0 < 3000);
	assert_int_equal(client_line(&c), 0); /* and the connection closes */
	client_close(&c);
	free(wait_log(&r, "the session limit: closing"));
	stop_lab(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_client_that_trickles_bytes_is_let_go_at_the_session_limit),
	    cmocka_unit_test(scenario_names_are_unique_and_every_lesson_is_a_sentence),
	    cmocka_unit_test(scenario_names_round_trip_and_unknown_names_are_minus_one),
	    cmocka_unit_test(every_scenario_starts_for_every_protocol_it_applies_to),
	    cmocka_unit_test(preauth_for_smtp_is_refused_with_a_sentence_naming_imap),
	    cmocka_unit_test(starttls_scenarios_are_refused_with_implicit_tls),
	    cmocka_unit_test(wildcard_listen_addresses_are_refused),
	    cmocka_unit_test(default_listen_is_127_0_0_1_only),
	    cmocka_unit_test(ipv6_loopback_is_served_when_named),
	    cmocka_unit_test(
	        smtp_greets_with_220_and_ehlo_offers_starttls_but_not_auth_before_tls),
	    cmocka_unit_test(smtp_starttls_go_ahead_is_220_2_0_0_ready_to_start_tls),
	    cmocka_unit_test(smtp_auth_in_plaintext_is_refused_with_538),
	    cmocka_unit_test(smtp_inside_tls_offers_auth_and_drops_starttls),
	    cmocka_unit_test(smtp_auth_plain_inside_tls_accepts_demo_demo),
	    cmocka_unit_test(
	        smtp_auth_plain_with_a_334_continuation_rejects_a_wrong_password),
	    cmocka_unit_test(smtp_auth_plain_accepts_base64_without_padding),
	    cmocka_unit_test(smtp_auth_plain_refuses_base64_with_inner_or_partial_padding),
	    cmocka_unit_test(smtp_auth_login_asks_username_then_password_in_base64),
	    cmocka_unit_test(smtp_message_is_queued_after_the_lone_dot_and_unstuffed),
	    cmocka_unit_test(smtp_commands_out_of_order_get_503),
	    cmocka_unit_test(smtp_vrfy_is_252_noop_rset_250_and_quit_221),
	    cmocka_unit_test(smtp_unknown_command_gets_500),
	    cmocka_unit_test(imap_greeting_offers_starttls_and_logindisabled_before_tls),
	    cmocka_unit_test(imap_starttls_go_ahead_then_capability_offers_auth_plain),
	    cmocka_unit_test(imap_login_in_plaintext_is_refused_with_privacyrequired),
	    cmocka_unit_test(imap_login_takes_a_literal_after_a_continuation),
	    cmocka_unit_test(imap_authenticate_plain_with_continuation_logs_in),
	    cmocka_unit_test(imap_fetch_body_literal_has_the_exact_byte_count),
	    cmocka_unit_test(
	        imap_fetch_header_ends_with_the_blank_line_and_text_is_the_rest),
	    cmocka_unit_test(imap_fetch_body_sets_seen_and_reports_the_new_flags),
	    cmocka_unit_test(imap_search_all_list_and_noop_answer_as_the_rfc_says),
	    cmocka_unit_test(imap_examine_is_read_only_and_an_unknown_mailbox_is_no),
	    cmocka_unit_test(imap_unknown_command_and_missing_tag_get_bad),
	    cmocka_unit_test(imap_preauth_greets_authenticated_and_refuses_starttls),
	    cmocka_unit_test(pop3_capa_lists_stls_but_not_user_before_tls),
	    cmocka_unit_test(pop3_user_in_plaintext_is_refused_with_the_auth_code),
	    cmocka_unit_test(pop3_stls_go_ahead_then_capa_offers_user_and_sasl_plain),
	    cmocka_unit_test(pop3_retr_dot_stuffs_lines_and_ends_with_a_lone_dot),
	    cmocka_unit_test(pop3_stat_list_uidl_top_and_dele_work_on_three_messages),
	    cmocka_unit_test(pop3_unknown_command_gets_err),
	    cmocka_unit_test(strip_removes_starttls_and_answers_it_as_unknown),
	    cmocka_unit_test(strip_removes_stls_from_pop3_capa),
	    cmocka_unit_test(refuse_offers_starttls_then_answers_454),
	    cmocka_unit_test(inject_sends_go_ahead_and_injected_lines_in_one_segment),
	    cmocka_unit_test(inject_in_imap_follows_the_clients_tag),
	    cmocka_unit_test(partial_sends_go_ahead_and_a_line_without_its_end),
	    cmocka_unit_test(still_offered_lists_starttls_inside_tls),
	    cmocka_unit_test(caps_change_adds_keywords_inside_tls),
	    cmocka_unit_test(escape_greeting_carries_esc_nul_cr_invalid_utf8_and_bidi),
	    cmocka_unit_test(escape_never_writes_raw_control_bytes_to_the_log),
	    cmocka_unit_test(slow_waits_before_the_greeting_then_trickles_bytes),
	    cmocka_unit_test(garbage_handshake_answers_the_client_hello_with_plaintext),
	    cmocka_unit_test(close_mid_handshake_closes_after_the_client_hello),
	    cmocka_unit_test(
	        no_close_notify_cuts_the_tls_capability_reply_and_closes_without_close_notify),
	    cmocka_unit_test(honest_quit_inside_tls_sends_close_notify),
	    cmocka_unit_test(tls12_only_negotiates_tls_1_2),
	    cmocka_unit_test(implicit_tls_handshakes_before_the_greeting),
	    cmocka_unit_test(a_mebibyte_without_a_line_end_is_cut_off),
	    cmocka_unit_test(two_clients_are_served_at_once),
	    cmocka_unit_test(log_has_one_line_per_connection_command_and_reply),
	    cmocka_unit_test(spawned_server_dies_with_its_parent),
	};

	signal(SIGPIPE, SIG_IGN);
	wolfSSL_Init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
