#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "ui_int.h"
#include "util.h"

/* Where a binding holds. The first row whose key and context match wins. */
enum keys_context {
	KEYS_ANY,        /* whatever has the focus */
	KEYS_OVERLAY,    /* while the help overlay is shown */
	KEYS_INPUT,      /* the input line has the focus */
	KEYS_VIEW,       /* the transcript or the details pane has the focus */
	KEYS_TRANSCRIPT, /* the transcript has the focus */
	KEYS_DETAILS,    /* the details pane has the focus */
	KEYS_COMPARE,    /* the comparison pane has the focus */
	KEYS_REPLAY      /* replaying, and no line is being typed */
};

/* One binding: a key in a context runs an action with arg. The rows with
 * help text make the keys part of the help screen, in table order; the rows
 * with a hint make the hint bar. */
struct keys_binding {
	int key;
	enum keys_context ctx;
	void (*run)(struct ui *u, int key, int arg);
	int arg;
	const char *keys, *help; /* help screen: "F1, ?" and what it does */
	const char *hint_keys, *hint;
	bool compare_only; /* only under --compare (and only its help shows it) */
	bool single_only;  /* only with one session (the key means another thing
	                    * under --compare) */
	bool replay_only;  /* only in a replay (and only its help shows it) */
};

/* Keys curses reports as plain bytes. */
enum keys_byte {
	KEYS_CTRL_C = 3,
	KEYS_CTRL_D = 4,
	KEYS_CTRL_L = 12,
	KEYS_CTRL_R = 18,
	KEYS_CTRL_Z = 26,
	KEYS_ESC = 27
};

static void
keys_overlay_close(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->help_overlay = false;
}

static void
keys_overlay_open(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->help_overlay = true;
}

static void
keys_overlay_toggle(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->help_overlay = !u->help_overlay;
}

/* F2-F9: a tab of the details pane; F8 on a screen wide enough for the
 * comparison pane gives that pane the focus instead. */
static void
keys_tab(struct ui *u, int key, int tab)
{
	(void)key;
	if (tab == TAB_COMPARE && u->lay.comparison.h > 0)
		u->focus = FOCUS_COMPARE;
	else
		detailspane_switch_tab(u, tab);
}

static void
keys_cycle_tab(struct ui *u, int key, int step)
{
	(void)key;
	detailspane_cycle_tab(u, step);
}

/* PgUp and PgDn (arg -1, 1): a page of the pane with the focus; from the
 * input line, of the transcript (under --compare of both columns). */
static void
keys_page(struct ui *u, int key, int dir)
{
	(void)key;
	if (u->focus == FOCUS_DETAILS) {
		detailspane_scroll(u, dir * (u->lay.details.h - 2));
	} else if (u->focus == FOCUS_COMPARE) {
		comparepane_scroll(u, dir * (u->lay.comparison.h - 1));
	} else if (u->focus == FOCUS_TRANSCRIPT) {
		transcriptpane_scroll(u, dir * (transcriptpane_rect(u, u->cur)->h - 1));
	} else {
		for (int i = 0; i < u->nsides; i++)
			transcriptpane_scroll_side(
			    u, &u->side[i],
			    dir * (transcriptpane_rect(u, &u->side[i])->h - 1));
	}
}

static void
keys_details_scroll(struct ui *u, int key, int delta)
{
	(void)key;
	detailspane_scroll(u, delta);
}

/* Where the focus can be, in Tab order: the input line, the transcript (under
 * --compare each column, then the comparison pane when there is one), the
 * details. Returns how many stops; side is the column's side or -1. */
static int
keys_focus_stops(const struct ui *u, enum ui_focus focus[5], int side[5])
{
	int n = 0;

	focus[n] = FOCUS_INPUT, side[n++] = -1;
	for (int i = 0; i < u->nsides; i++)
		focus[n] = FOCUS_TRANSCRIPT, side[n++] = i;
	if (u->lay.comparison.h > 0)
		focus[n] = FOCUS_COMPARE, side[n++] = -1;
	focus[n] = FOCUS_DETAILS, side[n++] = -1;
	return n;
}

/* Tab and Shift-Tab (arg 1, -1): the focus moves among the panes. */
static void
keys_focus_step(struct ui *u, int key, int step)
{
	enum ui_focus focus[5];
	int side[5], at = 0;
	int n = keys_focus_stops(u, focus, side);

	(void)key;
	for (int i = 0; i < n; i++)
		if (focus[i] == u->focus && (side[i] < 0 || &u->side[side[i]] == u->cur))
			at = i;
	at = (at + n + step) % n;
	u->focus = focus[at];
	if (side[at] >= 0)
		ui_switch_side(u, side[at]);
}

