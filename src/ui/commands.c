#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dirent.h>
#include <sys/stat.h>

#include "commands.h"
#include "escape.h"
#include "export.h"
#include "lesson.h"
#include "theme.h"
#include "ui_int.h"
#include "util.h"

/* Collects names into one line for a message: " a b c". */
struct command_names {
	char buf[400];
	size_t used;
};

static void
command_add_name(void *arg, const char *name)
{
	struct command_names *n = arg;
	if (n->used < sizeof n->buf)
		n->used += (size_t)snprintf(n->buf + n->used, sizeof n->buf - n->used,
		                            " %s", name);
}

static void
command_add_lesson_name(void *arg, const char *name, const char *title)
{
	(void)title;
	command_add_name(arg, name);
}

/* The sides a command acts on: the aimed side, or both (ask: the sides
 * /starttls goes to, the explicit ones, when aimed at both). */
static unsigned
command_sides(const struct ui *u, bool upgrade)
{
	if (u->nsides < 2)
		return COMPAREVIEW_SIDE_A;
	if (upgrade)
		return compareview_starttls_sides(u->aim, &u->side[0].cmp, &u->side[1].cmp);
	return compareview_sides(u->aim, &u->side[0].cmp, &u->side[1].cmp, "");
}

static void
command_starttls(struct ui *u, const char *arg)
{
	unsigned sides = command_sides(u, true);

	(void)arg;
	if (sides == 0)
		ui_message(u, TE_ERROR,
		           "neither side is explicit TLS: aim at one (F9, /a, /b) to try "
		           "STARTTLS there anyway");
	for (int i = 0; i < u->nsides; i++) {
		struct ui_side *d = &u->side[i];
		if (!(sides & (1u << i)))
			continue;
		if (session_state(d->s) == SS_CLOSED)
			ui_message(u, TE_ERROR,
			           "%s%sthe connection is closed: /reconnect first",
			           d->name ? d->name : "", d->name ? ": " : "");
		else
			session_queue_starttls(d->s);
	}
}

static void
command_quit(struct ui *u, const char *arg)
{
	(void)arg;
	u->quit = true;
}

static void
command_help(struct ui *u, const char *arg)
{
	(void)arg;
	u->help_overlay = true;
}

/* Lists the themes, or loads one and applies it to the screen. */
static void
command_theme(struct ui *u, const char *arg)
{
	struct command_names names = {.used = 0};
	struct theme t;
	char *cause = NULL;

	if (arg[0] == '\0') {
		names.buf[0] = '\0';
		theme_list(command_add_name, &names);
		ui_message(u, TE_INFO, "themes:%s (/theme NAME, or a file path)",
		           names.buf);
		return;
	}
	theme_default(&t);
	if (theme_load(&t, arg, &cause) != 0) {
		ui_message(u, TE_ERROR, "%s", cause);
		free(cause);
		return;
	}
	u->theme = t;
	theme_apply(&u->theme, u->no_color, &u->attrs);
	ui_message(u, TE_INFO, "theme %s", arg);
}

/* /log and /record: everything so far into the file, then as it happens. */
static void
command_sink(struct ui *u, const char *path, bool json)
{
	char *full = command_expand_home(path);
	FILE *f = ui_open_sink(u, full, json);
	FILE **slot = json ? &u->record : &u->log;

	free(full);
	if (f == NULL)
		return;
	if (*slot != NULL)
		fclose(*slot);
	*slot = f;
	char *esc = escape_bytes((const unsigned char *)path, strlen(path), ESCAPE_TEXT);
	ui_message(u, TE_INFO,
	           "%s the session to %s (everything so far, then as it happens)",
	           json ? "recording" : "logging", esc != NULL ? esc : "the file");
	free(esc);
}

char *
command_expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] != '~' || (path[1] != '/' && path[1] != '\0') || home == NULL ||
	    home[0] == '\0')
		return xstrdup(path);
	return str_printf("%s%s", home, path + 1);
}

