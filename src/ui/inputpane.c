#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curses.h>

#include "commands.h"
#include "proto.h"
#include "ui_int.h"
#include "util.h"

/* How each question looks on the input line. */
static const enum theme_element inputpane_question_elems[] = {
    [CONFIRM_CREDENTIAL] = TE_FINDING_DANGER,
    [CONFIRM_UNVERIFIED] = TE_FINDING_DANGER,
    [CONFIRM_PLAINTEXT] = TE_FINDING_DANGER,
    [CONFIRM_QUIT] = TE_PROMPT,
};

/* Draws the prompt and the line being edited, scrolled so the cursor stays
 * visible; sets u->cursor to the cursor column. */
static void
inputpane_draw(struct ui *u)
{
	const struct rect *r = &u->lay.input;
	struct input_view v;
	struct sline l, upto;
	int cursor;

	sline_init(&l);
	if (u->confirm != CONFIRM_NONE) {
		/* The question quotes the verdict and the failure: startle's own
		 * sentences, with server text already escaped in them. */
		sline_add_own(&l, inputpane_question_elems[u->confirm], TE_ESCAPED,
		              (const unsigned char *)u->confirm_text,
		              strlen(u->confirm_text));
		cursor = sline_width(&l);
		draw_sline(&u->dc, r->y, r->x, r->w, &l, false);
		sline_free(&l);
		u->cursor = cursor < r->w ? cursor : r->w - 1;
		return;
	}
	input_view(u->in, &v);
	char *masked = NULL;
	if (u->ask == ASK_AUTH_PASSWORD) {
		/* One star per character typed, and nothing else of it. */
		size_t len = strlen(v.line), n = 0, point = 0;
		masked = xmalloc(len + 1);
		for (size_t i = 0; i < len; i++) {
			if (((unsigned char)v.line[i] & 0xC0) == 0x80)
				continue;
			if (i < v.point)
				point++;
			masked[n++] = '*';
		}
		masked[n] = '\0';
		v.line = masked;
		v.point = point;
	}
	sline_add(&l, TE_PROMPT, v.prompt);
	int pw = sline_width(&l);
	int before = utf8_width(v.line, v.point);
	int avail = r->w - pw - 1;
	size_t skip = 0;
	while (avail > 0 && before - utf8_width(v.line, skip) > avail) {
		skip += utf8_fit(v.line + skip, strlen(v.line + skip), 1);
		if (skip == 0)
			break;
	}
	sline_add_escaped(&l, TE_INPUT, TE_ESCAPED, (const unsigned char *)v.line + skip,
	                  strlen(v.line + skip));
	draw_sline(&u->dc, r->y, r->x, r->w, &l, false);
	/* Escaped control characters widen the text: measure what is drawn. */
	sline_init(&upto);
	sline_add_escaped(&upto, TE_INPUT, TE_ESCAPED, (const unsigned char *)v.line + skip,
	                  v.point > skip ? v.point - skip : 0);
	cursor = pw + sline_width(&upto);
	sline_free(&upto);
	sline_free(&l);
	free(masked);
	u->cursor = cursor < r->w ? cursor : r->w - 1;
}

static void inputpane_feed_bytes(struct ui *u, const unsigned char *bytes, size_t n);

/* Curses keys as the escape sequences readline binds. */
static const struct {
	int key;
	const char *seq;
} inputpane_sequences[] = {
    {KEY_LEFT, "\033[D"}, {KEY_RIGHT, "\033[C"}, {KEY_UP, "\033[A"},
    {KEY_DOWN, "\033[B"}, {KEY_HOME, "\033[H"},  {KEY_END, "\033[F"},
    {KEY_DC, "\033[3~"},  {KEY_IC, "\033[2~"},   {KEY_BACKSPACE, "\177"},
    {KEY_ENTER, "\r"},
};

/* A key for readline: curses keys translated, bytes as they are. */
static void
inputpane_key(struct ui *u, int key)
{
	for (size_t i = 0; i < sizeof inputpane_sequences / sizeof inputpane_sequences[0];
	     i++)
		if (inputpane_sequences[i].key == key) {
			inputpane_feed(u, inputpane_sequences[i].seq);
			return;
		}
	if (key >= 0 && key < 256) {
		unsigned char b = (unsigned char)key;
		inputpane_feed_bytes(u, &b, 1);
	}
}

const struct ui_pane inputpane = {
    .name = "input",
    .draw = inputpane_draw,
    .key = inputpane_key,
};