/* F9: lines go to both sides, then a only, then b only. */
static void
keys_aim(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	ui_set_aim(u, compareview_aim_next(u->aim));
}

/* F10, and Left and Right in a column: the other side. */
static void
keys_other_side(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	ui_switch_side(u, u->cur == &u->side[0] ? 1 : 0);
}

static void
keys_compare_scroll(struct ui *u, int key, int delta)
{
	(void)key;
	comparepane_scroll(u, delta);
}

static void
keys_focus_input(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->focus = FOCUS_INPUT;
}

/* Tab on an empty input line moves to the transcript, selecting the last
 * event (and dropping a search not typed yet); on a word it completes
 * (readline's). */
static void
keys_input_tab(struct ui *u, int key, int arg)
{
	(void)arg;
	if (!input_empty(u->in)) {
		inputpane.key(u, key);
		return;
	}
	if (u->ask == ASK_SEARCH) {
		inputpane_cancel_ask(u);
		u->message[0] = '\0';
	}
	u->focus = FOCUS_TRANSCRIPT;
	if (!u->cur->tv.has_sel && transcript_count(u->cur->t) > 0) {
		u->cur->tv.has_sel = true;
		u->cur->tv.sel = transcript_count(u->cur->t) - 1;
	}
}

/* Keys readline handles itself (listed for the help screen). */
static void
keys_to_input(struct ui *u, int key, int arg)
{
	(void)arg;
	inputpane.key(u, key);
}

static void
keys_explain(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->tvo.explain = !u->tvo.explain;
}

/* Drops the lines queued on the sides lines go to; returns how many. */
static size_t
keys_drop_queued(struct ui *u, unsigned sides)
{
	size_t dropped = 0;

	for (int i = 0; i < u->nsides; i++)
		if (sides & (1u << i))
			dropped += session_cancel_queue(u->side[i].s);
	return dropped;
}

/* Ctrl-C: clears the line, else drops queued lines, else cancels the wait
 * (the second time within two seconds closes the connection); under
 * --compare on the sides lines go to. */
static void
keys_cancel(struct ui *u, int key, int arg)
{
	unsigned sides = ui_aimed_sides(u, "");
	size_t dropped;
	bool busy = false, waiting = false;

	(void)key;
	(void)arg;
	if (!input_empty(u->in)) {
		input_clear(u->in);
		inputpane_drop_matches(u);
		if (u->ask != ASK_AUTH_PASSWORD)
			return;
	}
	enum ui_ask asked = u->ask;
	if (inputpane_cancel_ask(u)) {
		ui_message(u, TE_INFO,
		           asked == ASK_SEARCH ? "search cancelled"
		                               : "/auth cancelled: nothing was sent");
		return;
	}
	if (u->replay != NULL) {
		if (u->replay->playing)
			ui_replay_play(u, key, arg); /* pauses */
		return;
	}
	if ((dropped = keys_drop_queued(u, sides)) > 0) {
		ui_message(u, TE_INFO, "dropped %zu queued line%s", dropped,
		           dropped == 1 ? "" : "s");
		return;
	}
	for (int i = 0; i < u->nsides; i++) {
		enum session_state st = session_state(u->side[i].s);
		if (!(sides & (1u << i)) || st == SS_CLOSED || st == SS_READY)
			continue;
		busy = true;
		waiting |= st == SS_WAITING;
	}
	if (!busy)
		return;
	if (waiting && util_now_ms() - u->cancel_at > 2000) {
		u->cancel_at = util_now_ms();
		ui_message(
		    u, TE_INFO,
		    "still waiting for the reply; Ctrl-C again closes the connection");
		return;
	}
	for (int i = 0; i < u->nsides; i++) {
		enum session_state st = session_state(u->side[i].s);
		if ((sides & (1u << i)) && st != SS_CLOSED && st != SS_READY)
			session_close(u->side[i].s,
			              "cancelled by the user (Ctrl-C); /reconnect "
			              "to start again");
	}
	ui_message(u, TE_INFO, "cancelled; /reconnect to start again");
}

static void
keys_redraw(struct ui *u, int key, int arg)
{
	(void)u;
	(void)key;
	(void)arg;
	clearok(curscr, TRUE);
}

