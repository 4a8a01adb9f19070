#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "ui.h"
#include "tls.h"

#define ARGV(...) ((char *[]){"startle", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"startle", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, cause, ...) cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o, cause)

static void
expect_error(char *cause, const char *needle)
{
	assert_non_null(cause);
	if (strstr(cause, needle) == NULL)
		fail_msg("\"%s\" does not mention \"%s\"", cause, needle);
	free(cause);
}

static void
test_commands_and_starttls_keep_their_order(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--batch", "-c", "EHLO me", "--starttls", "-c",
	                       "EHLO me", "--command", "QUIT", "submission://h"),
	                 0);
	assert_int_equal(o.mode, MODE_BATCH);
	assert_int_equal(o.script.n, 4);
	assert_int_equal(o.script.nlines, 3);
	assert_int_equal(o.script.steps[0].kind, SCRIPT_LINE);
	assert_string_equal(o.script.steps[0].line, "EHLO me");
	assert_int_equal(o.script.steps[1].kind, SCRIPT_STARTTLS);
	assert_string_equal(o.script.steps[3].line, "QUIT");
	assert_int_equal(o.target.port, 587);
	cli_free(&o);
}

static void
test_client_certificate_options_are_kept_and_a_lone_key_refused(void **state)
{
	struct cli_options o;
	struct session_params p;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--cert", "me.pem", "--key", "me.key",
	                       "smtp://h"),
	                 0);
	assert_string_equal(o.client_cert, "me.pem");
	assert_string_equal(o.client_key, "me.key");
	cli_session_params(&o, &p);
	assert_string_equal(p.client_cert, "me.pem");
	assert_string_equal(p.client_key, "me.key");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "--cert", "both.pem", "smtp://h"), 0);
	assert_null(o.client_key);
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "--key", "me.key", "smtp://h"), -1);
	expect_error(cause, "--key needs --cert");
	cli_free(&o);
	cause = NULL;
	assert_int_equal(PARSE(&o, &cause, "-b", "-cert", "me.pem", "smtp://h"), -1);
	expect_error(cause, "use --cert FILE");
	cli_free(&o);
}

static void
test_tls_versions_and_timeout_parse(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--tls-min", "1.2", "--tls-max", "1.3",
	                       "--timeout", "7", "imaps://h"),
	                 0);
	assert_int_equal(o.tls_min, 12);
	assert_int_equal(o.tls_max, 13);
	assert_int_equal(o.timeout_s, 7);
	cli_free(&o);
}

static void
test_ciphers_groups_and_alpn_reach_the_session(void **state)
{
	struct cli_options o;
	struct session_params p;
	struct batch_config b;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--ciphers",
	                       "TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256",
	                       "--groups", "x25519,P-256", "--alpn", "smtp", "--reconnect",
	                       "smtp://h"),
	                 0);
	cli_session_params(&o, &p);
	assert_string_equal(p.ciphers,
	                    "TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256");
	assert_string_equal(p.groups, "x25519,P-256");
	assert_string_equal(p.alpn, "smtp");
	assert_null(p.resume);
	cli_batch_config(&o, &b);
	assert_true(b.reconnect);
	cli_free(&o);
	/* nothing is offered unless asked for */
	assert_int_equal(PARSE(&o, &cause, "-b", "smtp://h"), 0);
	cli_session_params(&o, &p);
	assert_null(p.ciphers);
	assert_null(p.groups);
	assert_null(p.alpn);
	cli_free(&o);
}