static void
command_log(struct ui *u, const char *arg)
{
	command_sink(u, arg, false);
}

static void
command_record(struct ui *u, const char *arg)
{
	command_sink(u, arg, true);
}

static void
command_reconnect(struct ui *u, const char *arg)
{
	unsigned sides = command_sides(u, false);
	bool resume = false;

	(void)arg;
	for (int i = 0; i < u->nsides; i++)
		if (sides & (1u << i))
			resume |= ui_side_reconnect(&u->side[i]);
	const char *how = resume ? ", offering to resume the last TLS session" : "";
	if (u->nsides < 2)
		ui_message(u, TE_INFO, "reconnecting to %s%s", u->cur->target_text, how);
	else
		ui_message(u, TE_INFO, "reconnecting %s%s",
		           sides == (COMPAREVIEW_SIDE_A | COMPAREVIEW_SIDE_B) ? "both sides"
		           : sides == COMPAREVIEW_SIDE_A                      ? "a"
		                                                              : "b",
		           how);
}

static void
command_clear(struct ui *u, const char *arg)
{
	(void)arg;
	for (int i = 0; i < u->nsides; i++)
		tview_clear(&u->side[i].tv, u->side[i].t);
	ui_message(u, TE_INFO,
	           "pane cleared; the transcript (and /log, /record) keep everything");
}

static void
command_explain(struct ui *u, const char *arg)
{
	(void)arg;
	u->tvo.explain = !u->tvo.explain;
	ui_message(u, TE_INFO, "explanations %s", u->tvo.explain ? "on" : "off");
}

static void
command_lesson(struct ui *u, const char *arg)
{
	struct command_names names = {.used = 0};

	if (arg[0] != '\0') {
		ui_start_lesson(u, arg);
		return;
	}
	names.buf[0] = '\0';
	lesson_list(command_add_lesson_name, &names);
	ui_message(u, TE_INFO, "lessons:%s (/lesson NAME)", names.buf);
}

static void
command_next(struct ui *u, const char *arg)
{
	(void)arg;
	if (!u->lesson_active) {
		ui_message(u, TE_ERROR, "no lesson is running: /lesson NAME starts one");
		return;
	}
	lesson_next(&u->lesson);
	ui_lesson_progress(u);
}

static void
command_auth(struct ui *u, const char *arg)
{
	char mech[16] = "";
	const char *user = arg;
	size_t n = strcspn(arg, " ");
	int m;

	if (n < sizeof mech)
		memcpy(mech, arg, n);
	mech[n < sizeof mech ? n : 0] = '\0';
	if ((m = auth_mech_from_name(mech)) < 0) {
		ui_message(u, TE_ERROR,
		           "/auth takes PLAIN or LOGIN, then the user if you like");
		return;
	}
	u->ask_sides = command_sides(u, false);
	if (u->ask_sides == (COMPAREVIEW_SIDE_A | COMPAREVIEW_SIDE_B) &&
	    session_target(u->side[0].s)->proto != session_target(u->side[1].s)->proto) {
		ui_message(u, TE_ERROR,
		           "the sides speak different protocols: aim /auth at "
		           "one side (/a /auth PLAIN)");
		return;
	}
	for (int i = 0; i < u->nsides; i++) {
		if ((u->ask_sides & (1u << i)) &&
		    session_state(u->side[i].s) == SS_CLOSED) {
			ui_message(u, TE_ERROR,
			           "%s%sthe connection is closed: /reconnect first",
			           u->side[i].name ? u->side[i].name : "",
			           u->side[i].name ? ": " : "");
			return;
		}
	}
	user += n;
	while (*user == ' ')
		user++;
	inputpane_ask_auth(u, (enum auth_mech)m, user);
}

/* The export's options for side d: its connection and the command line's
 * choices. */
static void
command_export_options(const struct ui *u, const struct ui_side *d,
                       struct export_options *eo)
{
	const struct session_params *p = &d->params;
	const struct script *sc = u->cfg->script;
	bool lines = false;

