#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab_int.h"
#include "util.h"

#define POP3_MAX_MESSAGES 16

enum pop3_state { POP3_AUTHORIZATION = 1, POP3_TRANSACTION = 2 };

/* One POP3 session (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034). */
struct pop3 {
	struct lab_client *c;
	enum pop3_state state;
	char *user;
	bool deleted[POP3_MAX_MESSAGES];
};

static const struct lab_tls_texts pop3_tls = {
    .go = "+OK Begin TLS negotiation",
    .refuse = "-ERR [SYS/TEMP] TLS is not available right now",
    .unknown = "-ERR Unknown command: STLS",
    .inject = "+OK Begin TLS\r\n+OK injected\r\n",
    .partial = "+OK Begin TLS negotiation\r\n+OK inj",
};

static const struct lab_cap pop3_caps[] = {
    {"TOP", LAB_WHEN_ALWAYS},
    {"UIDL", LAB_WHEN_ALWAYS},
    {"USER", LAB_WHEN_AUTH},
    {"SASL PLAIN", LAB_WHEN_AUTH},
    {"STLS", LAB_WHEN_STARTTLS},
    {"RESP-CODES", LAB_WHEN_ALWAYS},
    {"PIPELINING", LAB_WHEN_ALWAYS},
    {"AUTH-RESP-CODE", LAB_WHEN_ALWAYS},
    {"IMPLEMENTATION startle-lab", LAB_WHEN_EXTRA},
    {"EXPIRE NEVER", LAB_WHEN_EXTRA},
};

static const char pop3_privacy[] = "-ERR [AUTH] Plaintext authentication disallowed on "
                                   "non-secure (SSL/TLS) connections.";

static int
pop3_send(struct pop3 *p)
{
	return lab_send(p->c) == 0 ? 0 : -1;
}

static int
pop3_reply(struct pop3 *p, const char *line)
{
	lab_say(p->c, "%s", line);
	return pop3_send(p);
}

/* Appends text (CRLF lines) dot-stuffed, then the terminating dot. */
static void
pop3_put_stuffed(struct pop3 *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len;

	while (s < end) {
		const char *lf = memchr(s, '\n', (size_t)(end - s));
		size_t n = lf ? (size_t)(lf - s) + 1 : (size_t)(end - s);
		if (*s == '.')
			lab_put(p->c, ".", 1);
		lab_put(p->c, s, n);
		s += n;
	}
	lab_put(p->c, ".\r\n", 3);
}

static int
pop3_capa(struct pop3 *p, const char *args)
{
	(void)args;
	lab_say(p->c, "+OK Capability list follows");
	if (lab_cut_tls_caps(p->c))
		return -1;
	for (size_t i = 0; i < sizeof pop3_caps / sizeof pop3_caps[0]; i++)
		if (lab_cap_shown(p->c, pop3_caps[i].when, p->state == POP3_TRANSACTION))
			lab_say(p->c, "%s", pop3_caps[i].keyword);
	lab_say(p->c, ".");
	return pop3_send(p);
}

static int
pop3_stls(struct pop3 *p, const char *args)
{
	int rc;

	(void)args;
	if (lab_in_tls(p->c))
		return pop3_reply(p, "-ERR TLS is already active.");
	rc = lab_answer_starttls(p->c, &pop3_tls, "");
	if (rc == 1) {
		free(p->user);
		p->user = NULL;
	}
	return rc < 0 ? -1 : 0;
}

static int
pop3_logged_in(struct pop3 *p, bool ok)
{
	free(p->user);
	p->user = NULL;
	if (!ok)
		return pop3_reply(p,
		                  "-ERR [AUTH] Authentication failed: the lab knows only "
		                  "demo/demo.");
	p->state = POP3_TRANSACTION;
	return pop3_reply(p, "+OK Logged in.");
}

static int
pop3_user(struct pop3 *p, const char *args)
{
	if (!lab_auth_allowed(p->c))
		return pop3_reply(p, pop3_privacy);
	if (*args == '\0')
		return pop3_reply(p, "-ERR USER needs a name.");
	free(p->user);
	p->user = xstrdup(args);
	return pop3_reply(p, "+OK");
}

static int
pop3_pass(struct pop3 *p, const char *args)
{
	if (!lab_auth_allowed(p->c))
		return pop3_reply(p, pop3_privacy);
	if (p->user == NULL)
		return pop3_reply(p, "-ERR No username given: send USER first.");
	return pop3_logged_in(p, lab_login_ok(p->user, args));
}

