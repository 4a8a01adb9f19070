/* lesson: finding, loading and listing lesson files. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lesson.h"
#include "lesson_int.h"
#include "util.h"

#ifndef STARTLE_DATADIR
#define STARTLE_DATADIR "/usr/local/share/startle"
#endif

#define LESSON_MAX_DIRS 4

/* The directories searched for lesson names, in order. */
static size_t
lesson_dirs(const char *dirs[LESSON_MAX_DIRS])
{
	const char *env = getenv("STARTLE_LESSONS");
	size_t n = 0;

	if (env != NULL && env[0] != '\0')
		dirs[n++] = env;
	dirs[n++] = STARTLE_DATADIR "/lessons";
	dirs[n++] = "./docs/lessons";
	if (util_beside_exe("docs/lessons") != NULL)
		dirs[n++] = util_beside_exe("docs/lessons");
	return n;
}

static int
lesson_load_file(const char *path, bool missing_ok, struct lesson *out, char **cause)
{
	char *text;
	size_t len;
	int rc = util_read_text_file(path, LESSON_MAX_BYTES, "lesson", missing_ok, &text,
	                             &len, cause);

	if (rc != 0)
		return rc;
	rc = lesson_parse(text, len, path, out, cause);
	free(text);
	return rc;
}

/* True if a directory entry names a lesson: NAME.lesson, NAME non-empty, not
 * hidden, printable. */
static bool
lesson_is_lesson_file(const char *entry)
{
	size_t len = strlen(entry);

	if (len <= LESSON_SUFFIX_LEN || entry[0] == '.' ||
	    strcmp(entry + len - LESSON_SUFFIX_LEN, LESSON_SUFFIX) != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)entry[i] < 0x20 || entry[i] == 0x7f)
			return false;
	return true;
}

struct lesson_found {
	char *name;
	char *path;
};

static int
lesson_cmp_found(const void *a, const void *b)
{
	return strcmp(((const struct lesson_found *)a)->name,
	              ((const struct lesson_found *)b)->name);
}

/* Every lesson file of the search directories, unique by name (the first
 * directory wins), sorted by name. Returns how many; *found is freed with
 * lesson_found_free. */
static size_t
lesson_find_all(struct lesson_found **found)
{
	const char *dirs[LESSON_MAX_DIRS];
	size_t ndirs = lesson_dirs(dirs), n = 0, cap = 0;
	struct lesson_found *v = NULL;

	for (size_t i = 0; i < ndirs; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			struct stat st;
			char *name, *path;
			bool seen = false;
			if (!lesson_is_lesson_file(de->d_name))
				continue;
			name = lesson_name_of(de->d_name);
			for (size_t k = 0; k < n && !seen; k++)
				seen = strcmp(v[k].name, name) == 0;
			path = str_printf("%s/%s", dirs[i], de->d_name);
			if (seen || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
				free(name);
				free(path);
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				v = xrealloc(v, cap * sizeof *v);
			}
			v[n++] = (struct lesson_found){name, path};
		}
		closedir(d);
	}
	if (n > 1)
		qsort(v, n, sizeof *v, lesson_cmp_found);
	*found = v;
	return n;
}

static void
lesson_found_free(struct lesson_found *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

/* Sets *cause for a name no directory holds, naming the lessons there are. */
static void
lesson_unknown(const char *name, char **cause)
{
	struct lesson_found *v;
	size_t n = lesson_find_all(&v);
	const char **names = xcalloc(n + 1, sizeof *names);
	char *q = lesson_quote(name);

	for (size_t i = 0; i < n; i++)
		names[i] = v[i].name;
	if (n == 0) {
		const char *dirs[LESSON_MAX_DIRS];
		char *list = lesson_join(dirs, lesson_dirs(dirs), " and ");
		lesson_give(
		    cause,
		    str_printf("no lesson named %s, and no lessons were found in %s: "
		               "set STARTLE_LESSONS to the directory that holds "
		               "them, or give the path of a .lesson file",
		               q, list));
		free(list);
	} else {
		char *list = lesson_join(names, n, " and ");
		lesson_give(cause,
		            str_printf("no lesson named %s: the lessons available are %s; "
		                       "or give the path of a .lesson file",
		                       q, list));
		free(list);
	}
	free(q);
	free(names);
	lesson_found_free(v, n);
}

int
lesson_load(const char *name, struct lesson *out, char **cause)
{
	const char *dirs[LESSON_MAX_DIRS];
	size_t ndirs;
	char *base;
	int rc = 1;

	memset(out, 0, sizeof *out);
	if (name == NULL || name[0] == '\0') {
		lesson_give(cause,
		            str_printf("no lesson name given: name a lesson such as "
		                       "\"starttls\" or give the path of a .lesson file"));
		return -1;
	}
	if (strchr(name, '/') != NULL)
		return lesson_load_file(name, false, out, cause) == 0 ? 0 : -1;
	base = lesson_name_of(name);
	if (base[0] == '\0') {
		free(base);
		return lesson_load(NULL, out, cause);
	}
	ndirs = lesson_dirs(dirs);
	for (size_t i = 0; i < ndirs && rc == 1; i++) {
		char *path = str_printf("%s/%s%s", dirs[i], base, LESSON_SUFFIX);
		rc = lesson_load_file(path, true, out, cause);
		free(path);
	}
	if (rc == 1)
		lesson_unknown(base, cause);
	free(base);
	return rc == 0 ? 0 : -1;
}

void
lesson_list(void (*fn)(void *arg, const char *name, const char *title), void *arg)
{
	struct lesson_found *v;
	size_t n = lesson_find_all(&v);

	for (size_t i = 0; i < n; i++) {
		struct lesson l;
		if (lesson_load_file(v[i].path, false, &l, NULL) != 0)
			continue;
		fn(arg, v[i].name, l.title);
		lesson_free(&l);
	}
	lesson_found_free(v, n);
}