static void
test_unknown_ciphers_groups_and_bad_alpn_are_refused_by_name(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--ciphers", "RC4-NOPE", "smtp://h"), -1);
	expect_error(cause, "\"RC4-NOPE\" is not a cipher suite");
	cause = NULL;
	assert_int_equal(PARSE(&o, &cause, "-b", "--groups", "X25519:P-257", "smtp://h"),
	                 -1);
	expect_error(cause, "\"P-257\" is not a group this build knows; use X25519");
	cause = NULL;
	assert_int_equal(PARSE(&o, &cause, "-b", "--groups", ":,", "smtp://h"), -1);
	expect_error(cause, "--groups: the list is empty");
	cause = NULL;
	assert_int_equal(PARSE(&o, &cause, "-b", "--alpn", "smtp,", "smtp://h"), -1);
	expect_error(cause, "--alpn takes protocol names separated by commas");
	cause = NULL;
	assert_int_equal(PARSE(&o, &cause, "-b", "--alpn", "sm tp", "smtp://h"), -1);
	expect_error(cause, "--alpn");
	cause = NULL;
	assert_int_equal(PARSE(&o, &cause, "-b", "--ciphers", "TLS_AES_128_GCM_SHA256",
	                       "--tls-max", "1.2", "smtp://h"),
	                 -1);
	expect_error(cause, "only TLS 1.3 suites, but --tls-max 1.2");
	cause = NULL;
	assert_int_equal(PARSE(&o, &cause, "-b", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256",
	                       "--tls-min", "1.3", "smtp://h"),
	                 -1);
	expect_error(cause, "names no TLS 1.3 suite");
	cause = NULL;
	assert_int_equal(PARSE(&o, &cause, "--reconnect", "smtp://h"), -1);
	expect_error(cause, "--reconnect runs one session twice in batch mode");
	cause = NULL;
	assert_int_equal(
	    PARSE(&o, &cause, "-b", "--reconnect", "--compare", "a:587", "b:465"), -1);
	expect_error(cause, "leave out --compare");
}

static void
test_default_timeout_is_thirty_seconds(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "pop3://h"), 0);
	assert_int_equal(o.timeout_s, 30);
	assert_int_equal(o.script.n, 0);
	cli_free(&o);
}

static void
test_conflicting_tls_versions_are_refused(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(
	    PARSE(&o, &cause, "-b", "--tls-min", "1.3", "--tls-max", "1.2", "smtp://h"),
	    -1);
	expect_error(cause, "--tls-min");
	cli_free(&o);
}

static void
test_bad_values_name_the_option(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--tls-min", "1.1", "smtp://h"), -1);
	expect_error(cause, "1.1");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "--timeout", "0", "smtp://h"), -1);
	expect_error(cause, "--timeout");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "--proto", "http", "h:1"), -1);
	expect_error(cause, "http");
	cli_free(&o);
}

static void
test_unknown_option_is_named(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--frobnicate", "smtp://h"), -1);
	expect_error(cause, "--frobnicate");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "-z", "smtp://h"), -1);
	expect_error(cause, "-z");
	cli_free(&o);
}

static void
test_missing_value_and_missing_target(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "smtp://h", "--cafile"), -1);
	expect_error(cause, "--cafile");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b"), -1);
	expect_error(cause, "no target");
	cli_free(&o);
}

static void
test_two_targets_are_refused(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "smtp://a", "smtp://b"), -1);
	expect_error(cause, "smtp://b");
	cli_free(&o);
}

static void
test_value_and_flag_options_land_in_their_fields(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--servername", "mx.test", "--cafile",
	                       "ca.pem", "--log", "l.txt", "--record", "r.jsonl",
	                       "--keylog", "k.log", "--ehlo", "me.test", "--require-tls",
	                       "--verify", "--json", "--no-explain", "--records",
	                       "--no-color", "smtp://h"),
	                 0);
	assert_string_equal(o.servername, "mx.test");
	assert_string_equal(o.cafile, "ca.pem");
	assert_string_equal(o.log, "l.txt");
	assert_string_equal(o.record, "r.jsonl");
	assert_string_equal(o.keylog, "k.log");
	assert_string_equal(o.ehlo, "me.test");
	assert_true(o.require_tls && o.verify && o.json && o.no_explain && o.records &&
	            o.no_color);
	assert_null(o.theme);
	cli_free(&o);
}