void
inputpane_drop_matches(struct ui *u)
{
	if (!u->matches_shown)
		return;
	u->matches_shown = false;
	u->message[0] = '\0';
	u->dirty = true;
}

/* Feeds readline; a list of completions in the message line goes once the
 * line changes (unless these bytes listed new ones). */
static void
inputpane_feed_bytes(struct ui *u, const unsigned char *bytes, size_t n)
{
	struct input_view v;
	bool listed = u->matches_shown;
	unsigned long gen = u->message_gen;
	char *before = NULL;

	if (listed) {
		input_view(u->in, &v);
		before = xstrdup(v.line);
	}
	input_feed(u->in, bytes, n);
	if (listed && u->message_gen == gen) {
		input_view(u->in, &v);
		if (strcmp(before, v.line) != 0)
			inputpane_drop_matches(u);
	}
	free(before);
}

void
inputpane_feed(struct ui *u, const char *bytes)
{
	inputpane_feed_bytes(u, (const unsigned char *)bytes, strlen(bytes));
}

/* "a: " before a message about side d under --compare; "" alone. */
static const char *
inputpane_who(const struct ui_side *d)
{
	static const char *const who[UI_SIDES] = {"a: ", "b: "};
	return d->name != NULL ? who[d->index] : "";
}

void
inputpane_send(struct ui_side *d, const char *line, bool consented)
{
	char *cause = NULL;
	int rc = consented ? session_queue_line_consented(d->s, line, &cause)
	                   : session_queue_line(d->s, line, &cause);

	if (rc != 0) {
		ui_message(d->u, TE_ERROR, "%s%s", inputpane_who(d), cause);
		free(cause);
	}
	tview_end(&d->tv, d->t);
}

void
inputpane_drop_confirm(struct ui *u)
{
	for (size_t i = 0; i < u->nconfirm; i++) {
		explicit_bzero(u->confirm_lines[i], strlen(u->confirm_lines[i]));
		free(u->confirm_lines[i]);
	}
	u->nconfirm = 0;
	u->confirm_rest = 0;
}

/* Clears and frees lines a question no longer holds. */
static void
inputpane_free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		explicit_bzero(lines[i], strlen(lines[i]));
		free(lines[i]);
	}
}

/* The question a line needs answered before it goes to side d, or
 * CONFIRM_NONE (the consent rules of startle(1)): after a failed upgrade
 * anything at all; a credential in plaintext or into unverified TLS, once
 * per authentication exchange. */
static enum ui_confirm
inputpane_needs(const struct ui_side *d, const char *line)
{
	if (session_upgrade_failure(d->s)[0] != '\0' && !d->plaintext_consented)
		return CONFIRM_PLAINTEXT;
	switch (session_line_exposure(d->s, line)) {
	case EXPOSE_PLAINTEXT:
		return d->exchange_consented ? CONFIRM_NONE : CONFIRM_CREDENTIAL;
	case EXPOSE_UNVERIFIED:
		return d->exchange_consented ? CONFIRM_NONE : CONFIRM_UNVERIFIED;
	case EXPOSE_NONE:
		break;
	}
	return CONFIRM_NONE;
}

/* Writes the question q about side d: under --compare it names the side
 * ("a (explicit): "). */
static void
inputpane_question(struct ui *u, enum ui_confirm q, const struct ui_side *d)
{
	char who[64] = "";
	size_t n;

	if (d != NULL && d->name != NULL)
		snprintf(who, sizeof who, "%s (%s): ", d->name, tls_mode_name(d->cmp.mode));
	n = (size_t)snprintf(u->confirm_text, sizeof u->confirm_text, "%s", who);
	char *at = u->confirm_text + n;
	size_t left = sizeof u->confirm_text - n;
	switch (q) {
	case CONFIRM_CREDENTIAL:
		snprintf(at, left,
		         "send credentials in PLAINTEXT? anyone on the path can read them "
		         "(STARTTLS first) [y/N] ");
		break;
	case CONFIRM_UNVERIFIED:
		snprintf(at, left,
		         "send credentials into TLS that is NOT verified (%s)? whoever "
		         "answered may not be the server [y/N] ",
		         session_verdict_words(d->s));
		break;
	case CONFIRM_PLAINTEXT:
		snprintf(
		    at, left,
		    "the upgrade failed (%s): go on in PLAINTEXT, readable by anyone on "
		    "the path? [y/N] ",
		    session_upgrade_failure(d->s));
		break;
	case CONFIRM_QUIT:
		snprintf(at, left, "close the session%s and quit? [y/N] ",
		         u->nsides > 1 ? "s" : "");
		break;
	case CONFIRM_NONE:
		break;
	}
}

