/* The table of the explorer's own slash commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"

static void
test_plain_line_is_sent_as_is(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("EHLO me", &p);
	assert_int_equal(p.result, COMMAND_SEND);
	assert_string_equal(p.send, "EHLO me");
}

static void
test_double_slash_sends_one_slash(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("//NOOP", &p);
	assert_int_equal(p.result, COMMAND_SEND);
	assert_string_equal(p.send, "/NOOP");
}

static void
test_full_and_shortened_names_run(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/starttls", &p);
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.cmd->name, "starttls");
	command_parse("/st", &p);
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.cmd->name, "starttls");
	command_parse("/q", &p);
	assert_string_equal(p.cmd->name, "quit");
}

static void
test_ambiguous_prefix_is_an_error(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/re", &p); /* reconnect, record */
	assert_int_equal(p.result, COMMAND_ERROR);
	assert_non_null(strstr(p.error, "ambiguous"));
}

static void
test_unknown_command_suggests_help_and_double_slash(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/frobnicate now", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
	assert_non_null(strstr(p.error, "/frobnicate"));
	assert_non_null(strstr(p.error, "/help"));
	assert_non_null(strstr(p.error, "//"));
}

static void
test_arguments_are_checked(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/log", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
	assert_non_null(strstr(p.error, "FILE"));
	command_parse("/log  /tmp/x.log", &p);
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.arg, "/tmp/x.log");
	command_parse("/quit now", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
	assert_non_null(strstr(p.error, "no argument"));
	command_parse("/theme", &p); /* lists the themes */
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.arg, "");
	command_parse("/lesson", &p); /* lists the lessons */
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.cmd->name, "lesson");
	command_parse("/next now", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
}

static void
test_lone_slash_is_an_error(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
}

static void
collect(void *arg, const char *name)
{
	char *buf = arg;
	strcat(buf, name);
	strcat(buf, ",");
}

static void
test_completion_lists_matching_names_in_table_order(void **state)
{
	char buf[256] = "";
	(void)state;
	assert_int_equal(command_complete("re", collect, buf), 2);
	assert_string_equal(buf, "record,reconnect,");
	buf[0] = '\0';
	assert_int_equal(command_complete("", collect, buf), command_count());
}

static void
test_every_command_has_help_a_handler_and_a_unique_name(void **state)
{
	(void)state;
	assert_true(command_count() > 0);
	assert_null(command_at(command_count()));
	for (size_t i = 0; i < command_count(); i++) {
		const struct command *a = command_at(i);
		assert_non_null(a->exec);
		assert_true(strlen(a->help) > 10);
		for (size_t j = i + 1; j < command_count(); j++)
			assert_string_not_equal(a->name, command_at(j)->name);
	}
}

/* Argument completion */

/* A home, a config directory and a lesson directory of the test's own. */
struct completion_env {
	char dir[64];
	char *saved[4];
};

static const char *const completion_vars[4] = {"HOME", "XDG_CONFIG_HOME", "STARTLE_THEMES",
                                               "STARTLE_LESSONS"};

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *
sub_dir(const struct completion_env *e, const char *name)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, sizeof path[0], "%s/%s", e->dir, name);
	mkdir(p, 0700);
	return p;
}

