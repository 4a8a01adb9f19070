#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "lesson.h"
#include "proto.h"
#include "replay.h"
#include "ui_int.h"
#include "util.h"

/* The signal handlers, the crash path and the exit path take no argument,
 * so what they need is process-wide, and only that: whether curses holds
 * the terminal, and the write end of the self-pipe signals go to (-1: none).
 * Both are set outside handlers and read inside them. */
static volatile sig_atomic_t ui_curses_on;
static volatile sig_atomic_t ui_signal_fd = -1;

/* The way out on every path: readline's handler removed, curses ended. */
static void
ui_restore(void)
{
	if (!ui_curses_on)
		return;
	ui_curses_on = 0;
	input_finish();
	endwin();
}

static void
ui_crash_handler(int sig)
{
	ui_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Hands the signal to the loop through the self-pipe. */
static void
ui_signal_to_pipe(int sig)
{
	int saved = errno;
	int fd = ui_signal_fd;
	unsigned char c = (unsigned char)sig;

	if (fd >= 0 && write(fd, &c, 1) < 0) {
		/* The pipe is full: a signal is already waiting there. */
	}
	errno = saved;
}

void
ui_message(struct ui *u, enum theme_element e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->message, sizeof u->message, fmt, ap);
	va_end(ap);
	u->message_elem = e;
	u->matches_shown = false;
	u->message_gen++;
	u->dirty = true;
}

/* Tells the user a lesson step is done and shows the lesson. */
void
ui_lesson_progress(struct ui *u)
{
	if (lesson_done(&u->lesson))
		ui_message(u, TE_GOOD, "lesson complete: %s", u->lesson.title);
	else
		ui_message(u, TE_GOOD, "step done; next: %s",
		           u->lesson.steps[u->lesson.current].title);
	u->tab = TAB_LESSON;
	u->event_details = false;
	u->details_scroll = 0;
}

void
ui_relayout(struct ui *u)
{
	if (u->nsides > 1)
		layout_compute_compare(LINES, COLS, &u->lay);
	else
		layout_compute(LINES, COLS, 45, &u->lay);
	/* The comparison comes and goes as a tab with the width of the screen. */
	if (u->focus == FOCUS_COMPARE && u->lay.comparison.h == 0)
		u->focus = FOCUS_INPUT;
	if (!detailspane_tab_available(u, u->tab))
		u->tab = TAB_HANDSHAKE;
	u->dirty = true;
}

/* The panes in the order they are drawn (their rectangles do not overlap). */
static const struct ui_pane *const ui_panes[] = {&statusbar, &transcriptpane, &comparepane,
                                                 &detailspane, &inputpane};

/* Draws every pane (and the help overlay) and updates the terminal once. */
static void
ui_draw(struct ui *u)
{
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
	if (u->export_shown) {
		exportview_draw(u);
		curs_set(0);
		wnoutrefresh(stdscr);
		doupdate();
		u->dirty = false;
		return;
	}
	for (size_t i = 0; i < sizeof ui_panes / sizeof ui_panes[0]; i++)
		ui_panes[i]->draw(u);
	if (u->help_overlay)
		detailspane_draw_help_overlay(u);
	if (u->focus == FOCUS_INPUT && !u->help_overlay) {
		curs_set(1);
		wmove(stdscr, u->lay.input.y, u->lay.input.x + u->cursor);
	} else {
		curs_set(0);
	}
	wnoutrefresh(stdscr);
	doupdate();
	u->dirty = false;
}

/* The prompt shows the protocol and the phase (or DATA mode); under
 * --compare also where lines go and each side's phase. */
