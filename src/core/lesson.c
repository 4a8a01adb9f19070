#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "finding.h"
#include "lesson.h"
#include "lesson_int.h"
#include "proto.h"
#include "util.h"

#define LESSON_QUOTE_MAX 40
#define LESSON_TAB_SPACES "    "
#define LESSON_WORD_MAX 64
#define LESSON_TOO_LARGE                                                                   \
	"is larger than the 64 KiB a lesson file may be: check that this is a lesson file"

/* What a wait takes after its kind. */
enum lesson_arg {
	LESSON_ARG_NONE,
	LESSON_ARG_WORD,
	LESSON_ARG_TEXT,
	LESSON_ARG_PHASE,
	LESSON_ARG_FINDING
};

static const char *const lesson_wait_names[LESSON_WAIT_COUNT] = {
#define LESSON_WAIT_NAME(sym, name, text) [LESSON_WAIT_##sym] = name,
    LESSON_WAITS(LESSON_WAIT_NAME)
#undef LESSON_WAIT_NAME
};

/* For each wait: its argument, how a message shows one, and the words after
 * "waiting for:" (%s stands for the argument). */
static const struct lesson_wait_info {
	enum lesson_arg arg;
	const char *arg_words; /* "a command word" */
	const char *example;   /* "EHLO" */
	const char *waiting;
} lesson_wait_info[LESSON_WAIT_COUNT] = {
    [LESSON_WAIT_GREETING] = {LESSON_ARG_NONE, NULL, NULL, "the server's greeting"},
    [LESSON_WAIT_SENT] = {LESSON_ARG_WORD, "a command word", "EHLO", "you to send %s"},
    [LESSON_WAIT_RECEIVED] = {LESSON_ARG_TEXT, "the text to look for", "STARTTLS",
                              "a server line containing \"%s\""},
    [LESSON_WAIT_PHASE] = {LESSON_ARG_PHASE, "a phase", "tls",
                           "the session to reach phase %s"},
    [LESSON_WAIT_FINDING] = {LESSON_ARG_FINDING, "a finding id", "starttls-injection",
                             "the finding %s"},
    [LESSON_WAIT_VERDICT] = {LESSON_ARG_NONE, NULL, NULL, "the certificate verdict"},
    [LESSON_WAIT_CLOSED] = {LESSON_ARG_NONE, NULL, NULL, "the connection to end"},
    [LESSON_WAIT_READ] = {LESSON_ARG_NONE, NULL, NULL, "/next, once you have read this"},
};

static const enum phase lesson_phases[] = {PHASE_PLAIN, PHASE_HANDSHAKE, PHASE_TLS};
#define LESSON_NPHASES (sizeof lesson_phases / sizeof lesson_phases[0])

/* Hands msg to the caller through cause (or drops it if cause is NULL). */
void
lesson_give(char **cause, char *msg)
{
	if (cause != NULL)
		*cause = msg;
	else
		free(msg);
}

/* A word from a file as it may appear in a message: escaped, quoted, and cut
 * after LESSON_QUOTE_MAX bytes. */
char *
lesson_quote(const char *word)
{
	size_t len = strlen(word);
	bool cut = len > LESSON_QUOTE_MAX;
	char *esc = escape_bytes((const unsigned char *)word, cut ? LESSON_QUOTE_MAX : len,
	                         ESCAPE_TEXT);
	char *q = str_printf("\"%s%s\"", esc, cut ? "..." : "");

	free(esc);
	return q;
}

/* "a, b or c" from n words; the caller frees it. */
char *
lesson_join(const char *const *words, size_t n, const char *last_sep)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? last_sep : ", ";
		char *next = str_printf("%s%s%s", s, sep, words[i]);
		free(s);
		s = next;
	}
	return s;
}

static char
lesson_fold(unsigned char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* True if needle occurs in the len bytes at hay, ignoring ASCII case. */
static bool
lesson_contains(const unsigned char *hay, size_t len, const char *needle)
{
	size_t m = strlen(needle);

	if (m > len)
		return false;
	for (size_t i = 0; i + m <= len; i++) {
		size_t j = 0;
		while (j < m &&
		       lesson_fold(hay[i + j]) == lesson_fold((unsigned char)needle[j]))
			j++;
		if (j == m)
			return true;
	}
	return false;
}

/* The lesson name a file name stands for: its last component without
 * ".lesson". The caller frees it. */
char *
lesson_name_of(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len > LESSON_SUFFIX_LEN &&
	    strcmp(base + len - LESSON_SUFFIX_LEN, LESSON_SUFFIX) == 0)
		len -= LESSON_SUFFIX_LEN;
	return xmemdup(base, len);
}

