/*
 * Facts about each protocol and the questions the session asks about client
 * lines: which word is the command, does it carry credentials, is it the
 * capability or STARTTLS command, which capabilities does a server line list.
 */
#include <string.h>
#include <strings.h>

#include "framer_int.h"
#include "proto.h"

static const struct proto_info proto_infos[PROTO_COUNT] = {
    [PROTO_SMTP] =
        {
            .id = PROTO_SMTP,
            .name = "smtp",
            .display = "SMTP",
            .capa_command = "EHLO",
            .starttls_command = "STARTTLS",
            .starttls_cap = "STARTTLS",
            .quit_command = "QUIT",
            .starttls_rfc = "RFC 3207",
            .go_ahead = "220",
        },
    [PROTO_IMAP] =
        {
            .id = PROTO_IMAP,
            .name = "imap",
            .display = "IMAP",
            .capa_command = "CAPABILITY",
            .starttls_command = "STARTTLS",
            .starttls_cap = "STARTTLS",
            .quit_command = "LOGOUT",
            .starttls_rfc = "RFC 9051 §6.2.1",
            .go_ahead = "tagged OK",
        },
    [PROTO_POP3] =
        {
            .id = PROTO_POP3,
            .name = "pop3",
            .display = "POP3",
            .capa_command = "CAPA",
            .starttls_command = "STLS",
            .starttls_cap = "STLS",
            .quit_command = "QUIT",
            .starttls_rfc = "RFC 2595 §4",
            .go_ahead = "+OK",
        },
};

static size_t proto_caps_smtp(const struct proto_line *line, struct proto_cap *caps,
                              size_t max);
static size_t proto_caps_imap(const struct proto_line *line, struct proto_cap *caps,
                              size_t max);
static size_t proto_caps_pop3(const struct proto_line *line, struct proto_cap *caps,
                              size_t max);

static const char *const smtp_capa[] = {"EHLO", "HELO", NULL};
static const char *const imap_capa[] = {"CAPABILITY", NULL};
static const char *const pop3_capa[] = {"CAPA", NULL};
static const char *const smtp_credential[] = {"AUTH", NULL};
static const char *const imap_credential[] = {"LOGIN", "AUTHENTICATE", NULL};
static const char *const pop3_credential[] = {"USER", "PASS", "APOP", "AUTH", NULL};

/* How client lines and capability lines look in each protocol. */
static const struct proto_words {
	bool tagged; /* client lines start with a tag */
	const char *const *capa;
	const char *const *credential;
	size_t (*caps)(const struct proto_line *line, struct proto_cap *caps, size_t max);
} proto_words[PROTO_COUNT] = {
    [PROTO_SMTP] = {false, smtp_capa, smtp_credential, proto_caps_smtp},
    [PROTO_IMAP] = {true, imap_capa, imap_credential, proto_caps_imap},
    [PROTO_POP3] = {false, pop3_capa, pop3_credential, proto_caps_pop3},
};

const struct proto_info *
proto_info(enum proto_id id)
{
	if ((unsigned)id >= PROTO_COUNT)
		return NULL;
	return &proto_infos[id];
}

int
proto_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < PROTO_COUNT; i++) {
		if (strcasecmp(name, proto_infos[i].name) == 0)
			return i;
	}
	return -1;
}

/* Finds the command word of a client line: after the tag for IMAP. Returns
 * false if there is none. */
static bool
proto_command_span(enum proto_id id, const unsigned char *line, size_t len,
                   const unsigned char **word, size_t *wlen)
{
	if ((unsigned)id >= PROTO_COUNT || line == NULL)
		return false;
	if (proto_words[id].tagged) {
		size_t tl = framer_word_len(line, len);
		if (tl == 0 || tl == len)
			return false;
		line += tl + 1;
		len -= tl + 1;
	}
	*word = line;
	*wlen = framer_word_len(line, len);
	return *wlen > 0;
}