static void
test_replay_takes_a_file_and_nothing_that_connects(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--replay", "f.jsonl", "--batch", "--json"), 0);
	assert_string_equal(o.replay, "f.jsonl");
	assert_true(o.json);
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--replay", "f.jsonl", "--lesson", "starttls"), 0);
	assert_string_equal(o.lesson, "starttls");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--replay", "f.jsonl", "smtp://h"), -1);
	expect_error(cause, "leave out a target");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--replay", "f.jsonl", "-c", "EHLO me"), -1);
	expect_error(cause, "leave out lines to send");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--replay", "f.jsonl", "--compare"), -1);
	expect_error(cause, "leave out --compare");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--replay", "f.jsonl", "--demo"), -1);
	expect_error(cause, "leave out --demo");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--replay", "f.jsonl", "--record", "g"), -1);
	expect_error(cause, "add --batch");
	cli_free(&o);
	assert_int_equal(
	    PARSE(&o, &cause, "--replay", "f.jsonl", "--batch", "--lesson", "starttls"), -1);
	expect_error(cause, "--lesson runs in the explorer");
	cli_free(&o);
}

static void
test_compare_host_pairs_the_standard_ports_by_proto(void **state)
{
	static const struct {
		const char *proto;
		const char *a, *b;
	} pairs[] = {
	    {NULL, "submission://mail.example.org:587", "smtps://mail.example.org:465"},
	    {"smtp", "submission://mail.example.org:587", "smtps://mail.example.org:465"},
	    {"imap", "imap://mail.example.org:143", "imaps://mail.example.org:993"},
	    {"pop3", "pop3://mail.example.org:110", "pop3s://mail.example.org:995"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		struct cli_options o;
		char *cause = NULL, a[300], b[300];
		char proto[8];
		snprintf(proto, sizeof proto, "%s", pairs[i].proto ? pairs[i].proto : "");
		int rc = pairs[i].proto
		             ? PARSE(&o, &cause, "--compare", "--proto", proto,
		                     "mail.example.org")
		             : PARSE(&o, &cause, "--compare", "mail.example.org");
		assert_int_equal(rc, 0);
		assert_true(o.compare);
		target_format(&o.target, a, sizeof a);
		target_format(&o.target_b, b, sizeof b);
		assert_string_equal(a, pairs[i].a);
		assert_string_equal(b, pairs[i].b);
		assert_int_equal(o.target.mode, TLS_MODE_EXPLICIT);
		assert_int_equal(o.target_b.mode, TLS_MODE_IMPLICIT);
		cli_free(&o);
	}
}

static void
test_compare_takes_two_targets_or_one_bare_host(void **state)
{
	struct cli_options o;
	char *cause = NULL, a[300], b[300];
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--compare", "imap://[::1]:1143",
	                       "imaps://127.0.0.1:1993"),
	                 0);
	target_format(&o.target, a, sizeof a);
	target_format(&o.target_b, b, sizeof b);
	assert_string_equal(a, "imap://[::1]:1143");
	assert_string_equal(b, "imaps://127.0.0.1:1993");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--compare", "[::1]"), 0);
	target_format(&o.target_b, b, sizeof b);
	assert_string_equal(b, "smtps://[::1]:465");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--compare", "imap://h"), -1);
	expect_error(cause, "give two targets");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--compare", "h:2525"), -1);
	expect_error(cause, "takes a host alone");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--compare", "a", "b", "c"), -1);
	expect_error(cause, "two targets, or one host");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--compare", "--implicit", "h"), -1);
	expect_error(cause, "leave out --implicit");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "smtp://a", "smtp://b"), -1);
	expect_error(cause, "two with --compare");
	cli_free(&o);
}

static void
test_demo_compare_takes_one_protocol(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--demo", "--compare", "imap"), 0);
	assert_true(o.compare && o.demo);
	assert_string_equal(o.demo_proto, "imap");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--demo", "--compare", "imap", "pop3"), -1);
	expect_error(cause, "takes one protocol");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--demo", "--compare", "--implicit"), -1);
	expect_error(cause, "leave out --implicit");
	cli_free(&o);
}

