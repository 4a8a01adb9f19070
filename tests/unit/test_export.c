/* export: other tools' command lines for a connection, their shell quoting,
 * and the presented chain saved as PEM with its pins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cmocka.h>

#include "certfile.h"
#include "export.h"
#include "testutil.h"
#include "util.h"

/* The words sh reads from text, each followed by a NUL, as printf prints
 * them: `text` runs with the named program replaced by a function that
 * prints its arguments. Returns them joined by '|' (caller frees). */
static char *
sh_words(const char *program, const char *text)
{
	char *script = str_printf("%s() { printf '%%s|' \"$@\"; }\n%s", program, text);
	char path[] = "/tmp/startle-export-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, script, strlen(script)), (ssize_t)strlen(script));
	close(fd);
	free(script);
	char *cmd = str_printf("sh %s", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char *buf = xmalloc(65536);
	size_t n = fread(buf, 1, 65535, p);
	buf[n] = '\0';
	assert_int_equal(pclose(p), 0);
	unlink(path);
	free(cmd);
	return buf;
}

static void
test_quote_leaves_safe_words_and_single_quotes_the_rest(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"-connect", "-connect"},
	    {"127.0.0.1:25", "127.0.0.1:25"},
	    {"/etc/ssl/ca.pem", "/etc/ssl/ca.pem"},
	    {"NORMAL:-VERS-ALL:+VERS-TLS1.3", "NORMAL:-VERS-ALL:+VERS-TLS1.3"},
	    {"", "''"},
	    {"my ca.pem", "'my ca.pem'"},
	    {"it's", "'it'\\''s'"},
	    {"$HOME", "'$HOME'"},
	    {"~/ca.pem", "'~/ca.pem'"},
	    {"[::1]:25", "'[::1]:25'"},
	    {"#x", "'#x'"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *q = export_quote(cases[i].in);
		assert_string_equal(q, cases[i].out);
		free(q);
	}
}

static void
test_quoted_words_round_trip_through_sh(void **state)
{
	static const char *const words[] = {
	    "plain",
	    "two words",
	    "it's",
	    "\"double\"",
	    "back\\slash",
	    "$HOME `id` $(id)",
	    "*?[a]",
	    "~user",
	    "line\nbreak",
	    "tab\there",
	    "!bang",
	    "#hash",
	    "",
	    "'",
	    "''",
	    "caf\xc3\xa9",
	    "semi;colon&amp|pipe>out<in",
	};
	char *text = xstrdup("tool"), *expect = xstrdup("");
	(void)state;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		char *q = export_quote(words[i]), *t = str_printf("%s %s", text, q);
		char *e = str_printf("%s%s|", expect, words[i]);
		free(text);
		free(expect);
		free(q);
		text = t;
		expect = e;
	}
	char *got = sh_words("tool", text);
	assert_string_equal(got, expect);
	free(got);
	free(text);
	free(expect);
}

static struct export_options
options(const char *target)
{
	struct export_options o = {0};
	char *cause = NULL;

	assert_int_equal(target_parse(target, -1, -1, &o.target, &cause), 0);
	return o;
}

/* The command as one line, comments included. */
static char *
command(enum export_tool tool, const struct export_options *o)
{
	struct export_command c;

	export_build(tool, o, &c);
	char *text = export_format(&c, 0);
	export_command_free(&c);
	return text;
}

static void
test_openssl_starttls_names_every_choice_of_the_connection(void **state)
{
	struct export_options o = options("imap://127.0.0.1:1143");
	(void)state;
	o.servername = "mail.startle.test";
	o.cafile = "/tmp/my ca.pem";
	o.tls_min = 12;
	o.keylog = "/tmp/keys";
	char *t = command(EXPORT_OPENSSL, &o);
	assert_string_equal(t, "openssl s_client -starttls imap -connect 127.0.0.1:1143 "
	                       "-servername mail.startle.test -verify_hostname "
	                       "mail.startle.test -CAfile '/tmp/my ca.pem' "
	                       "-verify_return_error -min_protocol TLSv1.2 -keylogfile "
	                       "/tmp/keys -crlf\n");
	free(t);
}

