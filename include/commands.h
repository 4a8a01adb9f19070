/*
 * commands: the table of startle's own commands, typed in the TUI as lines
 * starting with '/' ("//" sends a literal slash to the server). The table is
 * data: each row has the name, its argument, its help and the function that
 * runs it; adding a command is adding a row. The help screen lists the rows.
 */
#ifndef STARTLE_COMMANDS_H
#define STARTLE_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "compareview.h"

struct ui;

/* What Tab completes in a command's argument. */
enum command_arg {
	COMMAND_ARG_NONE,
	COMMAND_ARG_THEME,  /* theme names, shipped and the user's */
	COMMAND_ARG_LESSON, /* lesson names */
	COMMAND_ARG_PATH,   /* file paths ("~/" is the home directory) */
	COMMAND_ARG_EXPORT  /* the tools /export knows */
};

struct command {
	const char *name;
	const char *args; /* "" when it takes none; "[X]" when X is optional */
	const char *help;
	enum command_arg complete; /* what its argument completes to */
	bool compare_only;         /* only under --compare: help and completion
	                            * leave it out otherwise */
	/* /a, /b, /both: the argument is a line (or a command) that goes to the
	 * side(s) of aim only; without one, every line does from then on. */
	bool aims;
	enum compareview_aim aim;
	bool live; /* needs a live session: a replay (--replay) refuses it */
	/* Runs the command on the explorer's screen; arg is "" when none. */
	void (*exec)(struct ui *u, const char *arg);
};

/* The rows of the table, in order. */
size_t command_count(void);
const struct command *command_at(size_t i);

/* How the help screen shows the "//" escape, beside the commands. */
#define COMMAND_SLASH_KEYS "//text"
#define COMMAND_SLASH_HELP "send a line that starts with a slash"

/* What a typed line is. */
enum command_parse_result {
	COMMAND_SEND, /* not a command: send *send (the line, or it without one '/') */
	COMMAND_RUN,  /* run *cmd with *arg ("" when none) */
	COMMAND_ERROR /* *error says what is wrong */
};

struct command_parse {
	enum command_parse_result result;
	const struct command *cmd;
	const char *arg;  /* points into the line */
	const char *send; /* points into the line */
	char error[160];
};

/* Parses a typed line. Commands may be shortened to any unique prefix
 * ("/st" is /starttls); a command that needs an argument and has none, or
 * that takes none and has one, is an error. */
void command_parse(const char *line, struct command_parse *out);

/* Completes a command name prefix (without the '/'): calls fn with each
 * matching name in table order. Returns the number of matches. */
size_t command_complete(const char *prefix, void (*fn)(void *arg, const char *name),
                        void *arg);

/* Completes the first argument of a command line (line is the whole line,
 * "/theme d"; prefix the word being completed, "d"): calls fn with each
 * candidate of what the command takes, names matching ignoring case, paths
 * as typed (a leading "~/" kept, a directory ending in '/', hidden entries
 * only when the prefix names them). Returns the number of candidates. */
size_t command_complete_arg(const char *line, const char *prefix,
                            void (*fn)(void *arg, const char *cand), void *arg);

/* A path as a shell would read it: a leading "~/" (or a lone "~") is $HOME.
 * Returns a malloc'd string. */
char *command_expand_home(const char *path);

#endif