/* Parsing */

enum lesson_where { LESSON_IN_HEADER, LESSON_IN_STEP_HEAD, LESSON_IN_STEP_TEXT };

struct lesson_parser {
	const char *file;
	char **cause;
	struct lesson *l;
	size_t cap;
	enum lesson_where where;
	unsigned line;
	unsigned step_line;   /* line of the current "step:" */
	unsigned wait_line;   /* line of its "wait:" */
	unsigned key_line[5]; /* where each header key was given, 0 if not yet */
	char *text;           /* text of the current step */
	size_t text_len, text_cap;
	bool blank_pending; /* a blank line follows the text so far */
};

typedef int (*lesson_key_fn)(struct lesson_parser *p, const char *value);

static void
lesson_text_add(struct lesson_parser *p, const char *s, size_t n)
{
	if (p->text_len + n + 1 > p->text_cap) {
		p->text_cap = (p->text_len + n + 1) * 2;
		p->text = xrealloc(p->text, p->text_cap);
	}
	memcpy(p->text + p->text_len, s, n);
	p->text_len += n;
	p->text[p->text_len] = '\0';
}

static int
lesson_set_title(struct lesson_parser *p, const char *value)
{
	if (value[0] == '\0') {
		util_file_error(p->cause, p->file, p->line,
		                "the title is empty: write \"title: How STARTTLS works\"");
		return -1;
	}
	p->l->title = xstrdup(value);
	return 0;
}

static int
lesson_set_proto(struct lesson_parser *p, const char *value)
{
	int id = proto_from_name(value);

	if (id < 0) {
		char *q = lesson_quote(value);
		util_file_error(p->cause, p->file, p->line,
		                "unknown protocol %s: use smtp, imap or pop3", q);
		free(q);
		return -1;
	}
	p->l->proto = xstrdup(proto_info((enum proto_id)id)->name);
	return 0;
}

/* The scenario is only named here, lower-cased; whoever starts the lab knows
 * which names exist and checks them (lesson_check_scenario). */
static int
lesson_set_scenario(struct lesson_parser *p, const char *value)
{
	char *v = xstrdup(value);

	for (char *c = v; *c != '\0'; c++)
		*c = lesson_fold((unsigned char)*c);
	p->l->scenario = v;
	p->l->scenario_line = p->line;
	return 0;
}

static int
lesson_set_next(struct lesson_parser *p, const char *value)
{
	if (value[0] == '\0' || strpbrk(value, "/ ") != NULL) {
		util_file_error(p->cause, p->file, p->line,
		                "\"next:\" names one lesson, as in \"next: stripping\"");
		return -1;
	}
	p->l->next = lesson_name_of(value);
	return 0;
}

/* compare: yes runs the lesson with two sessions, explicit (a) and implicit
 * (b) TLS, side by side. */
static int
lesson_set_compare(struct lesson_parser *p, const char *value)
{
	if (strcasecmp(value, "yes") != 0 && strcasecmp(value, "no") != 0) {
		util_file_error(p->cause, p->file, p->line,
		                "\"compare:\" takes yes or no");
		return -1;
	}
	p->l->compare = strcasecmp(value, "yes") == 0;
	return 0;
}

static const struct lesson_key {
	const char *name;
	lesson_key_fn set;
} lesson_keys[] = {
    {"title", lesson_set_title},
    {"proto", lesson_set_proto},
    {"scenario", lesson_set_scenario},
    {"next", lesson_set_next},
    {"compare", lesson_set_compare},
};
#define LESSON_NKEYS (sizeof lesson_keys / sizeof lesson_keys[0])

/* If line is "key: value" (key at the start of the line, letters, digits
 * and '-'), copies the lower-cased key into key and points *value at the
 * value without its leading blanks. */
static bool
lesson_key_line(const char *line, char key[LESSON_WORD_MAX], const char **value)
{
	size_t n = 0;

	while ((line[n] >= 'a' && line[n] <= 'z') || (line[n] >= 'A' && line[n] <= 'Z') ||
	       (n > 0 && ((line[n] >= '0' && line[n] <= '9') || line[n] == '-')))
		n++;
	if (n == 0 || n >= LESSON_WORD_MAX || line[n] != ':')
		return false;
	if (line[n + 1] != '\0' && line[n + 1] != ' ' && line[n + 1] != '\t')
		return false;
	for (size_t i = 0; i < n; i++)
		key[i] = lesson_fold((unsigned char)line[i]);
	key[n] = '\0';
	*value = line + n + 1;
	*value += strspn(*value, " \t");
	return true;
}