/* --groups, --alpn, --cert/--key and --reconnect go where a tool has them
 * and are named in a comment where it has not; --ciphers always is. */
static void
test_handshake_options_are_passed_on_or_named(void **state)
{
	struct export_options o = options("smtp://127.0.0.1:2525");
	(void)state;
	o.groups = "X25519,P-256";
	o.alpn = "smtp:x";
	o.client_cert = "/tmp/me.pem";
	o.reconnect = true;
	o.ciphers = "TLS_AES_128_GCM_SHA256";
	char *t = command(EXPORT_OPENSSL, &o);
	assert_non_null(strstr(t, "# not expressible: --ciphers"));
	assert_non_null(strstr(t, " -groups X25519:P-256 -alpn smtp,x -cert /tmp/me.pem "
	                          "-key /tmp/me.pem -reconnect "));
	free(t);
	o.client_key = "/tmp/me.key";
	t = command(EXPORT_GNUTLS, &o);
	assert_non_null(strstr(t, "# not expressible: --groups"));
	assert_non_null(strstr(t, " --x509certfile /tmp/me.pem --x509keyfile /tmp/me.key "
	                          "--alpn smtp --alpn x --resume "));
	free(t);
	t = command(EXPORT_SWAKS, &o);
	assert_non_null(strstr(t, "# not expressible: --alpn"));
	assert_non_null(strstr(t, "# not expressible: --reconnect"));
	assert_non_null(strstr(t, " --tls-cert /tmp/me.pem --tls-key /tmp/me.key "));
	free(t);
	t = command(EXPORT_CURL, &o);
	assert_null(strstr(t, "# not expressible: --groups"));
	assert_non_null(strstr(t, " --curves X25519:P-256 --cert /tmp/me.pem --key "
	                          "/tmp/me.key "));
	free(t);
}

static void
test_openssl_implicit_to_an_address_sends_no_sni_and_checks_the_address(void **state)
{
	struct export_options o = options("[::1]:993");
	(void)state;
	o.tls_min = o.tls_max = 13;
	char *t = command(EXPORT_OPENSSL, &o);
	assert_string_equal(t, "openssl s_client -connect '[::1]:993' -noservername "
	                       "-verify_ip ::1 -verify_return_error -tls1_3 -crlf\n");
	free(t);
}

static void
test_openssl_smtp_ehlo_goes_in_name_and_a_timeout_is_a_comment(void **state)
{
	struct export_options o = options("submission://mx.example.org");
	(void)state;
	o.ehlo = "client.test";
	o.timeout_s = 5;
	o.tls_max = 12;
	char *t = command(EXPORT_OPENSSL, &o);
	assert_string_equal(t, "# not expressible: --timeout 5 (s_client waits as long as "
	                       "the server does: put \"timeout 5\" in front of it)\n"
	                       "openssl s_client -starttls smtp -name client.test -connect "
	                       "mx.example.org:587 -servername mx.example.org "
	                       "-verify_hostname mx.example.org -verify_return_error "
	                       "-max_protocol TLSv1.2 -crlf\n");
	free(t);
}

static void
test_gnutls_takes_the_key_log_from_the_environment(void **state)
{
	struct export_options o = options("pop3://127.0.0.1:1110");
	(void)state;
	o.servername = "mail.startle.test";
	o.cafile = "ca.pem";
	o.keylog = "my keys";
	o.tls_max = 12;
	char *t = command(EXPORT_GNUTLS, &o);
	assert_string_equal(t, "SSLKEYLOGFILE='my keys' gnutls-cli --starttls-proto pop3 "
	                       "-p 1110 --x509cafile ca.pem --sni-hostname "
	                       "mail.startle.test --verify-hostname mail.startle.test "
	                       "--priority NORMAL:-VERS-TLS1.3 --crlf 127.0.0.1\n");
	free(t);
}

