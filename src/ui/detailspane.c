#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include <curses.h>

#include "commands.h"
#include "lessonview.h"
#include "ui_int.h"
#include "util.h"

/* The Lesson tab exists only while a lesson runs; the Compare tab under
 * --compare while the comparison has no pane of its own; the DNS/Policy tab
 * under --mx. */
bool
detailspane_tab_available(const struct ui *u, enum details_tab tab)
{
	if (tab == TAB_LESSON)
		return u->lesson_active;
	if (tab == TAB_COMPARE)
		return u->nsides > 1 && u->lay.comparison.h == 0;
	if (tab == TAB_DNS)
		return u->cur->mx != NULL;
	return true;
}

/* Under --compare, whose details the tab bar shows: the current side's, or
 * both (the Compare tab, the ladders side by side). */
static void
detailspane_add_side(const struct ui *u, int pass, struct sline *l)
{
	bool both = !u->event_details && (u->tab == TAB_COMPARE || u->tab == TAB_LADDER);

	sline_addf(l, TE_TAB_ACTIVE, pass < 2 ? " side %s " : " %s ",
	           both ? "a+b" : u->cur->name);
}

/* The tab bar, the widest form that fits: every name; the active tab's name
 * and the others' short names; the active tab's name and the others' keys. */
static void
detailspane_draw_tabs(struct ui *u)
{
	const struct rect *r = &u->lay.details;
	struct sline l;

	sline_init(&l);
	for (int pass = 0; pass < 3; pass++) {
		sline_clear(&l);
		/* Under --compare: whose details these are. */
		if (u->nsides > 1)
			detailspane_add_side(u, pass, &l);
		for (int i = 0; i < TAB_COUNT; i++) {
			enum details_tab tab = (enum details_tab)i;
			bool on = !u->event_details && tab == u->tab;
			if (!detailspane_tab_available(u, tab))
				continue;
			if (pass == 0 || on)
				sline_addf(&l, on ? TE_TAB_ACTIVE : TE_TAB, " F%d %s ",
				           i + 2, details_tab_name(tab));
			else if (pass == 1)
				sline_addf(&l, TE_TAB, "F%d %s", i + 2,
				           details_tab_short_name(tab));
			else
				sline_addf(&l, TE_TAB, " F%d ", i + 2);
			sline_add(&l, TE_TAB, " ");
		}
		if (u->event_details)
			sline_addf(&l, TE_TAB_ACTIVE, " Event #%zu ", u->cur->tv.sel + 1);
		if (sline_width(&l) <= r->w)
			break;
	}
	if (u->focus == FOCUS_DETAILS)
		sline_add(&l, TE_HINT, "  ◂▸ tabs ▴▾ scroll");
	draw_sline(&u->dc, r->y, r->x, r->w, &l, false);
	sline_free(&l);
}

/* The Help tab: the key table's rows, then the commands from their table
 * (those of --compare only under compare). */
static void
detailspane_help_rows(int width, unsigned shown, struct slines *out)
{
	struct details_help_row rows[64];
	char *usage[64];
	size_t n = keys_help(rows, sizeof rows / sizeof rows[0], shown), nusage = 0;
	bool compare = shown & KEYS_SHOW_COMPARE;

	rows[n++] = (struct details_help_row){COMMAND_SLASH_KEYS, COMMAND_SLASH_HELP};
	for (size_t i = 0; i < command_count() && n < sizeof rows / sizeof rows[0]; i++) {
		const struct command *c = command_at(i);
		if (c->compare_only && !compare)
			continue;
		usage[nusage] =
		    str_printf("/%s%s%s", c->name, c->args[0] ? " " : "", c->args);
		rows[n++] = (struct details_help_row){usage[nusage++], c->help};
	}
	details_help(rows, n, width, out);
	for (size_t i = 0; i < nusage; i++)
		free(usage[i]);
}

/* The rows of the tabs that are built whole: the event's details, Handshake,
 * Certificates, Help and Lesson. */
static void
detailspane_build(struct ui *u, enum details_tab tab, bool event, int width)
{
	slines_clear(&u->drows);
	if (event && u->cur->tv.has_sel) {
		const struct event *ev = transcript_get(u->cur->t, u->cur->tv.sel);
		if (ev != NULL)
			details_event(ev, width, u->cfg->redact, &u->drows);
		return;
	}
	switch (tab) {
	case TAB_HANDSHAKE:
		details_handshake(&u->cur->di, u->cur->t, width, &u->drows);
		break;
	case TAB_CERTS:
		details_certs(&u->cur->di, u->cur->t, width, &u->drows);
		break;
	case TAB_WIRE:
	case TAB_LADDER:
		break;
	case TAB_LESSON:
		if (u->lesson_active)
			lessonview_rows(&u->lesson, width, &u->drows);
		break;
	case TAB_COMPARE:
		if (u->nsides > 1)
			compareview_rows(&u->side[0].cmp, &u->side[1].cmp, width,
			                 &u->drows);
		break;
	case TAB_DNS:
		if (u->cur->mx != NULL)
			details_dns(u->cur->mx, width, &u->drows);
		break;
	case TAB_HELP:
	case TAB_COUNT:
		detailspane_help_rows(width, keys_show(u), &u->drows);
		break;
	}
}