static void
test_script_lines_take_the_place_of_the_option(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	char path[] = "/tmp/startle-script-XXXXXX";
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "NOOP\n/starttls\n\n", 16), 16);
	close(fd);
	assert_int_equal(PARSE(&o, &cause, "-b", "-c", "EHLO me", "--script", path, "-c",
	                       "", "smtp://h"),
	                 0);
	assert_int_equal(cli_load_script(&o, &cause), 0);
	assert_int_equal(o.script.n, 5);
	assert_string_equal(o.script.steps[0].line, "EHLO me");
	assert_string_equal(o.script.steps[1].line, "NOOP");
	assert_int_equal(o.script.steps[2].kind, SCRIPT_STARTTLS);
	assert_string_equal(o.script.steps[3].line, "");
	assert_string_equal(o.script.steps[4].line, ""); /* -c '' is a blank line */
	cli_free(&o);
	unlink(path);
}

static void
test_a_script_from_standard_input_needs_batch(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--script", "-", "smtp://h"), 0);
	assert_int_equal(cli_load_script(&o, &cause), -1);
	expect_error(cause, "add --batch");
	cli_free(&o);
}

static void
test_an_unreadable_script_names_its_path(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--script", "/nonexistent/s", "smtp://h"),
	                 0);
	assert_int_equal(cli_load_script(&o, &cause), -1);
	expect_error(cause, "/nonexistent/s");
	cli_free(&o);
}

static void
test_s_client_options_are_refused_with_the_startle_way(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "-connect", "mail.example.org:25"), -1);
	expect_error(cause, "startle smtp://HOST:PORT");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-CAfile", "ca.pem", "smtp://h"), -1);
	expect_error(cause, "--cafile");
	cli_free(&o);
	/* -c with its line attached is still -c. */
	assert_int_equal(PARSE(&o, &cause, "-b", "-cQUIT", "smtp://h"), 0);
	assert_string_equal(o.script.steps[0].line, "QUIT");
	cli_free(&o);
}

static void
test_json_needs_batch(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--json", "smtp://h"), -1);
	expect_error(cause, "--batch");
	cli_free(&o);
}

static void
test_mx_domain_without_scheme_is_smtp_on_port_25(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--mx", "example.org"), 0);
	assert_true(o.mx);
	assert_string_equal(o.target.host, "example.org");
	assert_int_equal(o.target.port, 25);
	assert_int_equal(o.target.proto, PROTO_SMTP);
	assert_int_equal(o.mx_opts.host, 0);
	assert_int_equal(o.mx_opts.timeout_ms, 5000);
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "--mx", "--timeout", "2", "--mx-host", "2",
	                       "--require-dane", "smtp://example.org:2525"),
	                 0);
	assert_int_equal(o.target.port, 2525);
	assert_int_equal(o.mx_opts.host, 2);
	assert_true(o.mx_opts.require_dane);
	assert_int_equal(o.mx_opts.timeout_ms, 2000);
	cli_free(&o);
}

static void
test_mx_options_need_mx(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--require-dane", "example.org"), -1);
	expect_error(cause, "need --mx");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "--require-mta-sts", "example.org"), -1);
	expect_error(cause, "need --mx");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "--mx", "--mx-host", "0", "example.org"), -1);
	expect_error(cause, "--mx-host");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--demo", "--mx", "example.org"), -1);
	expect_error(cause, "leave out --demo");
	cli_free(&o);
}

static void
test_mx_runs_in_the_explorer_too(void **state)
{
	struct cli_options o;
	struct ui_config ui;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--mx", "--mx-host", "2", "example.org"), 0);
	assert_int_equal(o.mode, MODE_TUI);
	cli_ui_config(&o, &ui);
	assert_non_null(ui.mx);
	assert_int_equal(ui.mx->host, 2);
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "smtp://example.org"), 0);
	cli_ui_config(&o, &ui);
	assert_null(ui.mx);
	cli_free(&o);
}