static void
keys_suspend(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	ui_suspend(u);
}

static bool
keys_within(const struct rect *r, int y, int x)
{
	return y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w;
}

/* The wheel scrolls the pane under the pointer. */
static void
keys_mouse(struct ui *u, int key, int arg)
{
	MEVENT me;

	(void)key;
	(void)arg;
	if (getmouse(&me) != OK)
		return;
	int delta = (me.bstate & BUTTON4_PRESSED)   ? -3
	            : (me.bstate & BUTTON5_PRESSED) ? 3
	                                            : 0;
	if (delta == 0)
		return;
	if (keys_within(&u->lay.details, me.y, me.x)) {
		detailspane_scroll(u, delta);
		return;
	}
	if (keys_within(&u->lay.comparison, me.y, me.x)) {
		comparepane_scroll(u, delta);
		return;
	}
	for (int i = 0; i < u->nsides; i++)
		if (keys_within(transcriptpane_rect(u, &u->side[i]), me.y, me.x)) {
			transcriptpane_scroll_side(u, &u->side[i], delta);
			return;
		}
	if (u->nsides < 2)
		transcriptpane_scroll(u, delta);
}

static void
keys_select(struct ui *u, int key, int delta)
{
	transcriptpane_select(u, key, delta);
}

/* Esc alone steps back: the overlay, the event's details, the focus, and on
 * the input line it goes to readline. Alt-1..6 (Esc then a digit) picks a tab;
 * Esc then another key is Meta for readline. */
static void
keys_escape(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	nodelay(stdscr, TRUE);
	int next = getch();
	if (next >= '1' && next < '1' + TAB_COUNT) {
		detailspane_switch_tab(u, next - '1');
		return;
	}
	if (next == ERR) {
		if (u->ask == ASK_SEARCH) {
			inputpane_cancel_ask(u);
			u->message[0] = '\0';
			u->focus = FOCUS_TRANSCRIPT;
		} else if (u->help_overlay)
			u->help_overlay = false;
		else if (u->event_details)
			u->event_details = false;
		else if (u->focus != FOCUS_INPUT)
			u->focus = FOCUS_INPUT;
		else
			inputpane_feed(u, "\033");
		return;
	}
	if (u->focus == FOCUS_INPUT) {
		inputpane_feed(u, "\033");
		inputpane.key(u, next);
	}
}

/* Every binding. For a key bound in several contexts the first row that
 * holds wins (the overlay's q and ? come before the panes'); help and hint
 * rows appear on screen in table order. */