static int
pop3_auth(struct pop3 *p, const char *args)
{
	size_t n = strcspn(args, " "), len = 0;
	const char *ir = args + n + strspn(args + n, " ");
	unsigned char *msg;

	if (n == 0) {
		lab_say(p->c, "+OK SASL mechanisms follow");
		lab_say(p->c, "PLAIN");
		lab_say(p->c, ".");
		return pop3_send(p);
	}
	if (n != 5 || strncasecmp(args, "PLAIN", 5) != 0)
		return pop3_reply(
		    p, "-ERR Unsupported authentication mechanism: the lab knows "
		       "PLAIN.");
	if (!lab_auth_allowed(p->c))
		return pop3_reply(p, pop3_privacy);
	if (*ir == '\0') {
		const unsigned char *line;
		size_t ll;
		lab_say(p->c, "+ ");
		if (pop3_send(p) != 0 || !lab_read_line(p->c, &line, &ll, false))
			return -1;
		if (ll == 1 && line[0] == '*')
			return pop3_reply(p, "-ERR Authentication aborted by the client.");
		msg = lab_b64_decode(line, ll, &len);
	} else if (strcmp(ir, "=") == 0) {
		msg = (unsigned char *)xstrdup("");
	} else {
		msg = lab_b64_decode((const unsigned char *)ir, strlen(ir), &len);
	}
	if (msg == NULL)
		return pop3_reply(p, "-ERR Invalid base64 data in the SASL answer.");
	bool ok = lab_plain_ok(msg, len);
	free(msg);
	return pop3_logged_in(p, ok);
}

/* Finds the message a command names. Returns its index, or -1 after
 * answering the error. */
static int
pop3_message(struct pop3 *p, const char *arg)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (end == arg || (*end != '\0' && *end != ' ') || n == 0 || n > lab_mbox_count()) {
		lab_say(p->c, "-ERR There is no message %.20s.", arg);
		return -1;
	}
	if (p->deleted[n - 1]) {
		lab_say(p->c, "-ERR Message %lu is deleted.", n);
		return -1;
	}
	return (int)(n - 1);
}

static int
pop3_stat(struct pop3 *p, const char *args)
{
	size_t count = 0, octets = 0, len;

	(void)args;
	for (size_t i = 0; i < lab_mbox_count(); i++)
		if (!p->deleted[i]) {
			lab_mbox_message(i, &len);
			count++;
			octets += len;
		}
	lab_say(p->c, "+OK %zu %zu", count, octets);
	return pop3_send(p);
}

/* LIST and UIDL: one message, or all that are not deleted. */
static int
pop3_listing(struct pop3 *p, const char *args, bool uidl)
{
	size_t len;
	int i;

	if (*args != '\0') {
		if ((i = pop3_message(p, args)) >= 0) {
			lab_mbox_message((size_t)i, &len);
			if (uidl)
				lab_say(p->c, "+OK %d %s", i + 1, lab_mbox_uidl((size_t)i));
			else
				lab_say(p->c, "+OK %d %zu", i + 1, len);
		}
		return pop3_send(p);
	}
	lab_say(p->c, "+OK %s", uidl ? "unique ids follow" : "scan listing follows");
	for (size_t k = 0; k < lab_mbox_count(); k++) {
		if (p->deleted[k])
			continue;
		lab_mbox_message(k, &len);
		if (uidl)
			lab_say(p->c, "%zu %s", k + 1, lab_mbox_uidl(k));
		else
			lab_say(p->c, "%zu %zu", k + 1, len);
	}
	lab_say(p->c, ".");
	return pop3_send(p);
}

static int
pop3_list(struct pop3 *p, const char *args)
{
	return pop3_listing(p, args, false);
}

static int
pop3_uidl(struct pop3 *p, const char *args)
{
	return pop3_listing(p, args, true);
}

static int
pop3_retr(struct pop3 *p, const char *args)
{
	size_t len;
	const char *msg;
	int i = pop3_message(p, args);

	if (i >= 0) {
		msg = lab_mbox_message((size_t)i, &len);
		lab_say(p->c, "+OK %zu octets", len);
		pop3_put_stuffed(p, msg, len);
	}
	return pop3_send(p);
}

