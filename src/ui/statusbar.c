#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "ui_int.h"
#include "util.h"

/* The title's words for the session's phase, in the phase's element. */
static const struct {
	const char *words;
	enum theme_element elem;
} statusbar_phases[] = {
    [PHASE_PLAIN] = {" PLAINTEXT ", TE_TITLE_PLAIN},
    [PHASE_HANDSHAKE] = {" HANDSHAKE ", TE_TITLE_HANDSHAKE},
    [PHASE_TLS] = {" ENCRYPTED ", TE_TITLE_TLS},
};

static const char statusbar_spinner[] = "|/-\\";

/* The clock at the right end of the title row, after padding to it. */
static void
statusbar_add_clock(struct ui *u, struct sline *l)
{
	char clock[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(clock, sizeof clock, "%H:%M", &tm);
	int pad = u->lay.title.w - sline_width(l) - (int)strlen(clock) - 1;
	if (pad < 1)
		return; /* no room: the words matter more than the time */
	for (int i = 0; i < pad; i++)
		sline_add(l, TE_TITLE, " ");
	sline_addf(l, TE_TITLE, "%s ", clock);
}

/* Replay: where it is, at the right end of the title row, where the clock
 * is live; when the row is full, in place of the end of the row. */
static void
statusbar_add_replay(struct ui *u, struct sline *l)
{
	struct sline r;

	sline_init(&r);
	ui_replay_status(u, &r);
	int pad = u->lay.title.w - sline_width(l) - sline_width(&r) - 1;
	if (pad < 1) {
		/* Too narrow: the replay's place wins over the title's words. */
		sline_clear(l);
		sline_add(l, TE_TITLE, " startle  ");
		pad = u->lay.title.w - sline_width(l) - sline_width(&r) - 1;
	}
	for (int i = 0; i < pad; i++)
		sline_add(l, TE_TITLE, " ");
	sline_addf(l, TE_TITLE, "%s ", r.text);
	sline_free(&r);
}

/* The title row: target, TLS mode, phase, and the clock at the right. Under
 * --compare: the two modes, where lines go and which side the details show
 * (the columns name their targets). */
static void
statusbar_draw_title(struct ui *u)
{
	struct sline l;
	enum theme_element pe = TE_TITLE;
	const char *pw = " CLOSED ";

	sline_init(&l);
	sline_add(&l, TE_TITLE, " startle  ");
	if (u->nsides > 1) {
		sline_add(&l, TE_TITLE, "compare  ");
		if (u->lay.title.w >= 100)
			sline_addf(&l, TE_TITLE, "a %s, b %s  ·  ",
			           tls_mode_name(u->side[0].cmp.mode),
			           tls_mode_name(u->side[1].cmp.mode));
		if (u->replay == NULL) {
			sline_add(&l, TE_TITLE, "lines to ");
			sline_add(&l, TE_TAB_ACTIVE,
			          u->aim == AIM_BOTH ? " a+b "
			          : u->aim == AIM_A  ? " a "
			                             : " b ");
			sline_add(&l, TE_TITLE, "  ");
		}
		sline_addf(&l, TE_TITLE, "details of %s", u->cur->name);
	} else {
		if (!ui_side_closed(u->cur)) {
			pw = statusbar_phases[ui_side_phase(u->cur)].words;
			pe = statusbar_phases[ui_side_phase(u->cur)].elem;
		}
		/* escaped: under --mx it holds the MX host's name as DNS gave it */
		sline_add_own(&l, TE_TITLE, TE_ESCAPED, (const unsigned char *)u->cur->target_text,
		              strlen(u->cur->target_text));
		sline_addf(&l, TE_TITLE, "  %s  ",
		           tls_mode_name(session_target(u->cur->s)->mode));
		sline_add(&l, pe, pw);
	}
	if (u->replay != NULL)
		statusbar_add_replay(u, &l);
	else
		statusbar_add_clock(u, &l);
	draw_sline(&u->dc, u->lay.title.y, u->lay.title.x, u->lay.title.w, &l, false);
	sline_free(&l);
}

/* The rules between the panes: under --compare between the columns, under
 * them, and between the comparison and the details. */
static void
statusbar_draw_divider(struct ui *u)
{
	const struct layout *y = &u->lay;

	draw_attr(&u->dc, TE_BORDER);
	if (y->compare) {
		mvwvline(stdscr, y->transcript.y, y->col_split, ACS_VLINE, y->transcript.h);
		mvwhline(stdscr, y->split, 0, ACS_HLINE, COLS);
		if (y->comparison.h > 0)
			mvwvline(stdscr, y->details.y, y->cmp_split, ACS_VLINE,
			         y->details.h);
	} else if (y->side_by_side) {
		mvwvline(stdscr, y->transcript.y, y->split, ACS_VLINE, y->transcript.h);
	} else {
		mvwhline(stdscr, y->split, 0, ACS_HLINE, COLS);
	}
	wattrset(stdscr, A_NORMAL);
}

/* The status row: exposure, TLS and certificate, and a spinner while
 * waiting; under --compare each side's under its column (their headers
 * show what they wait for). */
static void
statusbar_draw_status(struct ui *u)
{
	struct sline l;
	double since = session_busy_since(u->cur->s);
	const struct rect *r = &u->lay.status;

	sline_init(&l);
	if (u->lay.compare) {
		for (int i = 0; i < u->nsides; i++) {
			const struct rect *c = &u->lay.column[i];
			sline_clear(&l);
			details_status_fit(&u->side[i].di, u->side[i].t, c->w, &l);
			draw_sline(&u->dc, r->y, c->x, c->w, &l, false);
		}
		draw_clear(&u->dc, r->y, u->lay.col_split, 1, 1, TE_DEFAULT);
		sline_free(&l);
		return;
	}
	details_status_fit(&u->cur->di, u->cur->t, r->w, &l);
	if (since > 0) {
		double secs = (util_now_ms() - since) / 1000.0;
		int frame = (int)(util_now_ms() / 120) % 4;
		sline_addf(&l, TE_INFO, "  %c %s %.1f s", statusbar_spinner[frame],
		           session_state_name(session_state(u->cur->s)), secs);
	}
	if (session_queued(u->cur->s) > 0)
		sline_addf(&l, TE_INFO, "  (%zu queued)", session_queued(u->cur->s));
	draw_sline(&u->dc, r->y, r->x, r->w, &l, false);
	sline_free(&l);
}

/* The bottom row: the last message, or the key hints. */
static void
statusbar_draw_hints(struct ui *u)
{
	struct sline l;

	sline_init(&l);
	if (u->message[0] != '\0') {
		sline_add(&l, u->message_elem, " ");
		/* Messages quote paths, names and causes: never trust them raw. */
		sline_add_own(&l, u->message_elem, TE_ESCAPED,
		              (const unsigned char *)u->message, strlen(u->message));
	} else {
		keys_hints(&l, keys_show(u));
	}
	draw_sline(&u->dc, u->lay.hints.y, u->lay.hints.x, u->lay.hints.w, &l, false);
	sline_free(&l);
}

static void
statusbar_draw(struct ui *u)
{
	statusbar_draw_title(u);
	statusbar_draw_divider(u);
	statusbar_draw_status(u);
	statusbar_draw_hints(u);
}

const struct ui_pane statusbar = {
    .name = "status",
    .draw = statusbar_draw,
    .key = NULL,
};