static const struct keys_binding keys_table[] = {
    {.key = 'q', .ctx = KEYS_OVERLAY, .run = keys_overlay_close},
    {.key = '?', .ctx = KEYS_OVERLAY, .run = keys_overlay_close},
    {.key = KEY_F(1),
     .ctx = KEYS_ANY,
     .run = keys_overlay_toggle,
     .keys = "F1, ?",
     .help = "this help",
     .hint_keys = "F1",
     .hint = "help"},
    {.key = '?', .ctx = KEYS_VIEW, .run = keys_overlay_open},
    {.key = KEY_F(2),
     .ctx = KEYS_ANY,
     .run = keys_tab,
     .arg = TAB_HANDSHAKE,
     .keys = "F2-F9, Alt-1..8",
     .help = "Handshake, Certificates, Wire, Help, Ladder (Lesson, DNS) tabs",
     .hint_keys = "F2-F6",
     .hint = "tabs"},
    {.key = KEY_F(3), .ctx = KEYS_ANY, .run = keys_tab, .arg = TAB_CERTS},
    {.key = KEY_F(4), .ctx = KEYS_ANY, .run = keys_tab, .arg = TAB_WIRE},
    {.key = KEY_F(5), .ctx = KEYS_ANY, .run = keys_tab, .arg = TAB_HELP},
    {.key = KEY_F(6), .ctx = KEYS_ANY, .run = keys_tab, .arg = TAB_LADDER},
    {.key = KEY_F(7), .ctx = KEYS_ANY, .run = keys_tab, .arg = TAB_LESSON},
    {.key = KEY_F(8),
     .ctx = KEYS_ANY,
     .run = keys_tab,
     .arg = TAB_COMPARE,
     .keys = "F8",
     .help = "the Compare tab: a against b (wide screens show it in a pane of its own)",
     .compare_only = true},
    {.key = KEY_F(9),
     .ctx = KEYS_ANY,
     .run = keys_aim,
     .keys = "F9",
     .help = "aim typed lines at both sides, at a only, at b only (the prompt says where)",
     .hint_keys = "F9",
     .hint = "aim",
     .compare_only = true},
    {.key = KEY_F(9), .ctx = KEYS_ANY, .run = keys_tab, .arg = TAB_DNS, .single_only = true},
    {.key = KEY_F(10),
     .ctx = KEYS_ANY,
     .run = keys_other_side,
     .keys = "F10, Left/Right",
     .help = "the other side: the details, the ladder and the transcript keys follow it "
             "(Left/Right with a column's focus)",
     .hint_keys = "F10",
     .hint = "side",
     .compare_only = true},
    {.key = KEY_LEFT, .ctx = KEYS_TRANSCRIPT, .run = keys_other_side, .compare_only = true},
    {.key = KEY_RIGHT,
     .ctx = KEYS_TRANSCRIPT,
     .run = keys_other_side,
     .compare_only = true},
    {.key = KEY_LEFT, .ctx = KEYS_DETAILS, .run = keys_cycle_tab, .arg = -1},
    {.key = KEY_RIGHT, .ctx = KEYS_DETAILS, .run = keys_cycle_tab, .arg = 1},
    {.key = '\t',
     .ctx = KEYS_VIEW,
     .run = keys_focus_step,
     .arg = 1,
     .keys = "Tab, Shift-Tab",
     .help = "focus: input, transcript, details (Tab on a typed word completes)",
     .hint_keys = "Tab",
     .hint = "focus"},
    {.key = KEY_BTAB, .ctx = KEYS_ANY, .run = keys_focus_step, .arg = -1},
    {.key = '\t', .ctx = KEYS_INPUT, .run = keys_input_tab},
    {.key = KEY_PPAGE,
     .ctx = KEYS_ANY,
     .run = keys_page,
     .arg = -1,
     .keys = "PgUp/PgDn, wheel",
     .help = "scroll the transcript",
     .hint_keys = "PgUp/Dn",
     .hint = "scroll"},
    {.key = KEY_NPAGE, .ctx = KEYS_ANY, .run = keys_page, .arg = 1},
    {.key = KEY_MOUSE, .ctx = KEYS_ANY, .run = keys_mouse},
    {.key = KEY_UP,
     .ctx = KEYS_TRANSCRIPT,
     .run = keys_select,
     .arg = -1,
     .keys = "Up/Down, Home/End",
     .help = "select events (transcript focus)"},
    {.key = 'k', .ctx = KEYS_TRANSCRIPT, .run = keys_select, .arg = -1},
    {.key = KEY_DOWN, .ctx = KEYS_TRANSCRIPT, .run = keys_select, .arg = 1},
    {.key = 'j', .ctx = KEYS_TRANSCRIPT, .run = keys_select, .arg = 1},
    {.key = KEY_HOME, .ctx = KEYS_TRANSCRIPT, .run = transcriptpane_home},
    {.key = 'g', .ctx = KEYS_TRANSCRIPT, .run = transcriptpane_home},
    {.key = KEY_END, .ctx = KEYS_TRANSCRIPT, .run = transcriptpane_end},
    {.key = 'G', .ctx = KEYS_TRANSCRIPT, .run = transcriptpane_end},
    {.key = KEY_UP, .ctx = KEYS_DETAILS, .run = keys_details_scroll, .arg = -1},
    {.key = 'k', .ctx = KEYS_DETAILS, .run = keys_details_scroll, .arg = -1},
    {.key = KEY_DOWN, .ctx = KEYS_DETAILS, .run = keys_details_scroll, .arg = 1},
    {.key = 'j', .ctx = KEYS_DETAILS, .run = keys_details_scroll, .arg = 1},
    {.key = KEY_HOME, .ctx = KEYS_DETAILS, .run = detailspane_top},
    {.key = KEY_UP, .ctx = KEYS_COMPARE, .run = keys_compare_scroll, .arg = -1},
    {.key = 'k', .ctx = KEYS_COMPARE, .run = keys_compare_scroll, .arg = -1},
    {.key = KEY_DOWN, .ctx = KEYS_COMPARE, .run = keys_compare_scroll, .arg = 1},
    {.key = 'j', .ctx = KEYS_COMPARE, .run = keys_compare_scroll, .arg = 1},
    {.key = KEY_RIGHT,
     .ctx = KEYS_REPLAY,
     .run = ui_replay_step,
     .arg = 1,
     .keys = "Right/Left, . ,",
     .help = "replay: the next event, the one before (Left/Right on an empty line)",
     .hint_keys = "Right",
     .hint = "step",
     .replay_only = true},
    {.key = '.', .ctx = KEYS_REPLAY, .run = ui_replay_step, .arg = 1, .replay_only = true},
    {.key = KEY_LEFT, .ctx = KEYS_REPLAY, .run = ui_replay_step, .arg = -1, .replay_only = true},
    {.key = ',', .ctx = KEYS_REPLAY, .run = ui_replay_step, .arg = -1, .replay_only = true},
    {.key = KEY_HOME,
     .ctx = KEYS_REPLAY,
     .run = ui_replay_jump,
     .arg = 0,
     .keys = "Home/End, < >",
     .help = "replay: back to the start, on to the end",
     .replay_only = true},
    {.key = '<', .ctx = KEYS_REPLAY, .run = ui_replay_jump, .arg = 0, .replay_only = true},
    {.key = KEY_END, .ctx = KEYS_REPLAY, .run = ui_replay_jump, .arg = 1, .replay_only = true},
    {.key = '>', .ctx = KEYS_REPLAY, .run = ui_replay_jump, .arg = 1, .replay_only = true},
    {.key = ' ',
     .ctx = KEYS_REPLAY,
     .run = ui_replay_play,
     .keys = "Space",
     .help = "replay: play at the recorded pace (pauses over 5 s shortened), pause",
     .hint_keys = "Space",
     .hint = "play",
     .replay_only = true},
    {.key = '+',
     .ctx = KEYS_REPLAY,
     .run = ui_replay_speed,
     .arg = 1,
     .keys = "+ -",
     .help = "replay: faster, slower (0.25x to 64x the recorded pace)",
     .hint_keys = "+-",
     .hint = "speed",
     .replay_only = true},
    {.key = '=', .ctx = KEYS_REPLAY, .run = ui_replay_speed, .arg = 1, .replay_only = true},
    {.key = '-', .ctx = KEYS_REPLAY, .run = ui_replay_speed, .arg = -1, .replay_only = true},
    {.key = '\r',
     .ctx = KEYS_TRANSCRIPT,
     .run = transcriptpane_open_event,
     .keys = "Enter",
     .help = "explain the selected event in the details pane"},
    {.key = '\n', .ctx = KEYS_TRANSCRIPT, .run = transcriptpane_open_event},
    {.key = KEY_ENTER, .ctx = KEYS_TRANSCRIPT, .run = transcriptpane_open_event},
    {.key = '/',
     .ctx = KEYS_TRANSCRIPT,
     .run = transcriptpane_search_ask,
     .keys = "/, n, N",
     .help = "search the transcript; next, previous match"},
    {.key = 'n', .ctx = KEYS_TRANSCRIPT, .run = transcriptpane_search_next, .arg = 1},
    {.key = 'N', .ctx = KEYS_TRANSCRIPT, .run = transcriptpane_search_next, .arg = -1},
    {.key = 'e',
     .ctx = KEYS_VIEW,
     .run = keys_explain,
     .keys = "e",
     .help = "show or hide explanations (transcript focus)",
     .hint_keys = "e",
     .hint = "explain"},
    {.key = 'q', .ctx = KEYS_VIEW, .run = keys_focus_input},
    {.key = KEYS_ESC,
     .ctx = KEYS_ANY,
     .run = keys_escape,
     .keys = "Esc",
     .help = "back to the input line"},
    {.key = KEYS_CTRL_R,
     .ctx = KEYS_INPUT,
     .run = keys_to_input,
     .keys = "Ctrl-R",
     .help = "search the history"},
    {.key = KEYS_CTRL_C,
     .ctx = KEYS_ANY,
     .run = keys_cancel,
     .keys = "Ctrl-C",
     .help = "clear the line, drop queued lines, or cancel the wait",
     .hint_keys = "^C",
     .hint = "cancel"},
    {.key = KEYS_CTRL_D,
     .ctx = KEYS_INPUT,
     .run = keys_to_input,
     .keys = "Ctrl-D",
     .help = "leave (asks while a session is open)",
     .hint_keys = "^D",
     .hint = "quit"},
    {.key = KEYS_CTRL_L,
     .ctx = KEYS_ANY,
     .run = keys_redraw,
     .keys = "Ctrl-L",
     .help = "redraw"},
    {.key = KEYS_CTRL_Z, .ctx = KEYS_ANY, .run = keys_suspend},
};

