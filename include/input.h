/*
 * input: GNU readline inside the curses screen, through readline's callback
 * interface. The UI feeds it bytes (keys already translated to the escape
 * sequences readline binds); readline edits, searches history (Ctrl-R) and
 * completes; finished lines come back through a callback. readline never
 * touches the terminal itself: it reads from a byte queue, writes to
 * /dev/null, and the UI draws the prompt and line from input_view.
 */
#ifndef STARTLE_INPUT_H
#define STARTLE_INPUT_H

#include <stdbool.h>
#include <stddef.h>

struct input_hooks {
	/* A finished line (caller frees), or NULL for end of input (Ctrl-D on an empty
	 * line). */
	void (*line)(void *arg, char *line);
	/* Completion candidates for the word text at [start, end) of the line: a
	 * NULL-terminated malloc'd array of malloc'd strings (all taken over), or
	 * NULL. readline picks the common prefix, ignoring case. */
	char **(*complete)(void *arg, const char *line, const char *text, int start,
	                   int end);
	/* Several candidates to show (the UI shows them in its message line). */
	void (*show_matches)(void *arg, char **matches, int n);
	void *arg;
};

/* Sets readline up. history_path may be NULL (no persistent history). */
void input_init(const struct input_hooks *hooks, const char *history_path);

/* Removes readline's handler and saves the history. Safe to call twice. */
void input_finish(void);

void input_set_prompt(const char *prompt);

/* Queues bytes and lets readline consume all of them. */
void input_feed(const unsigned char *bytes, size_t n);

/* Clears the line being edited (Ctrl-C). */
void input_clear(void);

bool input_empty(void);

/* Adds a line to the history (memory and, at input_finish, the file). */
void input_history_add(const char *line);

struct input_view {
	const char *prompt; /* what readline shows as prompt (also the Ctrl-R prompt) */
	const char *line;
	size_t point; /* cursor, a byte offset into line */
};

void input_view(struct input_view *v);

/* True when readline redisplayed since the last call (the line changed). */
bool input_take_dirty(void);

/* The history file: $XDG_STATE_HOME/startle/history or
 * ~/.local/state/startle/history (directories created). NULL if neither can
 * be found. Caller frees. */
char *input_history_path(void);

#endif