static void
ui_update_prompt(struct ui *u)
{
	char prompt[80];
	const char *proto = proto_info(session_target(u->cur->s)->proto)->name;

	if (u->nsides > 1)
		compareview_prompt(u->aim, proto, ui_side_where(&u->side[0]),
		                   ui_side_where(&u->side[1]), prompt, sizeof prompt);
	else
		snprintf(prompt, sizeof prompt, "%s%s %s> ", u->replay != NULL ? "replay " : "",
		         proto, ui_side_where(u->cur));
	if (u->ask == ASK_AUTH_USER)
		snprintf(prompt, sizeof prompt,
		         "user for %s: ", auth_mech_name(u->ask_mech));
	else if (u->ask == ASK_AUTH_PASSWORD)
		snprintf(prompt, sizeof prompt, "password (not shown): ");
	else if (u->ask == ASK_SEARCH)
		snprintf(prompt, sizeof prompt, "search /");
	input_set_prompt(u->in, prompt);
}

/* Under --compare, once a side is ready: where typed lines go. */
static void
ui_first_hint_compare(struct ui *u)
{
	static const char *const first[PROTO_COUNT] = {
	    [PROTO_SMTP] = "EHLO me", [PROTO_IMAP] = "CAPABILITY", [PROTO_POP3] = "CAPA"};
	bool ready = false;

	for (int i = 0; i < u->nsides; i++)
		ready |= session_state(u->side[i].s) == SS_READY;
	if (u->hint_shown || !ready)
		return;
	u->hint_shown = true;
	ui_message(u, TE_HINT,
	           "%s%s%stype %s (to a and b), then /starttls (explicit side only); "
	           "F9 aims at one side, F10 switches side, F1 help",
	           u->cfg->demo_scenario != NULL ? "lab scenario " : "",
	           u->cfg->demo_scenario != NULL ? u->cfg->demo_scenario : "",
	           u->cfg->demo_scenario != NULL ? ": " : "",
	           first[session_target(u->cur->s)->proto]);
}

/* Once the session is ready: what to type first, unless a message already
 * says something. */
static void
ui_first_hint(struct ui *u)
{
	static const char *const hints[PROTO_COUNT] = {
	    [PROTO_SMTP] =
	        "type EHLO me, then STARTTLS, then EHLO me again — or /starttls; F1 help",
	    [PROTO_IMAP] =
	        "type CAPABILITY, then STARTTLS (tags are added) — or /starttls; F1 help",
	    [PROTO_POP3] = "type CAPA, then STLS — or /starttls; F1 help",
	};
	if (u->nsides > 1) {
		ui_first_hint_compare(u);
		return;
	}
	if (u->hint_shown || session_state(u->cur->s) != SS_READY)
		return;
	u->hint_shown = true;
	const char *hint = hints[session_target(u->cur->s)->proto];
	if (session_phase(u->cur->s) == PHASE_TLS)
		hint =
		    session_target(u->cur->s)->mode == TLS_MODE_IMPLICIT
		        ? "implicit TLS: the session is encrypted; type commands, F1 help"
		        : "STARTTLS done: the session is encrypted; type commands, F1 help";
	if (u->cfg->demo_scenario != NULL)
		ui_message(u, TE_HINT, "startle lab, scenario %s, account demo/demo: %s",
		           u->cfg->demo_scenario, hint);
	else
		ui_message(u, TE_HINT, "%s", hint);
}

/* Feeds the lesson the events already in the transcripts, in the order
 * they happened, so that a step that already happened counts; returns how
 * many steps that completed. */
static size_t
ui_lesson_catch_up(struct ui *u)
{
	size_t next[UI_SIDES] = {0}, done = 0;
	struct ui_side *d;

	while (!lesson_done(&u->lesson) && (d = ui_side_next_in_time(u, next)) != NULL)
	{
		done += ui_side_lesson_update(d, transcript_get(d->t, next[d->index]));
		next[d->index] = transcript_next(d->t, next[d->index]);
	}
	return done;
}

/* True if the lesson wants another lab than the one running: the explorer
 * cannot restart the lab, so the user has to. */
static bool
ui_lesson_wants_other_lab(const struct ui *u, const struct lesson *l)
{
	const char *running = u->cfg->demo_scenario;

	if (running == NULL)
		return false;
	return strcasecmp(l->scenario, running) != 0 ||
	       proto_from_name(l->proto) != (int)session_target(u->cur->s)->proto;
}

