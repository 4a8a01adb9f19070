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

/* The title row: target, TLS mode, phase, and the clock at the right. */
static void
statusbar_draw_title(struct ui *u)
{
	struct sline l;
	enum theme_element pe = TE_TITLE;
	const char *pw = " CLOSED ";
	char clock[16];
	time_t now = time(NULL);
	struct tm tm;

	if (session_state(u->s) != SS_CLOSED) {
		pw = statusbar_phases[session_phase(u->s)].words;
		pe = statusbar_phases[session_phase(u->s)].elem;
	}
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

/* The rule between transcript and details. */
static void
statusbar_draw_divider(struct ui *u)
{
	draw_attr(&u->dc, TE_BORDER);
	if (u->lay.side_by_side)
		mvwvline(stdscr, u->lay.transcript.y, u->lay.split, ACS_VLINE,
		         u->lay.transcript.h);
	else
		mvwhline(stdscr, u->lay.split, 0, ACS_HLINE, COLS);
	wattrset(stdscr, A_NORMAL);
}

/* The status row: exposure, TLS and certificate, and a spinner while waiting. */
static void
statusbar_draw_status(struct ui *u)
{
	struct sline l;
	double since = session_busy_since(u->s);

	sline_init(&l);
	details_status_fit(&u->di, u->t, u->lay.status.w, &l);
	if (since > 0) {
		double secs = (util_now_ms() - since) / 1000.0;
		int frame = (int)(util_now_ms() / 120) % 4;
		sline_addf(&l, TE_INFO, "  %c %s %.1f s", statusbar_spinner[frame],
		           session_state_name(session_state(u->s)), secs);
	}
	if (session_queued(u->s) > 0)
		sline_addf(&l, TE_INFO, "  (%zu queued)", session_queued(u->s));
	draw_sline(&u->dc, u->lay.status.y, u->lay.status.x, u->lay.status.w, &l, false);
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
		keys_hints(&l);
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
