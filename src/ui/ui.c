#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "commands.h"
#include "details.h"
#include "draw.h"
#include "escape.h"
#include "input.h"
#include "ladder.h"
#include "lesson.h"
#include "lessonview.h"
#include "layout.h"
#include "output.h"
#include "proto.h"
#include "session.h"
#include "styled.h"
#include "theme.h"
#include "tview.h"
#include "ui.h"
#include "util.h"

enum focus { FOCUS_INPUT, FOCUS_TRANSCRIPT, FOCUS_DETAILS };
#define FOCUS_COUNT 3

enum confirm { CONFIRM_NONE, CONFIRM_CREDENTIAL, CONFIRM_QUIT };

struct ui {
	const struct ui_config *cfg;
	struct session_params params;
	struct transcript *t;
	struct session *s;
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
	enum focus focus;
	bool event_details;
	int details_scroll;
	bool help_overlay;
	bool dirty;
	char message[512];
	enum theme_element message_elem;
	enum confirm confirm;
	char *confirm_line;
	double cancel_at;
	bool quit;
	int sigpipe[2];
	FILE *log, *record;
	struct slines rows, drows;
	char target_text[300];
	bool hint_shown;
};

static struct ui *active;
static volatile sig_atomic_t curses_on;

/* The way out on every path: readline's handler removed, curses ended. */
static void
ui_restore(void)
{
	if (!curses_on)
		return;
	curses_on = 0;
	input_finish();
	endwin();
}

