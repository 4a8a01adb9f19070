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
#include "compare.h"
#include "compareview.h"
#include "details.h"
#include "draw.h"
#include "export.h"
#include "input.h"
#include "ladder.h"
#include "layout.h"
#include "lesson.h"
#include "session.h"
#include "styled.h"
#include "theme.h"
#include "tview.h"
#include "ui.h"

/* Which pane takes the keys; FOCUS_COMPARE only under --compare on a screen
 * wide enough for the comparison pane. */
enum ui_focus { FOCUS_INPUT, FOCUS_TRANSCRIPT, FOCUS_DETAILS, FOCUS_COMPARE, FOCUS_COUNT };

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

#define UI_SIDES 2

struct ui;
struct replay;

/* --replay: the recording on the screen and how far it has got. Its events
 * go into the sides' transcripts as the user steps or plays; stepping back
 * empties the transcripts and fills them again up to the new place. */
struct ui_replay {
	const struct replay *r;
	size_t pos;      /* events shown: the recording's first pos */
	bool playing;    /* at the recorded pace times the speed */
	int speed;       /* index into the speeds (ui_replay.c) */
	double due_ms;   /* util_now_ms when the next event is due, playing */
	bool rebuilding; /* the transcripts are being filled again */
};

/* One session on the screen: its transcript and the views over it, and the
 * consent given on it. Alone there is one; under --compare two, "a" and "b". */
struct ui_side {
	struct ui *u;
	int index;        /* 0 for a, 1 for b */
	const char *name; /* "a", "b" under --compare; NULL alone */
	struct session_params params;
	struct transcript *t;
	struct session *s;
	struct tview tv, wire;
	struct dindex di;
	struct ladder ladder;
	struct slines rows; /* the transcript rows being drawn */
	char target_text[300];
	bool exchange_consented;  /* yes was said for the authentication under way */
	bool plaintext_consented; /* yes was said to going on after a failed upgrade */
	struct compare_side cmp;  /* --compare: what the side showed, for the pane */
	bool cmp_closed;          /* its session's end is in cmp */
	struct tls_ticket *ticket; /* the TLS session the last connection left, which
	                            * /reconnect offers to resume, or NULL */
	struct mx_check *mx;      /* --mx: the mail domain's check, or NULL */
};

struct ui {
	const struct ui_config *cfg;
	struct ui_side side[UI_SIDES];
	int nsides;               /* 1, or 2 under --compare */
	struct ui_side *cur;      /* the side the details, the ladder and the keys act on */
	enum compareview_aim aim; /* --compare: where typed lines go */
	struct input *in;
	struct theme theme;
	struct theme_attrs attrs; /* what the theme set up on the screen */
	struct draw_ctx dc;
	bool no_color;
	struct layout lay;
	struct tview_opts tvo, wvo;
	bool ladder_follow;
	bool lesson_active;
	struct lesson lesson;
	enum details_tab tab;
	enum ui_focus focus;
	bool event_details;
	int details_scroll;
	int compare_scroll; /* the comparison pane's first row */
	bool help_overlay;
	bool dirty;
	int cursor; /* column of the cursor in the input line, set by its draw */
	char message[512];
	enum theme_element message_elem;
	enum ui_confirm confirm;
	char confirm_text[400];              /* the question, in words */
	char *confirm_lines[AUTH_LINES_MAX]; /* what a yes sends */
	size_t nconfirm;
	int confirm_side;      /* the side the question is about */
	unsigned confirm_rest; /* sides (bits) to ask about after it */
	enum ui_ask ask;
	enum auth_mech ask_mech;
	char *ask_user;
	unsigned ask_sides; /* the sides /auth's exchange goes to */
	double cancel_at;
	char search[256];          /* the last search pattern, for n and N */
	bool matches_shown;        /* the message line lists completion candidates */
	unsigned long message_gen; /* counts the messages given */
	bool quit;
	int sigpipe[2];
	FILE *log, *record;
	bool write_failed; /* a write to the log or recording failed: exit 2 */
	struct slines drows;
	bool hint_shown;
	bool export_shown; /* /export's page is over the screen */
	enum export_tool export_tool;
	struct export_command export_cmd;
	struct ui_replay *replay; /* --replay: the recording; NULL for live sessions */
};