	for (size_t i = 0; sc != NULL && i < sc->n; i++)
		lines |= sc->steps[i].kind == SCRIPT_LINE;
	*eo = (struct export_options){
	    .target = p->target,
	    .servername = p->servername,
	    .cafile = p->cafile,
	    .keylog = p->keylog,
	    .ehlo = p->ehlo_name,
	    .tls_min = p->tls_min,
	    .tls_max = p->tls_max,
	    .timeout_s = p->timeout_ms / 1000,
	    .lines = lines,
	    .auth_user = sc != NULL ? sc->auth.user : NULL,
	    .auth_mech = sc != NULL ? sc->auth.mech : AUTH_PLAIN,
	    .save_chain = u->cfg->save_chain,
	    .log = u->log != NULL,
	    .record = u->record != NULL,
	    .insecure = p->insecure,
	};
}

/* /export TOOL FILE: the command as a script for sh, 0600. */
static void
command_export_file(struct ui *u, enum export_tool tool, const struct export_command *cmd,
                    const char *path)
{
	char *full = command_expand_home(path), *cause = NULL;
	char *esc = escape_bytes((const unsigned char *)path, strlen(path), ESCAPE_TEXT);
	FILE *f = util_open_private(full, false, &cause);

	if (f != NULL) {
		char *text = export_format(cmd, 80);
		int bad = fprintf(f, "#!/bin/sh\n%s", text) < 0;
		free(text);
		if (fclose(f) != 0 || bad)
			cause = str_printf("writing %s failed: the file is incomplete",
			                   esc != NULL ? esc : "the file");
	}
	if (cause != NULL)
		ui_message(u, TE_ERROR, "%s", cause);
	else
		ui_message(u, TE_INFO, "wrote the %s command to %s: run it with sh %s",
		           export_tool_name(tool), esc != NULL ? esc : "the file",
		           esc != NULL ? esc : "FILE");
	free(cause);
	free(esc);
	free(full);
}

/* /export TOOL [FILE]: the command another tool needs for the connection of
 * the side the details follow, on a page of its own or into FILE. */
static void
command_export(struct ui *u, const char *arg)
{
	size_t n = strcspn(arg, " \t");
	char name[16] = "";
	struct export_options eo;
	struct export_command cmd;

	if (n < sizeof name)
		memcpy(name, arg, n);
	int tool = export_tool_from_name(name);
	if (tool < 0) {
		ui_message(u, TE_ERROR, "/export takes openssl, gnutls, swaks or curl, "
		                        "then a file if you like");
		return;
	}
	const char *path = arg + n;
	path += strspn(path, " \t");
	command_export_options(u, u->cur, &eo);
	export_build((enum export_tool)tool, &eo, &cmd);
	if (path[0] != '\0' && cmd.nwords == 0) /* the tool cannot connect: why */
		ui_message(u, TE_ERROR, "%s",
		           cmd.ncomments > 0 ? cmd.comments[cmd.ncomments - 1] + 2
		                             : "this tool cannot make this connection");
	else if (path[0] != '\0')
		command_export_file(u, (enum export_tool)tool, &cmd, path);
	else
		exportview_show(u, (enum export_tool)tool, &cmd);
	export_command_free(&cmd);
}

/* /save-chain FILE: the chain of the side the details follow, as PEM. */
static void
command_save_chain(struct ui *u, const char *arg)
{
	char *full = command_expand_home(arg);

	ui_side_save_chain(u->cur, full);
	free(full);
}

/* /a, /b and /both without a line: every line goes there from now on (F9
 * cycles). With a line the input pane sends it (commands.h: aims). */
static void
command_aim_a(struct ui *u, const char *arg)
{
	(void)arg;
	ui_set_aim(u, AIM_A);
}

static void
command_aim_b(struct ui *u, const char *arg)
{
	(void)arg;
	ui_set_aim(u, AIM_B);
}