static void
test_mta_sts_options_reach_the_check(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--mx", "--require-mta-sts", "--mta-sts-port",
	                       "8443", "--cafile", "ca.pem", "--timeout", "3", "example.org"),
	                 0);
	assert_true(o.mx_opts.require_mta_sts);
	assert_int_equal(o.mx_opts.mta_sts_port, 8443);
	assert_string_equal(o.mx_opts.cafile, "ca.pem");
	assert_int_equal(o.mx_opts.fetch_timeout_ms, 3000);
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "--mx", "example.org"), 0);
	assert_int_equal(o.mx_opts.mta_sts_port, 0);
	assert_null(o.mx_opts.cafile);
	assert_int_equal(o.mx_opts.fetch_timeout_ms, 10000);
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "--mx", "--mta-sts-port", "0", "example.org"),
	                 -1);
	expect_error(cause, "--mta-sts-port takes a port");
	cli_free(&o);
}

static void
test_help_fits_one_screen(void **state)
{
	const char *h = cli_help();
	int lines = 0, width = 0, w = 0;
	(void)state;
	for (const char *p = h; *p; p++) {
		if (*p == '\n') {
			lines++;
			if (w > width)
				width = w;
			w = 0;
		} else {
			w++;
		}
	}
	assert_true(lines <= 24);
	assert_true(width <= 80);
}

static void
test_help_and_version_flags(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-h"), 0);
	assert_true(o.help);
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--version"), 0);
	assert_true(o.version);
	cli_free(&o);
}

static void
test_demo_takes_an_optional_protocol_and_a_scenario(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--demo"), 0);
	assert_true(o.demo);
	assert_null(o.demo_proto);
	cli_free(&o);
	assert_int_equal(
	    PARSE(&o, &cause, "--demo", "imap", "--scenario", "strip", "--implicit"), 0);
	assert_string_equal(o.demo_proto, "imap");
	assert_string_equal(o.scenario, "strip");
	assert_true(o.demo_implicit);
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--demo", "http"), -1);
	expect_error(cause, "smtp, imap or pop3");
	cli_free(&o);
}

static void
test_scenario_without_demo_and_lesson_with_batch_are_refused(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "-b", "--scenario", "strip", "smtp://h"), -1);
	expect_error(cause, "--demo");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "-b", "--lesson", "starttls"), -1);
	expect_error(cause, "--batch");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--lesson", "starttls"), 0);
	assert_true(o.demo);
	assert_string_equal(o.lesson, "starttls");
	cli_free(&o);
}

static void
test_redact_and_insecure_reach_every_front(void **state)
{
	struct cli_options o;
	struct session_params p;
	struct batch_config b;
	struct ui_config u;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--redact", "--insecure", "imap://h"), 0);
	cli_session_params(&o, &p);
	cli_batch_config(&o, &b);
	cli_ui_config(&o, &u);
	assert_true(p.insecure);
	assert_true(b.redact);
	assert_true(u.redact);
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "imap://h"), 0);
	cli_session_params(&o, &p);
	cli_batch_config(&o, &b);
	cli_ui_config(&o, &u);
	assert_false(p.insecure);
	assert_false(b.redact);
	assert_false(u.redact);
	assert_false(b.fail_on_set);
	cli_free(&o);
}

static void
test_fail_on_takes_a_severity(void **state)
{
	static struct {
		char *name;
		enum severity sev;
	} cases[] = {{"info", SEV_INFO}, {"warn", SEV_WARN}, {"danger", SEV_DANGER}};
	struct cli_options o;
	struct batch_config b;
	char *cause = NULL;
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(
		    PARSE(&o, &cause, "-b", "--fail-on", cases[i].name, "smtp://h"), 0);
		cli_batch_config(&o, &b);
		assert_true(b.fail_on_set);
		assert_int_equal(b.fail_on, cases[i].sev);
		cli_free(&o);
	}
	assert_int_equal(PARSE(&o, &cause, "-b", "--fail-on", "high", "smtp://h"), -1);
	expect_error(cause, "--fail-on takes info, warn or danger, not \"high\"");
	cli_free(&o);
}

