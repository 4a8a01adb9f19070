/*
 * Unit tests for the key log (keylog.h, through tls.h) and the library's
 * identity (tlsbuild.h). A wolfSSL server on a socketpair, with the lab's
 * certificates, keeps its own key log of each session through the library's
 * OpenSSL-style callback; startle's client must have written the same
 * secrets. On a build whose library hands out no TLS 1.3 secrets (the
 * system's libwolfssl) the file stays empty and the summary says why.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/version.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "labcert.h"
#include "testutil.h"
#include "tls.h"
#include "tlsbuild.h"

#define DEADLINE_MS 10000
#define LOG_MAX 8192

static struct labcert *certs;
static const struct labcert_pair *good;
static char *ca_path;
static char dir[64];

/* The server's own key log of the current session, one line per secret.
 * Test-only state: one server runs at a time. */
static char server_log[LOG_MAX];

#ifdef HAVE_SECRET_CALLBACK
static void
server_keylog(const WOLFSSL *ssl, const char *line)
{
	(void)ssl;
	size_t used = strlen(server_log);
	snprintf(server_log + used, sizeof server_log - used, "%s\n", line);
	/* wolfSSL writes upper-case hex, startle (like NSS) lower case. */
	for (char *c = strchr(server_log + used, ' '); c != NULL && *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
}
#endif

struct pair {
	int cfd, sfd;
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
	struct tls_conn *tc;
	struct tls_summary sum;
};

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1000.0 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A server limited to max_version (12 or 13), on one end of a socketpair. */
static void
server_start(struct pair *p, int max_version)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK),
		                 0);
	p->cfd = sv[0];
	p->sfd = sv[1];
	server_log[0] = '\0';
	p->ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
	assert_non_null(p->ctx);
	assert_int_equal(wolfSSL_CTX_set_max_proto_version(
	                     p->ctx, max_version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION),
	                 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_use_certificate_chain_buffer_format(
	                     p->ctx, (const unsigned char *)good->chain_pem,
	                     (long)good->chain_len, WOLFSSL_FILETYPE_PEM),
	                 WOLFSSL_SUCCESS);
	assert_int_equal(
	    wolfSSL_CTX_use_PrivateKey_buffer(p->ctx, (const unsigned char *)good->key_pem,
	                                      (long)good->key_len, WOLFSSL_FILETYPE_PEM),
	    WOLFSSL_SUCCESS);
#ifdef HAVE_SECRET_CALLBACK
	wolfSSL_CTX_set_keylog_callback(p->ctx, server_keylog);
#endif
	p->ssl = wolfSSL_new(p->ctx);
	assert_non_null(p->ssl);
	wolfSSL_KeepArrays(p->ssl); /* the client random, for TLS 1.2's line */
	assert_int_equal(wolfSSL_set_fd(p->ssl, p->sfd), WOLFSSL_SUCCESS);
}

/* One session with startle's client writing its key log to path: the
 * handshake on both sides, then the client's summary. */
static void
session(struct pair *p, int max_version, const char *path)
{
	struct tls_config cfg = {.cafile = ca_path,
	                         .sni = LABCERT_HOST,
	                         .verify_name = LABCERT_HOST,
	                         .keylog = path};
	struct timespec t0;
	char *cause = NULL;
	bool accepted = false;
	int r;

	memset(p, 0, sizeof *p);
	server_start(p, max_version);
	p->tc = tls_new(p->cfd, &cfg, NULL, &cause);
	assert_non_null(p->tc);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		r = tls_handshake(p->tc, &cause);
		if (!accepted)
			accepted = wolfSSL_accept(p->ssl) == WOLFSSL_SUCCESS;
		assert_true(r == TLS_OK || r == TLS_WANT_READ || r == TLS_WANT_WRITE);
		assert_true(ms_since(&t0) < DEADLINE_MS);
		struct pollfd pf[2] = {{.fd = p->cfd, .events = POLLIN},
		                       {.fd = p->sfd, .events = POLLIN}};
		if (r != TLS_OK || !accepted)
			(void)poll(pf, 2, 20);
	} while (r != TLS_OK || !accepted);
	tls_get_summary(p->tc, &p->sum);
	free(cause);
}

static void
session_end(struct pair *p)
{
	tls_free(p->tc);
	wolfSSL_free(p->ssl);
	wolfSSL_CTX_free(p->ctx);
	close(p->cfd);
	close(p->sfd);
}

static void
read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	if (f != NULL) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* The number of lines of text that start with "label ". */
static int
count_label(const char *text, const char *label)
{
	int n = 0;
	size_t len = strlen(label);
	for (const char *p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
		if (strncmp(p, label, len) == 0 && p[len] == ' ')
			n++;
		if (strchr(p, '\n') == NULL)
			break;
	}
	return n;
}

static void
path_for(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	unlink(buf);
}

#ifdef HAVE_SECRET_CALLBACK
/* True when every line of a appears as a whole line of b. */
static bool
lines_within(const char *a, const char *b)
{
	char line[512], probe[520];
	for (const char *p = a; *p != '\0';) {
		const char *end = strchr(p, '\n');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		assert_true(len < sizeof line);
		memcpy(line, p, len);
		line[len] = '\0';
		snprintf(probe, sizeof probe, "%s\n", line);
		if (strstr(b, probe) == NULL)
			return false;
		p += len + (end != NULL);
	}
	return true;
}