/* Holds lines (taken over) until the question about side i is answered;
 * the sides in rest are asked about after it. */
static void
inputpane_hold(struct ui *u, enum ui_confirm q, int i, char **lines, size_t n,
               unsigned rest)
{
	inputpane_drop_confirm(u);
	for (size_t k = 0; k < n && k < AUTH_LINES_MAX; k++)
		u->confirm_lines[u->nconfirm++] = lines[k];
	u->confirm = q;
	u->confirm_side = i;
	u->confirm_rest = rest;
	inputpane_question(u, q, i >= 0 ? &u->side[i] : NULL);
}

/* Sends lines (taken over) to the sides that need no question, then holds
 * them behind the question the first other side needs; the sides after it
 * are asked about in turn. */
static void
inputpane_send_or_ask(struct ui *u, unsigned sides, char **lines, size_t n)
{
	int first = -1;
	unsigned rest = 0;
	enum ui_confirm q0 = CONFIRM_NONE;

	for (int i = 0; i < u->nsides; i++) {
		struct ui_side *d = &u->side[i];
		if (!(sides & (1u << i)))
			continue;
		enum ui_confirm q = n > 0 ? inputpane_needs(d, lines[0]) : CONFIRM_NONE;
		if (q != CONFIRM_NONE && first < 0) {
			first = i;
			q0 = q;
		} else if (q != CONFIRM_NONE) {
			rest |= 1u << i;
		} else {
			bool consented = d->exchange_consented || d->plaintext_consented;
			for (size_t k = 0; k < n; k++)
				inputpane_send(d, lines[k], consented);
		}
	}
	if (first >= 0)
		inputpane_hold(u, q0, first, lines, n, rest);
	else
		inputpane_free_lines(lines, n);
}

/* Asks before leaving while a session is open. */
static void
inputpane_ask_quit(struct ui *u)
{
	inputpane_hold(u, CONFIRM_QUIT, -1, NULL, 0, 0);
}

/* The answer to the question on the input line. A yes sends what was held
 * to the side asked about (and holds for the rest of the exchange, or of
 * the plaintext session); a plaintext yes is asked again for a credential.
 * Then the other sides waiting are asked about. */
void
inputpane_confirm(struct ui *u, int key)
{
	bool yes = key == 'y' || key == 'Y';
	enum ui_confirm q = u->confirm;
	char *lines[AUTH_LINES_MAX];
	size_t n = u->nconfirm;
	unsigned rest = u->confirm_rest;

	u->confirm = CONFIRM_NONE;
	u->dirty = true;
	if (q == CONFIRM_QUIT) {
		u->quit = yes;
		return;
	}
	struct ui_side *d = &u->side[u->confirm_side];
	memcpy(lines, u->confirm_lines, n * sizeof lines[0]);
	u->nconfirm = 0;
	u->confirm_rest = 0;
	if (!yes) {
		ui_message(u, TE_INFO, "%s%s", inputpane_who(d),
		           q == CONFIRM_PLAINTEXT
		               ? "not sent; /reconnect to try the upgrade again"
		           : q == CONFIRM_UNVERIFIED
		               ? "not sent: the certificate is not trusted"
		               : "not sent; type STARTTLS (or /starttls) first");
	} else {
		if (q == CONFIRM_PLAINTEXT)
			d->plaintext_consented = true;
		else
			d->exchange_consented = true;
		rest |= 1u << d->index;
	}
	inputpane_send_or_ask(u, rest, lines, n);
}

/* The sides of sides still open; says which are closed. */
static unsigned
inputpane_open_sides(struct ui *u, unsigned sides)
{
	for (int i = 0; i < u->nsides; i++) {
		struct ui_side *d = &u->side[i];
		if (!(sides & (1u << i)) || session_state(d->s) != SS_CLOSED)
			continue;
		sides &= ~(1u << i);
		ui_message(u, TE_ERROR, "%sthe connection is closed: /reconnect or /quit",
		           inputpane_who(d));
	}
	return sides;
}

/* A line for the server, to the sides it is aimed at: not in the history
 * when it carries credentials, and asked about first as the consent rules
 * say, side by side. */
