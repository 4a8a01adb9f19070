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
#include "output.h"
#include "proto.h"
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

/* Flushes the log or recording; the first failed write is said on screen
 * and makes the exit status 2. */
static void
ui_sink_flush(struct ui *u, FILE *f, const char *what)
{
	errno = 0;
	if (fflush(f) == 0 && !ferror(f))
		return;
	if (!u->write_failed)
		ui_message(u, TE_ERROR,
		           "writing the %s failed (%s): the file is incomplete", what,
		           strerror(errno ? errno : EIO));
	u->write_failed = true;
}

/* Transcript listener: keeps the details index, the ladder, the lesson, the
 * log and the recording. */
static void
ui_on_event(void *arg, const struct transcript *t, const struct event *ev)
{
	struct ui *u = arg;
	struct output_options lo = {.explain = true, .redact = u->cfg->redact};

	dindex_update(&u->di, t, ev->seq - 1);
	ladder_update(&u->ladder, t, ev->seq - 1);
	if (u->lesson_active && lesson_update(&u->lesson, ev))
		ui_lesson_progress(u);
	if (u->log != NULL) {
		output_text(u->log, ev, &lo);
		ui_sink_flush(u, u->log, "log");
	}
	if (u->record != NULL) {
		output_json(u->record, ev, u->cfg->redact, NULL);
		ui_sink_flush(u, u->record, "recording");
	}
	u->dirty = true;
}

FILE *
ui_open_sink(struct ui *u, const char *path, bool json)
{
	char *cause = NULL;
	FILE *f = util_open_private(path, false, &cause);
	struct output_options lo = {.explain = true, .redact = u->cfg->redact};

	if (f == NULL) {
		ui_message(u, TE_ERROR, "%s", cause);
		free(cause);
		return NULL;
	}
	for (size_t i = 0; i < transcript_count(u->t); i++) {
		if (json)
			output_json(f, transcript_get(u->t, i), u->cfg->redact, NULL);
		else
			output_text(f, transcript_get(u->t, i), &lo);
	}
	fflush(f);
	return f;
}

void
ui_relayout(struct ui *u)
{
	layout_compute(LINES, COLS, 45, &u->lay);
	u->dirty = true;
}

/* The panes in the order they are drawn (their rectangles do not overlap). */
static const struct ui_pane *const ui_panes[] = {&statusbar, &transcriptpane, &detailspane,
                                                 &inputpane};

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

/* The prompt shows the protocol and the phase (or DATA mode). */
static void
ui_update_prompt(struct ui *u)
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
	if (u->ask == ASK_AUTH_USER)
		snprintf(prompt, sizeof prompt,
		         "user for %s: ", auth_mech_name(u->ask_mech));
	else if (u->ask == ASK_AUTH_PASSWORD)
		snprintf(prompt, sizeof prompt, "password (not shown): ");
	else if (u->ask == ASK_SEARCH)
		snprintf(prompt, sizeof prompt, "search /");
	input_set_prompt(u->in, prompt);
}

void
ui_start_session(struct ui *u)
{
	u->s = session_new(&u->params, u->t);
	session_open(u->s);
	u->hint_shown = u->message[0] != '\0';
}

/* Queues the lines given on the command line (-c, --starttls, --script), as
 * batch mode would send them; they wait for the connection like typed ones. */
static void
ui_queue_script(struct ui *u, const struct script *sc)
{
	for (size_t i = 0; sc != NULL && i < sc->n; i++) {
		char *cause = NULL;
		if (script_queue_step(sc, i, u->s, &cause) != 0) {
			ui_message(u, TE_ERROR, "%s", cause);
			free(cause);
			return;
		}
	}
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
	if (u->hint_shown || session_state(u->s) != SS_READY)
		return;
	u->hint_shown = true;
	const char *hint = hints[session_target(u->s)->proto];
	if (session_phase(u->s) == PHASE_TLS)
		hint =
		    session_target(u->s)->mode == TLS_MODE_IMPLICIT
		        ? "implicit TLS: the session is encrypted; type commands, F1 help"
		        : "STARTTLS done: the session is encrypted; type commands, F1 help";
	if (u->cfg->demo_scenario != NULL)
		ui_message(u, TE_HINT, "startle lab, scenario %s, account demo/demo: %s",
		           u->cfg->demo_scenario, hint);
	else
		ui_message(u, TE_HINT, "%s", hint);
}

/* Feeds the lesson the events already in the transcript, so that a step
 * that already happened counts; returns how many steps that completed. */