static void
tls13_key_log_holds_the_five_secrets_the_server_derived(void **state)
{
	(void)state;
	static const char *const labels[] = {
	    "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
	    "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"};
	struct pair p;
	char path[128], text[LOG_MAX], random[65] = "";

	path_for(path, sizeof path, "keys13.log");
	session(&p, 13, path);
	assert_string_equal(p.sum.version, "TLSv1.3");
	assert_string_equal(p.sum.note, "");
	/* The session's client random, as the server logged it. */
	const char *sp = strchr(server_log, ' ');
	assert_non_null(sp);
	memcpy(random, sp + 1, 64);
	read_text(path, text, sizeof text);
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
		char want[160];
		snprintf(want, sizeof want, "%s %s ", labels[i], random);
		if (count_label(text, labels[i]) != 1 || strstr(text, want) == NULL)
			fail_msg(
			    "no single %s line with the session's client random in:\n%s"
			    "the server logged:\n%s",
			    labels[i], text, server_log);
	}
	assert_int_equal(count_label(text, "CLIENT_RANDOM"), 0);
	if (!lines_within(text, server_log))
		fail_msg("the client's key log:\n%s\nis not what the server derived:\n%s",
		         text, server_log);
	if (!lines_within(server_log, text))
		fail_msg("the server derived secrets the client did not log:\n%s",
		         server_log);
	session_end(&p);
}

#else
static void
tls13_key_log_stays_empty_and_the_summary_says_why(void **state)
{
	(void)state;
	struct pair p;
	char path[128], text[LOG_MAX];

	path_for(path, sizeof path, "keys13.log");
	session(&p, 13, path);
	assert_string_equal(p.sum.version, "TLSv1.3");
	read_text(path, text, sizeof text);
	assert_string_equal(text, "");
	assert_non_null(strstr(p.sum.note, "nothing was written for this TLS 1.3 session"));
	assert_non_null(strstr(p.sum.note, "startle's own wolfSSL build"));
	session_end(&p);
}

#endif

static void
tls12_key_log_holds_the_master_secret_the_server_has(void **state)
{
	(void)state;
	struct pair p;
	char path[128], text[LOG_MAX], want[256];
	unsigned char cr[32], master[48];

	path_for(path, sizeof path, "keys12.log");
	session(&p, 12, path);
	assert_string_equal(p.sum.version, "TLSv1.2");
	assert_string_equal(p.sum.note, "");
	assert_int_equal(wolfSSL_get_client_random(p.ssl, cr, sizeof cr), sizeof cr);
	assert_int_equal(wolfSSL_SESSION_get_master_key(wolfSSL_get_session(p.ssl), master,
	                                                sizeof master),
	                 sizeof master);
	size_t o = (size_t)snprintf(want, sizeof want, "CLIENT_RANDOM ");
	for (size_t i = 0; i < sizeof cr; i++)
		o += (size_t)snprintf(want + o, sizeof want - o, "%02x", cr[i]);
	o += (size_t)snprintf(want + o, sizeof want - o, " ");
	for (size_t i = 0; i < sizeof master; i++)
		o += (size_t)snprintf(want + o, sizeof want - o, "%02x", master[i]);
	snprintf(want + o, sizeof want - o, "\n");
	read_text(path, text, sizeof text);
	assert_string_equal(text, want);
	session_end(&p);
}
static void
key_log_is_private_and_appended_to_across_sessions(void **state)
{
	(void)state;
	struct pair p;
	struct stat st;
	char path[128], text[LOG_MAX];
	int per_session = tlsbuild_has_tls13_secrets() ? 1 : 0;

	path_for(path, sizeof path, "keys-both.log");
	session(&p, 12, path);
	session_end(&p);
	session(&p, 13, path);
	session_end(&p);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	read_text(path, text, sizeof text);
	assert_int_equal(count_label(text, "CLIENT_RANDOM"), 1);
	assert_int_equal(count_label(text, "EXPORTER_SECRET"), per_session);
}

static void
the_library_running_is_the_one_compiled_against(void **state)
{
	(void)state;
	assert_string_equal(tlsbuild_version(), LIBWOLFSSL_VERSION_STRING);
	assert_non_null(strstr(tlsbuild_describe(), tlsbuild_version()));
}

static void
startles_own_build_is_5_7_with_the_secret_callback(void **state)
{
	(void)state;
	if (!tlsbuild_is_own()) {
		assert_non_null(strstr(tlsbuild_describe(), "the system library"));
		skip();
	}
	/* Compiled against the system's options.h by mistake, this would lack the
	 * callback while the Makefile says it is startle's own build. */
	assert_true(tlsbuild_has_tls13_secrets());
	assert_true(LIBWOLFSSL_VERSION_HEX >= 0x05007002);
	assert_non_null(strstr(tlsbuild_describe(), "startle's own build"));
	assert_non_null(strstr(tlsbuild_describe(), "TLS 1.3 secrets"));
}

static int
setup(void **state)
{
	(void)state;
	char *cause = NULL;

	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(tls_global_init(&cause), 0);
	certs = labcert_new(&cause);
	assert_non_null(certs);
	assert_int_equal(labcert_get(certs, LABCERT_GOOD, &good, &cause), 0);
	ca_path = labcert_write_ca(certs, &cause);
	assert_non_null(ca_path);
	snprintf(dir, sizeof dir, "/tmp/startle-keylog-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(ca_path);
	free(ca_path);
	labcert_free(certs);
	testutil_remove_tree(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#ifdef HAVE_SECRET_CALLBACK
	    cmocka_unit_test(tls13_key_log_holds_the_five_secrets_the_server_derived),
#else
	    cmocka_unit_test(tls13_key_log_stays_empty_and_the_summary_says_why),
#endif
	    cmocka_unit_test(tls12_key_log_holds_the_master_secret_the_server_has),
	    cmocka_unit_test(key_log_is_private_and_appended_to_across_sessions),
	    cmocka_unit_test(the_library_running_is_the_one_compiled_against),
	    cmocka_unit_test(startles_own_build_is_5_7_with_the_secret_callback),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