static void
inputpane_send_typed(struct ui *u, const char *typed, const char *send)
{
	size_t len = strlen(send);
	unsigned sides = ui_aimed_sides(u, send);
	bool secret = false, data = false;

	if (sides == 0) {
		input_history_add(u->in, typed);
		ui_message(u, TE_ERROR,
		           "the upgrade goes only to an explicit side: aim the line at one "
		           "side (F9, /a, /b) to send it there anyway");
		return;
	}
	if ((sides = inputpane_open_sides(u, sides)) == 0)
		return;
	for (int i = 0; i < u->nsides; i++)
		if (sides & (1u << i)) {
			secret |= session_line_is_secret(u->side[i].s, send);
			data |= session_in_data(u->side[i].s);
		}
	/* Credentials stay out of the history file. */
	if (!secret && !data)
		input_history_add(u->in, typed);
	/* A yes covers one authentication exchange: a line that is not part of
	 * one, or that starts another, ends it. */
	for (int i = 0; i < u->nsides; i++) {
		struct ui_side *d = &u->side[i];
		if ((sides & (1u << i)) &&
		    (!session_line_is_secret(d->s, send) ||
		     proto_typed_is_credential(session_target(d->s)->proto,
		                               (const unsigned char *)send, len)))
			d->exchange_consented = false;
	}
	char *line = xstrdup(send);
	inputpane_send_or_ask(u, sides, &line, 1);
}

void
inputpane_ask_auth(struct ui *u, enum auth_mech mech, const char *user)
{
	free(u->ask_user);
	u->ask_user = user != NULL && user[0] != '\0' ? xstrdup(user) : NULL;
	u->ask_mech = mech;
	u->ask = u->ask_user != NULL ? ASK_AUTH_PASSWORD : ASK_AUTH_USER;
	input_clear(u->in);
	ui_message(u, TE_INFO, "/auth %s: %s; Ctrl-C cancels", auth_mech_name(mech),
	           u->ask == ASK_AUTH_USER ? "type the user name"
	                                   : "type the password (it is not shown)");
}

bool
inputpane_cancel_ask(struct ui *u)
{
	if (u->ask == ASK_NONE)
		return false;
	u->ask = ASK_NONE;
	free(u->ask_user);
	u->ask_user = NULL;
	input_clear(u->in);
	return true;
}

/* A line that answers /auth's question: the user, then the password, after
 * which the exchange goes out to the sides /auth was aimed at (after a
 * question where the consent rules ask one). Neither answer enters the
 * history. The sides speak one protocol (/auth checks). */
static void
inputpane_answer(struct ui *u, char *line)
{
	unsigned sides = u->ask_sides != 0 ? u->ask_sides : COMPAREVIEW_SIDE_A;
	const struct ui_side *first = &u->side[(sides & COMPAREVIEW_SIDE_A) ? 0 : 1];

	if (line == NULL || (u->ask == ASK_AUTH_USER && line[0] == '\0')) {
		inputpane_cancel_ask(u);
		ui_message(u, TE_INFO, "/auth cancelled: nothing was sent");
		return;
	}
	if (u->ask == ASK_AUTH_USER) {
		u->ask_user = xstrdup(line);
		u->ask = ASK_AUTH_PASSWORD;
		ui_message(u, TE_INFO, "type the password for %s (it is not shown)", line);
		return;
	}
	char *lines[AUTH_LINES_MAX];
	size_t n = auth_lines(session_target(first->s)->proto, u->ask_mech, u->ask_user,
	                      line, lines);
	explicit_bzero(line, strlen(line));
	inputpane_cancel_ask(u);
	for (int i = 0; i < u->nsides; i++)
		if (sides & (1u << i))
			u->side[i].exchange_consented = false; /* a new exchange */
	inputpane_send_or_ask(u, sides, lines, n);
}

/* True when any side is still open (leaving then asks first). */
static bool
inputpane_any_open(const struct ui *u)
{
	if (u->replay != NULL)
		return false;
	for (int i = 0; i < u->nsides; i++)
		if (session_state(u->side[i].s) != SS_CLOSED)
			return true;
	return false;
}

static void inputpane_run(struct ui *u, const char *typed, const char *line);

/* /a LINE, /b LINE, /both LINE: the line (or command) goes where the
 * command aims it, this once. */
