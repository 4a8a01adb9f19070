#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "config.h"
#include "testutil.h"

#define ARGV(...) ((char *[]){"startle", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"startle", __VA_ARGS__}) / sizeof(char *)))

/* Parses text as the file "cfg"; fails the test on an error. */
static void
parse_ok(struct config *cfg, const char *text)
{
	char *cause = NULL;
	if (config_parse(cfg, text, strlen(text), "cfg", &cause) != 0)
		fail_msg("config_parse: %s", cause);
}

/* Parses text as the file "cfg", expects an error containing needle. */
static void
parse_fails(const char *text, const char *needle)
{
	struct config cfg;
	char *cause = NULL;

	assert_int_equal(config_parse(&cfg, text, strlen(text), "cfg", &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, needle) == NULL)
		fail_msg("\"%s\" does not mention \"%s\"", cause, needle);
	assert_int_equal(cfg.argc, 0);
	free(cause);
}

static void
test_lines_become_long_options_with_their_line_numbers(void **state)
{
	struct config cfg;
	(void)state;
	parse_ok(&cfg, "# defaults\n"
	               "timeout 5\n"
	               "\n"
	               "  theme = light   # a comment\n"
	               "redact\n"
	               "ehlo=client.example.org");
	assert_int_equal(cfg.argc, 5);
	assert_string_equal(cfg.argv[1], "--timeout=5");
	assert_int_equal(cfg.lines[1], 2);
	assert_string_equal(cfg.argv[2], "--theme=light");
	assert_int_equal(cfg.lines[2], 4);
	assert_string_equal(cfg.argv[3], "--redact");
	assert_int_equal(cfg.lines[3], 5);
	assert_string_equal(cfg.argv[4], "--ehlo=client.example.org");
	assert_int_equal(cfg.lines[4], 6);
	assert_null(cfg.argv[5]);
	config_free(&cfg);
}

static void
test_a_path_setting_may_start_with_home(void **state)
{
	struct config cfg;
	(void)state;
	setenv("HOME", "/home/u", 1);
	parse_ok(&cfg, "cafile ~/ca.pem\ntheme ~/my.theme\nehlo ~/x\n");
	assert_string_equal(cfg.argv[1], "--cafile=/home/u/ca.pem");
	assert_string_equal(cfg.argv[2], "--theme=/home/u/my.theme");
	assert_string_equal(cfg.argv[3], "--ehlo=~/x");
	config_free(&cfg);
	unsetenv("HOME");
	parse_fails("\ncafile ~/ca.pem\n",
	            "cfg:2: cafile starts with ~/ but HOME is not set");
}

static void
test_an_empty_or_comment_only_file_sets_nothing(void **state)
{
	struct config cfg;
	(void)state;
	parse_ok(&cfg, "");
	assert_int_equal(cfg.argc, 1);
	config_free(&cfg);
	parse_ok(&cfg, "# nothing\n\n   \t\n# timeout 3\n");
	assert_int_equal(cfg.argc, 1);
	config_free(&cfg);
}

static void
test_unknown_names_are_errors_with_file_and_line(void **state)
{
	(void)state;
	parse_fails("timeout 5\ntimeuot 5\n", "cfg:2: unknown setting \"timeuot\"");
	parse_fails("timeout 5\ntimeuot 5\n", "the file takes cafile");
	/* getopt's abbreviations are not names in the file. */
	parse_fails("time 5\n", "cfg:1: unknown setting \"time\"");
	parse_fails("--timeout 5\n", "cfg:1: unknown setting \"--timeout\"");
	parse_fails("bad\x1b[2J 1\n", "unknown setting \"bad\\x1b[2J\"");
}

