/*
 * config: the configuration file, $XDG_CONFIG_HOME/startle/config (by
 * default ~/.config/startle/config), which holds defaults for the command
 * line. Each line is "name value", "name = value" or a switch's name alone;
 * '#' starts a comment; names are long options without "--". Only options
 * that are safe as silent defaults are accepted (config_settings). The file
 * is turned into an argument vector that cli_parse_layered reads before the
 * command line, so one parser validates both and the command line wins.
 */
#ifndef STARTLE_CONFIG_H
#define STARTLE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Larger than any sensible configuration: a bigger file is refused. */
#define CONFIG_MAX_BYTES (64 * 1024)

struct config {
	char *file;      /* the path, as given (for FILE:LINE) */
	int argc;        /* argv[0] is "startle", then one "--name[=value]" a line */
	char **argv;     /* the texts live as long as the config */
	unsigned *lines; /* lines[i] is the line argv[i] came from */
};

/* Parses the text of a configuration file named file. Returns 0, or -1 with
 * *cause ("FILE:LINE: what is wrong: what to do") and cfg left empty. */
int config_parse(struct config *cfg, const char *text, size_t len, const char *file,
                 char **cause);

/* Reads and parses the file at path. Returns 0; 1 if it does not exist and
 * missing_ok is set (cfg is then empty); else -1 with *cause. */
int config_load(struct config *cfg, const char *path, bool missing_ok, char **cause);

/* The file to read: explicit (--config), else $STARTLE_CONFIG if set and not
 * empty, else the default under $XDG_CONFIG_HOME (an absolute path) or
 * $HOME/.config; NULL if there is none. *named is true when the path was
 * given rather than the default (a named file must exist). The result is
 * allocated. */
char *config_path(const char *explicit_path, bool *named);

/* Frees what config_parse or config_load allocated; cfg may be empty. */
void config_free(struct config *cfg);

#endif
