/*
 * The explorer over a recording (--replay): no connection, the recording's
 * events appended to the sides' transcripts as the user steps or plays
 * through them, so every pane that follows a transcript -- the transcript,
 * the details tabs, the ladder, the comparison, a lesson -- shows them as it
 * would live. Stepping back empties the transcripts and fills them again up
 * to the new place. Playing keeps the recorded pace, times the speed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "replay.h"
#include "ui_int.h"
#include "util.h"

/* The speeds + and - step through; 1x is the recorded pace. */
static const double ui_replay_speeds[] = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64};
#define UI_REPLAY_SPEEDS (int)(sizeof ui_replay_speeds / sizeof ui_replay_speeds[0])
#define UI_REPLAY_PACE 2 /* the index of 1x */

/* A pause in the recording longer than this plays as this long (as
 * asciinema's idle limit): a session typed by hand waits for minutes. */
#define UI_REPLAY_IDLE_MAX_MS 5000.0

/* The recording's file name without its directories, for messages. */
static const char *
ui_replay_name(const struct ui *u)
{
	const char *path = u->cfg->replay_path, *slash;

	if (path == NULL)
		return "a recording";
	slash = strrchr(path, '/');
	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

void
ui_replay_start(struct ui *u)
{
	const struct replay *r = u->replay->r;

	u->replay->speed = UI_REPLAY_PACE;
	u->hint_shown = true;
	ui_message(u, TE_HINT,
	           "replay of %s, %zu events; nothing is sent. Right/Left step, Space "
	           "plays, End: the end",
	           ui_replay_name(u), r->n);
}

/* After the transcript was filled again: a view whose place is gone
 * follows the end; a selection that is gone is dropped. */
static void
ui_replay_clamp(struct tview *v, size_t n)
{
	if (v->floor > n)
		v->floor = 0;
	if (v->top >= n) {
		v->top = n > 0 ? n - 1 : 0;
		v->top_row = 0;
		v->follow = true;
	}
	if (v->has_sel && v->sel >= n)
		v->has_sel = false;
}

/* A side's figures take the comparison's word on it once all its events
 * are shown, as a live side's do when its session ends. */
static void
ui_replay_close_sides(struct ui *u)
{
	const struct replay *r = u->replay->r;

	for (int i = 0; i < u->nsides; i++) {
		struct ui_side *d = &u->side[i];
		if (d->cmp_closed || !r->side[i].summarised ||
		    transcript_count(d->t) < r->side[i].nevents)
			continue;
		compare_set_plain_bytes(&d->cmp, r->side[i].plain_bytes);
		compare_close(&d->cmp, r->side[i].exit);
		d->cmp_closed = true;
	}
}

void
ui_replay_goto(struct ui *u, size_t pos)
{
	struct ui_replay *rp = u->replay;
	const struct replay *r = rp->r;

	if (pos > r->n)
		pos = r->n;
	/* Going back, the events are appended again out of the lesson's
	 * sight: it has seen them all. */
	if (pos < rp->pos) {
		rp->rebuilding = true;
		for (int i = 0; i < u->nsides; i++)
			ui_side_rewind(&u->side[i]);
		rp->pos = 0;
	}
	for (; rp->pos < pos; rp->pos++) {
		const struct replay_event *e = &r->events[rp->pos];
		transcript_append_recorded(u->side[e->side].t, &e->ev);
	}
	rp->rebuilding = false;
	for (int i = 0; i < u->nsides; i++) {
		size_t n = transcript_count(u->side[i].t);
		ui_replay_clamp(&u->side[i].tv, n);
		ui_replay_clamp(&u->side[i].wire, n);
	}
	ui_replay_close_sides(u);
	u->dirty = true;
}

/* How long to wait before showing event i at the speed, in ms. */
static double
ui_replay_gap(const struct ui_replay *rp, size_t i)
{
	const struct replay *r = rp->r;

	if (i == 0 || i >= r->n)
		return 0;
	double ms = (r->events[i].ev.wall - r->events[i - 1].ev.wall) * 1000.0;
	if (!(ms > 0))
		return 0;
	if (ms > UI_REPLAY_IDLE_MAX_MS)
		ms = UI_REPLAY_IDLE_MAX_MS;
	return ms / ui_replay_speeds[rp->speed];
}

void
ui_replay_step(struct ui *u, int key, int arg)
{
	struct ui_replay *rp = u->replay;

	(void)key;
	rp->playing = false;
	u->message[0] = '\0';
	if (arg < 0 && rp->pos == 0) {
		ui_message(u, TE_INFO, "replay: at the start");
		return;
	}
	if (arg > 0 && rp->pos == rp->r->n) {
		ui_message(u, TE_INFO, "replay: at the end of the recording");
		return;
	}
	ui_replay_goto(u, arg < 0 ? rp->pos - 1 : rp->pos + 1);
}

void
ui_replay_jump(struct ui *u, int key, int arg)
{
	(void)key;
	u->replay->playing = false;
	u->message[0] = '\0';
	ui_replay_goto(u, arg > 0 ? u->replay->r->n : 0);
}

void
ui_replay_play(struct ui *u, int key, int arg)
{
	struct ui_replay *rp = u->replay;

	(void)key;
	(void)arg;
	if (rp->playing) {
		rp->playing = false;
		ui_message(u, TE_INFO, "replay paused");
		return;
	}
	if (rp->pos == rp->r->n)
		ui_replay_goto(u, 0); /* from the start again */
	rp->playing = true;
	rp->due_ms = util_now_ms() + ui_replay_gap(rp, rp->pos);
	ui_message(u, TE_INFO, "replay playing at %gx the recorded pace; Space pauses",
	           ui_replay_speeds[rp->speed]);
}

void
ui_replay_speed(struct ui *u, int key, int arg)
{
	struct ui_replay *rp = u->replay;
	int s = rp->speed + arg;

	(void)key;
	if (s < 0 || s >= UI_REPLAY_SPEEDS) {
		ui_message(u, TE_INFO, "replay: %gx is the %s speed",
		           ui_replay_speeds[rp->speed], arg > 0 ? "highest" : "lowest");
		return;
	}
	/* The wait under way shrinks or grows with the speed. */
	if (rp->playing) {
		double left = rp->due_ms - util_now_ms();
		if (left > 0)
			rp->due_ms = util_now_ms() + left * ui_replay_speeds[rp->speed] /
			                                 ui_replay_speeds[s];
	}
	rp->speed = s;
	ui_message(u, TE_INFO, "replay at %gx the recorded pace",
	           ui_replay_speeds[rp->speed]);
}

int
ui_replay_timeout(const struct ui *u)
{
	if (u->replay == NULL || !u->replay->playing)
		return -1;
	double left = u->replay->due_ms - util_now_ms();
	return left <= 0 ? 0 : (int)ceil(left);
}

void
ui_replay_tick(struct ui *u)
{
	struct ui_replay *rp = u->replay;
	double now = util_now_ms();
	size_t pos;

	if (rp == NULL || !rp->playing || now < rp->due_ms)
		return;
	/* Every event due by now, at once: at 64x many fall in one turn. */
	for (pos = rp->pos; pos < rp->r->n && rp->due_ms <= now;) {
		pos++;
		rp->due_ms += ui_replay_gap(rp, pos);
	}
	/* Behind by more than a pause (the terminal was stopped): from now. */
	if (now - rp->due_ms > UI_REPLAY_IDLE_MAX_MS)
		rp->due_ms = now;
	ui_replay_goto(u, pos);
	if (rp->pos == rp->r->n) {
		rp->playing = false;
		ui_message(u, TE_INFO,
		           "replay: the end of the recording (Home goes back to "
		           "the start, Space plays it again)");
	}
}

void
ui_replay_status(const struct ui *u, struct sline *l)
{
	const struct ui_replay *rp = u->replay;

	sline_addf(l, TE_TITLE, "replay %zu/%zu", rp->pos, rp->r->n);
	if (rp->playing)
		sline_addf(l, TE_TITLE, " %s %gx", u->dc.ascii ? ">" : "▶",
		           ui_replay_speeds[rp->speed]);
	else
		sline_add(l, TE_TITLE, " paused");
}

bool
ui_replay_refuses(struct ui *u, const char *what)
{
	if (u->replay == NULL)
		return false;
	ui_message(u, TE_ERROR,
	           "this is a replay of %s: %s needs a live session; nothing "
	           "is sent",
	           ui_replay_name(u), what);
	return true;
}