static void
command_aim_both(struct ui *u, const char *arg)
{
	(void)arg;
	ui_set_aim(u, AIM_BOTH);
}

/* /side: the details pane, the ladder and the keys turn to side a or b (no
 * argument: to the other). */
static void
command_side(struct ui *u, const char *arg)
{
	if (u->nsides < 2) {
		ui_message(u, TE_ERROR, "/side needs --compare: there is one session here");
		return;
	}
	if (arg[0] == '\0')
		ui_switch_side(u, u->cur == &u->side[0] ? 1 : 0);
	else if ((arg[0] == 'a' || arg[0] == 'b') && arg[1] == '\0')
		ui_switch_side(u, arg[0] - 'a');
	else
		ui_message(u, TE_ERROR, "/side takes a or b");
}

/* /mx: the MX hosts (and the DNS/Policy tab); /mx N connects to host N. */
static void
command_mx(struct ui *u, const char *arg)
{
	struct ui_side *d = u->cur;
	const struct mx_host *hosts;
	char *end, *cause = NULL, list[400] = "";

	if (d->mx == NULL) {
		ui_message(u, TE_ERROR, "/mx needs --mx: start startle --mx DOMAIN to check a "
		                        "mail domain");
		return;
	}
	size_t n = mx_check_hosts(d->mx, &hosts), cur = mx_check_chosen(d->mx);
	if (arg[0] == '\0') {
		for (size_t i = 0; i < n; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), " %zu %s%s",
			         i + 1, hosts[i].name, i == cur ? " (this one)" : "");
		ui_message(u, TE_INFO, "MX hosts:%s; /mx N connects to host N", list);
		detailspane_switch_tab(u, TAB_DNS);
		return;
	}
	unsigned long v = strtoul(arg, &end, 10);
	if (*end != '\0' || arg[0] == '-' || v > n) {
		ui_message(u, TE_ERROR, "/mx takes the number of an MX host, 1 to %zu", n);
		return;
	}
	if (ui_side_mx_choose(d, (unsigned)v, &cause) != 0) {
		ui_message(u, TE_ERROR, "%s", cause);
		free(cause);
		return;
	}
	ui_message(u, TE_INFO, "connecting to MX host %lu, %s", v, hosts[v - 1].name);
	detailspane_switch_tab(u, TAB_DNS);
}

