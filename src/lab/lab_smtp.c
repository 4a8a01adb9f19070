#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab_int.h"
#include "util.h"

/* One SMTP session (RFC 5321, with RFC 3207 STARTTLS and RFC 4954 AUTH). */
struct smtp {
	struct lab_client *c;
	bool greeted; /* EHLO or HELO seen (since the upgrade) */
	bool authed;
	bool mail; /* a MAIL transaction is open */
	unsigned rcpts;
	unsigned queued;
};

static const struct lab_tls_texts smtp_tls = {
    .go = "220 2.0.0 Ready to start TLS",
    .refuse = "454 4.7.0 TLS not available due to local problem",
    .unknown = "502 5.5.1 Error: command not implemented",
    .inject = "220 2.0.0 Ready\r\n250-INJECTED\r\n250 AUTH PLAIN\r\n",
    .partial = "220 2.0.0 Ready to start TLS\r\n250 inj",
};

/* The EHLO keywords after the greeting line, in order. */
static const struct lab_cap smtp_caps[] = {
    {"PIPELINING", LAB_WHEN_ALWAYS},
    {"SIZE 10240000", LAB_WHEN_ALWAYS},
    {"STARTTLS", LAB_WHEN_STARTTLS},
    {"AUTH PLAIN LOGIN", LAB_WHEN_AUTH},
    {"ENHANCEDSTATUSCODES", LAB_WHEN_ALWAYS},
    {"8BITMIME", LAB_WHEN_ALWAYS},
    {"SMTPUTF8", LAB_WHEN_EXTRA},
    {"DSN", LAB_WHEN_EXTRA},
};

static void
smtp_reset(struct smtp *s)
{
	s->mail = false;
	s->rcpts = 0;
}

/* Sends the reply built so far. Returns 0, or -1 when the session ends. */
static int
smtp_send(struct smtp *s)
{
	return lab_send(s->c) == 0 ? 0 : -1;
}

static int
smtp_reply(struct smtp *s, const char *line)
{
	lab_say(s->c, "%s", line);
	return smtp_send(s);
}

static int
smtp_ehlo(struct smtp *s, const char *args)
{
	size_t n = 0, shown[sizeof smtp_caps / sizeof smtp_caps[0]];

	if (*args == '\0')
		return smtp_reply(s, "501 5.5.4 Syntax: EHLO hostname");
	smtp_reset(s);
	s->greeted = true;
	for (size_t i = 0; i < sizeof smtp_caps / sizeof smtp_caps[0]; i++)
		if (lab_cap_shown(s->c, smtp_caps[i].when, false))
			shown[n++] = i;
	lab_say_text(s->c, "250-%s Hello %.200s", LAB_HOST, args);
	if (lab_cut_tls_caps(s->c))
		return -1;
	for (size_t i = 0; i < n; i++)
		lab_say(s->c, "250%c%s", i + 1 < n ? '-' : ' ',
		        smtp_caps[shown[i]].keyword);
	return smtp_send(s);
}

static int
smtp_helo(struct smtp *s, const char *args)
{
	if (*args == '\0')
		return smtp_reply(s, "501 5.5.4 Syntax: HELO hostname");
	smtp_reset(s);
	s->greeted = true;
	lab_say_text(s->c, "250 %s", LAB_HOST);
	return smtp_send(s);
}

static int
smtp_starttls(struct smtp *s, const char *args)
{
	int rc;

	if (*args != '\0')
		return smtp_reply(s, "501 5.5.4 Syntax: STARTTLS");
	if (lab_in_tls(s->c))
		return smtp_reply(s, "554 5.5.1 Error: TLS already active");
	rc = lab_answer_starttls(s->c, &smtp_tls, "");
	if (rc == 1) {
		/* RFC 3207 §4.2: forget everything learned before TLS. */
		smtp_reset(s);
		s->greeted = false;
		s->authed = false;
	}
	return rc < 0 ? -1 : 0;
}

/* Reads one SASL answer line after a 334 challenge. Returns the decoded
 * bytes, or NULL after answering the error itself (*end set when the session
 * is over). */
static unsigned char *
smtp_sasl_answer(struct smtp *s, const char *challenge, size_t *len, bool *end)
{
	const unsigned char *line;
	size_t n;
	unsigned char *out;

	lab_say(s->c, "334 %s", challenge);
	if (smtp_send(s) != 0 || !lab_read_line(s->c, &line, &n, false)) {
		*end = true;
		return NULL;
	}
	if (n == 1 && line[0] == '*') {
		*end = smtp_reply(s, "501 5.7.0 Authentication aborted") != 0;
		return NULL;
	}
	out = lab_b64_decode(line, n, len);
	if (out == NULL)
		*end = smtp_reply(
		           s, "501 5.5.2 Cannot decode the answer: it is not base64") != 0;
	return out;
}

