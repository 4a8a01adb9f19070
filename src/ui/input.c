#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "input.h"
#include "util.h"

#define QUEUE_SIZE 4096

#define INPUT_HISTORY_MAX 1000

struct input {
	struct input_hooks hooks;
	unsigned char queue[QUEUE_SIZE];
	size_t head, tail;
	bool dirty;
	char *history_path;
	char prompt[128];
	FILE *devnull;
	char **candidates; /* of the completion under way */
	size_t next;
};

/* readline is one per process and its callbacks (getc, redisplay, the line
 * handler, completion) take no argument: they reach the input through this,
 * the one readline is installed for (NULL when none is). */
static struct input *installed;

static int
queue_getc(FILE *f)
{
	struct input *in = installed;

	(void)f;
	if (in == NULL || in->head == in->tail)
		return EOF;
	return in->queue[in->head++ % QUEUE_SIZE];
}

static int
queue_available(void)
{
	return installed != NULL && installed->head != installed->tail;
}

static void
redisplay(void)
{
	if (installed != NULL)
		installed->dirty = true;
}

static void
on_line(char *line)
{
	struct input *in = installed;

	in->dirty = true;
	in->hooks.line(in->hooks.arg, line);
}

static char *
no_generator(const char *text, int state)
{
	(void)text;
	(void)state;
	return NULL;
}

/* Hands readline the candidates of the current completion one by one. */
static char *
next_candidate(const char *text, int state)
{
	struct input *in = installed;

	(void)text;
	if (state == 0)
		in->next = 0;
	return in->candidates[in->next] != NULL ? in->candidates[in->next++] : NULL;
}

static char **
complete(const char *text, int start, int end)
{
	struct input *in = installed;
	char **matches;

	rl_attempted_completion_over = 1;
	if (in == NULL || in->hooks.complete == NULL)
		return NULL;
	in->candidates =
	    in->hooks.complete(in->hooks.arg, rl_line_buffer, text, start, end);
	if (in->candidates == NULL)
		return NULL;
	/* A lone directory is completed without the space after it, so that
	 * the next Tab goes into it. */
	if (in->candidates[0] != NULL && in->candidates[1] == NULL) {
		size_t len = strlen(in->candidates[0]);
		rl_completion_suppress_append =
		    len > 0 && in->candidates[0][len - 1] == '/';
	}
	/* readline takes the strings over and works out the common prefix. */
	matches = rl_completion_matches(text, next_candidate);
	free(in->candidates);
	in->candidates = NULL;
	return matches;
}

static void
display_matches(char **matches, int n, int max_len)
{
	struct input *in = installed;

	(void)max_len;
	if (in == NULL)
		return;
	if (in->hooks.show_matches != NULL)
		in->hooks.show_matches(in->hooks.arg, matches + 1, n);
	in->dirty = true;
}

struct input *
input_new(const struct input_hooks *hooks, const char *history_path)
{
	struct input *in;

	if (installed != NULL)
		fatal("readline is already in use by another input line");
	in = xcalloc(1, sizeof *in);
	in->hooks = *hooks;
	/* readline must leave signals, the window size and the terminal to us. */
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = NULL;
	rl_deprep_term_function = NULL;
	rl_getc_function = queue_getc;
	rl_input_available_hook = queue_available;
	rl_redisplay_function = redisplay;
	in->devnull = fopen("/dev/null", "w");
	rl_outstream = in->devnull;
	rl_readline_name = "startle";
	rl_attempted_completion_function = complete;
	rl_completion_entry_function = no_generator;
	rl_completion_display_matches_hook = display_matches;
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("completion-ignore-case", "on");
	/* An ambiguous Tab lists the choices at once (in the message line). */
	rl_variable_bind("show-all-if-ambiguous", "on");
	using_history();
	if (history_path != NULL) {
		in->history_path = xstrdup(history_path);
		read_history(in->history_path);
	}
	snprintf(in->prompt, sizeof in->prompt, "> ");
	installed = in;
	rl_callback_handler_install(in->prompt, on_line);
	return in;
}

/* Writes the last INPUT_HISTORY_MAX lines of the history to its file,
 * privately (util_open_private): readline's own writer follows symlinks. */
static void
input_save_history(const char *path)
{
	HIST_ENTRY **list = history_list();
	char *cause = NULL;
	FILE *f = util_open_private(path, false, &cause);

	if (f == NULL) {
		free(cause); /* the screen is gone: nowhere to say it */
		return;
	}
	for (int i = history_length > INPUT_HISTORY_MAX ? history_length - INPUT_HISTORY_MAX
	                                                : 0;
	     list != NULL && i < history_length; i++)
		if (list[i] != NULL)
			fprintf(f, "%s\n", list[i]->line);
	fclose(f);
}

void
input_finish(void)
{
	struct input *in = installed;

	if (in == NULL)
		return;
	installed = NULL;
	rl_callback_handler_remove();
	if (in->history_path != NULL) {
		input_save_history(in->history_path);
		free(in->history_path);
		in->history_path = NULL;
	}
	if (in->devnull != NULL) {
		fclose(in->devnull);
		in->devnull = NULL;
	}
}

void
input_free(struct input *in)
{
	if (in == NULL)
		return;
	if (installed == in)
		input_finish();
	free(in);
}

void
input_set_prompt(struct input *in, const char *prompt)
{
	if (strcmp(prompt, in->prompt) == 0)
		return;
	snprintf(in->prompt, sizeof in->prompt, "%s", prompt);
	rl_set_prompt(in->prompt);
	in->dirty = true;
}

void
input_feed(struct input *in, const unsigned char *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (in->tail - in->head >= QUEUE_SIZE)
			break;
		in->queue[in->tail++ % QUEUE_SIZE] = bytes[i];
	}
	while (installed == in && in->head != in->tail)
		rl_callback_read_char();
}

void
input_clear(struct input *in)
{
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	rl_mark = 0;
	in->dirty = true;
}

bool
input_empty(const struct input *in)
{
	(void)in;
	return rl_end == 0;
}

void
input_history_add(struct input *in, const char *line)
{
	(void)in;
	if (*line != '\0')
		add_history(line);
}

void
input_view(const struct input *in, struct input_view *v)
{
	v->prompt = rl_display_prompt ? rl_display_prompt : in->prompt;
	v->line = rl_line_buffer ? rl_line_buffer : "";
	v->point = rl_point < 0 ? 0 : (size_t)rl_point;
	if (v->point > strlen(v->line))
		v->point = strlen(v->line);
}

bool
input_take_dirty(struct input *in)
{
	bool d = in->dirty;
	in->dirty = false;
	return d;
}

/* Creates each missing directory of path (mode 0700). */
static int
make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

char *
input_history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *dir;

	if (state != NULL && state[0] == '/')
		dir = str_printf("%s/startle", state);
	else if (home != NULL && home[0] == '/')
		dir = str_printf("%s/.local/state/startle", home);
	else
		return NULL;
	if (make_dirs(dir) != 0) {
		free(dir);
		return NULL;
	}
	char *path = str_printf("%s/history", dir);
	free(dir);
	return path;
}