static void
test_security_relaxing_and_file_writing_options_are_refused(void **state)
{
	(void)state;
	parse_fails("insecure\n", "cfg:1: insecure cannot be set here");
	parse_fails("insecure\n", "--insecure on the command line");
	parse_fails("\nkeylog /tmp/k\n", "cfg:2: keylog cannot be set here");
	parse_fails("log x\n", "cfg:1: log cannot be set here");
	parse_fails("record x\n", "cfg:1: record cannot be set here");
	parse_fails("servername x\n", "cfg:1: servername cannot be set here");
	parse_fails("cert ~/me.pem\n", "cfg:1: cert cannot be set here");
	parse_fails("key ~/me.key\n", "identifies you to every server");
	parse_fails("config other\n", "cfg:1: config cannot be set here");
	parse_fails("command QUIT\n", "cfg:1: unknown setting \"command\"");
	parse_fails("batch\n", "cfg:1: unknown setting \"batch\"");
}

static void
test_values_and_switches_are_checked_by_shape(void **state)
{
	(void)state;
	parse_fails("\n\ntimeout\n", "cfg:3: timeout needs a value");
	parse_fails("cafile =\n", "cfg:1: cafile needs a value");
	parse_fails("redact yes\n", "cfg:1: redact is a switch and takes no value");
}

static void
test_a_nul_byte_is_an_error_with_its_line(void **state)
{
	struct config cfg;
	char *cause = NULL;
	(void)state;
	assert_int_equal(config_parse(&cfg, "ehlo a\nehlo b\0c\n", 16, "cfg", &cause), -1);
	assert_non_null(strstr(cause, "cfg:2: has a NUL byte"));
	free(cause);
}

static void
test_the_file_sets_defaults_through_the_option_table(void **state)
{
	struct config cfg;
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	parse_ok(&cfg, "timeout 5\ncafile /etc/ca.pem\nredact\ntls-min 1.3\n"
	               "fail-on warn\ncolor never\nno-explain\nrecords\n");
	assert_int_equal(cli_parse_layered(&cfg, ARGC("-b", "smtp://h"),
	                                   ARGV("-b", "smtp://h"), &o, &cause),
	                 0);
	assert_int_equal(o.timeout_s, 5);
	assert_string_equal(o.cafile, "/etc/ca.pem");
	assert_true(o.redact);
	assert_int_equal(o.tls_min, 13);
	assert_true(o.fail_on_set);
	assert_int_equal(o.fail_on, SEV_WARN);
	assert_true(o.no_color);
	assert_true(o.no_explain);
	assert_true(o.records);
	assert_int_equal(o.mode, MODE_BATCH);
	cli_free(&o);
	config_free(&cfg);
}

static void
test_the_command_line_wins_over_the_file(void **state)
{
	struct config cfg;
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	parse_ok(&cfg, "timeout 5\ncafile /etc/a.pem\ncolor never\nehlo file.example\n");
	assert_int_equal(
	    cli_parse_layered(
	        &cfg,
	        ARGC("--timeout", "9", "--cafile", "/b.pem", "--color=always", "smtp://h"),
	        ARGV("--timeout", "9", "--cafile", "/b.pem", "--color=always", "smtp://h"),
	        &o, &cause),
	    0);
	assert_int_equal(o.timeout_s, 9);
	assert_string_equal(o.cafile, "/b.pem");
	assert_true(o.force_color);
	assert_false(o.no_color);
	assert_string_equal(o.ehlo, "file.example");
	cli_free(&o);
	config_free(&cfg);
}

static void
test_a_bad_value_names_the_file_line_and_the_way_out(void **state)
{
	struct config cfg;
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	parse_ok(&cfg, "theme dark\n# two\ntimeout soon\n");
	assert_int_equal(
	    cli_parse_layered(&cfg, ARGC("smtp://h"), ARGV("smtp://h"), &o, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, "cfg:3: --timeout takes whole seconds") == NULL ||
	    strstr(cause, "--no-config") == NULL)
		fail_msg("\"%s\" does not name cfg:3 and --no-config", cause);
	free(cause);
	cli_free(&o);
	config_free(&cfg);

	parse_ok(&cfg, "tls-min 1.1\n");
	cause = NULL;
	assert_int_equal(
	    cli_parse_layered(&cfg, ARGC("smtp://h"), ARGV("smtp://h"), &o, &cause), -1);
	assert_non_null(strstr(cause, "cfg:1: --tls-min takes 1.2 or 1.3"));
	free(cause);
	cli_free(&o);
	config_free(&cfg);
}

