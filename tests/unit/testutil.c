#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

enum theme_element
testutil_elem_at(const struct sline *l, size_t off)
{
	size_t start = 0;

	for (size_t i = 0; i < l->nspans; i++) {
		if (off < start + l->spans[i].len)
			return l->spans[i].elem;
		start += l->spans[i].len;
	}
	fail_msg("offset %zu is past the spans of \"%s\"", off, l->text);
	return TE_COUNT;
}

size_t
testutil_offset_of(const struct sline *l, const char *needle)
{
	const char *p = strstr(l->text, needle);

	if (p == NULL)
		fail_msg("\"%s\" not in \"%s\"", needle, l->text);
	return (size_t)(p - l->text);
}

void
testutil_remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			testutil_remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}