/* A region of the screen: draws itself; takes the keys no binding took while
 * it has the focus (NULL: such keys are ignored). */
struct ui_pane {
	const char *name;
	void (*draw)(struct ui *u);
	void (*key)(struct ui *u, int key);
};

extern const struct ui_pane transcriptpane, detailspane, inputpane, statusbar, comparepane;

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

/* ui.c: the screen around the panes. */
void ui_message(struct ui *u, enum theme_element e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_relayout(struct ui *u);
void ui_start_lesson(struct ui *u, const char *name);
void ui_lesson_progress(struct ui *u);

/* ui_side.c: the sessions on the screen. */
/* Sets side i up for a session with p: its transcript and views (the
 * session starts with ui_side_start). */
void ui_side_init(struct ui *u, int i, const struct session_params *p);
/* Creates the side's session and, unless replaying, connects it. */
void ui_side_start(struct ui_side *d);
/* Replay: the side afresh, with an empty transcript (views, index, ladder
 * and figures too), to be filled again. */
void ui_side_rewind(struct ui_side *d);
/* The side's phase, whether it has ended, its exit code (-1: not known)
 * and its plaintext bytes: the session's, or in a replay what the events
 * shown so far say. */
enum phase ui_side_phase(const struct ui_side *d);
bool ui_side_closed(const struct ui_side *d);
int ui_side_exit_code(const struct ui_side *d);
size_t ui_side_plain_bytes(const struct ui_side *d);
/* Closes the side's session and starts it again; the transcript goes on. */
/* /reconnect: a new connection to the side's server, offering to resume
 * the TLS session the last one left; returns true when one is offered. */
bool ui_side_reconnect(struct ui_side *d);
/* --mx: checks the mail domain of the side's target before its first
 * connection (the side then connects to the chosen MX host). Returns 0, or
 * the exit status after writing the check's errors on stderr. */
int ui_side_mx_begin(struct ui_side *d, const struct mx_options *o);
/* --mx: closes the session, chooses MX host n (1 the first) and connects to
 * it. Returns 0, or -1 with *cause (nothing changed). */
int ui_side_mx_choose(struct ui_side *d, unsigned n, char **cause);
/* --compare: takes the session's plaintext bytes, and its end once it has
 * ended, into the side's figures. */
void ui_side_refresh(struct ui_side *d);
/* Closes the session (if open) and takes its end into the figures. */
void ui_side_end(struct ui_side *d);
void ui_side_free(struct ui_side *d);
/* The session's phase or state in a word: plain, handshake, tls, data, closed. */
const char *ui_side_where(const struct ui_side *d);
/* --compare: aims every typed line at aim from now on and says so. */
void ui_set_aim(struct ui *u, enum compareview_aim aim);
/* --compare: the details pane, the ladder and the keys turn to side i; a
 * transcript with the focus hands it to that side's column. */
void ui_switch_side(struct ui *u, int i);
/* The sides (COMPAREVIEW_SIDE_* bits) a typed line goes to now. */
unsigned ui_aimed_sides(const struct ui *u, const char *line);
/* The side whose event next[i] (of side i) came first, by the wall clock,
 * or NULL when every side's next is past its last event. */
struct ui_side *ui_side_next_in_time(struct ui *u, const size_t next[UI_SIDES]);
/* Feeds the lesson an event of side d: under --compare a compare lesson's
 * steps of that side (lesson_update_side), another lesson's steps only from
 * side a. Returns true when it completed a step. */
bool ui_side_lesson_update(const struct ui_side *d, const struct event *ev);
/* Saves the chain of side d's connection to path as PEM (/save-chain,
 * --save-chain) and says so, or why not, in the message line. */
void ui_side_save_chain(struct ui_side *d, const char *path);
/* Opens path for /log or /record and writes every event so far into it
 * (both sides', in the order they happened). */
FILE *ui_open_sink(struct ui *u, const char *path, bool json);
/* Starts a recording with its header (output.h): the sides' targets. */
void ui_record_header(const struct ui *u, FILE *f);
/* --compare: writes the comparison to the log and the recording. */
void ui_write_comparison(struct ui *u);
/* Queues the lines given on the command line (-c, --starttls, --script) on
 * every side they are for, as batch mode would send them. */
void ui_queue_script(struct ui *u, const struct script *sc);
/* Gives the terminal back for a stop (Ctrl-Z) and takes it again after. */
void ui_suspend(struct ui *u);

/* exportview.c: /export's page, over everything until a key is pressed. */
/* Shows cmd (taken over: *cmd is left empty). */
void exportview_show(struct ui *u, enum export_tool tool, struct export_command *cmd);
void exportview_close(struct ui *u);
void exportview_draw(struct ui *u);
/* ui_replay.c: --replay in the explorer. */
/* Says how to move through the recording. */
void ui_replay_start(struct ui *u);
/* Shows the recording's first pos events. */
void ui_replay_goto(struct ui *u, size_t pos);
/* Key actions: one event on (arg 1) or back (-1); the start (0) or the end
 * (1); play or pause; faster (1) or slower (-1). */
void ui_replay_step(struct ui *u, int key, int arg);
void ui_replay_jump(struct ui *u, int key, int arg);
void ui_replay_play(struct ui *u, int key, int arg);
void ui_replay_speed(struct ui *u, int key, int arg);
/* Milliseconds until the next event is due while playing, or -1. */
int ui_replay_timeout(const struct ui *u);
/* Shows the events that are due while playing. */
void ui_replay_tick(struct ui *u);
/* "replay 12/87, paused": where the replay is, for the title row. */
void ui_replay_status(const struct ui *u, struct sline *l);
/* In a replay: says that what was asked needs a live session (nothing is
 * sent) and returns true; live, false. */
bool ui_replay_refuses(struct ui *u, const char *what);

/* keys.c: the key table. */
void keys_handle(struct ui *u, int key);
/* Which screen's bindings help and hints show, besides everyone's. */
enum keys_show { KEYS_SHOW_COMPARE = 1, KEYS_SHOW_REPLAY = 2 };
/* The KEYS_SHOW_* bits of the screen u shows. */
unsigned keys_show(const struct ui *u);
/* The help rows of the bindings, in table order (those of --compare or a
 * replay only when shown says so); returns how many (at most max). */
size_t keys_help(struct details_help_row *rows, size_t max, unsigned shown);
/* The short hints of the hint bar. */
void keys_hints(struct sline *out, unsigned shown);

/* transcriptpane.c */
/* Where side d's transcript is on the screen. */
const struct rect *transcriptpane_rect(const struct ui *u, const struct ui_side *d);
void transcriptpane_scroll_side(struct ui *u, struct ui_side *d, int delta);
/* Scrolls the transcript of the current side. */
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

/* comparepane.c: the comparison pane (--compare, wide screens). */
void comparepane_scroll(struct ui *u, int delta);

/* inputpane.c */
void inputpane_feed(struct ui *u, const char *bytes);
/* Takes a list of completions off the message line, if one is there. */
void inputpane_drop_matches(struct ui *u);
void inputpane_confirm(struct ui *u, int key);
/* Queues a line on side d (consented: whatever it exposes). */
void inputpane_send(struct ui_side *d, const char *line, bool consented);
/* The readline hooks: a finished line, completion and its candidates. */
void inputpane_on_line(void *arg, char *line);
char **inputpane_complete(void *arg, const char *line, const char *text, int start,
                          int end);
void inputpane_show_matches(void *arg, char **matches, int n);

#endif