/* Sets or clears an environment variable for one test. */
static void
env(const char *name, const char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

static void
test_the_path_follows_xdg_then_home_and_can_be_named(void **state)
{
	bool named;
	char *p;
	(void)state;
	env("STARTLE_CONFIG", NULL);
	env("HOME", "/home/u");
	env("XDG_CONFIG_HOME", "/xdg");
	p = config_path(NULL, &named);
	assert_string_equal(p, "/xdg/startle/config");
	assert_false(named);
	free(p);
	env("XDG_CONFIG_HOME", "relative"); /* ignored, as the XDG rules say */
	p = config_path(NULL, &named);
	assert_string_equal(p, "/home/u/.config/startle/config");
	free(p);
	env("STARTLE_CONFIG", "/etc/startle.conf");
	p = config_path(NULL, &named);
	assert_string_equal(p, "/etc/startle.conf");
	assert_true(named);
	free(p);
	p = config_path("/given", &named);
	assert_string_equal(p, "/given");
	assert_true(named);
	free(p);
	env("STARTLE_CONFIG", NULL);
	env("XDG_CONFIG_HOME", NULL);
	env("HOME", NULL);
	assert_null(config_path(NULL, &named));
}

static void
test_a_missing_default_file_is_fine_and_a_named_one_is_not(void **state)
{
	struct config cfg;
	char *cause = NULL;
	char dir[] = "/tmp/startle-config-XXXXXX";
	(void)state;
	assert_non_null(mkdtemp(dir));
	char *path = NULL;
	assert_true(asprintf(&path, "%s/config", dir) > 0);
	assert_int_equal(config_load(&cfg, path, true, &cause), 1);
	assert_int_equal(cfg.argc, 0);
	assert_int_equal(config_load(&cfg, path, false, &cause), -1);
	assert_non_null(strstr(cause, "cannot be read"));
	free(cause);
	cause = NULL;
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("timeout 2\n", f);
	fclose(f);
	assert_int_equal(config_load(&cfg, path, true, &cause), 0);
	assert_string_equal(cfg.argv[1], "--timeout=2");
	config_free(&cfg);
	f = fopen(path, "w");
	for (int i = 0; i < CONFIG_MAX_BYTES / 10 + 1; i++)
		fputs("# padding\n", f);
	fclose(f);
	assert_int_equal(config_load(&cfg, path, true, &cause), -1);
	assert_non_null(strstr(cause, "larger than"));
	free(cause);
	free(path);
	testutil_remove_tree(dir);
}

static void
test_config_and_no_config_are_options(void **state)
{
	struct cli_options o;
	char *cause = NULL;
	(void)state;
	assert_int_equal(cli_parse(ARGC("--config", "/c", "--no-config", "smtp://h"),
	                           ARGV("--config", "/c", "--no-config", "smtp://h"), &o,
	                           &cause),
	                 0);
	assert_string_equal(o.config_file, "/c");
	assert_true(o.no_config);
	cli_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines_become_long_options_with_their_line_numbers),
	    cmocka_unit_test(test_a_path_setting_may_start_with_home),
	    cmocka_unit_test(test_an_empty_or_comment_only_file_sets_nothing),
	    cmocka_unit_test(test_unknown_names_are_errors_with_file_and_line),
	    cmocka_unit_test(test_security_relaxing_and_file_writing_options_are_refused),
	    cmocka_unit_test(test_values_and_switches_are_checked_by_shape),
	    cmocka_unit_test(test_a_nul_byte_is_an_error_with_its_line),
	    cmocka_unit_test(test_the_file_sets_defaults_through_the_option_table),
	    cmocka_unit_test(test_the_command_line_wins_over_the_file),
	    cmocka_unit_test(test_a_bad_value_names_the_file_line_and_the_way_out),
	    cmocka_unit_test(test_the_path_follows_xdg_then_home_and_can_be_named),
	    cmocka_unit_test(test_a_missing_default_file_is_fine_and_a_named_one_is_not),
	    cmocka_unit_test(test_config_and_no_config_are_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