size_t
proto_command_word(enum proto_id id, const unsigned char *line, size_t len, char *out,
                   size_t outsz)
{
	const unsigned char *w;
	size_t wl;

	if (outsz > 0)
		out[0] = '\0';
	if (!proto_command_span(id, line, len, &w, &wl) || wl >= outsz)
		return 0;
	for (size_t i = 0; i < wl; i++) {
		unsigned char c = w[i];
		out[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	out[wl] = '\0';
	return wl;
}

/* True if the command word of the line is one of words. */
static bool
proto_command_in(enum proto_id id, const unsigned char *line, size_t len,
                 const char *const *words)
{
	const unsigned char *w;
	size_t wl;

	if (!proto_command_span(id, line, len, &w, &wl))
		return false;
	for (size_t i = 0; words[i] != NULL; i++) {
		if (framer_word_eq(w, wl, words[i]))
			return true;
	}
	return false;
}

bool
proto_is_credential(enum proto_id id, const unsigned char *line, size_t len)
{
	if ((unsigned)id >= PROTO_COUNT)
		return false;
	return proto_command_in(id, line, len, proto_words[id].credential);
}

bool
proto_typed_is_credential(enum proto_id id, const unsigned char *line, size_t len)
{
	if (proto_is_credential(id, line, len))
		return true;
	if ((unsigned)id >= PROTO_COUNT || !proto_words[id].tagged || line == NULL)
		return false;
	/* An IMAP command typed without its tag: its first word is the command. */
	size_t wl = framer_word_len(line, len);
	for (size_t i = 0; proto_words[id].credential[i] != NULL; i++) {
		if (framer_word_eq(line, wl, proto_words[id].credential[i]))
			return true;
	}
	return false;
}

bool
proto_is_capa(enum proto_id id, const unsigned char *line, size_t len)
{
	if ((unsigned)id >= PROTO_COUNT)
		return false;
	return proto_command_in(id, line, len, proto_words[id].capa);
}

bool
proto_is_starttls(enum proto_id id, const unsigned char *line, size_t len)
{
	const unsigned char *w;
	size_t wl;

	if (!proto_command_span(id, line, len, &w, &wl))
		return false;
	return w + wl == line + len &&
	       framer_word_eq(w, wl, proto_infos[id].starttls_command);
}

bool
proto_typed_is_starttls(enum proto_id id, const unsigned char *line, size_t len)
{
	if (proto_is_starttls(id, line, len))
		return true;
	if ((unsigned)id >= PROTO_COUNT || !proto_words[id].tagged || line == NULL)
		return false;
	/* An IMAP command typed without its tag: its first word is the command. */
	return framer_word_len(line, len) == len &&
	       framer_word_eq(line, len, proto_infos[id].starttls_command);
}

/* Stores one capability if there is room; the caller counts them all. */
static void
proto_cap_put(struct proto_cap *caps, size_t max, size_t i, const unsigned char *p,
              size_t n)
{
	if (i < max) {
		caps[i].data = p;
		caps[i].len = n;
	}
}

/* SMTP: "250-SIZE 10240000" is one capability with its parameters. */
static size_t
proto_caps_smtp(const struct proto_line *line, struct proto_cap *caps, size_t max)
{
	if (line->len <= 4)
		return 0;
	proto_cap_put(caps, max, 0, line->data + 4, line->len - 4);
	return 1;
}

/* POP3: a CAPA body line is one capability with its parameters. */
static size_t
proto_caps_pop3(const struct proto_line *line, struct proto_cap *caps, size_t max)
{
	size_t skip = (line->flags & PROTO_LINE_STUFFED) ? 1 : 0;

	if (line->len <= skip)
		return 0;
	proto_cap_put(caps, max, 0, line->data + skip, line->len - skip);
	return 1;
}

/* IMAP: each atom of "* CAPABILITY ..." or of a "[CAPABILITY ...]" code. */
static size_t
proto_caps_imap(const struct proto_line *line, struct proto_cap *caps, size_t max)
{
	static const char code[] = "[CAPABILITY";
	const unsigned char *p = line->data;
	size_t n = line->len;
	size_t w = framer_word_len(p, n);

	if (w == n)
		return 0;
	p += w + 1;
	n -= w + 1;
	w = framer_word_len(p, n);
	if (framer_word_eq(p, w, "CAPABILITY")) {
		p += w;
		n -= w;
	} else {
		if (w == n)
			return 0;
		p += w + 1;
		n -= w + 1;
		size_t cl = sizeof(code) - 1;
		if (n < cl || !framer_word_eq(p, cl, code) ||
		    (n > cl && p[cl] != ' ' && p[cl] != ']'))
			return 0;
		p += cl;
		n -= cl;
		const unsigned char *close = memchr(p, ']', n);
		if (close != NULL)
			n = (size_t)(close - p);
	}
	size_t count = 0;
	while (n > 0) {
		if (*p == ' ') {
			p++;
			n--;
			continue;
		}
		w = framer_word_len(p, n);
		proto_cap_put(caps, max, count++, p, w);
		p += w;
		n -= w;
	}
	return count;
}

size_t
proto_line_caps(enum proto_id id, const struct proto_line *line, struct proto_cap *caps,
                size_t max)
{
	if ((unsigned)id >= PROTO_COUNT || line == NULL || !(line->flags & PROTO_LINE_CAPS))
		return 0;
	return proto_words[id].caps(line, caps, max);
}

static const char *const smtp_commands[] = {
    "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL FROM:", "RCPT TO:", "DATA", "BDAT",
    "RSET", "VRFY", "EXPN",     "HELP", "NOOP",       "QUIT",     "ETRN", NULL,
};
static const char *const imap_commands[] = {
    "CAPABILITY", "NOOP",        "LOGOUT",  "STARTTLS", "AUTHENTICATE", "LOGIN",
    "ENABLE",     "SELECT",      "EXAMINE", "CREATE",   "DELETE",       "RENAME",
    "SUBSCRIBE",  "UNSUBSCRIBE", "LIST",    "LSUB",     "NAMESPACE",    "STATUS",
    "APPEND",     "IDLE",        "CHECK",   "CLOSE",    "UNSELECT",     "EXPUNGE",
    "SEARCH",     "FETCH",       "STORE",   "COPY",     "MOVE",         "UID",
    "ID",         NULL,
};
static const char *const pop3_commands[] = {
    "CAPA", "STLS", "USER", "PASS", "APOP", "AUTH", "STAT", "LIST", "RETR",
    "DELE", "NOOP", "RSET", "TOP",  "UIDL", "QUIT", "UTF8", NULL,
};

const char *const *
proto_commands(enum proto_id id)
{
	static const char *const *const lists[PROTO_COUNT] = {
	    [PROTO_SMTP] = smtp_commands,
	    [PROTO_IMAP] = imap_commands,
	    [PROTO_POP3] = pop3_commands,
	};
	return lists[id];
}