static void
test_gnutls_priorities_keep_the_versions_between_the_limits(void **state)
{
	struct export_options o = options("smtps://mail.example.org");
	(void)state;
	o.tls_min = 12;
	o.tls_max = 12;
	char *t = command(EXPORT_GNUTLS, &o);
	assert_string_equal(t, "gnutls-cli -p 465 --priority NORMAL:-VERS-ALL:+VERS-TLS1.2 "
	                       "--crlf mail.example.org\n");
	free(t);
	o.tls_max = 0;
	o.tls_min = 13;
	t = command(EXPORT_GNUTLS, &o);
	assert_non_null(strstr(t, "--priority NORMAL:-VERS-ALL:+VERS-TLS1.3 "));
	free(t);
}

static void
test_swaks_smtp_verifies_the_chain_and_says_it_cannot_check_the_name(void **state)
{
	struct export_options o = options("smtp://127.0.0.1:2525");
	(void)state;
	o.servername = "mail.startle.test";
	o.cafile = "ca.pem";
	o.tls_min = 12;
	o.keylog = "k";
	char *t = command(EXPORT_SWAKS, &o);
	assert_string_equal(t, "# not expressible: --keylog (swaks writes no key log)\n"
	                       "# not expressible: checking that the certificate names the "
	                       "server (--tls-verify checks the chain only)\n"
	                       "swaks --server 127.0.0.1:2525 --tls --tls-verify "
	                       "--tls-ca-path ca.pem --tls-sni mail.startle.test "
	                       "--tls-protocol tlsv1_2,tlsv1_3 --quit-after helo\n");
	free(t);
}

static void
test_swaks_implicit_with_auth_logs_in_and_quits_after(void **state)
{
	struct export_options o = options("smtps://mail.example.org");
	(void)state;
	o.auth_user = "demo";
	o.auth_mech = AUTH_LOGIN;
	o.timeout_s = 10;
	char *t = command(EXPORT_SWAKS, &o);
	assert_non_null(strstr(t, "swaks --server mail.example.org:465 --tls-on-connect "
	                          "--tls-verify --tls-sni mail.example.org --auth LOGIN "
	                          "--auth-user demo --timeout 10s --quit-after auth\n"));
	free(t);
}

static void
test_swaks_for_imap_is_a_comment_and_no_command(void **state)
{
	struct export_options o = options("imaps://mail.example.org");
	struct export_command c;
	(void)state;
	export_build(EXPORT_SWAKS, &o, &c);
	assert_int_equal(c.nwords, 0);
	assert_int_equal(c.ncomments, 1);
	assert_string_equal(c.comments[0], "# not expressible: swaks speaks SMTP only, and "
	                                   "this target is IMAP: export to openssl, gnutls "
	                                   "or curl instead");
	export_command_free(&c);
}

static void
test_curl_starttls_resolves_the_name_to_the_address(void **state)
{
	struct export_options o = options("imap://127.0.0.1:1143");
	(void)state;
	o.servername = "mail.startle.test";
	o.cafile = "ca.pem";
	o.tls_max = 12;
	o.keylog = "/tmp/k";
	char *t = command(EXPORT_CURL, &o);
	assert_string_equal(t, "SSLKEYLOGFILE=/tmp/k curl --verbose --ssl-reqd --cacert "
	                       "ca.pem --tls-max 1.2 --resolve "
	                       "mail.startle.test:1143:127.0.0.1 --request CAPABILITY "
	                       "imap://mail.startle.test:1143/\n");
	free(t);
}

static void
test_curl_ipv6_and_other_names_connect_to_the_host(void **state)
{
	struct export_options o = options("submission://[::1]");
	(void)state;
	o.ehlo = "client test";
	o.tls_min = 13;
	char *t = command(EXPORT_CURL, &o);
	assert_string_equal(t, "curl --verbose --ssl-reqd --tlsv1.3 --globoff "
	                       "'smtp://[::1]:587/client%20test'\n");
	free(t);
	o = options("pop3s://mail.example.org");
	o.servername = "pop.example.org";
	o.auth_user = "demo";
	t = command(EXPORT_CURL, &o);
	assert_string_equal(t, "curl --verbose --user demo --login-options AUTH=PLAIN "
	                       "--connect-to pop.example.org:995:mail.example.org:995 "
	                       "--request CAPA pop3s://pop.example.org:995/\n");
	free(t);
}