/* Closes the step in progress: its text must say something. */
static int
lesson_end_step(struct lesson_parser *p)
{
	struct lesson_step *st = &p->l->steps[p->l->nsteps - 1];

	if (p->text_len == 0) {
		char *q = lesson_quote(st->title);
		util_file_error(p->cause, p->file, p->step_line,
		                "step %s has no text: say what to type or what to watch",
		                q);
		free(q);
		return -1;
	}
	st->text = p->text;
	p->text = NULL;
	p->text_len = p->text_cap = 0;
	p->blank_pending = false;
	return 0;
}

/* The error for a step whose "wait:" line is missing. */
static int
lesson_missing_wait(struct lesson_parser *p)
{
	char *q = lesson_quote(p->l->steps[p->l->nsteps - 1].title);

	util_file_error(
	    p->cause, p->file, p->step_line,
	    "step %s has no wait: line: write \"wait: KIND [ARG]\" on the line after "
	    "\"step:\"",
	    q);
	free(q);
	return -1;
}

static int
lesson_begin_step(struct lesson_parser *p, const char *title)
{
	struct lesson *l = p->l;

	if (p->where == LESSON_IN_STEP_HEAD)
		return lesson_missing_wait(p);
	if (p->where == LESSON_IN_STEP_TEXT && lesson_end_step(p) < 0)
		return -1;
	if (title[0] == '\0') {
		util_file_error(
		    p->cause, p->file, p->line,
		    "the step has no title: write \"step: Ask for the upgrade\"");
		return -1;
	}
	if (l->nsteps == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		l->steps = xrealloc(l->steps, p->cap * sizeof *l->steps);
	}
	l->steps[l->nsteps++] = (struct lesson_step){.title = xstrdup(title)};
	p->where = LESSON_IN_STEP_HEAD;
	p->step_line = p->line;
	return 0;
}

/* Checks the argument of a wait and stores it (canonical where it names
 * something) in st->arg. */
static int
lesson_wait_arg(struct lesson_parser *p, struct lesson_step *st, const char *arg)
{
	const struct lesson_wait_info *wi = &lesson_wait_info[st->wait];
	const char *kind = lesson_wait_names[st->wait];
	char *q;

	if (wi->arg == LESSON_ARG_NONE && arg[0] != '\0') {
		util_file_error(p->cause, p->file, p->line,
		                "\"wait: %s\" takes nothing after it", kind);
		return -1;
	}
	if (wi->arg != LESSON_ARG_NONE && arg[0] == '\0') {
		util_file_error(p->cause, p->file, p->line,
		                "\"wait: %s\" needs %s, as in \"wait: %s %s\"", kind,
		                wi->arg_words, kind, wi->example);
		return -1;
	}
	switch (wi->arg) {
	case LESSON_ARG_NONE:
	case LESSON_ARG_TEXT:
		st->arg = xstrdup(arg);
		return 0;
	case LESSON_ARG_WORD:
		if (strchr(arg, ' ') != NULL) {
			q = lesson_quote(arg);
			util_file_error(p->cause, p->file, p->line,
			                "\"wait: sent\" takes one command word, not %s", q);
			free(q);
			return -1;
		}
		st->arg = xstrdup(arg);
		return 0;
	case LESSON_ARG_PHASE:
		for (size_t i = 0; i < LESSON_NPHASES; i++) {
			if (strcasecmp(arg, phase_name(lesson_phases[i])) == 0) {
				st->arg = xstrdup(phase_name(lesson_phases[i]));
				return 0;
			}
		}
		q = lesson_quote(arg);
		util_file_error(p->cause, p->file, p->line,
		                "unknown phase %s: use plain, handshake or tls", q);
		free(q);
		return -1;
	case LESSON_ARG_FINDING:
		if (finding_from_name(arg) >= 0) {
			st->arg = xstrdup(arg);
			return 0;
		}
		q = lesson_quote(arg);
		util_file_error(
		    p->cause, p->file, p->line,
		    "unknown finding id %s: write the id as startle reports it, such as "
		    "starttls-injection",
		    q);
		free(q);
		return -1;
	}
	return -1;
}