static void
test_messages_quote_the_command_line_escaped(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--proto", "x\x1b]0;pwn\x07", "h:25"), -1);
	assert_null(strchr(cause, 0x1b));
	expect_error(cause, "\"x\\x1b]0;pwn\\x07\"");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "h:25", "\x1b[2J"), -1);
	assert_null(strchr(cause, 0x1b));
	expect_error(cause, "\\x1b[2J");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--\x1b[2J", "h:25"), -1);
	assert_null(strchr(cause, 0x1b));
	expect_error(cause, "unknown option");
	cli_free(&o);
}

static void
test_files_are_checked_before_connecting(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(tls_global_init(&cause), 0);
	assert_int_equal(PARSE(&o, &cause, "--cafile", "/etc/passwd", "smtp://h"), 0);
	assert_int_equal(cli_check_files(&o, &cause), -1);
	expect_error(cause, "holds no usable PEM certificate");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--keylog", "/nonexistent/dir/f", "smtp://h"),
	                 0);
	assert_int_equal(cli_check_files(&o, &cause), -1);
	expect_error(cause, "the key log file /nonexistent/dir/f: cannot be written");
	cli_free(&o);
}

static void
test_export_names_a_tool_and_takes_the_connection_options(void **state)
{
	struct cli_options o;
	struct export_options eo;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--export", "gnutls-cli", "--servername", "mail.test",
	                       "--cafile", "ca.pem", "--tls-min", "1.3", "-c", "CAPABILITY",
	                       "--save-chain", "c.pem", "imap://127.0.0.1:1143"),
	                 0);
	assert_true(o.export_set);
	assert_int_equal(o.export_tool, EXPORT_GNUTLS);
	assert_string_equal(o.save_chain, "c.pem");
	cli_export_options(&o, &eo);
	assert_int_equal(eo.target.port, 1143);
	assert_int_equal(eo.target.proto, PROTO_IMAP);
	assert_string_equal(eo.servername, "mail.test");
	assert_string_equal(eo.cafile, "ca.pem");
	assert_int_equal(eo.tls_min, 13);
	assert_true(eo.lines);
	assert_string_equal(eo.save_chain, "c.pem");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--export", "wget", "smtp://h"), -1);
	expect_error(cause, "--export takes openssl, gnutls, swaks or curl, not \"wget\"");
}

static void
test_export_and_save_chain_refuse_modes_they_do_not_fit(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(PARSE(&o, &cause, "--export", "openssl", "--demo"), -1);
	expect_error(cause, "start startle-lab");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--export", "curl", "--compare", "h"), -1);
	expect_error(cause, "--export names one target");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--export", "swaks", "--mx", "-b", "example.org"),
	                 -1);
	expect_error(cause, "not a mail domain");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--save-chain", "c.pem", "--compare", "h"), -1);
	expect_error(cause, "--save-chain saves one chain");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--save-chain", "/nonexistent/dir/c.pem", "-b",
	                       "smtp://h"),
	                 0);
	assert_int_equal(cli_check_files(&o, &cause), -1);
	expect_error(cause, "--save-chain: /nonexistent/dir/c.pem: cannot be created");
	cli_free(&o);
}

static void
test_sslkeylogfile_is_the_default_key_log(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	setenv("SSLKEYLOGFILE", "/tmp/keys", 1);
	assert_int_equal(PARSE(&o, &cause, "smtp://h"), 0);
	assert_string_equal(o.keylog, "/tmp/keys");
	cli_free(&o);
	assert_int_equal(PARSE(&o, &cause, "--keylog", "/tmp/other", "smtp://h"), 0);
	assert_string_equal(o.keylog, "/tmp/other");
	cli_free(&o);
	unsetenv("SSLKEYLOGFILE");
}