static const struct command commands[] = {
    {.name = "starttls",
     .live = true,
     .args = "",
     .help = "upgrade now: capabilities, STARTTLS, handshake, capabilities",
     .exec = command_starttls},
    {.name = "quit",
     .args = "",
     .help = "close the session and leave",
     .exec = command_quit},
    {.name = "help", .args = "", .help = "show keys and commands", .exec = command_help},
    {.name = "theme",
     .args = "[NAME]",
     .help = "switch to theme NAME (no name: list the themes)",
     .complete = COMMAND_ARG_THEME,
     .exec = command_theme},
    {.name = "log",
     .live = true,
     .args = "FILE",
     .help = "write the annotated transcript to FILE, from the start",
     .complete = COMMAND_ARG_PATH,
     .exec = command_log},
    {.name = "record",
     .live = true,
     .args = "FILE",
     .help = "write the session as JSON Lines to FILE, from the start",
     .complete = COMMAND_ARG_PATH,
     .exec = command_record},
    {.name = "reconnect",
     .live = true,
     .args = "",
     .help = "close and connect again to the same target, resuming its TLS session",
     .exec = command_reconnect},
    {.name = "mx",
     .args = "[N]",
     .help = "under --mx: list the MX hosts, or connect to host N instead",
     .exec = command_mx},
    {.name = "clear",
     .args = "",
     .help = "start the transcript pane afresh (nothing is deleted)",
     .exec = command_clear},
    {.name = "explain",
     .args = "",
     .help = "show or hide the explanation lines",
     .exec = command_explain},
    {.name = "export",
     .args = "TOOL",
     .help = "the openssl, gnutls, swaks or curl command for this connection "
             "(/export TOOL FILE: into FILE, a script for sh)",
     .complete = COMMAND_ARG_EXPORT,
     .exec = command_export},
    {.name = "save-chain",
     .args = "FILE",
     .help = "write the chain the server presented to FILE as PEM",
     .complete = COMMAND_ARG_PATH,
     .exec = command_save_chain},
    {.name = "auth",
     .live = true,
     .args = "MECH [USER]",
     .help = "log in: PLAIN or LOGIN; the password is asked without echo",
     .exec = command_auth},
    {.name = "lesson",
     .args = "[NAME]",
     .help = "start a guided lesson (no name: list them)",
     .complete = COMMAND_ARG_LESSON,
     .exec = command_lesson},
    {.name = "next",
     .args = "",
     .help = "move on to the next step of the lesson",
     .exec = command_next},
    {.name = "a",
     .args = "[LINE]",
     .help = "send LINE (or run /command) on side a only; alone: aim every line at a",
     .compare_only = true,
     .aims = true,
     .aim = AIM_A,
     .exec = command_aim_a},
    {.name = "b",
     .args = "[LINE]",
     .help = "send LINE (or run /command) on side b only; alone: aim every line at b",
     .compare_only = true,
     .aims = true,
     .aim = AIM_B,
     .exec = command_aim_b},
    {.name = "both",
     .args = "[LINE]",
     .help = "send LINE to both sides (STARTTLS to the explicit one); alone: aim at both",
     .compare_only = true,
     .aims = true,
     .aim = AIM_BOTH,
     .exec = command_aim_both},
    {.name = "side",
     .args = "[a|b]",
     .help = "show side a or b in the details pane (alone: the other side)",
     .compare_only = true,
     .exec = command_side},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

size_t
command_count(void)
{
	return COMMAND_COUNT;
}

const struct command *
command_at(size_t i)
{
	return i < COMMAND_COUNT ? &commands[i] : NULL;
}

size_t
command_complete(const char *prefix, void (*fn)(void *arg, const char *name), void *arg)
{
	size_t n = 0, plen = strlen(prefix);

	for (size_t i = 0; i < COMMAND_COUNT; i++)
		if (strncmp(commands[i].name, prefix, plen) == 0) {
			if (fn != NULL)
				fn(arg, commands[i].name);
			n++;
		}
	return n;
}

/* Finds the one command whose name is word or starts with it. */
static const struct command *
command_find(const char *word, size_t len, size_t *matches)
{
	const struct command *found = NULL;

	*matches = 0;
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		if (strlen(commands[i].name) == len &&
		    strncmp(commands[i].name, word, len) == 0) {
			*matches = 1;
			return &commands[i];
		}
		if (strncmp(commands[i].name, word, len) == 0) {
			found = &commands[i];
			(*matches)++;
		}
	}
	return *matches == 1 ? found : NULL;
}

void
command_parse(const char *line, struct command_parse *out)
{
	const char *word, *end, *arg;
	size_t matches;

	memset(out, 0, sizeof *out);
	if (line[0] != '/') {
		out->result = COMMAND_SEND;
		out->send = line;
		return;
	}
	if (line[1] == '/') {
		out->result = COMMAND_SEND;
		out->send = line + 1;
		return;
	}
	word = line + 1;
	end = word + strcspn(word, " \t");
	arg = end + strspn(end, " \t");
	out->result = COMMAND_ERROR;
	if (end == word) {
		snprintf(
		    out->error, sizeof out->error,
		    "a command name must follow '/': try /help (use // to send a slash)");
		return;
	}
	out->cmd = command_find(word, (size_t)(end - word), &matches);
	if (out->cmd == NULL) {
		snprintf(out->error, sizeof out->error,
		         matches > 1
		             ? "/%.*s is ambiguous: type more of the name (see /help)"
		             : "unknown command /%.*s: see /help (use // to send a slash)",
		         (int)(end - word > 40 ? 40 : end - word), word);
		return;
	}
	if (out->cmd->args[0] == '\0' && *arg != '\0') {
		snprintf(out->error, sizeof out->error, "/%s takes no argument",
		         out->cmd->name);
		return;
	}
	if (out->cmd->args[0] != '\0' && out->cmd->args[0] != '[' && *arg == '\0') {
		snprintf(out->error, sizeof out->error, "/%s needs %s: /%s %s",
		         out->cmd->name, out->cmd->args, out->cmd->name, out->cmd->args);
		return;
	}
	out->result = COMMAND_RUN;
	out->arg = arg;
}

