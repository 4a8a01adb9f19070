#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "escape.h"
#include "util.h"

/* The options a file may set: defaults about how startle looks, waits and
 * checks, none that relaxes security, writes files or says what to do. */
static const struct {
	const char *name;
	bool value; /* takes a value */
	bool path;  /* the value is a path: a leading ~/ is $HOME */
} config_settings[] = {
    {.name = "cafile", .value = true, .path = true},
    {.name = "theme", .value = true, .path = true},
    {.name = "timeout", .value = true},
    {.name = "memory", .value = true},
    {.name = "ehlo", .value = true},
    {.name = "color", .value = true},
    {.name = "no-color"},
    {.name = "tls-min", .value = true},
    {.name = "tls-max", .value = true},
    {.name = "no-explain"},
    {.name = "records"},
    {.name = "redact"},
    {.name = "verify"},
    {.name = "require-tls"},
    {.name = "fail-on", .value = true},
};

/* Options refused in a file, and why: a row each. */
static const struct {
	const char *name;
	const char *why;
} config_refused[] = {
    {"insecure", "it relaxes security, so it must be typed each time: give --insecure "
                 "on the command line"},
    {"keylog", "it writes TLS secrets, so it must be asked for each time: give "
               "--keylog FILE on the command line"},
    {"log", "a default would overwrite one file every run: give --log FILE on the "
            "command line"},
    {"record", "a default would overwrite one file every run: give --record FILE on "
               "the command line"},
    {"servername", "it belongs to one server: give --servername NAME on the command "
                   "line"},
    {"cert", "a client certificate identifies you to every server startle talks "
             "to: give --cert FILE on the command line"},
    {"key", "a client certificate identifies you to every server startle talks to: "
            "give --key FILE on the command line"},
    {"config", "a configuration file cannot name another one"},
    {"no-config", "remove the file, or run with --no-config"},
};

/* Appends one argument to cfg. */
static void
config_add(struct config *cfg, char *arg, unsigned line)
{
	cfg->argv = xrealloc(cfg->argv, (size_t)(cfg->argc + 2) * sizeof *cfg->argv);
	cfg->lines = xrealloc(cfg->lines, (size_t)(cfg->argc + 1) * sizeof *cfg->lines);
	cfg->argv[cfg->argc] = arg;
	cfg->lines[cfg->argc] = line;
	cfg->argv[++cfg->argc] = NULL;
}

/* The setting's row, or -1; *cause says why a known option is refused. */
static int
config_find(const char *name, const char *file, unsigned line, char **cause)
{
	for (size_t i = 0; i < sizeof config_settings / sizeof config_settings[0]; i++)
		if (strcmp(name, config_settings[i].name) == 0)
			return (int)i;
	for (size_t i = 0; i < sizeof config_refused / sizeof config_refused[0]; i++) {
		if (strcmp(name, config_refused[i].name) == 0) {
			util_file_error(cause, file, line, "%s cannot be set here: %s",
			                name, config_refused[i].why);
			return -1;
		}
	}
	char *esc = escape_bytes((const unsigned char *)name, strlen(name), ESCAPE_TEXT);
	char *names = xstrdup("");
	for (size_t i = 0; i < sizeof config_settings / sizeof config_settings[0]; i++) {
		char *more =
		    str_printf("%s%s%s", names, i > 0 ? ", " : "", config_settings[i].name);
		free(names);
		names = more;
	}
	util_file_error(cause, file, line,
	                "unknown setting \"%s\": the file takes %s (long options "
	                "without --)",
	                esc != NULL ? esc : "?", names);
	free(names);
	free(esc);
	return -1;
}

/* Trims blanks from both ends of s (in place) and returns it. */
static char *
config_trim(char *s)
{
	char *end = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Turns one line (comment removed) into an argument, or none for a blank. */
static int
config_line(struct config *cfg, char *s, const char *file, unsigned line, char **cause)
{
	s = config_trim(s);
	if (*s == '\0')
		return 0;
	size_t n = strcspn(s, " \t=");
	char *value = s + n;
	if (*value != '\0') {
		*value++ = '\0';
		value = config_trim(value);
		if (*value == '=')
			value = config_trim(value + 1);
	}
	int row = config_find(s, file, line, cause);
	if (row < 0)
		return -1;
	if (config_settings[row].value && *value == '\0') {
		util_file_error(cause, file, line, "%s needs a value: write \"%s VALUE\"",
		                s, s);
		return -1;
	}
	if (!config_settings[row].value && *value != '\0') {
		util_file_error(cause, file, line,
		                "%s is a switch and takes no value: write the name alone",
		                s);
		return -1;
	}
	const char *home = getenv("HOME");
	if (config_settings[row].path && strncmp(value, "~/", 2) == 0) {
		if (home == NULL || home[0] == '\0') {
			util_file_error(cause, file, line,
			                "%s starts with ~/ but HOME is not set: give an "
			                "absolute path",
			                s);
			return -1;
		}
		config_add(cfg, str_printf("--%s=%s%s", s, home, value + 1), line);
		return 0;
	}
	config_add(cfg, *value ? str_printf("--%s=%s", s, value) : str_printf("--%s", s),
	           line);
	return 0;
}

int
config_parse(struct config *cfg, const char *text, size_t len, const char *file,
             char **cause)
{
	unsigned line = 0;
	const char *p = text, *end = text + len;

	memset(cfg, 0, sizeof *cfg);
	cfg->file = xstrdup(file);
	config_add(cfg, xstrdup("startle"), 0);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		line++;
		if (memchr(p, '\0', n) != NULL) {
			util_file_error(cause, file, line,
			                "has a NUL byte: the file must be plain text");
			config_free(cfg);
			return -1;
		}
		char *s = xmemdup(p, n);
		char *hash = strchr(s, '#');
		if (hash != NULL)
			*hash = '\0';
		int rc = config_line(cfg, s, file, line, cause);
		free(s);
		if (rc != 0) {
			config_free(cfg);
			return -1;
		}
		p += n + (nl != NULL);
	}
	return 0;
}

int
config_load(struct config *cfg, const char *path, bool missing_ok, char **cause)
{
	char *text = NULL;
	size_t len = 0;

	memset(cfg, 0, sizeof *cfg);
	int rc = util_read_text_file(path, CONFIG_MAX_BYTES, "config", missing_ok, &text,
	                             &len, cause);
	if (rc != 0)
		return rc;
	rc = config_parse(cfg, text, len, path, cause);
	free(text);
	return rc;
}

char *
config_path(const char *explicit_path, bool *named)
{
	const char *env = getenv("STARTLE_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	*named = true;
	if (explicit_path != NULL)
		return xstrdup(explicit_path);
	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	*named = false;
	/* The XDG base directory rules: a relative value is ignored. */
	if (xdg != NULL && xdg[0] == '/')
		return str_printf("%s/startle/config", xdg);
	if (home != NULL && home[0] != '\0')
		return str_printf("%s/.config/startle/config", home);
	return NULL;
}

void
config_free(struct config *cfg)
{
	for (int i = 0; i < cfg->argc; i++)
		free(cfg->argv[i]);
	free(cfg->argv);
	free(cfg->lines);
	free(cfg->file);
	memset(cfg, 0, sizeof *cfg);
}