/* Decodes an initial response ("=" is the empty one). */
static unsigned char *
smtp_initial(const char *ir, size_t *len)
{
	if (strcmp(ir, "=") == 0) {
		*len = 0;
		return (unsigned char *)xstrdup("");
	}
	return lab_b64_decode((const unsigned char *)ir, strlen(ir), len);
}

static int
smtp_auth_result(struct smtp *s, bool ok)
{
	if (ok) {
		s->authed = true;
		return smtp_reply(s, "235 2.7.0 Authentication successful");
	}
	return smtp_reply(s, "535 5.7.8 Error: authentication failed: the lab knows only "
	                     "demo/demo");
}

static int
smtp_auth_plain(struct smtp *s, const char *ir)
{
	size_t len = 0;
	bool end = false, ok;
	unsigned char *msg;

	if (*ir != '\0') {
		msg = smtp_initial(ir, &len);
		if (msg == NULL)
			return smtp_reply(
			    s, "501 5.5.2 Cannot decode the initial response: it is "
			       "not base64");
	} else if ((msg = smtp_sasl_answer(s, "", &len, &end)) == NULL) {
		return end ? -1 : 0;
	}
	ok = lab_plain_ok(msg, len);
	free(msg);
	return smtp_auth_result(s, ok);
}

static int
smtp_auth_login(struct smtp *s, const char *ir)
{
	size_t ulen = 0, plen = 0;
	bool end = false, ok;
	unsigned char *user, *pass;

	if (*ir != '\0') {
		user = smtp_initial(ir, &ulen);
		if (user == NULL)
			return smtp_reply(
			    s, "501 5.5.2 Cannot decode the initial response: it is "
			       "not base64");
	} else if ((user = smtp_sasl_answer(s, "VXNlcm5hbWU6", &ulen, &end)) == NULL) {
		return end ? -1 : 0;
	}
	pass = smtp_sasl_answer(s, "UGFzc3dvcmQ6", &plen, &end);
	if (pass == NULL) {
		free(user);
		return end ? -1 : 0;
	}
	ok = strlen((char *)user) == ulen && strlen((char *)pass) == plen &&
	     lab_login_ok((char *)user, (char *)pass);
	free(user);
	free(pass);
	return smtp_auth_result(s, ok);
}

static int
smtp_auth(struct smtp *s, const char *args)
{
	static const struct {
		const char *mech;
		int (*fn)(struct smtp *, const char *);
	} mechs[] = {{"PLAIN", smtp_auth_plain}, {"LOGIN", smtp_auth_login}};
	char mech[32];
	const char *ir;
	size_t n = strcspn(args, " ");

	if (!s->greeted)
		return smtp_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
	if (s->authed)
		return smtp_reply(s, "503 5.5.1 Error: already authenticated");
	if (s->mail)
		return smtp_reply(s, "503 5.5.1 Error: MAIL transaction in progress");
	if (n == 0)
		return smtp_reply(s, "501 5.5.4 Syntax: AUTH mechanism");
	if (!lab_auth_allowed(s->c))
		return smtp_reply(s, "538 5.7.11 Encryption required for requested "
		                     "authentication mechanism");
	snprintf(mech, sizeof mech, "%.*s", (int)n, args);
	ir = args + n + strspn(args + n, " ");
	for (size_t i = 0; i < sizeof mechs / sizeof mechs[0]; i++)
		if (strcasecmp(mech, mechs[i].mech) == 0)
			return mechs[i].fn(s, ir);
	return smtp_reply(s, "504 5.5.4 Unrecognized authentication type");
}

/* True if args start with word (case-insensitive), e.g. "FROM:". */
static bool
smtp_prefix(const char *args, const char *word)
{
	return strncasecmp(args, word, strlen(word)) == 0;
}

