/*
 * commands: the table of startle's own commands, typed in the TUI as lines
 * starting with '/' ("//" sends a literal slash to the server). The table is
 * data: adding a command is adding a row; the UI runs it by id.
 */
#ifndef STARTLE_COMMANDS_H
#define STARTLE_COMMANDS_H

#include <stddef.h>

#define COMMANDS(X)                                                                        \
	X(STARTTLS, "starttls", "",                                                        \
	  "upgrade now: capabilities, STARTTLS, handshake, capabilities")                  \
	X(QUIT, "quit", "", "close the session and leave")                                 \
	X(HELP, "help", "", "show keys and commands")                                      \
	X(THEME, "theme", "[NAME]", "switch to theme NAME (no name: list the themes)")     \
	X(LOG, "log", "FILE", "write the annotated transcript to FILE, from the start")    \
	X(RECORD, "record", "FILE",                                                        \
	  "write the session as JSON Lines to FILE, from the start")                       \
	X(RECONNECT, "reconnect", "", "close and connect again to the same target")        \
	X(CLEAR, "clear", "", "start the transcript pane afresh (nothing is deleted)")     \
	X(EXPLAIN, "explain", "", "show or hide the explanation lines")                    \
	X(LESSON, "lesson", "[NAME]", "start a guided lesson (no name: list them)")        \
	X(NEXT, "next", "", "move on to the next step of the lesson")

enum command_id {
#define COMMAND_ENUM(sym, name, args, help) CMD_##sym,
	COMMANDS(COMMAND_ENUM)
#undef COMMAND_ENUM
	    CMD_COUNT
};

struct command_info {
	enum command_id id;
	const char *name;
	const char *args; /* "" when it takes none; "[X]" when X is optional */
	const char *help;
};

const struct command_info *command_info(enum command_id id);

/* What a typed line is. */
enum command_parse_result {
	COMMAND_SEND, /* not a command: send *send (the line, or it without one '/') */
	COMMAND_RUN,  /* run *cmd with *arg ("" when none) */
	COMMAND_ERROR /* *error says what is wrong */
};

struct command_parse {
	enum command_parse_result result;
	const struct command_info *cmd;
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

#endif
