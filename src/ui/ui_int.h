/*
 * ui internals shared by the files of the explorer: the state of one screen
 * (struct ui), its panes, its key bindings and the helpers they share. Only
 * src/ui includes this; the interface of the UI is ui.h.
 *
 * Each pane draws its own rectangle of the layout and takes the keys that no
 * binding of the key table took while it has the focus. One dirty flag per
 * screen says the next loop iteration draws (all panes, then one doupdate).
 */
#ifndef STARTLE_UI_INT_H
#define STARTLE_UI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "auth.h"
#include "details.h"
#include "draw.h"
#include "input.h"
#include "ladder.h"
#include "layout.h"
#include "lesson.h"
#include "session.h"
#include "styled.h"
#include "theme.h"
#include "tview.h"
#include "ui.h"

enum ui_focus { FOCUS_INPUT, FOCUS_TRANSCRIPT, FOCUS_DETAILS, FOCUS_COUNT };

/* A question the input line answers with y or n. */
enum ui_confirm {
	CONFIRM_NONE,
	CONFIRM_CREDENTIAL, /* a credential would go in plaintext */
	CONFIRM_UNVERIFIED, /* a credential would go into unverified TLS */
	CONFIRM_PLAINTEXT,  /* the requested upgrade failed: go on in plaintext? */
	CONFIRM_QUIT
};

/* A question the input line answers with a whole line: /auth's, or the
 * pattern of a transcript search (/ in the transcript). */
enum ui_ask { ASK_NONE, ASK_AUTH_USER, ASK_AUTH_PASSWORD, ASK_SEARCH };

struct ui {
	const struct ui_config *cfg;
	struct session_params params;
	struct transcript *t;
	struct session *s;
	struct input *in;
	struct theme theme;
	struct theme_attrs attrs; /* what the theme set up on the screen */
	struct draw_ctx dc;
	bool no_color;
	struct layout lay;
	struct tview tv, wire;
	struct tview_opts tvo, wvo;
	struct dindex di;
	struct ladder ladder;
	bool ladder_follow;
	bool lesson_active;
	struct lesson lesson;
	enum details_tab tab;
	enum ui_focus focus;
	bool event_details;
	int details_scroll;
	bool help_overlay;
	bool dirty;
	int cursor; /* column of the cursor in the input line, set by its draw */
	char message[512];
	enum theme_element message_elem;
	enum ui_confirm confirm;
	char confirm_text[400];              /* the question, in words */
	char *confirm_lines[AUTH_LINES_MAX]; /* what a yes sends */
	size_t nconfirm;
	bool exchange_consented;  /* yes was said for the authentication under way */
	bool plaintext_consented; /* yes was said to going on after a failed upgrade */
	enum ui_ask ask;
	enum auth_mech ask_mech;
	char *ask_user;
	double cancel_at;
	char search[256];          /* the last search pattern, for n and N */
	bool matches_shown;        /* the message line lists completion candidates */
	unsigned long message_gen; /* counts the messages given */
	bool quit;
	int sigpipe[2];
	FILE *log, *record;
	bool write_failed; /* a write to the log or recording failed: exit 2 */
	struct slines rows, drows;
	char target_text[300];
	bool hint_shown;
};

/* A region of the screen: draws itself; takes the keys no binding took while
 * it has the focus (NULL: such keys are ignored). */
struct ui_pane {
	const char *name;
	void (*draw)(struct ui *u);
	void (*key)(struct ui *u, int key);
};

extern const struct ui_pane transcriptpane, detailspane, inputpane, statusbar;

/* Checks, before curses starts, that the terminal can show the explorer.
 * Returns 0, or -1 with *cause saying what to do instead. */
int ui_check_terminal(char **cause);

/* Starts /auth: asks for the user (unless given), then the password without
 * echo, then sends the SASL exchange (asking first in plaintext). */
void inputpane_ask_auth(struct ui *u, enum auth_mech mech, const char *user);

/* Drops a question in progress (Ctrl-C); true if there was one. */
bool inputpane_cancel_ask(struct ui *u);

/* Forgets the lines a credential question holds. */
void inputpane_drop_confirm(struct ui *u);

/* ui.c: the screen and the session around the panes. */
void ui_message(struct ui *u, enum theme_element e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_relayout(struct ui *u);
void ui_start_session(struct ui *u);
void ui_start_lesson(struct ui *u, const char *name);
void ui_lesson_progress(struct ui *u);
/* Opens path for /log or /record and writes every event so far into it. */
FILE *ui_open_sink(struct ui *u, const char *path, bool json);
/* Gives the terminal back for a stop (Ctrl-Z) and takes it again after. */
void ui_suspend(struct ui *u);

/* keys.c: the key table. */
void keys_handle(struct ui *u, int key);
/* The help rows of the bindings, in table order; returns how many (at most max). */
size_t keys_help(struct details_help_row *rows, size_t max);
/* The short hints of the hint bar. */
void keys_hints(struct sline *out);

/* transcriptpane.c */
void transcriptpane_scroll(struct ui *u, int delta);
void transcriptpane_select(struct ui *u, int key, int delta);
void transcriptpane_home(struct ui *u, int key, int arg);
void transcriptpane_end(struct ui *u, int key, int arg);
void transcriptpane_open_event(struct ui *u, int key, int arg);
/* /: asks for a pattern on the input line. */
void transcriptpane_search_ask(struct ui *u, int key, int arg);
/* n and N (dir 1, -1): the next or previous event matching the last pattern. */
void transcriptpane_search_next(struct ui *u, int key, int dir);
/* Searches for pattern (remembered for n and N), or the last one when it is
 * empty, and says in the message line what happened. */
void transcriptpane_search(struct ui *u, const char *pattern, int dir);

/* detailspane.c */
bool detailspane_tab_available(const struct ui *u, enum details_tab tab);
void detailspane_switch_tab(struct ui *u, int tab);
void detailspane_cycle_tab(struct ui *u, int step);
void detailspane_scroll(struct ui *u, int delta);
void detailspane_top(struct ui *u, int key, int arg);
/* The help screen over everything (F1). */
void detailspane_draw_help_overlay(struct ui *u);

/* inputpane.c */
void inputpane_feed(struct ui *u, const char *bytes);
/* Takes a list of completions off the message line, if one is there. */
void inputpane_drop_matches(struct ui *u);
void inputpane_confirm(struct ui *u, int key);
void inputpane_send(struct ui *u, const char *line, bool consented);
/* The readline hooks: a finished line, completion and its candidates. */
void inputpane_on_line(void *arg, char *line);
char **inputpane_complete(void *arg, const char *line, const char *text, int start,
                          int end);
void inputpane_show_matches(void *arg, char **matches, int n);

#endif