/* Parses "KIND [ARG]" of a wait: line into the current step. */
static int
lesson_parse_wait(struct lesson_parser *p, const char *value)
{
	struct lesson_step *st = &p->l->steps[p->l->nsteps - 1];
	size_t kl = strcspn(value, " ");
	const char *arg = value + kl + strspn(value + kl, " ");

	for (int w = 0; w < LESSON_WAIT_COUNT; w++) {
		if (strlen(lesson_wait_names[w]) == kl &&
		    strncasecmp(value, lesson_wait_names[w], kl) == 0) {
			st->wait = (enum lesson_wait)w;
			if (lesson_wait_arg(p, st, arg) < 0)
				return -1;
			p->where = LESSON_IN_STEP_TEXT;
			p->wait_line = p->line;
			return 0;
		}
	}
	char *kind = xmemdup(value, kl);
	char *q = lesson_quote(kind);
	util_file_error(
	    p->cause, p->file, p->line,
	    "unknown wait kind %s: use greeting, sent WORD, received TEXT, phase NAME, "
	    "finding ID, verdict, closed or read",
	    q);
	free(q);
	free(kind);
	return -1;
}

static int
lesson_header_line(struct lesson_parser *p, const char *line)
{
	char key[LESSON_WORD_MAX];
	const char *value;

	if (!lesson_key_line(line, key, &value)) {
		util_file_error(
		    p->cause, p->file, p->line,
		    "text before the first step: begin a step with \"step: TITLE\" and "
		    "\"wait: KIND\"");
		return -1;
	}
	if (strcmp(key, "step") == 0)
		return lesson_begin_step(p, value);
	for (size_t i = 0; i < LESSON_NKEYS; i++) {
		if (strcmp(key, lesson_keys[i].name) != 0)
			continue;
		if (p->key_line[i] != 0) {
			util_file_error(
			    p->cause, p->file, p->line,
			    "\"%s:\" is given twice (first on line %u): keep one", key,
			    p->key_line[i]);
			return -1;
		}
		p->key_line[i] = p->line;
		return lesson_keys[i].set(p, value);
	}
	char *q = lesson_quote(key);
	util_file_error(
	    p->cause, p->file, p->line,
	    "unknown key %s: the header has title:, proto:, scenario:, next: and "
	    "compare:, and each step begins with step:",
	    q);
	free(q);
	return -1;
}

/* side: a|b, before wait: in a compare lesson: whose events complete the
 * step (a, the explicit session, when not given). */
static int
lesson_parse_side(struct lesson_parser *p, const char *value)
{
	struct lesson_step *st = &p->l->steps[p->l->nsteps - 1];

	if (!p->l->compare) {
		util_file_error(p->cause, p->file, p->line,
		                "\"side:\" names a session of a compare lesson: add "
		                "\"compare: yes\" to the header, or drop this line");
		return -1;
	}
	if (strcasecmp(value, "a") != 0 && strcasecmp(value, "b") != 0) {
		util_file_error(p->cause, p->file, p->line,
		                "\"side:\" takes a (the explicit session) or b (the "
		                "implicit one)");
		return -1;
	}
	st->side = (value[0] | 0x20) == 'b' ? 1 : 0;
	return 0;
}

static int
lesson_step_head_line(struct lesson_parser *p, const char *line)
{
	char key[LESSON_WORD_MAX];
	const char *value;

	if (!lesson_key_line(line, key, &value))
		return lesson_missing_wait(p);
	if (strcmp(key, "wait") == 0)
		return lesson_parse_wait(p, value);
	if (strcmp(key, "side") == 0)
		return lesson_parse_side(p, value);
	if (strcmp(key, "step") == 0)
		return lesson_missing_wait(p);
	char *q = lesson_quote(key);
	util_file_error(p->cause, p->file, p->line,
	                "unknown key %s: after \"step: TITLE\" comes \"wait: KIND [ARG]\" "
	                "(and in a compare lesson, before it, \"side: a|b\")",
	                q);
	free(q);
	return -1;
}

static int
lesson_step_text_line(struct lesson_parser *p, const char *line, size_t len)
{
	char key[LESSON_WORD_MAX];
	const char *value;

	if (lesson_key_line(line, key, &value)) {
		if (strcmp(key, "step") == 0)
			return lesson_begin_step(p, value);
		if (strcmp(key, "wait") == 0) {
			util_file_error(
			    p->cause, p->file, p->line,
			    "a second \"wait:\" in this step (the first is on line %u): a "
			    "step waits for one thing",
			    p->wait_line);
			return -1;
		}
	}
	if (len == 0) {
		p->blank_pending = p->text_len > 0;
		return 0;
	}
	if (p->text_len > 0)
		lesson_text_add(p, p->blank_pending ? "\n\n" : "\n",
		                p->blank_pending ? 2 : 1);
	p->blank_pending = false;
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\t')
			lesson_text_add(p, LESSON_TAB_SPACES, sizeof LESSON_TAB_SPACES - 1);
		else
			lesson_text_add(p, line + i, 1);
	}
	return 0;
}