static void
test_fail_on_turns_only_a_success_into_exit_1(void **state)
{
	struct batch_config warn = {.fail_on_set = true, .fail_on = SEV_WARN};
	struct batch_config none = {0};
	(void)state;
	assert_int_equal(batch_fail_on_exit(&warn, EXIT_OK, SEV_WARN), EXIT_POLICY);
	assert_int_equal(batch_fail_on_exit(&warn, EXIT_OK, SEV_DANGER), EXIT_POLICY);
	assert_int_equal(batch_fail_on_exit(&warn, EXIT_OK, SEV_INFO), EXIT_OK);
	assert_int_equal(batch_fail_on_exit(&warn, EXIT_OK, -1), EXIT_OK);
	assert_int_equal(batch_fail_on_exit(&warn, EXIT_NETWORK, SEV_DANGER), EXIT_NETWORK);
	assert_int_equal(batch_fail_on_exit(&warn, EXIT_TLS, SEV_DANGER), EXIT_TLS);
	assert_int_equal(batch_fail_on_exit(&none, EXIT_OK, SEV_DANGER), EXIT_OK);
	warn.fail_on = SEV_INFO;
	assert_int_equal(batch_fail_on_exit(&warn, EXIT_OK, SEV_INFO), EXIT_POLICY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commands_and_starttls_keep_their_order),
	    cmocka_unit_test(test_ciphers_groups_and_alpn_reach_the_session),
	    cmocka_unit_test(test_unknown_ciphers_groups_and_bad_alpn_are_refused_by_name),
	    cmocka_unit_test(test_redact_and_insecure_reach_every_front),
	    cmocka_unit_test(test_fail_on_takes_a_severity),
	    cmocka_unit_test(test_fail_on_turns_only_a_success_into_exit_1),
	    cmocka_unit_test(test_messages_quote_the_command_line_escaped),
	    cmocka_unit_test(test_files_are_checked_before_connecting),
	    cmocka_unit_test(test_sslkeylogfile_is_the_default_key_log),
	    cmocka_unit_test(test_client_certificate_options_are_kept_and_a_lone_key_refused),
	    cmocka_unit_test(test_export_names_a_tool_and_takes_the_connection_options),
	    cmocka_unit_test(test_export_and_save_chain_refuse_modes_they_do_not_fit),
	    cmocka_unit_test(test_tls_versions_and_timeout_parse),
	    cmocka_unit_test(test_default_timeout_is_thirty_seconds),
	    cmocka_unit_test(test_conflicting_tls_versions_are_refused),
	    cmocka_unit_test(test_bad_values_name_the_option),
	    cmocka_unit_test(test_unknown_option_is_named),
	    cmocka_unit_test(test_missing_value_and_missing_target),
	    cmocka_unit_test(test_two_targets_are_refused),
	    cmocka_unit_test(test_json_needs_batch),
	    cmocka_unit_test(test_s_client_options_are_refused_with_the_startle_way),
	    cmocka_unit_test(test_script_lines_take_the_place_of_the_option),
	    cmocka_unit_test(test_an_unreadable_script_names_its_path),
	    cmocka_unit_test(test_a_script_from_standard_input_needs_batch),
	    cmocka_unit_test(test_value_and_flag_options_land_in_their_fields),
	    cmocka_unit_test(test_replay_takes_a_file_and_nothing_that_connects),
	    cmocka_unit_test(test_compare_host_pairs_the_standard_ports_by_proto),
	    cmocka_unit_test(test_compare_takes_two_targets_or_one_bare_host),
	    cmocka_unit_test(test_demo_compare_takes_one_protocol),
	    cmocka_unit_test(test_mx_domain_without_scheme_is_smtp_on_port_25),
	    cmocka_unit_test(test_mx_options_need_mx),
	    cmocka_unit_test(test_mx_runs_in_the_explorer_too),
	    cmocka_unit_test(test_mta_sts_options_reach_the_check),
	    cmocka_unit_test(test_help_fits_one_screen),
	    cmocka_unit_test(test_help_and_version_flags),
	    cmocka_unit_test(test_demo_takes_an_optional_protocol_and_a_scenario),
	    cmocka_unit_test(test_scenario_without_demo_and_lesson_with_batch_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