/* Draws rows [first, first + h) of u->drows at y, blank rows past the end. */
static void
detailspane_draw_rows(struct ui *u, int y, int h, size_t first)
{
	const struct rect *r = &u->lay.details;

	for (int i = 0; i < h; i++) {
		size_t k = first + (size_t)i;
		if (k < u->drows.n)
			draw_sline(&u->dc, y + i, r->x, r->w, &u->drows.v[k], false);
		else
			draw_clear(&u->dc, y + i, r->x, 1, r->w, TE_DEFAULT);
	}
}

/* The Wire tab: what was exposed before encryption, then the raw lines. */
static void
detailspane_draw_wire(struct ui *u, int y, int h)
{
	const struct rect *r = &u->lay.details;
	struct sline head;

	sline_init(&head);
	sline_addf(&head, TE_LABEL, " exposed before encryption: %zu lines, %zu bytes",
	           u->cur->di.plain_lines, ui_side_plain_bytes(u->cur));
	draw_sline(&u->dc, y, r->x, r->w, &head, false);
	sline_free(&head);
	slines_clear(&u->drows);
	tview_visible(&u->cur->wire, u->cur->t, r->w, h - 1, &u->wvo, &u->drows);
	detailspane_draw_rows(u, y + 1, h - 1, 0);
}

/* The ladder's rows [first, first + h) at the pane's width: the current
 * side's, or under --compare both sides' aligned in time. Returns the total. */
static size_t
detailspane_ladder_rows(struct ui *u, size_t first, int h)
{
	int w = u->lay.details.w;

	if (u->nsides > 1) {
		const struct ladder *l[2] = {&u->side[0].ladder, &u->side[1].ladder};
		const struct transcript *t[2] = {u->side[0].t, u->side[1].t};
		return ladder_pair_rows(l, t, w, first, h, &u->drows);
	}
	return ladder_rows(&u->cur->ladder, w, first, h, &u->drows);
}

/* The Ladder tab: only the visible rows are built; it follows the end of the
 * session until scrolled back. */
static void
detailspane_draw_ladder(struct ui *u, int y, int h)
{
	size_t total = detailspane_ladder_rows(u, 0, 0);

	if (u->ladder_follow || u->details_scroll > (int)total - h)
		u->details_scroll = (int)total - h;
	if (u->details_scroll < 0)
		u->details_scroll = 0;
	slines_clear(&u->drows);
	detailspane_ladder_rows(u, (size_t)u->details_scroll, h);
	detailspane_draw_rows(u, y, h, 0);
}

static void
detailspane_draw(struct ui *u)
{
	const struct rect *r = &u->lay.details;
	int y = r->y + 1, h = r->h - 1;

	detailspane_draw_tabs(u);
	if (u->tab == TAB_WIRE && !u->event_details) {
		detailspane_draw_wire(u, y, h);
		return;
	}
	if (u->tab == TAB_LADDER && !u->event_details) {
		detailspane_draw_ladder(u, y, h);
		return;
	}
	detailspane_build(u, u->tab, u->event_details, r->w);
	if (u->details_scroll > (int)u->drows.n - h)
		u->details_scroll = (int)u->drows.n - h;
	if (u->details_scroll < 0)
		u->details_scroll = 0;
	detailspane_draw_rows(u, y, h, (size_t)u->details_scroll);
}

/* Typing anything printable goes back to the input line with what was typed;
 * g and G (Home and End in the transcript) do nothing here. */
static void
detailspane_key(struct ui *u, int key)
{
	if (key >= 0x20 && key < 0x7f && key != 'g' && key != 'G') {
		char b[2] = {(char)key, 0};
		u->focus = FOCUS_INPUT;
		inputpane_feed(u, b);
	}
}

const struct ui_pane detailspane = {
    .name = "details",
    .draw = detailspane_draw,
    .key = detailspane_key,
};

void
detailspane_draw_help_overlay(struct ui *u)
{
	int w = COLS - 8 > 90 ? 90 : COLS - 8, h = LINES - 4;
	int y = 2, x = (COLS - w) / 2;

	detailspane_build(u, TAB_HELP, false, w - 4);
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

void
detailspane_switch_tab(struct ui *u, int tab)
{
	if (tab < 0 || tab >= TAB_COUNT ||
	    !detailspane_tab_available(u, (enum details_tab)tab))
		return;
	u->ladder_follow = tab == TAB_LADDER;
	u->tab = (enum details_tab)tab;
	u->event_details = false;
	u->details_scroll = 0;
	u->dirty = true;
}

void
detailspane_cycle_tab(struct ui *u, int step)
{
	int t = u->tab;
	do
		t = (t + step + TAB_COUNT) % TAB_COUNT;
	while (!detailspane_tab_available(u, (enum details_tab)t));
	detailspane_switch_tab(u, t);
}

void
detailspane_scroll(struct ui *u, int delta)
{
	if (u->tab == TAB_WIRE && !u->event_details) {
		tview_scroll(&u->cur->wire, u->cur->t, u->lay.details.w,
		             u->lay.details.h - 2, &u->wvo, delta);
	} else {
		u->details_scroll += delta;
		if (u->tab == TAB_LADDER && delta < 0)
			u->ladder_follow = false;
	}
	u->dirty = true;
}

void
detailspane_top(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->details_scroll = 0;
}