static void
inputpane_run_aimed(struct ui *u, const char *typed, const struct command *cmd,
                    const char *line)
{
	enum compareview_aim saved = u->aim;

	if (u->nsides < 2) {
		input_history_add(u->in, typed);
		ui_set_aim(u, cmd->aim); /* says it needs --compare */
		return;
	}
	u->aim = cmd->aim;
	inputpane_run(u, typed, line);
	u->aim = saved;
}

/* Runs a typed line: a command, or a line for the server (typed is what
 * the history would keep). */
static void
inputpane_run(struct ui *u, const char *typed, const char *line)
{
	struct command_parse cp;

	command_parse(line, &cp);
	switch (cp.result) {
	case COMMAND_ERROR:
		ui_message(u, TE_ERROR, "%s", cp.error);
		input_history_add(u->in, typed);
		break;
	case COMMAND_RUN:
		if (cp.cmd->aims && cp.arg[0] != '\0') {
			inputpane_run_aimed(u, typed, cp.cmd, cp.arg);
			break;
		}
		input_history_add(u->in, typed);
		if (cp.cmd->live) {
			char what[40];
			snprintf(what, sizeof what, "/%s", cp.cmd->name);
			if (ui_replay_refuses(u, what))
				break;
		}
		cp.cmd->exec(u, cp.arg);
		break;
	case COMMAND_SEND:
		if (ui_replay_refuses(u, "a line for the server")) {
			input_history_add(u->in, typed);
			break;
		}
		inputpane_send_typed(u, typed, cp.send);
		break;
	}
}

void
inputpane_on_line(void *arg, char *line)
{
	struct ui *u = arg;

	u->message[0] = '\0';
	u->matches_shown = false;
	u->dirty = true;
	if (u->ask == ASK_SEARCH) {
		inputpane_cancel_ask(u);
		u->focus = FOCUS_TRANSCRIPT;
		if (line != NULL)
			transcriptpane_search(u, line, 1);
		free(line);
		return;
	}
	if (u->ask != ASK_NONE) {
		inputpane_answer(u, line);
		free(line);
		return;
	}
	if (line == NULL) {
		if (inputpane_any_open(u))
			inputpane_ask_quit(u);
		else
			u->quit = true;
		return;
	}
	inputpane_run(u, line, line);
	free(line);
}

struct match_list {
	char **v;
	size_t n, cap;
	bool compare; /* commands for --compare are offered too */
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
match_candidate(void *arg, const char *cand)
{
	match_add(arg, cand);
}

static void
match_command(void *arg, const char *name)
{
	struct match_list *m = arg;
	char buf[64];

	for (size_t i = 0; i < command_count(); i++)
		if (strcmp(command_at(i)->name, name) == 0 && command_at(i)->compare_only &&
		    !m->compare)
			return;
	snprintf(buf, sizeof buf, "/%s", name);
	match_add(m, buf);
}

/* True if the upgrade command can still be used on a side lines go to. */
static bool
inputpane_upgrade_open(const struct ui *u)
{
	for (int i = 0; i < u->nsides; i++) {
		const struct ui_side *d = &u->side[i];
		bool aimed =
		    u->nsides < 2 || u->aim == AIM_BOTH || (int)u->aim - AIM_A == i;
		if (aimed && session_phase(d->s) == PHASE_PLAIN)
			return true;
	}
	return false;
}

/* Completes a command name after '/', or the protocol's command word (the
 * first word, after the tag for IMAP); STARTTLS only while it can be used. */
char **
inputpane_complete(void *arg, const char *line, const char *text, int start, int end)
{
	struct ui *u = arg;
	struct match_list m = {.compare = u->nsides > 1};
	enum proto_id proto = session_target(u->cur->s)->proto;
	(void)end;

	if (u->ask != ASK_NONE)
		return NULL;
	if (line[0] == '/' && start == 0) {
		command_complete(text + 1, match_command, &m);
		return m.v;
	}
	if (line[0] == '/') {
		command_complete_arg(line, text, match_candidate, &m);
		return m.v;
	}
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
		if (!inputpane_upgrade_open(u) &&
		    proto_is_starttls(proto, (const unsigned char *)*c, strlen(*c)))
			continue;
		match_add(&m, *c);
	}
	return m.v;
}

void
inputpane_show_matches(void *arg, char **matches, int n)
{
	struct ui *u = arg;
	char buf[400];
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && matches[i] != NULL && used < sizeof buf - 1; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s  ", matches[i]);
	ui_message(u, TE_INFO, "%s", buf);
	u->matches_shown = true;
}