#define KEYS_COUNT (sizeof keys_table / sizeof keys_table[0])

/* True if a binding's context holds now. */
static bool
keys_context_holds(const struct ui *u, enum keys_context ctx)
{
	switch (ctx) {
	case KEYS_ANY:
		return true;
	case KEYS_OVERLAY:
		return u->help_overlay;
	case KEYS_INPUT:
		return u->focus == FOCUS_INPUT;
	case KEYS_VIEW:
		return u->focus != FOCUS_INPUT;
	case KEYS_TRANSCRIPT:
		return u->focus == FOCUS_TRANSCRIPT;
	case KEYS_DETAILS:
		return u->focus == FOCUS_DETAILS;
	case KEYS_COMPARE:
		return u->focus == FOCUS_COMPARE;
	case KEYS_REPLAY:
		return u->replay != NULL && u->ask == ASK_NONE &&
		       (u->focus != FOCUS_INPUT || input_empty(u->in));
	}
	return false;
}

/* The pane with the focus, which takes the keys no binding took. */
static const struct ui_pane *
keys_focused(const struct ui *u)
{
	static const struct ui_pane *const panes[FOCUS_COUNT] = {
	    [FOCUS_INPUT] = &inputpane,
	    [FOCUS_TRANSCRIPT] = &transcriptpane,
	    [FOCUS_DETAILS] = &detailspane,
	    [FOCUS_COMPARE] = &comparepane,
	};
	return panes[u->focus];
}