static void
test_what_no_tool_can_do_is_named_without_the_users_values(void **state)
{
	struct export_options o = options("smtp://mail.example.org");
	(void)state;
	o.lines = true;
	o.log = o.record = true;
	o.insecure = true;
	o.save_chain = "chain\n rm -rf ~";
	o.auth_user = "demo";
	for (int tool = 0; tool < EXPORT_TOOL_COUNT; tool++) {
		struct export_command c;
		export_build((enum export_tool)tool, &o, &c);
		assert_true(c.ncomments >= 3);
		for (size_t i = 0; i < c.ncomments; i++) {
			assert_true(strncmp(c.comments[i], "# not expressible: ", 19) == 0);
			assert_null(strchr(c.comments[i], '\n'));
			assert_null(strstr(c.comments[i], "rm -rf"));
		}
		assert_non_null(strstr(c.comments[0], "-c and --script"));
		assert_non_null(strstr(c.comments[1], "--log and --record"));
		assert_non_null(strstr(c.comments[2], "--insecure"));
		export_command_free(&c);
	}
}

static void
test_wrapped_command_reads_back_as_the_same_words(void **state)
{
	struct export_options o = options("imap://127.0.0.1:1143");
	struct export_command c;
	(void)state;
	o.servername = "mail.startle.test";
	o.cafile = "/a/rather long/path with 'quotes'/and spaces/ca.pem";
	o.keylog = "/tmp/keys";
	o.tls_min = 12;
	export_build(EXPORT_OPENSSL, &o, &c);
	char *one = export_format(&c, 0), *wrapped = export_format(&c, 40);
	export_command_free(&c);
	/* Every line but those with one long word fits. */
	for (const char *p = wrapped; *p != '\0';) {
		size_t n = strcspn(p, "\n");
		if (memchr(p, '\'', n) == NULL)
			assert_true(n <= 40);
		p += n + 1;
	}
	assert_non_null(strstr(wrapped, " \\\n    "));
	char *a = sh_words("openssl", one), *b = sh_words("openssl", wrapped);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "|-CAfile|/a/rather long/path with 'quotes'/and "
	                          "spaces/ca.pem|"));
	free(a);
	free(b);
	free(one);
	free(wrapped);
}

static void
test_tool_names_and_aliases(void **state)
{
	(void)state;
	assert_int_equal(export_tool_from_name("openssl"), EXPORT_OPENSSL);
	assert_int_equal(export_tool_from_name("s_client"), EXPORT_OPENSSL);
	assert_int_equal(export_tool_from_name("gnutls"), EXPORT_GNUTLS);
	assert_int_equal(export_tool_from_name("gnutls-cli"), EXPORT_GNUTLS);
	assert_int_equal(export_tool_from_name("swaks"), EXPORT_SWAKS);
	assert_int_equal(export_tool_from_name("curl"), EXPORT_CURL);
	assert_int_equal(export_tool_from_name("wget"), -1);
	assert_int_equal(export_tool_from_name(""), -1);
	assert_string_equal(export_tool_name(EXPORT_GNUTLS), "gnutls");
}

static const char lab_spki[] =
    "375868e3b207689bbee4d4446c47ec9f2edde43b62f4e028a9efa56112d5437a";

static void
test_pin_is_the_base64_of_the_spki_hash(void **state)
{
	struct cert_info c = {0};
	char pin[CERTFILE_PIN_SIZE];
	(void)state;
	/* The lab leaf's, as openssl x509 -pubkey | ... | base64 gives it. */
	memcpy(c.spki_sha256, lab_spki, sizeof lab_spki);
	assert_true(certfile_pin_sha256(&c, pin));
	assert_string_equal(pin, "N1ho47IHaJu+5NREbEfsny7d5Dti9OAoqe+lYRLVQ3o=");
	c.spki_sha256[0] = '\0';
	assert_false(certfile_pin_sha256(&c, pin));
	assert_string_equal(pin, "");
	memcpy(c.spki_sha256, lab_spki, sizeof lab_spki);
	c.spki_sha256[5] = 'x';
	assert_false(certfile_pin_sha256(&c, pin));
}

