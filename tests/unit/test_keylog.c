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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "tlsbuild.h"
#include "tlspair.h"

#define LOG_MAX 8192

static void
session(struct tlspair *p, int max_version, const char *path)
{
	tlspair_session(
	    p, &(struct tlspair_options){.max_version = max_version, .keylog = path});
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
	snprintf(buf, size, "%s/%s", tlspair_dir(), name);
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
	struct tlspair p;
	char path[128], text[LOG_MAX], random[65] = "";

	path_for(path, sizeof path, "keys13.log");
	session(&p, 13, path);
	assert_string_equal(p.sum.version, "TLSv1.3");
	assert_string_equal(p.sum.note, "");
	/* The session's client random, as the server logged it. */
	const char *sp = strchr(tlspair_server_log(), ' ');
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
			    labels[i], text, tlspair_server_log());
	}
	assert_int_equal(count_label(text, "CLIENT_RANDOM"), 0);
	if (!lines_within(text, tlspair_server_log()))
		fail_msg("the client's key log:\n%s\nis not what the server derived:\n%s",
		         text, tlspair_server_log());
	if (!lines_within(tlspair_server_log(), text))
		fail_msg("the server derived secrets the client did not log:\n%s",
		         tlspair_server_log());
	tlspair_end(&p);
}

#else
static void
tls13_key_log_stays_empty_and_the_summary_says_why(void **state)
{
	(void)state;
	struct tlspair p;
	char path[128], text[LOG_MAX];

	path_for(path, sizeof path, "keys13.log");
	session(&p, 13, path);
	assert_string_equal(p.sum.version, "TLSv1.3");
	read_text(path, text, sizeof text);
	assert_string_equal(text, "");
	assert_non_null(strstr(p.sum.note, "nothing was written for this TLS 1.3 session"));
	assert_non_null(strstr(p.sum.note, "startle's own wolfSSL build"));
	tlspair_end(&p);
}

#endif

static void
tls12_key_log_holds_the_master_secret_the_server_has(void **state)
{
	(void)state;
	struct tlspair p;
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
	tlspair_end(&p);
}
static void
key_log_is_private_and_appended_to_across_sessions(void **state)
{
	(void)state;
	struct tlspair p;
	struct stat st;
	char path[128], text[LOG_MAX];
	int per_session = tlsbuild_has_tls13_secrets() ? 1 : 0;

	path_for(path, sizeof path, "keys-both.log");
	session(&p, 12, path);
	tlspair_end(&p);
	session(&p, 13, path);
	tlspair_end(&p);
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
	return cmocka_run_group_tests(tests, tlspair_setup, tlspair_teardown);
}