static size_t
ui_lesson_catch_up(struct ui *u)
{
	size_t done = 0;

	for (size_t i = 0; i < transcript_count(u->t) && !lesson_done(&u->lesson); i++)
		done += lesson_update(&u->lesson, transcript_get(u->t, i));
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
	       proto_from_name(l->proto) != (int)session_target(u->s)->proto;
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
	if (ui_lesson_wants_other_lab(u, &l))
		ui_message(u, TE_INFO,
		           "this lesson runs on the %s %s scenario: leave and start "
		           "startle --lesson %s",
		           l.proto, l.scenario, name);
	else if (proto_from_name(l.proto) != (int)session_target(u->s)->proto)
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

/* Milliseconds to wait in poll: the session's deadline, the spinner, the clock. */
static int
ui_poll_timeout(struct ui *u)
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

/* Fills the screen's state from the session parameters and the config: the
 * theme (a broken one is only a message), the log and recording files, the
 * views and the signal pipe. Returns 0, or -1 with *cause. */
static int
ui_setup(struct ui *u, const struct session_params *params, const struct ui_config *cfg,
         char **cause)
{
	memset(u, 0, sizeof *u);
	u->cfg = cfg;
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
	u->params = *params;
	target_format(&params->target, u->target_text, sizeof u->target_text);
	u->tvo = (struct tview_opts){.mode = TVIEW_TRANSCRIPT,
	                             .explain = !cfg->no_explain,
	                             .no_color = u->no_color,
	                             .tls_records = cfg->tls_records,
	                             .redact = cfg->redact};
	u->wvo = (struct tview_opts){
	    .mode = TVIEW_WIRE, .no_color = u->no_color, .redact = cfg->redact};
	tview_init(&u->tv);
	tview_init(&u->wire);
	dindex_init(&u->di);
	ladder_init(&u->ladder);
	u->ladder.redact = cfg->redact;
	slines_init(&u->rows);
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

/* One turn of the loop: draw if something changed, wait for the terminal,
 * a signal, the socket or a timer, and handle what came. */
static void
ui_loop_once(struct ui *u)
{
	ui_first_hint(u);
	ui_update_prompt(u);
	if (input_take_dirty(u->in))
		u->dirty = true;
	if (u->dirty || session_busy_since(u->s) > 0)
		ui_draw(u);
	struct pollfd fds[3] = {
	    {.fd = STDIN_FILENO, .events = POLLIN},
	    {.fd = u->sigpipe[0], .events = POLLIN},
	    {.fd = session_fd(u->s), .events = session_poll_events(u->s)},
	};
	int nfds = fds[2].fd >= 0 ? 3 : 2;
	int n = poll(fds, (nfds_t)nfds, ui_poll_timeout(u));
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
	if (nfds == 3 && n > 0 && fds[2].revents != 0)
		session_io(u->s, fds[2].revents);
	session_timeout(u->s);
	/* A timer fired: the clock, the spinner or a deadline. Events the
	 * session appended have set dirty through ui_on_event. */
	if (n == 0)
		u->dirty = true;
}

/* Closes the session, gives the terminal back and frees the screen. */
static void
ui_teardown(struct ui *u)
{
	session_close(u->s, "startle closed the connection (quit)");
	ui_restore();
	ui_signal_fd = -1;
	session_free(u->s);
	transcript_free(u->t);
	input_free(u->in);
	slines_free(&u->rows);
	slines_free(&u->drows);
	ladder_free(&u->ladder);
	if (u->lesson_active)
		lesson_free(&u->lesson);
	inputpane_drop_confirm(u);
	free(u->ask_user);
	if (u->log)
		fclose(u->log);
	if (u->record)
		fclose(u->record);
	close(u->sigpipe[0]);
	close(u->sigpipe[1]);
}

int
ui_run(const struct session_params *params, const struct ui_config *cfg)
{
	struct ui u;
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
	if (ui_check_terminal(&cause) != 0) {
		fprintf(stderr, "startle: %s\n", cause);
		free(cause);
		return 2;
	}
	if (ui_setup(&u, params, cfg, &cause) != 0) {
		fprintf(stderr, "startle: %s\n", cause);
		free(cause);
		return 2;
	}
	ui_signal_fd = u.sigpipe[1];
	hooks.arg = &u;
	u.t = transcript_new();
	transcript_listen(u.t, ui_on_event, &u);
	ui_install_signals();
	util_set_fatal_hook(ui_restore);
	atexit(ui_restore);
	ui_curses_start(&u);
	char *hist = input_history_path();
	u.in = input_new(&hooks, hist);
	free(hist);
	ui_start_session(&u);
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