static const char pem100[] =
    "-----BEGIN CERTIFICATE-----\n"
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\n"
    "MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5f\n"
    "YGFiYw==\n"
    "-----END CERTIFICATE-----\n";

static void
test_pem_is_base64_in_lines_of_64(void **state)
{
	unsigned char der[100];
	(void)state;
	for (size_t i = 0; i < sizeof der; i++)
		der[i] = (unsigned char)i;
	char *pem = certfile_pem(der, sizeof der);
	assert_string_equal(pem, pem100);
	free(pem);
	pem = certfile_pem(der, 48); /* exactly one full line */
	assert_string_equal(pem,
	                    "-----BEGIN CERTIFICATE-----\n"
	                    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss"
	                    "LS4v\n-----END CERTIFICATE-----\n");
	free(pem);
}

/* A transcript with a connection, and a chain of two certificates whose
 * DER is 100 and 48 bytes of a counting pattern. */
struct chain_fixture {
	struct transcript *t;
	unsigned char der[100];
	char dir[64];
};

static void
append_kind(struct transcript *t, enum event_kind kind, struct cert_info *c)
{
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_SERVER, .kind = kind};
	struct cert_verdict v = {.verified = true};

	ev.text = (unsigned char *)"x";
	ev.len = 1;
	ev.cert = c;
	if (kind == EV_TLS)
		ev.verdict = &v;
	transcript_append(t, &ev);
}

static void
append_chain(struct chain_fixture *f)
{
	for (int depth = 0; depth < 2; depth++) {
		struct cert_info c = {.depth = depth};
		c.der = f->der;
		c.der_len = depth == 0 ? 100 : 48;
		append_kind(f->t, EV_CERT, &c);
	}
	append_kind(f->t, EV_TLS, NULL);
}