/* Parses one line (without its newline). */
static int
lesson_parse_line(struct lesson_parser *p, const char *text, size_t len)
{
	char *line;
	size_t lead;
	int rc = 0;

	while (len > 0 &&
	       (text[len - 1] == '\r' || text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (escape_needed((const unsigned char *)text, len)) {
		util_file_error(
		    p->cause, p->file, p->line,
		    "contains a control character or invalid UTF-8: a lesson is plain "
		    "UTF-8 text");
		return -1;
	}
	/* The line is (text, len), not a C string: count its indent within it. */
	for (lead = 0; lead < len && (text[lead] == ' ' || text[lead] == '\t'); lead++)
		;
	if (lead < len && text[lead] == '#')
		return 0;
	line = xmemdup(text, len);
	if (p->where == LESSON_IN_STEP_TEXT)
		rc = lesson_step_text_line(p, line, len);
	else if (lead < len && p->where == LESSON_IN_HEADER)
		rc = lesson_header_line(p, line);
	else if (lead < len)
		rc = lesson_step_head_line(p, line);
	free(line);
	return rc;
}

/* The checks that need the whole file. */
static int
lesson_finish(struct lesson_parser *p)
{
	struct lesson *l = p->l;

	if (p->where == LESSON_IN_STEP_HEAD)
		return lesson_missing_wait(p);
	if (p->where == LESSON_IN_STEP_TEXT && lesson_end_step(p) < 0)
		return -1;
	if (l->title == NULL) {
		util_file_error(
		    p->cause, p->file, 0,
		    "missing title: begin the file with \"title: How STARTTLS works\"");
		return -1;
	}
	if (l->proto == NULL) {
		util_file_error(
		    p->cause, p->file, 0,
		    "missing proto: add \"proto: smtp\" (or imap, pop3) to the header");
		return -1;
	}
	if (l->nsteps == 0) {
		util_file_error(
		    p->cause, p->file, 0,
		    "has no steps: add one with \"step: TITLE\", \"wait: KIND\" and its "
		    "text");
		return -1;
	}
	if (l->scenario == NULL)
		l->scenario = xstrdup("honest");
	return 0;
}

int
lesson_parse(const char *text, size_t len, const char *filename, struct lesson *out,
             char **cause)
{
	struct lesson l = {0};
	struct lesson_parser p = {.cause = cause, .l = &l};
	const char *nul, *end = text + len;
	int rc = 0;

	memset(out, 0, sizeof *out);
	p.file = filename != NULL ? filename : "(lesson)";
	if (len > LESSON_MAX_BYTES) {
		util_file_error(cause, p.file, 0, LESSON_TOO_LARGE);
		return -1;
	}
	nul = len > 0 ? memchr(text, '\0', len) : NULL;
	if (nul != NULL) {
		unsigned at = 1;
		for (const char *c = text; c < nul; c++)
			at += *c == '\n';
		util_file_error(
		    cause, p.file, at,
		    "contains a NUL byte: a lesson is plain text; save it as text");
		return -1;
	}
	for (const char *s = text; s < end && rc == 0;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl != NULL ? nl : end;
		p.line++;
		rc = lesson_parse_line(&p, s, (size_t)(le - s));
		s = nl != NULL ? nl + 1 : end;
	}
	if (rc == 0)
		rc = lesson_finish(&p);
	free(p.text);
	if (rc < 0) {
		lesson_free(&l);
		return -1;
	}
	l.name = lesson_name_of(filename != NULL ? filename : "lesson");
	l.file = xstrdup(p.file);
	*out = l;
	return 0;
}

void
lesson_free(struct lesson *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->nsteps; i++) {
		free(l->steps[i].title);
		free(l->steps[i].text);
		free(l->steps[i].arg);
	}
	free(l->steps);
	free(l->name);
	free(l->title);
	free(l->proto);
	free(l->scenario);
	free(l->next);
	free(l->file);
	memset(l, 0, sizeof *l);
}

/* Progress */

typedef bool (*lesson_match_fn)(const struct lesson *l, const struct lesson_step *st,
                                const struct event *ev);

static bool
lesson_match_greeting(const struct lesson *l, const struct lesson_step *st,
                      const struct event *ev)
{
	(void)st;
	if (ev->kind != EV_LINE || ev->dir != DIR_SERVER)
		return false;
	return (ev->line_flags & PROTO_LINE_GREETING) || !l->client_spoke[st->side];
}

static bool
lesson_match_sent(const struct lesson *l, const struct lesson_step *st,
                  const struct event *ev)
{
	char word[LESSON_WORD_MAX];
	int proto = proto_from_name(l->proto);

	if (ev->kind != EV_LINE || ev->dir != DIR_CLIENT || proto < 0)
		return false;
	if (proto_command_word((enum proto_id)proto, ev->text, ev->len, word,
	                       sizeof word) == 0)
		return false;
	return strcasecmp(word, st->arg) == 0;
}

static bool
lesson_match_received(const struct lesson *l, const struct lesson_step *st,
                      const struct event *ev)
{
	(void)l;
	return ev->kind == EV_LINE && ev->dir == DIR_SERVER &&
	       lesson_contains(ev->text, ev->len, st->arg);
}

static bool
lesson_match_phase(const struct lesson *l, const struct lesson_step *st,
                   const struct event *ev)
{
	(void)l;
	return strcmp(phase_name(ev->phase), st->arg) == 0;
}

static bool
lesson_match_finding(const struct lesson *l, const struct lesson_step *st,
                     const struct event *ev)
{
	(void)l;
	return ev->kind == EV_FINDING && strcmp(finding_name(ev->finding), st->arg) == 0;
}

static bool
lesson_match_verdict(const struct lesson *l, const struct lesson_step *st,
                     const struct event *ev)
{
	(void)l;
	(void)st;
	return ev->kind == EV_TLS && ev->verdict != NULL;
}

static bool
lesson_match_closed(const struct lesson *l, const struct lesson_step *st,
                    const struct event *ev)
{
	(void)l;
	(void)st;
	return ev->kind == EV_CLOSE || ev->kind == EV_ERROR;
}

static bool
lesson_match_read(const struct lesson *l, const struct lesson_step *st,
                  const struct event *ev)
{
	(void)l;
	(void)st;
	(void)ev;
	return false;
}

static const lesson_match_fn lesson_matchers[LESSON_WAIT_COUNT] = {
    [LESSON_WAIT_GREETING] = lesson_match_greeting,
    [LESSON_WAIT_SENT] = lesson_match_sent,
    [LESSON_WAIT_RECEIVED] = lesson_match_received,
    [LESSON_WAIT_PHASE] = lesson_match_phase,
    [LESSON_WAIT_FINDING] = lesson_match_finding,
    [LESSON_WAIT_VERDICT] = lesson_match_verdict,
    [LESSON_WAIT_CLOSED] = lesson_match_closed,
    [LESSON_WAIT_READ] = lesson_match_read,
};

bool
lesson_update_side(struct lesson *l, int side, const struct event *ev)
{
	bool done = false;

	if (ev == NULL || side < 0 || side > 1)
		return false;
	if (!lesson_done(l)) {
		const struct lesson_step *st = &l->steps[l->current];
		if (st->side == side && (unsigned)st->wait < LESSON_WAIT_COUNT &&
		    lesson_matchers[st->wait](l, st, ev)) {
			l->current++;
			done = true;
		}
	}
	if (ev->kind == EV_LINE && ev->dir == DIR_CLIENT)
		l->client_spoke[side] = true;
	return done;
}

bool
lesson_update(struct lesson *l, const struct event *ev)
{
	return lesson_update_side(l, 0, ev);
}

void
lesson_next(struct lesson *l)
{
	if (!lesson_done(l))
		l->current++;
}

bool
lesson_done(const struct lesson *l)
{
	return l->current >= l->nsteps;
}

int
lesson_check_scenario(const struct lesson *l, const char *const *known, size_t n,
                      char **cause)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(l->scenario, known[i]) == 0)
			return 0;
	char *q = lesson_quote(l->scenario);
	char *list = lesson_join(known, n, " or ");
	util_file_error(cause, l->file, l->scenario_line, "unknown scenario %s: use %s", q,
	                list);
	free(list);
	free(q);
	return -1;
}

char *
lesson_waiting(const struct lesson_step *st)
{
	return str_printf(lesson_wait_info[st->wait].waiting, st->arg);
}