/* Loads a lesson and shows it, counting the steps the transcript already
 * did; says what to do when it was written for another protocol or, in a
 * demo, another scenario of the lab. */
void
ui_start_lesson(struct ui *u, const char *name)
{
	struct lesson l;
	char *cause = NULL;

	if (lesson_load(name, &l, &cause) != 0) {
		ui_message(u, TE_ERROR, "%s", cause);
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
	size_t done = ui_lesson_catch_up(u);
	if (l.compare && u->nsides < 2)
		ui_message(u, TE_INFO,
		           "this lesson compares explicit and implicit TLS side by side: "
		           "leave and start startle --lesson %s",
		           name);
	else if (ui_lesson_wants_other_lab(u, &l))
		ui_message(u, TE_INFO,
		           "this lesson runs on the %s %s scenario: leave and start "
		           "startle --lesson %s",
		           l.proto, l.scenario, name);
	else if (proto_from_name(l.proto) != (int)session_target(u->cur->s)->proto)
		ui_message(u, TE_INFO,
		           "this lesson is written for %s: run startle --lesson %s",
		           l.proto, name);
	else if (done > 0)
		ui_message(u, TE_INFO,
		           "lesson: %s; %zu step%s already done in this session%s", l.title,
		           done, done == 1 ? "" : "s",
		           lesson_done(&u->lesson) ? ": nothing left" : "");
	else
		ui_message(u, TE_INFO,
		           "lesson: %s (/next moves on when a step asks you to read)",
		           l.title);
}

void
ui_suspend(struct ui *u)
{
	ui_restore();
	raise(SIGTSTP);
	/* Back from the stop (SIGCONT). */
	ui_curses_on = 1;
	refresh();
	u->dirty = true;
}

/* The signals the self-pipe brought: resize, continue after a stop, or quit. */
static void
ui_handle_signals(struct ui *u)
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
			ui_relayout(u);
			break;
		}
		case SIGCONT:
			ui_curses_on = 1;
			clearok(curscr, TRUE);
			u->dirty = true;
			break;
		default: /* SIGINT, SIGTERM, SIGHUP */
			u->quit = true;
			break;
		}
	}
}

/* True while a side waits for something (the spinner turns). */
static bool
ui_busy(const struct ui *u)
{
	for (int i = 0; i < u->nsides; i++)
		if (session_busy_since(u->side[i].s) > 0)
			return true;
	return false;
}

/* Milliseconds to wait in poll: the nearest session deadline, the spinner,
 * the clock. */
static int
ui_poll_timeout(struct ui *u)
{
	int t = -1;
	time_t now = time(NULL);
	int to_minute = (int)(60 - now % 60) * 1000;

	for (int i = 0; i < u->nsides; i++) {
		int st = session_timeout_ms(u->side[i].s);
		if (st >= 0 && (t < 0 || st < t))
			t = st;
	}
	if (ui_busy(u) && (t < 0 || t > 120))
		t = 120;
	int rt = ui_replay_timeout(u);
	if (rt >= 0 && (t < 0 || rt < t))
		t = rt;
	if (t < 0 || t > to_minute)
		t = to_minute;
	return t;
}

/* Window, interrupt, stop and hang-up signals go to the loop through the
 * self-pipe; crashes restore the terminal first. */
static void
ui_install_signals(void)
{
	static const int forwarded[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGCONT};
	static const int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ui_signal_to_pipe;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaction(forwarded[i], &sa, NULL);
	sa.sa_handler = ui_crash_handler;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++)
		sigaction(crashes[i], &sa, NULL);
}

/* Fills the screen's state from the sessions' parameters (n of them) and
 * the config: the theme (a broken one is only a message), the log and
 * recording files, the views and the signal pipe. Returns 0, or -1 with
 * *cause. */