static int
smtp_mail(struct smtp *s, const char *args)
{
	const char *size;

	if (!s->greeted)
		return smtp_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
	if (s->mail)
		return smtp_reply(s, "503 5.5.1 Error: nested MAIL command");
	if (!smtp_prefix(args, "FROM:"))
		return smtp_reply(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
	size = strcasestr(args, " SIZE=");
	if (size != NULL && strtoull(size + 6, NULL, 10) > LAB_SMTP_SIZE)
		return smtp_reply(s, "552 5.3.4 Message size exceeds fixed limit");
	s->mail = true;
	s->rcpts = 0;
	return smtp_reply(s, "250 2.1.0 Ok");
}

static int
smtp_rcpt(struct smtp *s, const char *args)
{
	if (!s->mail)
		return smtp_reply(s, "503 5.5.1 Error: need MAIL command");
	if (!smtp_prefix(args, "TO:"))
		return smtp_reply(s, "501 5.5.4 Syntax: RCPT TO:<address>");
	s->rcpts++;
	return smtp_reply(s, "250 2.1.5 Ok");
}

/* Reads the message until the lone dot, undoing dot-stuffing, and discards it. */
static int
smtp_data(struct smtp *s, const char *args)
{
	const unsigned char *line;
	size_t len, lines = 0, bytes = 0;

	if (*args != '\0')
		return smtp_reply(s, "501 5.5.4 Syntax: DATA");
	if (!s->mail)
		return smtp_reply(s, "503 5.5.1 Error: need MAIL command");
	if (s->rcpts == 0)
		return smtp_reply(s, "554 5.5.1 Error: no valid recipients");
	if (smtp_reply(s, "354 End data with <CR><LF>.<CR><LF>") != 0)
		return -1;
	for (;;) {
		if (!lab_read_line(s->c, &line, &len, true))
			return -1;
		if (len == 1 && line[0] == '.')
			break;
		if (len > 0 && line[0] == '.')
			len--;
		lines++;
		bytes += len + 2;
	}
	lab_log(s->c,
	        "C: {message data: %zu lines, %zu bytes after dot-unstuffing; discarded}",
	        lines, bytes);
	smtp_reset(s);
	if (bytes > LAB_SMTP_SIZE)
		return smtp_reply(s, "552 5.3.4 Message size exceeds fixed limit");
	lab_say(s->c, "250 2.0.0 Ok: queued as LAB%u.%u (discarded: the lab keeps no mail)",
	        s->c->id, ++s->queued);
	return smtp_send(s);
}

static int
smtp_rset(struct smtp *s, const char *args)
{
	(void)args;
	smtp_reset(s);
	return smtp_reply(s, "250 2.0.0 Ok");
}

static int
smtp_noop(struct smtp *s, const char *args)
{
	(void)args;
	lab_say_text(s->c, "250 2.0.0 Ok");
	return smtp_send(s);
}

static int
smtp_vrfy(struct smtp *s, const char *args)
{
	if (*args == '\0')
		return smtp_reply(s, "501 5.5.4 Syntax: VRFY address");
	return smtp_reply(s,
	                  "252 2.0.0 Cannot VRFY user, but will accept message and attempt "
	                  "delivery");
}

static int
smtp_help(struct smtp *s, const char *args)
{
	(void)args;
	lab_say_text(s->c, "214-2.0.0 startle-lab, a teaching SMTP server (RFC 5321)");
	lab_say(s->c,
	        "214-2.0.0 Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA RSET NOOP "
	        "VRFY HELP QUIT");
	lab_say(s->c, "214 2.0.0 Account: demo, password demo (AUTH inside TLS)");
	return smtp_send(s);
}

static int
smtp_quit(struct smtp *s, const char *args)
{
	(void)args;
	if (s->c->b->no_close_notify && s->c->ssl != NULL && !s->c->tls_caps_cut) {
		/* the reply cut is the QUIT's own: the client cannot tell a
		 * truncation from the end */
		lab_log(s->c, "tls: QUIT left unanswered, closing without close_notify");
		return -1;
	}
	lab_say_text(s->c, "221 2.0.0 Bye");
	smtp_send(s);
	return -1;
}

static const struct {
	const char *word;
	int (*fn)(struct smtp *, const char *);
} smtp_commands[] = {
    {"EHLO", smtp_ehlo}, {"HELO", smtp_helo}, {"STARTTLS", smtp_starttls},
    {"AUTH", smtp_auth}, {"MAIL", smtp_mail}, {"RCPT", smtp_rcpt},
    {"DATA", smtp_data}, {"RSET", smtp_rset}, {"NOOP", smtp_noop},
    {"VRFY", smtp_vrfy}, {"HELP", smtp_help}, {"QUIT", smtp_quit},
};

/* Runs one command line. Returns 0 to go on, -1 when the session ends. */
static int
smtp_command(struct smtp *s, const unsigned char *line, size_t len)
{
	size_t wl = 0;
	const char *args;
	char *copy;
	int rc = -2;

	if (memchr(line, '\0', len) != NULL)
		return smtp_reply(s,
		                  "500 5.5.2 Error: a command may not contain a NUL byte");
	copy = xmemdup(line, len);
	while (copy[wl] != '\0' && copy[wl] != ' ')
		wl++;
	args = copy + wl + strspn(copy + wl, " ");
	for (size_t i = 0; i < sizeof smtp_commands / sizeof smtp_commands[0] && rc == -2;
	     i++)
		if (lab_word_eq(smtp_commands[i].word, line, wl))
			rc = smtp_commands[i].fn(s, args);
	if (rc == -2) {
		lab_say_text(s->c, "500 5.5.2 Error: command not recognized");
		rc = smtp_send(s);
	}
	free(copy);
	return rc;
}

void
lab_smtp_serve(struct lab_client *c)
{
	struct smtp s = {.c = c};
	const unsigned char *line;
	size_t len;

	lab_say_text(c, "220 %s ESMTP startle-lab (teaching server; account demo/demo)",
	             LAB_HOST);
	if (lab_send(c) != 0)
		return;
	while (lab_read_line(c, &line, &len, false))
		if (smtp_command(&s, line, len) != 0)
			break;
}