static void
crash_handler(int sig)
{
	ui_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
signal_to_pipe(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (active != NULL && write(active->sigpipe[1], &c, 1) < 0) {
		/* The pipe is full: a signal is already waiting there. */
	}
	errno = saved;
}

static void message(struct ui *u, enum theme_element e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
message(struct ui *u, enum theme_element e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->message, sizeof u->message, fmt, ap);
	va_end(ap);
	u->message_elem = e;
	u->dirty = true;
}

/* Tells the user a lesson step is done and shows the lesson. */
static void
lesson_progress(struct ui *u)
{
	if (lesson_done(&u->lesson))
		message(u, TE_GOOD, "lesson complete: %s", u->lesson.title);
	else
		message(u, TE_GOOD, "step done; next: %s",
		        u->lesson.steps[u->lesson.current].title);
	u->tab = TAB_LESSON;
	u->event_details = false;
	u->details_scroll = 0;
}

/* Transcript listener: keeps the details index, the log and the recording. */
static void
on_event(void *arg, const struct transcript *t, const struct event *ev)
{
	struct ui *u = arg;
	struct output_options lo = {.explain = true};

	dindex_update(&u->di, t, ev->seq - 1);
	ladder_update(&u->ladder, t, ev->seq - 1);
	if (u->lesson_active && lesson_update(&u->lesson, ev))
		lesson_progress(u);
	if (u->log != NULL) {
		output_text(u->log, ev, &lo);
		fflush(u->log);
	}
	if (u->record != NULL) {
		output_json(u->record, ev);
		fflush(u->record);
	}
	u->dirty = true;
}

/* Opens FILE for /log or /record and writes every event so far into it. */
static FILE *
open_sink(struct ui *u, const char *path, bool json)
{
	FILE *f = fopen(path, "w");
	struct output_options lo = {.explain = true};

	if (f == NULL) {
		message(u, TE_ERROR, "cannot write %s: %s", path, strerror(errno));
		return NULL;
	}
	for (size_t i = 0; i < transcript_count(u->t); i++) {
		if (json)
			output_json(f, transcript_get(u->t, i));
		else
			output_text(f, transcript_get(u->t, i), &lo);
	}
	fflush(f);
	return f;
}

/* Layout */

static void
relayout(struct ui *u)
{
	layout_compute(LINES, COLS, 45, &u->lay);
	u->dirty = true;
}

/* Drawing */

static const char *
phase_words(const struct ui *u, enum theme_element *e)
{
	*e = TE_TITLE;
	if (session_state(u->s) == SS_CLOSED) {
		*e = TE_TITLE;
		return " CLOSED ";
	}
	switch (session_phase(u->s)) {
	case PHASE_PLAIN:
		*e = TE_TITLE_PLAIN;
		return " PLAINTEXT ";
	case PHASE_HANDSHAKE:
		*e = TE_TITLE_HANDSHAKE;
		return " HANDSHAKE ";
	case PHASE_TLS:
		*e = TE_TITLE_TLS;
		return " ENCRYPTED ";
	}
	return "";
}

static void
draw_title(struct ui *u)
{
	struct sline l;
	enum theme_element pe;
	const char *pw = phase_words(u, &pe);
	char clock[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(clock, sizeof clock, "%H:%M", &tm);
	sline_init(&l);
	sline_add(&l, TE_TITLE, " startle  ");
	sline_add(&l, TE_TITLE, u->target_text);
	sline_addf(&l, TE_TITLE, "  %s  ", tls_mode_name(session_target(u->s)->mode));
	sline_add(&l, pe, pw);
	int used = sline_width(&l);
	int pad = u->lay.title.w - used - (int)strlen(clock) - 1;
	for (int i = 0; i < pad; i++)
		sline_add(&l, TE_TITLE, " ");
	sline_addf(&l, TE_TITLE, "%s ", clock);
	draw_sline(&u->dc, u->lay.title.y, u->lay.title.x, u->lay.title.w, &l, false);
	sline_free(&l);
}

static void
draw_transcript(struct ui *u)
{
	const struct rect *r = &u->lay.transcript;
	bool show_sel = u->tv.has_sel && (u->focus == FOCUS_TRANSCRIPT || u->event_details);

	slines_clear(&u->rows);
	tview_visible(&u->tv, u->t, r->w, r->h, &u->tvo, &u->rows);
	for (int i = 0; i < r->h; i++) {
		if ((size_t)i < u->rows.n) {
			const struct sline *l = &u->rows.v[i];
			draw_sline(&u->dc, r->y + i, r->x, r->w, l,
			           show_sel && (size_t)l->tag == u->tv.sel);
		} else {
			draw_clear(&u->dc, r->y + i, r->x, 1, r->w, TE_DEFAULT);
		}
	}
}

/* The Lesson tab exists only while a lesson runs. */
static bool
tab_available(const struct ui *u, enum details_tab tab)
{
	return tab != TAB_LESSON || u->lesson_active;
}

/* The tab bar; when the names do not all fit, only the active tab keeps its
 * name and the others show their key. */
static void
draw_tabs(struct ui *u)
{
	const struct rect *r = &u->lay.details;
	struct sline l;

	sline_init(&l);
	for (int pass = 0; pass < 2; pass++) {
		sline_clear(&l);
		for (int i = 0; i < TAB_COUNT; i++) {
			bool on = !u->event_details && (enum details_tab)i == u->tab;
			if (!tab_available(u, (enum details_tab)i))
				continue;
			if (pass == 0 || on)
				sline_addf(&l, on ? TE_TAB_ACTIVE : TE_TAB, " F%d %s ",
				           i + 2, details_tab_name((enum details_tab)i));
			else
				sline_addf(&l, TE_TAB, " F%d ", i + 2);
			sline_add(&l, TE_TAB, " ");
		}
		if (u->event_details)
			sline_addf(&l, TE_TAB_ACTIVE, " Event #%zu ", u->tv.sel + 1);
		if (sline_width(&l) <= r->w)
			break;
	}
	if (u->focus == FOCUS_DETAILS)
		sline_add(&l, TE_HINT, "  ◂▸ tabs ▴▾ scroll");
	draw_sline(&u->dc, r->y, r->x, r->w, &l, false);
	sline_free(&l);
}

static void
build_details(struct ui *u, int width)
{
	static const struct details_help_row rows[] = {
	    {"F1, ?", "this help"},
	    {"F2-F7, Alt-1..6",
	     "Handshake, Certificates, Wire, Help, Ladder (and Lesson) tabs"},
	    {"Tab, Shift-Tab",
	     "focus: input, transcript, details (Tab on a typed word completes)"},
	    {"PgUp/PgDn, wheel", "scroll the transcript"},
	    {"Up/Down, Home/End", "select events (transcript focus)"},
	    {"Enter", "explain the selected event in the details pane"},
	    {"e", "show or hide explanations (transcript focus)"},
	    {"Esc", "back to the input line"},
	    {"Ctrl-R", "search the history"},
	    {"Ctrl-C", "clear the line, drop queued lines, or cancel the wait"},
	    {"Ctrl-D", "leave (asks while a session is open)"},
	    {"Ctrl-L", "redraw"},
	    {"//text", "send a line that starts with a slash"},
	};
	struct details_help_row all[sizeof rows / sizeof rows[0] + CMD_COUNT];
	static char usage[CMD_COUNT][48];
	size_t n = 0;

	slines_clear(&u->drows);
	if (u->event_details && u->tv.has_sel) {
		const struct event *ev = transcript_get(u->t, u->tv.sel);
		if (ev != NULL)
			details_event(ev, width, &u->drows);
		return;
	}
	switch (u->tab) {
	case TAB_HANDSHAKE:
		details_handshake(&u->di, u->t, width, &u->drows);
		break;
	case TAB_CERTS:
		details_certs(&u->di, u->t, width, &u->drows);
		break;
	case TAB_WIRE:
	case TAB_LADDER:
		break;
	case TAB_LESSON:
		if (u->lesson_active)
			lessonview_rows(&u->lesson, width, &u->drows);
		break;
	case TAB_HELP:
	case TAB_COUNT:
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
			all[n++] = rows[i];
		for (int i = 0; i < CMD_COUNT; i++) {
			const struct command_info *c = command_info((enum command_id)i);
			snprintf(usage[i], sizeof usage[i], "/%s%s%s", c->name,
			         c->args[0] ? " " : "", c->args);
			all[n++] = (struct details_help_row){usage[i], c->help};
		}
		details_help(all, n, width, &u->drows);
		break;
	}
}

static void
draw_details(struct ui *u)
{
	const struct rect *r = &u->lay.details;
	int y = r->y + 1, h = r->h - 1;

	draw_tabs(u);
	if (u->tab == TAB_WIRE && !u->event_details) {
		struct sline head;
		sline_init(&head);
		sline_addf(&head, TE_LABEL,
		           " exposed before encryption: %zu lines, %zu bytes",
		           u->di.plain_lines, session_plain_bytes(u->s));
		draw_sline(&u->dc, y, r->x, r->w, &head, false);
		sline_free(&head);
		slines_clear(&u->drows);
		tview_visible(&u->wire, u->t, r->w, h - 1, &u->wvo, &u->drows);
		for (int i = 0; i < h - 1; i++) {
			if ((size_t)i < u->drows.n)
				draw_sline(&u->dc, y + 1 + i, r->x, r->w, &u->drows.v[i],
				           false);
			else
				draw_clear(&u->dc, y + 1 + i, r->x, 1, r->w, TE_DEFAULT);
		}
		return;
	}
	if (u->tab == TAB_LADDER && !u->event_details) {
		size_t total = ladder_rows(&u->ladder, r->w, 0, 0, &u->drows);
		if (u->ladder_follow || u->details_scroll > (int)total - h)
			u->details_scroll = (int)total - h;
		if (u->details_scroll < 0)
			u->details_scroll = 0;
		slines_clear(&u->drows);
		ladder_rows(&u->ladder, r->w, (size_t)u->details_scroll, h, &u->drows);
		for (int i = 0; i < h; i++) {
			if ((size_t)i < u->drows.n)
				draw_sline(&u->dc, y + i, r->x, r->w, &u->drows.v[i],
				           false);
			else
				draw_clear(&u->dc, y + i, r->x, 1, r->w, TE_DEFAULT);
		}
		return;
	}
	build_details(u, r->w);
	if (u->details_scroll > (int)u->drows.n - h)
		u->details_scroll = (int)u->drows.n - h;
	if (u->details_scroll < 0)
		u->details_scroll = 0;
	for (int i = 0; i < h; i++) {
		size_t k = (size_t)(u->details_scroll + i);
		if (k < u->drows.n)
			draw_sline(&u->dc, y + i, r->x, r->w, &u->drows.v[k], false);
		else
			draw_clear(&u->dc, y + i, r->x, 1, r->w, TE_DEFAULT);
	}
}

static void
draw_divider(struct ui *u)
{
	draw_attr(&u->dc, TE_BORDER);
	if (u->lay.side_by_side)
		mvwvline(stdscr, u->lay.transcript.y, u->lay.split, ACS_VLINE,
		         u->lay.transcript.h);
	else
		mvwhline(stdscr, u->lay.split, 0, ACS_HLINE, COLS);
	wattrset(stdscr, A_NORMAL);
}

static const char spinner[] = "|/-\\";

static void
draw_status(struct ui *u)
{
	struct sline l;
	double since = session_busy_since(u->s);

	sline_init(&l);
	details_status(&u->di, u->t, &l);
	if (since > 0) {
		double secs = (util_now_ms() - since) / 1000.0;
		int frame = (int)(util_now_ms() / 120) % 4;
		sline_addf(&l, TE_INFO, "  %c %s %.1f s", spinner[frame],
		           session_state_name(session_state(u->s)), secs);
	}
	if (session_queued(u->s) > 0)
		sline_addf(&l, TE_INFO, "  (%zu queued)", session_queued(u->s));
	draw_sline(&u->dc, u->lay.status.y, u->lay.status.x, u->lay.status.w, &l, false);
	sline_free(&l);
}

static void
draw_hints(struct ui *u)
{
	static const struct {
		const char *key, *what;
	} hints[] = {
	    {"F1", "help"},   {"F2-F6", "tabs"}, {"Tab", "focus"}, {"PgUp/Dn", "scroll"},
	    {"e", "explain"}, {"^C", "cancel"},  {"^D", "quit"},
	};
	struct sline l;

	sline_init(&l);
	if (u->message[0] != '\0') {
		sline_add(&l, u->message_elem, " ");
		/* Messages quote paths, names and causes: never trust them raw. */
		sline_add_own(&l, u->message_elem, TE_ESCAPED,
		              (const unsigned char *)u->message, strlen(u->message));
	} else {
		for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
			sline_addf(&l, TE_HINT_KEY, " %s", hints[i].key);
			sline_addf(&l, TE_HINT, " %s ", hints[i].what);
		}
	}
	draw_sline(&u->dc, u->lay.hints.y, u->lay.hints.x, u->lay.hints.w, &l, false);
	sline_free(&l);
}

/* Draws the prompt and the line being edited; returns the cursor column. */
static int
draw_input(struct ui *u)
{
	const struct rect *r = &u->lay.input;
	struct input_view v;
	struct sline l;
	int cursor;

	sline_init(&l);
	if (u->confirm == CONFIRM_CREDENTIAL) {
		sline_add(&l, TE_FINDING_DANGER,
		          "send credentials in PLAINTEXT? anyone on the path can read them "
		          "(STARTTLS first) [y/N] ");
		cursor = sline_width(&l);
		draw_sline(&u->dc, r->y, r->x, r->w, &l, false);
		sline_free(&l);
		return cursor < r->w ? cursor : r->w - 1;
	}
	if (u->confirm == CONFIRM_QUIT) {
		sline_add(&l, TE_PROMPT, "close the session and quit? [y/N] ");
		cursor = sline_width(&l);
		draw_sline(&u->dc, r->y, r->x, r->w, &l, false);
		sline_free(&l);
		return cursor < r->w ? cursor : r->w - 1;
	}
	input_view(&v);
	sline_add(&l, TE_PROMPT, v.prompt);
	int pw = sline_width(&l);
	int before = utf8_width(v.line, v.point);
	int avail = r->w - pw - 1;
	size_t skip = 0;
	/* Scroll the line horizontally so the cursor stays visible. */
	while (avail > 0 && before - utf8_width(v.line, skip) > avail) {
		skip += utf8_fit(v.line + skip, strlen(v.line + skip), 1);
		if (skip == 0)
			break;
	}
	sline_add_escaped(&l, TE_INPUT, TE_ESCAPED, (const unsigned char *)v.line + skip,
	                  strlen(v.line + skip));
	draw_sline(&u->dc, r->y, r->x, r->w, &l, false);
	/* Escaped control characters widen the text: measure what is drawn. */
	struct sline upto;
	sline_init(&upto);
	sline_add_escaped(&upto, TE_INPUT, TE_ESCAPED, (const unsigned char *)v.line + skip,
	                  v.point > skip ? v.point - skip : 0);
	cursor = pw + sline_width(&upto);
	sline_free(&upto);
	sline_free(&l);
	return cursor < r->w ? cursor : r->w - 1;
}

static void
draw_help_overlay(struct ui *u)
{
	int w = COLS - 8 > 90 ? 90 : COLS - 8, h = LINES - 4;
	int y = 2, x = (COLS - w) / 2;
	enum details_tab saved = u->tab;
	bool saved_ev = u->event_details;

	u->tab = TAB_HELP;
	u->event_details = false;
	build_details(u, w - 4);
	u->tab = saved;
	u->event_details = saved_ev;
	draw_clear(&u->dc, y, x, h, w, TE_OVERLAY);
	draw_attr(&u->dc, TE_OVERLAY);
	mvwhline(stdscr, y, x, ACS_HLINE, w);
	mvwhline(stdscr, y + h - 1, x, ACS_HLINE, w);
	mvwvline(stdscr, y, x, ACS_VLINE, h);
	mvwvline(stdscr, y, x + w - 1, ACS_VLINE, h);
	mvwaddch(stdscr, y, x, ACS_ULCORNER);
	mvwaddch(stdscr, y, x + w - 1, ACS_URCORNER);
	mvwaddch(stdscr, y + h - 1, x, ACS_LLCORNER);
	mvwaddch(stdscr, y + h - 1, x + w - 1, ACS_LRCORNER);
	mvwaddstr(stdscr, y, x + 2, " startle help — Esc or F1 closes ");
	wattrset(stdscr, A_NORMAL);
	for (int i = 0; i < h - 2 && (size_t)i < u->drows.n; i++)
		draw_sline(&u->dc, y + 1 + i, x + 2, w - 4, &u->drows.v[i], false);
}

static void
draw(struct ui *u)
{
	int cursor;

	erase();
	if (u->lay.too_small) {
		char text[160];
		snprintf(text, sizeof text,
		         "startle needs at least %dx%d (now %dx%d): enlarge the "
		         "window",
		         LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS, COLS, LINES);
		mvwaddnstr(stdscr, 0, 0, text, COLS);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	draw_title(u);
	draw_transcript(u);
	draw_divider(u);
	draw_details(u);
	draw_status(u);
	draw_hints(u);
	cursor = draw_input(u);
	if (u->help_overlay)
		draw_help_overlay(u);
	if (u->focus == FOCUS_INPUT && !u->help_overlay) {
		curs_set(1);
		wmove(stdscr, u->lay.input.y, u->lay.input.x + cursor);
	} else {
		curs_set(0);
	}
	wnoutrefresh(stdscr);
	doupdate();
	u->dirty = false;
}

/* The prompt shows the protocol and the phase (or DATA mode). */
static void
update_prompt(struct ui *u)
{
	char prompt[64];
	const char *proto = proto_info(session_target(u->s)->proto)->name;
	const char *where;

	if (session_state(u->s) == SS_CLOSED)
		where = "closed";
	else if (session_in_data(u->s))
		where = "data";
	else if (session_phase(u->s) == PHASE_TLS)
		where = "tls";
	else if (session_phase(u->s) == PHASE_HANDSHAKE)
		where = "handshake";
	else
		where = "plain";
	snprintf(prompt, sizeof prompt, "%s %s> ", proto, where);
	input_set_prompt(prompt);
}

/* Session */

static void
start_session(struct ui *u)
{
	u->s = session_new(&u->params, u->t);
	session_open(u->s);
	u->hint_shown = u->message[0] != '\0';
}

static void
first_hint(struct ui *u)
{
	static const char *const hints[PROTO_COUNT] = {
	    [PROTO_SMTP] =
	        "type EHLO me, then STARTTLS, then EHLO me again — or /starttls; F1 help",
	    [PROTO_IMAP] =
	        "type CAPABILITY, then STARTTLS (tags are added) — or /starttls; F1 help",
	    [PROTO_POP3] = "type CAPA, then STLS — or /starttls; F1 help",
	};
	if (u->hint_shown || session_state(u->s) != SS_READY)
		return;
	u->hint_shown = true;
	const char *hint =
	    session_phase(u->s) == PHASE_TLS
	        ? "implicit TLS: the session is encrypted; type commands, F1 help"
	        : hints[session_target(u->s)->proto];
	if (u->cfg->demo_scenario != NULL)
		message(u, TE_HINT, "startle lab, scenario %s, account demo/demo: %s",
		        u->cfg->demo_scenario, hint);
	else
		message(u, TE_HINT, "%s", hint);
}

static void
send_line(struct ui *u, const char *line)
{
	char *cause = NULL;

	if (session_queue_line(u->s, line, &cause) != 0) {
		message(u, TE_ERROR, "%s", cause);
		free(cause);
	}
	tview_end(&u->tv, u->t);
}

struct name_list {
	char buf[400];
	size_t used;
};

static void
add_name(void *arg, const char *name)
{
	struct name_list *n = arg;
	if (n->used < sizeof n->buf)
		n->used += (size_t)snprintf(n->buf + n->used, sizeof n->buf - n->used,
		                            " %s", name);
}

static void
add_lesson_name(void *arg, const char *name, const char *title)
{
	(void)title;
	add_name(arg, name);
}

/* Loads a lesson and shows it; says so when it was written for another protocol. */
static void
start_lesson(struct ui *u, const char *name)
{
	struct lesson l;
	char *cause = NULL;

	if (lesson_load(name, &l, &cause) != 0) {
		message(u, TE_ERROR, "%s", cause);
		free(cause);
		return;
	}
	if (u->lesson_active)
		lesson_free(&u->lesson);
	u->lesson = l;
	u->lesson_active = true;
	u->hint_shown = true;
	u->tab = TAB_LESSON;
	u->event_details = false;
	u->details_scroll = 0;
	if (proto_from_name(l.proto) != (int)session_target(u->s)->proto)
		message(u, TE_INFO,
		        "this lesson is written for %s: run startle --lesson %s", l.proto,
		        name);
	else
		message(u, TE_INFO,
		        "lesson: %s (/next moves on when a step asks you to read)",
		        l.title);
}

static void
run_command(struct ui *u, const struct command_parse *cp)
{
	char *cause = NULL;

	switch (cp->cmd->id) {
	case CMD_STARTTLS:
		if (session_state(u->s) == SS_CLOSED)
			message(u, TE_ERROR, "the connection is closed: /reconnect first");
		else
			session_queue_starttls(u->s);
		break;
	case CMD_QUIT:
		u->quit = true;
		break;
	case CMD_HELP:
		u->help_overlay = true;
		break;
	case CMD_THEME:
		if (cp->arg[0] == '\0') {
			struct name_list names = {.used = 0};
			names.buf[0] = '\0';
			theme_list(add_name, &names);
			message(u, TE_INFO, "themes:%s (/theme NAME, or a file path)",
			        names.buf);
			break;
		}
		{
			struct theme t;
			theme_default(&t);
			if (theme_load(&t, cp->arg, &cause) != 0) {
				message(u, TE_ERROR, "%s", cause);
				free(cause);
				break;
			}
			u->theme = t;
			theme_apply(&u->theme, u->no_color, &u->attrs);
			message(u, TE_INFO, "theme %s", cp->arg);
		}
		break;
	case CMD_LOG:
	case CMD_RECORD: {
		bool json = cp->cmd->id == CMD_RECORD;
		FILE *f = open_sink(u, cp->arg, json);
		if (f == NULL)
			break;
		FILE **slot = json ? &u->record : &u->log;
		if (*slot != NULL)
			fclose(*slot);
		*slot = f;
		message(u, TE_INFO,
		        "%s the session to %s (everything so far, then as it happens)",
		        json ? "recording" : "logging", cp->arg);
		break;
	}
	case CMD_RECONNECT:
		session_close(u->s, "closed for /reconnect");
		session_free(u->s);
		start_session(u);
		message(u, TE_INFO, "reconnecting to %s", u->target_text);
		break;
	case CMD_CLEAR:
		tview_clear(&u->tv, u->t);
		message(u, TE_INFO,
		        "pane cleared; the transcript (and /log, /record) keep everything");
		break;
	case CMD_EXPLAIN:
		u->tvo.explain = !u->tvo.explain;
		message(u, TE_INFO, "explanations %s", u->tvo.explain ? "on" : "off");
		break;
	case CMD_LESSON:
		if (cp->arg[0] == '\0') {
			struct name_list names = {.used = 0};
			names.buf[0] = '\0';
			lesson_list(add_lesson_name, &names);
			message(u, TE_INFO, "lessons:%s (/lesson NAME)", names.buf);
			break;
		}
		start_lesson(u, cp->arg);
		break;
	case CMD_NEXT:
		if (!u->lesson_active) {
			message(u, TE_ERROR,
			        "no lesson is running: /lesson NAME starts one");
			break;
		}
		lesson_next(&u->lesson);
		lesson_progress(u);
		break;
	case CMD_COUNT:
		break;
	}
	u->dirty = true;
}

/* A line finished in readline. */
static void
on_line(void *arg, char *line)
{
	struct ui *u = arg;
	struct command_parse cp;

	u->message[0] = '\0';
	if (line == NULL) {
		if (session_state(u->s) == SS_CLOSED)
			u->quit = true;
		else
			u->confirm = CONFIRM_QUIT;
		u->dirty = true;
		return;
	}
	command_parse(line, &cp);
	switch (cp.result) {
	case COMMAND_ERROR:
		message(u, TE_ERROR, "%s", cp.error);
		input_history_add(line);
		break;
	case COMMAND_RUN:
		input_history_add(line);
		run_command(u, &cp);
		break;
	case COMMAND_SEND: {
		size_t len = strlen(cp.send);
		enum proto_id proto = session_target(u->s)->proto;
		bool credential =
		    proto_typed_is_credential(proto, (const unsigned char *)cp.send, len);
		if (len == 0 && !session_in_data(u->s))
			break;
		if (session_state(u->s) == SS_CLOSED) {
			message(u, TE_ERROR,
			        "the connection is closed: /reconnect or /quit");
			break;
		}
		/* Credentials stay out of the history file. */
		if (!credential && !session_in_data(u->s))
			input_history_add(line);
		if (credential && session_phase(u->s) == PHASE_PLAIN) {
			free(u->confirm_line);
			u->confirm_line = xstrdup(cp.send);
			u->confirm = CONFIRM_CREDENTIAL;
			break;
		}
		send_line(u, cp.send);
		break;
	}
	}
	free(line);
	u->dirty = true;
}

struct match_list {
	char **v;
	size_t n, cap;
};

static void
match_add(struct match_list *m, const char *s)
{
	if (m->n + 2 > m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->v = xrealloc(m->v, m->cap * sizeof *m->v);
	}
	m->v[m->n++] = xstrdup(s);
	m->v[m->n] = NULL;
}

static void
match_command(void *arg, const char *name)
{
	char buf[64];
	snprintf(buf, sizeof buf, "/%s", name);
	match_add(arg, buf);
}

static char **
complete(void *arg, const char *line, const char *text, int start, int end)
{
	struct ui *u = arg;
	struct match_list m = {0};
	enum proto_id proto = session_target(u->s)->proto;
	(void)end;

	if (line[0] == '/' && start == 0) {
		command_complete(text + 1, match_command, &m);
		return m.v;
	}
	/* Only the command word is completed: the first word (after an IMAP tag). */
	int word_index = 0;
	for (int i = 0; i < start; i++)
		if (line[i] != ' ' && (i == 0 || line[i - 1] == ' '))
			word_index++;
	if (word_index > (proto == PROTO_IMAP ? 1 : 0))
		return NULL;
	size_t tl = strlen(text);
	for (const char *const *c = proto_commands(proto); *c != NULL; c++) {
		if (strncasecmp(*c, text, tl) != 0)
			continue;
		if (session_phase(u->s) != PHASE_PLAIN &&
		    proto_is_starttls(proto, (const unsigned char *)*c, strlen(*c)))
			continue;
		match_add(&m, *c);
	}
	return m.v;
}

static void
show_matches(void *arg, char **matches, int n)
{
	struct ui *u = arg;
	char buf[400];
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && matches[i] != NULL && used < sizeof buf - 1; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s  ", matches[i]);
	message(u, TE_INFO, "%s", buf);
}

/* Keys */

static void
feed(const char *bytes)
{
	input_feed((const unsigned char *)bytes, strlen(bytes));
}

static void
switch_tab(struct ui *u, int tab)
{
	if (tab < 0 || tab >= TAB_COUNT || !tab_available(u, (enum details_tab)tab))
		return;
	u->ladder_follow = tab == TAB_LADDER;
	u->tab = (enum details_tab)tab;
	u->event_details = false;
	u->details_scroll = 0;
	u->dirty = true;
}

static void
cycle_tab(struct ui *u, int step)
{
	int t = u->tab;
	do
		t = (t + step + TAB_COUNT) % TAB_COUNT;
	while (!tab_available(u, (enum details_tab)t));
	switch_tab(u, t);
}

static void
scroll_transcript(struct ui *u, int delta)
{
	tview_scroll(&u->tv, u->t, u->lay.transcript.w, u->lay.transcript.h, &u->tvo,
	             delta);
	u->dirty = true;
}

static void
scroll_details(struct ui *u, int delta)
{
	if (u->tab == TAB_WIRE && !u->event_details) {
		tview_scroll(&u->wire, u->t, u->lay.details.w, u->lay.details.h - 2,
		             &u->wvo, delta);
	} else {
		u->details_scroll += delta;
		if (u->tab == TAB_LADDER && delta < 0)
			u->ladder_follow = false;
	}
	u->dirty = true;
}

static void
cancel(struct ui *u)
{
	size_t dropped;

	if (!input_empty()) {
		input_clear();
		return;
	}
	if ((dropped = session_cancel_queue(u->s)) > 0) {
		message(u, TE_INFO, "dropped %zu queued line%s", dropped,
		        dropped == 1 ? "" : "s");
		return;
	}
	enum session_state st = session_state(u->s);
	if (st == SS_CLOSED || st == SS_READY)
		return;
	if (st == SS_WAITING && util_now_ms() - u->cancel_at > 2000) {
		u->cancel_at = util_now_ms();
		message(u, TE_INFO,
		        "still waiting for the reply; Ctrl-C again closes the connection");
		return;
	}
	session_close(u->s, "cancelled by the user (Ctrl-C); /reconnect to start again");
	message(u, TE_INFO, "cancelled; /reconnect to start again");
}

static void
suspend(struct ui *u)
{
	ui_restore();
	raise(SIGTSTP);
	/* Back from the stop (SIGCONT). */
	curses_on = 1;
	refresh();
	u->dirty = true;
}

static void
handle_confirm(struct ui *u, int c)
{
	bool yes = c == 'y' || c == 'Y';

	if (u->confirm == CONFIRM_CREDENTIAL) {
		if (yes)
			send_line(u, u->confirm_line);
		else
			message(u, TE_INFO, "not sent; type STARTTLS (or /starttls) first");
		free(u->confirm_line);
		u->confirm_line = NULL;
	} else if (u->confirm == CONFIRM_QUIT && yes) {
		u->quit = true;
	}
	u->confirm = CONFIRM_NONE;
	u->dirty = true;
}

/* Keys that mean the same in every focus. Returns true when handled. */
static bool
global_key(struct ui *u, int c)
{
	if (c >= KEY_F(2) && c < KEY_F(2) + TAB_COUNT) {
		switch_tab(u, c - KEY_F(2));
		return true;
	}
	switch (c) {
	case KEY_F(1):
		u->help_overlay = !u->help_overlay;
		return true;
	case KEY_PPAGE:
		if (u->focus == FOCUS_DETAILS)
			scroll_details(u, -(u->lay.details.h - 2));
		else
			scroll_transcript(u, -(u->lay.transcript.h - 1));
		return true;
	case KEY_NPAGE:
		if (u->focus == FOCUS_DETAILS)
			scroll_details(u, u->lay.details.h - 2);
		else
			scroll_transcript(u, u->lay.transcript.h - 1);
		return true;
	case KEY_BTAB:
		u->focus = (enum focus)((u->focus + FOCUS_COUNT - 1) % FOCUS_COUNT);
		return true;
	case 3: /* Ctrl-C */
		cancel(u);
		return true;
	case 12: /* Ctrl-L */
		clearok(curscr, TRUE);
		return true;
	case 26: /* Ctrl-Z */
		suspend(u);
		return true;
	case KEY_MOUSE: {
		MEVENT me;
		if (getmouse(&me) != OK)
			return true;
		int delta = (me.bstate & BUTTON4_PRESSED)   ? -3
		            : (me.bstate & BUTTON5_PRESSED) ? 3
		                                            : 0;
		const struct rect *d = &u->lay.details;
		bool in_details = me.y >= d->y && me.y < d->y + d->h && me.x >= d->x &&
		                  me.x < d->x + d->w;
		if (delta != 0) {
			if (in_details)
				scroll_details(u, delta);
			else
				scroll_transcript(u, delta);
		}
		return true;
	}
	}
	return false;
}

static void
view_key(struct ui *u, int c)
{
	const struct rect *r = &u->lay.transcript;

	if (u->focus == FOCUS_TRANSCRIPT) {
		switch (c) {
		case KEY_UP:
		case 'k':
			tview_select(&u->tv, u->t, r->w, r->h, &u->tvo, -1);
			break;
		case KEY_DOWN:
		case 'j':
			tview_select(&u->tv, u->t, r->w, r->h, &u->tvo, 1);
			break;
		case KEY_HOME:
		case 'g':
			tview_home(&u->tv);
			break;
		case KEY_END:
		case 'G':
			tview_end(&u->tv, u->t);
			break;
		case '\r':
		case '\n':
		case KEY_ENTER:
			u->event_details = u->tv.has_sel;
			u->details_scroll = 0;
			break;
		}
	} else {
		switch (c) {
		case KEY_UP:
		case 'k':
			scroll_details(u, -1);
			break;
		case KEY_DOWN:
		case 'j':
			scroll_details(u, 1);
			break;
		case KEY_LEFT:
			cycle_tab(u, -1);
			break;
		case KEY_RIGHT:
			cycle_tab(u, 1);
			break;
		case KEY_HOME:
			u->details_scroll = 0;
			break;
		}
	}
	switch (c) {
	case 'e':
		u->tvo.explain = !u->tvo.explain;
		break;
	case '?':
		u->help_overlay = true;
		break;
	case 'q':
		u->focus = FOCUS_INPUT;
		break;
	default:
		/* Typing anything printable goes back to the input line. */
		if (c >= 0x20 && c < 0x7f && c != 'k' && c != 'j' && c != 'g' && c != 'G') {
			u->focus = FOCUS_INPUT;
			char b[2] = {(char)c, 0};
			feed(b);
		}
	}
	u->dirty = true;
}

/* Translates curses keys to the sequences readline binds. */
static void
input_key(struct ui *u, int c)
{
	static const struct {
		int key;
		const char *seq;
	} map[] = {
	    {KEY_LEFT, "\033[D"}, {KEY_RIGHT, "\033[C"}, {KEY_UP, "\033[A"},
	    {KEY_DOWN, "\033[B"}, {KEY_HOME, "\033[H"},  {KEY_END, "\033[F"},
	    {KEY_DC, "\033[3~"},  {KEY_IC, "\033[2~"},   {KEY_BACKSPACE, "\177"},
	    {KEY_ENTER, "\r"},
	};

	if (c == '\t' && input_empty()) {
		u->focus = FOCUS_TRANSCRIPT;
		if (!u->tv.has_sel && transcript_count(u->t) > 0) {
			u->tv.has_sel = true;
			u->tv.sel = transcript_count(u->t) - 1;
		}
		return;
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].key == c) {
			feed(map[i].seq);
			return;
		}
	if (c >= 0 && c < 256) {
		unsigned char b = (unsigned char)c;
		input_feed(&b, 1);
	}
}

static void
handle_key(struct ui *u, int c)
{
	if (c == KEY_RESIZE) {
		relayout(u);
		return;
	}
	if (u->confirm != CONFIRM_NONE) {
		handle_confirm(u, c);
		return;
	}
	if (c == 27) {
		nodelay(stdscr, TRUE);
		int next = getch();
		if (next >= '1' && next < '1' + TAB_COUNT) {
			switch_tab(u, next - '1');
			return;
		}
		if (next == ERR) {
			if (u->help_overlay)
				u->help_overlay = false;
			else if (u->event_details)
				u->event_details = false;
			else if (u->focus != FOCUS_INPUT)
				u->focus = FOCUS_INPUT;
			else
				feed("\033");
			u->dirty = true;
			return;
		}
		if (u->focus == FOCUS_INPUT) {
			feed("\033");
			input_key(u, next);
		}
		return;
	}
	if (u->help_overlay && (c == 'q' || c == '?')) {
		u->help_overlay = false;
		u->dirty = true;
		return;
	}
	if (global_key(u, c)) {
		u->dirty = true;
		return;
	}
	if (c == '\t' && u->focus != FOCUS_INPUT) {
		u->focus = (enum focus)((u->focus + 1) % FOCUS_COUNT);
		u->dirty = true;
		return;
	}
	if (u->focus == FOCUS_INPUT)
		input_key(u, c);
	else
		view_key(u, c);
}

static void
handle_signals(struct ui *u)
{
	unsigned char sigs[32];
	ssize_t n = read(u->sigpipe[0], sigs, sizeof sigs);

	for (ssize_t i = 0; i < n; i++) {
		switch (sigs[i]) {
		case SIGWINCH: {
			struct winsize ws;
			if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
			    ws.ws_col > 0)
				resizeterm(ws.ws_row, ws.ws_col);
			relayout(u);
			break;
		}
		case SIGCONT:
			curses_on = 1;
			clearok(curscr, TRUE);
			u->dirty = true;
			break;
		default: /* SIGINT, SIGTERM, SIGHUP */
			u->quit = true;
			break;
		}
	}
}