static int
chain_setup(void **state)
{
	struct chain_fixture *f = xcalloc(1, sizeof *f);
	for (size_t i = 0; i < sizeof f->der; i++)
		f->der[i] = (unsigned char)i;
	f->t = transcript_new();
	snprintf(f->dir, sizeof f->dir, "/tmp/startle-chain-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int
chain_teardown(void **state)
{
	struct chain_fixture *f = *state;
	transcript_free(f->t);
	testutil_remove_tree(f->dir);
	free(f);
	return 0;
}

static void
test_chain_is_the_last_connections_leaf_first(void **state)
{
	struct chain_fixture *f = *state;
	const struct cert_info *certs[CERT_CHAIN_MAX];

	assert_int_equal(export_chain(f->t, certs, CERT_CHAIN_MAX), 0);
	append_kind(f->t, EV_CONNECT, NULL);
	assert_int_equal(export_chain(f->t, certs, CERT_CHAIN_MAX), 0);
	append_chain(f);
	append_kind(f->t, EV_LINE, NULL);
	assert_int_equal(export_chain(f->t, certs, CERT_CHAIN_MAX), 2);
	assert_int_equal(certs[0]->depth, 0);
	assert_int_equal(certs[1]->depth, 1);
	assert_int_equal(export_chain(f->t, certs, 1), 1);
	/* A new connection (/reconnect) has no chain until its handshake. */
	append_kind(f->t, EV_CONNECT, NULL);
	assert_int_equal(export_chain(f->t, certs, CERT_CHAIN_MAX), 0);
}

static char *
read_file(const char *path)
{
	char *text = NULL, *cause = NULL;
	size_t len;
	assert_int_equal(
	    util_read_text_file(path, 1 << 20, "chain", false, &text, &len, &cause), 0);
	return text;
}

static void
test_saved_chain_is_private_pem_and_replaces_a_file(void **state)
{
	struct chain_fixture *f = *state;
	char *path = str_printf("%s/chain.pem", f->dir), *cause = NULL;
	bool replaced = true;
	struct stat st;

	assert_int_equal(export_save_chain(f->t, path, &replaced, &cause), -1);
	assert_non_null(strstr(cause, "no certificate chain"));
	free(cause);
	cause = NULL;
	assert_int_equal(access(path, F_OK), -1);
	append_kind(f->t, EV_CONNECT, NULL);
	append_chain(f);
	assert_int_equal(export_save_chain(f->t, path, &replaced, &cause), 2);
	assert_false(replaced);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *text = read_file(path), *second = certfile_pem(f->der, 48);
	char *expect = str_printf("%s%s", pem100, second);
	assert_string_equal(text, expect);
	free(text);
	/* Again: the file there is replaced, and stays private. */
	chmod(path, 0644);
	assert_int_equal(export_save_chain(f->t, path, &replaced, &cause), 2);
	assert_true(replaced);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = read_file(path);
	assert_string_equal(text, expect);
	free(text);
	free(second);
	free(expect);
	free(path);
}

static void
test_saved_chain_refuses_links_directories_and_missing_directories(void **state)
{
	struct chain_fixture *f = *state;
	char *link = str_printf("%s/link.pem", f->dir),
	     *target = str_printf("%s/t", f->dir);
	char *missing = str_printf("%s/no/such/dir/c.pem", f->dir), *cause = NULL;

	append_kind(f->t, EV_CONNECT, NULL);
	append_chain(f);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(export_save_chain(f->t, link, NULL, &cause), -1);
	assert_non_null(strstr(cause, "symbolic link"));
	free(cause);
	assert_int_equal(access(target, F_OK), -1);
	assert_int_equal(export_save_chain(f->t, f->dir, NULL, &cause), -1);
	assert_non_null(strstr(cause, "directory"));
	free(cause);
	assert_int_equal(certfile_check(missing, &cause), -1);
	assert_non_null(strstr(cause, "cannot be created"));
	free(cause);
	assert_int_equal(certfile_check(target, &cause), 0);
	/* Writing to a device goes to it as it is. */
	assert_int_equal(export_save_chain(f->t, "/dev/null", NULL, &cause), 2);
	free(link);
	free(target);
	free(missing);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quote_leaves_safe_words_and_single_quotes_the_rest),
	    cmocka_unit_test(test_quoted_words_round_trip_through_sh),
	    cmocka_unit_test(test_openssl_starttls_names_every_choice_of_the_connection),
	    cmocka_unit_test(
	        test_handshake_options_are_passed_on_or_named),
	    cmocka_unit_test(test_openssl_implicit_to_an_address_sends_no_sni_and_checks_the_address),
	    cmocka_unit_test(
	        test_openssl_smtp_ehlo_goes_in_name_and_a_timeout_is_a_comment),
	    cmocka_unit_test(test_gnutls_takes_the_key_log_from_the_environment),
	    cmocka_unit_test(test_gnutls_priorities_keep_the_versions_between_the_limits),
	    cmocka_unit_test(
	        test_swaks_smtp_verifies_the_chain_and_says_it_cannot_check_the_name),
	    cmocka_unit_test(test_swaks_implicit_with_auth_logs_in_and_quits_after),
	    cmocka_unit_test(test_swaks_for_imap_is_a_comment_and_no_command),
	    cmocka_unit_test(test_curl_starttls_resolves_the_name_to_the_address),
	    cmocka_unit_test(test_curl_ipv6_and_other_names_connect_to_the_host),
	    cmocka_unit_test(test_what_no_tool_can_do_is_named_without_the_users_values),
	    cmocka_unit_test(test_wrapped_command_reads_back_as_the_same_words),
	    cmocka_unit_test(test_tool_names_and_aliases),
	    cmocka_unit_test(test_pin_is_the_base64_of_the_spki_hash),
	    cmocka_unit_test(test_pem_is_base64_in_lines_of_64),
	    cmocka_unit_test_setup_teardown(test_chain_is_the_last_connections_leaf_first,
	                                    chain_setup, chain_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_saved_chain_is_private_pem_and_replaces_a_file, chain_setup,
	        chain_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_saved_chain_refuses_links_directories_and_missing_directories,
	        chain_setup, chain_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