void
keys_handle(struct ui *u, int key)
{
	const struct ui_pane *p;

	if (key == KEY_RESIZE) {
		ui_relayout(u);
		return;
	}
	if (u->export_shown) {
		exportview_close(u);
		return;
	}
	if (u->confirm != CONFIRM_NONE) {
		inputpane_confirm(u, key);
		return;
	}
	for (size_t i = 0; i < KEYS_COUNT; i++) {
		const struct keys_binding *b = &keys_table[i];
		if (b->key == key && keys_context_holds(u, b->ctx) &&
		    (!b->compare_only || u->nsides > 1) && (!b->single_only || u->nsides < 2) &&
		    (!b->replay_only || u->replay != NULL)) {
			b->run(u, key, b->arg);
			u->dirty = true;
			return;
		}
	}
	p = keys_focused(u);
	if (p->key != NULL)
		p->key(u, key);
	u->dirty = true;
}

/* True if a binding is for the screen shown (KEYS_SHOW_* bits). */
static bool
keys_shown(const struct keys_binding *b, unsigned shown)
{
	return (!b->compare_only || (shown & KEYS_SHOW_COMPARE)) &&
	       (!b->single_only || !(shown & KEYS_SHOW_COMPARE)) &&
	       (!b->replay_only || (shown & KEYS_SHOW_REPLAY));
}

size_t
keys_help(struct details_help_row *rows, size_t max, unsigned shown)
{
	size_t n = 0;

	for (size_t i = 0; i < KEYS_COUNT && n < max; i++)
		if (keys_table[i].help != NULL && keys_shown(&keys_table[i], shown))
			rows[n++] = (struct details_help_row){keys_table[i].keys,
			                                      keys_table[i].help};
	return n;
}

/* The hints of the bindings for the screen shown, replay's (first) or the
 * others. */
static void
keys_hints_pass(struct sline *out, unsigned shown, bool replay)
{
	for (size_t i = 0; i < KEYS_COUNT; i++) {
		if (keys_table[i].hint == NULL || !keys_shown(&keys_table[i], shown) ||
		    keys_table[i].replay_only != replay)
			continue;
		sline_addf(out, TE_HINT_KEY, " %s", keys_table[i].hint_keys);
		sline_addf(out, TE_HINT, " %s ", keys_table[i].hint);
	}
}

void
keys_hints(struct sline *out, unsigned shown)
{
	/* A replay's own keys first: they are what the screen is for. */
	for (int pass = (shown & KEYS_SHOW_REPLAY) ? 0 : 1; pass < 2; pass++)
		keys_hints_pass(out, shown, pass == 0);
}

unsigned
keys_show(const struct ui *u)
{
	return (u->nsides > 1 ? KEYS_SHOW_COMPARE : 0u) |
	       (u->replay != NULL ? KEYS_SHOW_REPLAY : 0u);
}
