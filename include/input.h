/*
 * input: GNU readline inside the curses screen, through readline's callback
 * interface. The UI feeds it bytes (keys already translated to the escape
 * sequences readline binds); readline edits, searches history (Ctrl-R) and
 * completes; finished lines come back through a callback. readline never
 * touches the terminal itself: it reads from a byte queue, writes to
 * /dev/null, and the UI draws the prompt and line from input_view.
 *
 * The state (queue, prompt, hooks) is a struct input its owner holds; readline
 * itself is one per process, so one input is installed at a time.
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

struct input;

/* Sets readline up for a new input line. history_path may be NULL (no
 * persistent history). readline is one per process: one input at a time. */
struct input *input_new(const struct input_hooks *hooks, const char *history_path);

/* Removes readline's handler and saves the history of the input readline is
 * installed for. Safe to call twice, and from the fatal and exit paths. */
void input_finish(void);

/* Finishes the input if it is still installed, then frees it. */
void input_free(struct input *in);

void input_set_prompt(struct input *in, const char *prompt);

/* Queues bytes and lets readline consume all of them. */
void input_feed(struct input *in, const unsigned char *bytes, size_t n);

/* Clears the line being edited (Ctrl-C). */
void input_clear(struct input *in);

bool input_empty(const struct input *in);

/* Adds a line to the history (memory and, at input_finish, the file). */
void input_history_add(struct input *in, const char *line);

struct input_view {
	const char *prompt; /* what readline shows as prompt (also the Ctrl-R prompt) */
	const char *line;
	size_t point; /* cursor, a byte offset into line */
};

void input_view(const struct input *in, struct input_view *v);

/* True when readline redisplayed since the last call (the line changed). */
bool input_take_dirty(struct input *in);

/* The history file: $XDG_STATE_HOME/startle/history or
 * ~/.local/state/startle/history (directories created). NULL if neither can
 * be found. Caller frees. */
char *input_history_path(void);

#endif