/* Milliseconds to wait in poll: the session's deadline, the spinner, the clock. */
static int
poll_timeout(struct ui *u)
{
	int t = session_timeout_ms(u->s);
	time_t now = time(NULL);
	int to_minute = (int)(60 - now % 60) * 1000;

	if (session_busy_since(u->s) > 0 && (t < 0 || t > 120))
		t = 120;
	if (t < 0 || t > to_minute)
		t = to_minute;
	return t;
}

static void
install_signals(void)
{
	static const int forwarded[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGCONT};
	static const int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = signal_to_pipe;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaction(forwarded[i], &sa, NULL);
	sa.sa_handler = crash_handler;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++)
		sigaction(crashes[i], &sa, NULL);
}

static int
ui_setup(struct ui *u, const struct session_params *params, const struct ui_config *cfg,
         char **cause)
{
	memset(u, 0, sizeof *u);
	u->cfg = cfg;
	u->no_color = cfg->no_color || getenv("NO_COLOR") != NULL;
	theme_default(&u->theme);
	if (cfg->theme != NULL && theme_load(&u->theme, cfg->theme, cause) != 0) {
		/* A broken theme is not fatal: say why and carry on with the default. */
		message(u, TE_ERROR, "%s; using the default theme", *cause);
		free(*cause);
		*cause = NULL;
		theme_default(&u->theme);
		u->hint_shown = true;
	}
	if (cfg->log != NULL && (u->log = fopen(cfg->log, "w")) == NULL) {
		*cause =
		    str_printf("cannot write the log to %s: %s", cfg->log, strerror(errno));
		return -1;
	}
	if (cfg->record != NULL && (u->record = fopen(cfg->record, "w")) == NULL) {
		*cause = str_printf("cannot write the recording to %s: %s", cfg->record,
		                    strerror(errno));
		return -1;
	}
	u->params = *params;
	target_format(&params->target, u->target_text, sizeof u->target_text);
	u->tvo = (struct tview_opts){.mode = TVIEW_TRANSCRIPT,
	                             .explain = !cfg->no_explain,
	                             .no_color = u->no_color,
	                             .tls_records = cfg->tls_records};
	u->wvo = (struct tview_opts){.mode = TVIEW_WIRE, .no_color = u->no_color};
	tview_init(&u->tv);
	tview_init(&u->wire);
	dindex_init(&u->di);
	ladder_init(&u->ladder);
	slines_init(&u->rows);
	slines_init(&u->drows);
	if (pipe2(u->sigpipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		*cause = str_printf("cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
curses_start(struct ui *u)
{
	initscr();
	curses_on = 1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	if (!u->no_color && has_colors()) {
		start_color();
		use_default_colors();
	}
	u->dc = (struct draw_ctx){.win = stdscr, .attrs = &u->attrs};
	theme_apply(&u->theme, u->no_color || !has_colors(), &u->attrs);
	relayout(u);
}

int
ui_run(const struct session_params *params, const struct ui_config *cfg)
{
	struct ui u;
	char *cause = NULL;
	struct input_hooks hooks = {
	    .line = on_line, .complete = complete, .show_matches = show_matches};

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(
		    stderr,
		    "startle: the explorer needs a terminal; use --batch for scripts\n");
		return 2;
	}
	if (ui_setup(&u, params, cfg, &cause) != 0) {
		fprintf(stderr, "startle: %s\n", cause);
		free(cause);
		return 2;
	}
	active = &u;
	hooks.arg = &u;
	u.t = transcript_new();
	transcript_listen(u.t, on_event, &u);
	install_signals();
	util_set_fatal_hook(ui_restore);
	atexit(ui_restore);
	curses_start(&u);
	char *hist = input_history_path();
	input_init(&hooks, hist);
	free(hist);
	start_session(&u);
	if (cfg->lesson != NULL)
		start_lesson(&u, cfg->lesson);

	while (!u.quit) {
		first_hint(&u);
		update_prompt(&u);
		if (input_take_dirty())
			u.dirty = true;
		if (u.dirty || session_busy_since(u.s) > 0)
			draw(&u);
		struct pollfd fds[3] = {
		    {.fd = STDIN_FILENO, .events = POLLIN},
		    {.fd = u.sigpipe[0], .events = POLLIN},
		    {.fd = session_fd(u.s), .events = session_poll_events(u.s)},
		};
		int nfds = fds[2].fd >= 0 ? 3 : 2;
		int n = poll(fds, (nfds_t)nfds, poll_timeout(&u));
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (fds[1].revents & POLLIN))
			handle_signals(&u);
		if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			int c;
			if (fds[0].revents & (POLLHUP | POLLERR))
				u.quit = true;
			while ((c = getch()) != ERR && !u.quit)
				handle_key(&u, c);
			u.dirty = true;
		}
		if (nfds == 3 && n > 0 && fds[2].revents != 0)
			session_io(u.s, fds[2].revents);
		session_timeout(u.s);
		/* A timer fired: the clock, the spinner or a deadline. Events the
		 * session appended have set dirty through on_event. */
		if (n == 0)
			u.dirty = true;
	}

	session_close(u.s, "startle closed the connection (quit)");
	ui_restore();
	session_free(u.s);
	transcript_free(u.t);
	slines_free(&u.rows);
	slines_free(&u.drows);
	ladder_free(&u.ladder);
	if (u.lesson_active)
		lesson_free(&u.lesson);
	free(u.confirm_line);
	if (u.log)
		fclose(u.log);
	if (u.record)
		fclose(u.record);
	close(u.sigpipe[0]);
	close(u.sigpipe[1]);
	active = NULL;
	return 0;
}