static int
ui_setup(struct ui *u, const struct session_params *const *params, int n,
         const struct ui_config *cfg, char **cause)
{
	struct ui_replay *replay = u->replay;

	memset(u, 0, sizeof *u);
	u->cfg = cfg;
	u->replay = replay;
	u->no_color = cfg->no_color || (!cfg->force_color && util_no_color());
	theme_default(&u->theme);
	if (cfg->theme != NULL && theme_load(&u->theme, cfg->theme, cause) != 0) {
		/* A broken theme is not fatal: say why and carry on with the default. */
		ui_message(u, TE_ERROR, "%s; using the default theme", *cause);
		free(*cause);
		*cause = NULL;
		theme_default(&u->theme);
		u->hint_shown = true;
	}
	if (cfg->log != NULL &&
	    (u->log = util_open_private(cfg->log, false, cause)) == NULL)
		return -1;
	if (cfg->record != NULL &&
	    (u->record = util_open_private(cfg->record, false, cause)) == NULL)
		return -1;
	u->tvo = (struct tview_opts){.mode = TVIEW_TRANSCRIPT,
	                             .explain = !cfg->no_explain,
	                             .no_color = u->no_color,
	                             .tls_records = cfg->tls_records,
	                             .redact = cfg->redact};
	u->wvo = (struct tview_opts){
	    .mode = TVIEW_WIRE, .no_color = u->no_color, .redact = cfg->redact};
	u->nsides = n;
	for (int i = 0; i < n; i++)
		ui_side_init(u, i, params[i]);
	if (u->record != NULL)
		ui_record_header(u, u->record);
	u->cur = &u->side[0];
	slines_init(&u->drows);
	if (pipe2(u->sigpipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		*cause = str_printf("cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Takes the terminal: raw keys, mouse wheel, the theme's colours. */
static void
ui_curses_start(struct ui *u)
{
	initscr();
	ui_curses_on = 1;
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
	u->dc = (struct draw_ctx){.win = stdscr,
	                          .attrs = &u->attrs,
	                          .ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0};
	theme_apply(&u->theme, u->no_color || !has_colors(), &u->attrs);
	ui_relayout(u);
}

/* Hands each side what poll saw on its socket, then its deadline, and
 * takes what changed into its figures. */
static void
ui_sessions_io(struct ui *u, const struct pollfd *fds, int n)
{
	for (int i = 0; i < u->nsides; i++) {
		struct ui_side *d = &u->side[i];
		if (n > 0 && fds[i].fd >= 0 && fds[i].revents != 0)
			session_io(d->s, fds[i].revents);
		session_timeout(d->s);
		ui_side_refresh(d);
	}
}

/* One turn of the loop: draw if something changed, wait for the terminal,
 * a signal, the sockets or a timer, and handle what came. Each side is
 * only ever handed what is ready for it, so one side that waits never
 * holds up the other or the screen. */
static void
ui_loop_once(struct ui *u)
{
	struct pollfd fds[2 + UI_SIDES];

	ui_first_hint(u);
	ui_update_prompt(u);
	if (input_take_dirty(u->in))
		u->dirty = true;
	if (u->dirty || ui_busy(u))
		ui_draw(u);
	fds[0] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	fds[1] = (struct pollfd){.fd = u->sigpipe[0], .events = POLLIN};
	for (int i = 0; i < u->nsides; i++)
		fds[2 + i] = (struct pollfd){.fd = session_fd(u->side[i].s),
		                             .events = session_poll_events(u->side[i].s)};
	int n = poll(fds, (nfds_t)(2 + u->nsides), ui_poll_timeout(u));
	if (n < 0 && errno != EINTR) {
		u->quit = true;
		return;
	}
	if (n > 0 && (fds[1].revents & POLLIN))
		ui_handle_signals(u);
	if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
		int c;
		if (fds[0].revents & (POLLHUP | POLLERR))
			u->quit = true;
		while ((c = getch()) != ERR && !u->quit)
			keys_handle(u, c);
		u->dirty = true;
	}
	ui_sessions_io(u, fds + 2, n);
	ui_replay_tick(u);
	/* A timer fired: the clock, the spinner or a deadline. Events the
	 * sessions appended have set dirty through their listeners. */
	if (n == 0)
		u->dirty = true;
}

/* Closes the sessions (the comparison goes to the log and recording after
 * them), gives the terminal back and frees the screen. */
static void
ui_teardown(struct ui *u)
{
	for (int i = 0; i < u->nsides; i++)
		ui_side_end(&u->side[i]);
	ui_write_comparison(u);
	ui_restore();
	ui_signal_fd = -1;
	for (int i = 0; i < u->nsides; i++)
		ui_side_free(&u->side[i]);
	input_free(u->in);
	slines_free(&u->drows);
	if (u->lesson_active)
		lesson_free(&u->lesson);
	inputpane_drop_confirm(u);
	exportview_close(u);
	free(u->ask_user);
	if (u->log)
		fclose(u->log);
	if (u->record)
		fclose(u->record);
	close(u->sigpipe[0]);
	close(u->sigpipe[1]);
}

/* Runs the explorer over n sessions (1, or 2 under --compare), or over a
 * recording of them when replay is given. */
static int
ui_main(const struct session_params *const *params, int n, const struct ui_config *cfg,
        struct ui_replay *replay)
{
	struct ui u = {.replay = replay};
	char *cause = NULL;
	struct input_hooks hooks = {.line = inputpane_on_line,
	                            .complete = inputpane_complete,
	                            .show_matches = inputpane_show_matches};

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(
		    stderr,
		    "startle: the explorer needs a terminal; use --batch for scripts\n");
		return 2;
	}
	if (ui_check_terminal(&cause) != 0 || ui_setup(&u, params, n, cfg, &cause) != 0) {
		fprintf(stderr, "startle: %s\n", cause);
		free(cause);
		return 2;
	}
	/* --mx: the domain is checked before the screen is taken; what ends
	 * the check (no such domain, no usable host) is said on stderr. */
	int rc = cfg->mx != NULL ? ui_side_mx_begin(&u.side[0], cfg->mx) : 0;
	if (rc != 0) {
		ui_teardown(&u);
		return rc;
	}
	ui_signal_fd = u.sigpipe[1];
	hooks.arg = &u;
	ui_install_signals();
	util_set_fatal_hook(ui_restore);
	atexit(ui_restore);
	ui_curses_start(&u);
	if (detailspane_tab_available(&u, TAB_COMPARE))
		u.tab = TAB_COMPARE;
	if (detailspane_tab_available(&u, TAB_DNS))
		u.tab = TAB_DNS;
	char *hist = input_history_path();
	u.in = input_new(&hooks, hist);
	free(hist);
	for (int i = 0; i < n; i++)
		ui_side_start(&u.side[i]);
	u.hint_shown = u.message[0] != '\0';
	if (replay != NULL)
		ui_replay_start(&u);
	else
		ui_queue_script(&u, cfg->script);
	if (cfg->lesson != NULL)
		ui_start_lesson(&u, cfg->lesson);
	while (!u.quit)
		ui_loop_once(&u);
	ui_teardown(&u);
	if (u.write_failed)
		fprintf(stderr, "startle: writing the log or recording failed; the file is "
		                "incomplete\n");
	return u.write_failed ? 2 : 0;
}

int
ui_run(const struct session_params *params, const struct ui_config *cfg)
{
	const struct session_params *ps[1] = {params};

	return ui_main(ps, 1, cfg, NULL);
}

int
ui_run_compare(const struct session_params *a, const struct session_params *b,
               const struct ui_config *cfg)
{
	const struct session_params *ps[UI_SIDES] = {a, b};

	return ui_main(ps, UI_SIDES, cfg, NULL);
}

int
ui_run_replay(const struct replay *r, const struct ui_config *cfg)
{
	struct session_params p[UI_SIDES];
	const struct session_params *ps[UI_SIDES];
	struct ui_replay replay = {.r = r};

	for (int i = 0; i < r->nsides && i < UI_SIDES; i++) {
		p[i] = (struct session_params){.target = r->side[i].target};
		ps[i] = &p[i];
	}
	return ui_main(ps, r->nsides, cfg, &replay);
}