static int
completion_setup(void **state)
{
	struct completion_env *e = calloc(1, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/startle-complete-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	for (int i = 0; i < 4; i++) {
		const char *v = getenv(completion_vars[i]);
		e->saved[i] = v != NULL ? strdup(v) : NULL;
	}
	setenv("HOME", sub_dir(e, "home"), 1);
	sub_dir(e, "config");
	setenv("XDG_CONFIG_HOME", sub_dir(e, "config"), 1);
	sub_dir(e, "config/startle");
	write_file(sub_dir(e, "config/startle/themes"), "dusk.theme",
	           "color hex green red\n");
	write_file(sub_dir(e, "shipped"), "dark.theme", "color hex green red\n");
	write_file(sub_dir(e, "shipped"), "light.theme", "color hex green red\n");
	setenv("STARTLE_THEMES", sub_dir(e, "shipped"), 1);
	write_file(sub_dir(e, "lessons"), "stripping.lesson",
	           "title: T\nproto: smtp\n\nstep: S\nwait: read\nText.\n");
	write_file(sub_dir(e, "lessons"), "starttls.lesson",
	           "title: T\nproto: smtp\n\nstep: S\nwait: read\nText.\n");
	setenv("STARTLE_LESSONS", sub_dir(e, "lessons"), 1);
	sub_dir(e, "home/logs");
	write_file(sub_dir(e, "home"), "log.txt", "");
	write_file(sub_dir(e, "home"), ".hidden", "");
	*state = e;
	return 0;
}

static int
completion_teardown(void **state)
{
	struct completion_env *e = *state;
	char cmd[128];
	for (int i = 0; i < 4; i++) {
		if (e->saved[i] != NULL)
			setenv(completion_vars[i], e->saved[i], 1);
		else
			unsetenv(completion_vars[i]);
		free(e->saved[i]);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

/* The candidates, sorted and joined by spaces. */
struct cands {
	char buf[512];
	char *v[32];
	size_t n;
};

static void
cand_add(void *arg, const char *c)
{
	struct cands *cs = arg;
	if (cs->n < 32)
		cs->v[cs->n++] = strdup(c);
}

static int
cand_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *
complete_arg(const char *line, const char *prefix)
{
	static struct cands cs;
	size_t used = 0;
	cs.n = 0;
	cs.buf[0] = '\0';
	size_t n = command_complete_arg(line, prefix, cand_add, &cs);
	assert_int_equal(n, cs.n);
	qsort(cs.v, cs.n, sizeof cs.v[0], cand_cmp);
	for (size_t i = 0; i < cs.n; i++) {
		used += (size_t)snprintf(cs.buf + used, sizeof cs.buf - used, "%s%s",
		                         i ? " " : "", cs.v[i]);
		free(cs.v[i]);
	}
	return cs.buf;
}

static void
test_theme_argument_completes_shipped_and_user_themes(void **state)
{
	(void)state;
	assert_string_equal(complete_arg("/theme d", "d"), "dark default dusk");
	assert_string_equal(complete_arg("/theme DU", "DU"), "dusk");
	assert_string_equal(complete_arg("/th l", "l"), "light");
	assert_string_equal(complete_arg("/theme x", "x"), "");
}

static void
test_lesson_argument_completes_lesson_names(void **state)
{
	(void)state;
	assert_string_equal(complete_arg("/lesson st", "st"), "starttls stripping");
	assert_string_equal(complete_arg("/lesson str", "str"), "stripping");
}

static void
test_path_arguments_expand_the_home_and_mark_directories(void **state)
{
	(void)state;
	assert_string_equal(complete_arg("/log ~/lo", "~/lo"), "~/log.txt ~/logs/");
	assert_string_equal(complete_arg("/record ~/logs", "~/logs"), "~/logs/");
	assert_string_equal(complete_arg("/log ~", "~"), "~/");
	assert_string_equal(complete_arg("/log ~/", "~/"), "~/log.txt ~/logs/");
	assert_string_equal(complete_arg("/log ~/.h", "~/.h"), "~/.hidden");
	char abs[128];
	snprintf(abs, sizeof abs, "%s/lo", getenv("HOME"));
	char line[160];
	snprintf(line, sizeof line, "/log %s", abs);
	char want[300];
	snprintf(want, sizeof want, "%s/log.txt %s/logs/", getenv("HOME"), getenv("HOME"));
	assert_string_equal(complete_arg(line, abs), want);
}

static void
test_other_commands_and_later_words_complete_nothing(void **state)
{
	(void)state;
	assert_string_equal(complete_arg("/auth P", "P"), "");
	assert_string_equal(complete_arg("/theme dark d", "d"), "");
	assert_string_equal(complete_arg("//theme d", "d"), "");
	assert_string_equal(complete_arg("EHLO d", "d"), "");
}

static void
test_export_takes_a_tool_and_a_file_and_completes_tool_names(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/export openssl /tmp/my export.sh", &p);
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.cmd->name, "export");
	assert_string_equal(p.arg, "openssl /tmp/my export.sh");
	command_parse("/export", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
	assert_non_null(strstr(p.error, "/export needs TOOL"));
	command_parse("/save-chain", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
	command_parse("/sa chain.pem", &p);
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.cmd->name, "save-chain");
	assert_string_equal(complete_arg("/export ", ""), "curl gnutls openssl swaks");
	assert_string_equal(complete_arg("/export g", "g"), "gnutls");
	assert_string_equal(complete_arg("/save-chain ~/lo", "~/lo"), "~/log.txt ~/logs/");
}

static void
test_home_is_expanded_for_log_files_as_a_shell_would(void **state)
{
	char want[200];
	char *p;
	(void)state;
	snprintf(want, sizeof want, "%s/x.log", getenv("HOME"));
	p = command_expand_home("~/x.log");
	assert_string_equal(p, want);
	free(p);
	p = command_expand_home("~other/x.log");
	assert_string_equal(p, "~other/x.log");
	free(p);
	p = command_expand_home("x~/y");
	assert_string_equal(p, "x~/y");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_line_is_sent_as_is),
	    cmocka_unit_test(test_double_slash_sends_one_slash),
	    cmocka_unit_test(test_full_and_shortened_names_run),
	    cmocka_unit_test(test_ambiguous_prefix_is_an_error),
	    cmocka_unit_test(test_unknown_command_suggests_help_and_double_slash),
	    cmocka_unit_test(test_arguments_are_checked),
	    cmocka_unit_test(test_lone_slash_is_an_error),
	    cmocka_unit_test(test_completion_lists_matching_names_in_table_order),
	    cmocka_unit_test(test_every_command_has_help_a_handler_and_a_unique_name),
	    cmocka_unit_test_setup_teardown(
	        test_theme_argument_completes_shipped_and_user_themes, completion_setup,
	        completion_teardown),
	    cmocka_unit_test_setup_teardown(test_lesson_argument_completes_lesson_names,
	                                    completion_setup, completion_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_path_arguments_expand_the_home_and_mark_directories, completion_setup,
	        completion_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_other_commands_and_later_words_complete_nothing, completion_setup,
	        completion_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_home_is_expanded_for_log_files_as_a_shell_would, completion_setup,
	        completion_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_export_takes_a_tool_and_a_file_and_completes_tool_names, completion_setup,
	        completion_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