/* A completion under way: the word typed and where candidates go. */
struct command_completion {
	const char *prefix;
	void (*fn)(void *arg, const char *cand);
	void *arg;
	size_t n;
};

static void
command_offer_name(void *arg, const char *name)
{
	struct command_completion *c = arg;

	if (strncasecmp(name, c->prefix, strlen(c->prefix)) != 0)
		return;
	c->fn(c->arg, name);
	c->n++;
}

static void
command_offer_lesson(void *arg, const char *name, const char *title)
{
	(void)title;
	command_offer_name(arg, name);
}

static void
command_complete_theme(struct command_completion *c)
{
	theme_list(command_offer_name, c);
}

static void
command_complete_lesson(struct command_completion *c)
{
	lesson_list(command_offer_lesson, c);
}

/* Offers the entries of the directory the prefix names that start with its
 * last component, as typed with the directory part kept ("~/lo" gives
 * "~/logs/"), directories with a '/'. */
static void
command_complete_path(struct command_completion *c)
{
	const char *slash = strrchr(c->prefix, '/');
	size_t dlen = slash != NULL ? (size_t)(slash - c->prefix) + 1 : 0;
	const char *base = c->prefix + dlen;
	size_t blen = strlen(base);
	char *typed = xmemdup(c->prefix, dlen);

	if (strcmp(c->prefix, "~") == 0) {
		c->fn(c->arg, "~/");
		c->n++;
		free(typed);
		return;
	}
	char *dir = dlen > 0 ? command_expand_home(typed) : xstrdup(".");
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		struct stat st;
		if (strncmp(de->d_name, base, blen) != 0 ||
		    (de->d_name[0] == '.' && base[0] != '.') ||
		    strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *path = str_printf("%s/%s", dir, de->d_name);
		bool is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		char *cand = str_printf("%s%s%s", typed, de->d_name, is_dir ? "/" : "");
		c->fn(c->arg, cand);
		c->n++;
		free(cand);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	free(typed);
}

static void
command_complete_export(struct command_completion *c)
{
	for (int i = 0; i < EXPORT_TOOL_COUNT; i++)
		command_offer_name(c, export_tool_name((enum export_tool)i));
}

/* What each kind of argument completes to. */
static void (*const command_completers[])(struct command_completion *c) = {
    [COMMAND_ARG_NONE] = NULL,
    [COMMAND_ARG_THEME] = command_complete_theme,
    [COMMAND_ARG_LESSON] = command_complete_lesson,
    [COMMAND_ARG_PATH] = command_complete_path,
    [COMMAND_ARG_EXPORT] = command_complete_export,
};

size_t
command_complete_arg(const char *line, const char *prefix,
                     void (*fn)(void *arg, const char *cand), void *arg)
{
	struct command_completion c = {.prefix = prefix, .fn = fn, .arg = arg};
	size_t matches;

	if (line[0] != '/' || line[1] == '/')
		return 0;
	const char *word = line + 1, *end = word + strcspn(word, " \t");
	const char *rest = end + strspn(end, " \t");
	/* Only the first argument: nothing but the word being completed after
	 * the command's name. */
	if (*end == '\0' || strcspn(rest, " \t") != strlen(rest))
		return 0;
	const struct command *cmd = command_find(word, (size_t)(end - word), &matches);
	if (cmd == NULL || command_completers[cmd->complete] == NULL)
		return 0;
	command_completers[cmd->complete](&c);
	return c.n;
}