static int
pop3_top(struct pop3 *p, const char *args)
{
	const char *space = strchr(args, ' ');
	char *end;
	unsigned long lines;
	size_t len, hlen, take;
	const char *msg, *s;
	int i;

	if (space == NULL || (lines = strtoul(space + 1, &end, 10), end == space + 1) ||
	    *end != '\0')
		return pop3_reply(p, "-ERR Syntax: TOP message lines");
	if ((i = pop3_message(p, args)) < 0)
		return pop3_send(p);
	msg = lab_mbox_message((size_t)i, &len);
	hlen = lab_mbox_header_len((size_t)i);
	s = msg + hlen;
	for (unsigned long k = 0; k < lines && s < msg + len; k++) {
		const char *lf = memchr(s, '\n', (size_t)(msg + len - s));
		s = lf ? lf + 1 : msg + len;
	}
	take = (size_t)(s - msg);
	lab_say(p->c, "+OK");
	pop3_put_stuffed(p, msg, take);
	return pop3_send(p);
}

static int
pop3_dele(struct pop3 *p, const char *args)
{
	int i = pop3_message(p, args);

	if (i >= 0) {
		p->deleted[i] = true;
		lab_say(p->c,
		        "+OK Message %d marked to be deleted (the lab only pretends).",
		        i + 1);
	}
	return pop3_send(p);
}

static int
pop3_rset(struct pop3 *p, const char *args)
{
	(void)args;
	memset(p->deleted, 0, sizeof p->deleted);
	return pop3_reply(p, "+OK");
}

static int
pop3_noop(struct pop3 *p, const char *args)
{
	(void)args;
	lab_say_text(p->c, "+OK");
	return pop3_send(p);
}

static int
pop3_quit(struct pop3 *p, const char *args)
{
	(void)args;
	if (p->state == POP3_TRANSACTION)
		lab_say_text(p->c,
		             "+OK Logging out, messages deleted (the lab only pretends).");
	else
		lab_say_text(p->c, "+OK Logging out.");
	pop3_send(p);
	return -1;
}

#define ANY (POP3_AUTHORIZATION | POP3_TRANSACTION)

static const struct {
	const char *word;
	int (*fn)(struct pop3 *, const char *);
	unsigned states;
} pop3_commands[] = {
    {"CAPA", pop3_capa, ANY},
    {"QUIT", pop3_quit, ANY},
    {"NOOP", pop3_noop, POP3_TRANSACTION},
    {"STLS", pop3_stls, POP3_AUTHORIZATION},
    {"USER", pop3_user, POP3_AUTHORIZATION},
    {"PASS", pop3_pass, POP3_AUTHORIZATION},
    {"AUTH", pop3_auth, POP3_AUTHORIZATION},
    {"STAT", pop3_stat, POP3_TRANSACTION},
    {"LIST", pop3_list, POP3_TRANSACTION},
    {"UIDL", pop3_uidl, POP3_TRANSACTION},
    {"RETR", pop3_retr, POP3_TRANSACTION},
    {"TOP", pop3_top, POP3_TRANSACTION},
    {"DELE", pop3_dele, POP3_TRANSACTION},
    {"RSET", pop3_rset, POP3_TRANSACTION},
};

/* Runs one command line. Returns 0 to go on, -1 when the session ends. */
static int
pop3_command(struct pop3 *p, const unsigned char *line, size_t len)
{
	size_t wl = 0;
	const char *args;
	char *copy;
	int rc = -2;

	if (memchr(line, '\0', len) != NULL)
		return pop3_reply(p, "-ERR A command may not contain a NUL byte.");
	copy = xmemdup(line, len);
	while (copy[wl] != '\0' && copy[wl] != ' ')
		wl++;
	args = copy + wl + strspn(copy + wl, " ");
	for (size_t i = 0; i < sizeof pop3_commands / sizeof pop3_commands[0]; i++) {
		if (!lab_word_eq(pop3_commands[i].word, line, wl))
			continue;
		if (pop3_commands[i].states & p->state) {
			rc = pop3_commands[i].fn(p, args);
		} else {
			lab_say(p->c, "-ERR %s is valid only %s.", pop3_commands[i].word,
			        pop3_commands[i].states == POP3_AUTHORIZATION
			            ? "before login"
			            : "after login (demo/demo)");
			rc = pop3_send(p);
		}
		break;
	}
	if (rc == -2) {
		lab_say_text(p->c, "-ERR Unknown command: %.*s", (int)(wl > 32 ? 32 : wl),
		             copy);
		rc = pop3_send(p);
	}
	free(copy);
	return rc;
}

void
lab_pop3_serve(struct lab_client *c)
{
	struct pop3 p = {.c = c, .state = POP3_AUTHORIZATION};
	const unsigned char *line;
	size_t len;

	lab_say_text(c, "+OK startle-lab POP3 ready (account demo/demo)");
	if (lab_send(c) == 0)
		while (lab_read_line(c, &line, &len, false))
			if (pop3_command(&p, line, len) != 0)
				break;
	free(p.user);
}
