#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

/* A fresh directory for one test, under TMPDIR. */
static char *
make_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = str_printf("%s/startle-util-XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void
remove_dir(char *dir, const char *name)
{
	char *p = str_printf("%s/%s", dir, name);
	unlink(p);
	free(p);
	rmdir(dir);
	free(dir);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
test_new_file_is_created_0600_whatever_the_umask(void **state)
{
	char *dir = make_dir(), *path = str_printf("%s/log", dir), *cause = NULL;
	mode_t old = umask(0);
	struct stat st;
	(void)state;
	FILE *f = util_open_private(path, false, &cause);
	umask(old);
	assert_non_null(f);
	assert_int_equal(fputs("secret\n", f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	free(path);
	remove_dir(dir, "log");
}

static void
test_existing_own_file_is_narrowed_and_truncated(void **state)
{
	char *dir = make_dir(), *path = str_printf("%s/log", dir), *cause = NULL;
	struct stat st;
	(void)state;
	write_file(path, "old contents\n", 0644);
	FILE *f = util_open_private(path, false, &cause);
	assert_non_null(f);
	fclose(f);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 0);
	free(path);
	remove_dir(dir, "log");
}

static void
test_append_keeps_what_is_there(void **state)
{
	char *dir = make_dir(), *path = str_printf("%s/keys", dir), *cause = NULL;
	struct stat st;
	(void)state;
	write_file(path, "CLIENT_RANDOM a b\n", 0600);
	FILE *f = util_open_private(path, true, &cause);
	assert_non_null(f);
	fputs("CLIENT_RANDOM c d\n", f);
	fclose(f);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 36);
	free(path);
	remove_dir(dir, "keys");
}

static void
test_symlink_at_the_path_is_refused_and_its_target_untouched(void **state)
{
	char *dir = make_dir(), *target = str_printf("%s/target", dir),
	     *link = str_printf("%s/log", dir), *cause = NULL;
	struct stat st;
	(void)state;
	write_file(target, "keep me\n", 0644);
	assert_int_equal(symlink(target, link), 0);
	assert_null(util_open_private(link, false, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "symbolic link"));
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 8);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(cause);
	unlink(link);
	free(link);
	free(target);
	remove_dir(dir, "target");
}

static void
test_missing_directory_is_reported(void **state)
{
	char *cause = NULL;
	(void)state;
	assert_null(util_open_private("/nonexistent/startle-dir/f", false, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "/nonexistent/startle-dir/f: cannot be written"));
	assert_non_null(strstr(cause, "No such file or directory"));
	free(cause);
}

static void
test_unwritable_directory_is_reported(void **state)
{
	char *dir = make_dir(), *path = str_printf("%s/log", dir), *cause = NULL;
	(void)state;
	assert_int_equal(chmod(dir, 0500), 0);
	FILE *f = util_open_private(path, false, &cause);
	if (geteuid() != 0) {
		assert_null(f);
		assert_non_null(strstr(cause, "cannot be written"));
	} else if (f != NULL) {
		fclose(f); /* root writes anywhere: nothing to check */
	}
	free(cause);
	chmod(dir, 0700);
	free(path);
	remove_dir(dir, "log");
}

static void
test_directory_is_refused(void **state)
{
	char *dir = make_dir(), *cause = NULL;
	(void)state;
	assert_null(util_open_private(dir, false, &cause));
	assert_non_null(cause);
	free(cause);
	rmdir(dir);
	free(dir);
}

static void
test_character_device_is_written_as_it_is(void **state)
{
	char *cause = NULL;
	(void)state;
	FILE *f = util_open_private("/dev/null", false, &cause);
	assert_non_null(f);
	fclose(f);
}

static void
test_path_in_the_message_is_escaped(void **state)
{
	char *cause = NULL;
	(void)state;
	assert_null(util_open_private("/nonexistent/\x1b]0;pwn\x07", false, &cause));
	assert_null(strchr(cause, 0x1b));
	assert_null(strchr(cause, 0x07));
	assert_non_null(strstr(cause, "\\x1b]0;pwn\\x07"));
	free(cause);
}

static void
no_color_counts_only_when_set_and_not_empty(void **state)
{
	(void)state;
	unsetenv("NO_COLOR");
	assert_false(util_no_color());
	setenv("NO_COLOR", "", 1);
	assert_false(util_no_color());
	setenv("NO_COLOR", "1", 1);
	assert_true(util_no_color());
	unsetenv("NO_COLOR");
}

static void
test_hex_digit_takes_either_case_and_nothing_else(void **state)
{
	(void)state;
	assert_int_equal(util_hex_digit('0'), 0);
	assert_int_equal(util_hex_digit('9'), 9);
	assert_int_equal(util_hex_digit('a'), 10);
	assert_int_equal(util_hex_digit('F'), 15);
	assert_int_equal(util_hex_digit('g'), -1);
	assert_int_equal(util_hex_digit('/'), -1);
	assert_int_equal(util_hex_digit(':'), -1);
	assert_int_equal(util_hex_digit('@'), -1);
	assert_int_equal(util_hex_digit(0xff), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hex_digit_takes_either_case_and_nothing_else),
	    cmocka_unit_test(no_color_counts_only_when_set_and_not_empty),
	    cmocka_unit_test(test_new_file_is_created_0600_whatever_the_umask),
	    cmocka_unit_test(test_existing_own_file_is_narrowed_and_truncated),
	    cmocka_unit_test(test_append_keeps_what_is_there),
	    cmocka_unit_test(test_symlink_at_the_path_is_refused_and_its_target_untouched),
	    cmocka_unit_test(test_missing_directory_is_reported),
	    cmocka_unit_test(test_unwritable_directory_is_reported),
	    cmocka_unit_test(test_directory_is_refused),
	    cmocka_unit_test(test_character_device_is_written_as_it_is),
	    cmocka_unit_test(test_path_in_the_message_is_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
