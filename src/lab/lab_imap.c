#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab_int.h"
#include "util.h"

#define IMAP_MAX_MESSAGES 16

enum imap_state { IMAP_NOAUTH = 1, IMAP_AUTH = 2, IMAP_SELECTED = 4 };

/* One IMAP session (RFC 3501 / 9051, STARTTLS §6.2.1). */
struct imap {
	struct lab_client *c;
	enum imap_state state;
	bool readonly;
	bool seen[IMAP_MAX_MESSAGES];
	const char *tag;
	bool uid; /* the command came as UID FETCH / UID SEARCH */
};

/* Parsing position inside one command (literals included). */
struct imap_cursor {
	const unsigned char *p;
	const unsigned char *end;
};

static const struct lab_tls_texts imap_tls = {
    .go = "%s OK Begin TLS negotiation now",
    .refuse = "%s NO [UNAVAILABLE] TLS is not available right now",
    .unknown = "%s BAD Error in IMAP command STARTTLS: Unknown command.",
    .inject = "%s OK Begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n",
    .partial = "%s OK Begin TLS negotiation now\r\n* OK inj",
};

static const struct lab_cap imap_caps[] = {
    {"IMAP4rev1", LAB_WHEN_ALWAYS},
    {"STARTTLS", LAB_WHEN_STARTTLS},
    {"LOGINDISABLED", LAB_WHEN_NO_AUTH},
    {"AUTH=PLAIN", LAB_WHEN_AUTH},
    {"ID", LAB_WHEN_EXTRA},
    {"UNSELECT", LAB_WHEN_EXTRA},
};

/* The capability list as offered now, space-separated (caller frees). */
static char *
imap_capability_list(const struct imap *m)
{
	char buf[256] = "";
	size_t used = 0;

	for (size_t i = 0; i < sizeof imap_caps / sizeof imap_caps[0]; i++)
		if (lab_cap_shown(m->c, imap_caps[i].when, m->state != IMAP_NOAUTH))
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
			                         used ? " " : "", imap_caps[i].keyword);
	return xstrdup(buf);
}

static int
imap_send(struct imap *m)
{
	return lab_send(m->c) == 0 ? 0 : -1;
}

/* A tagged completion line. */
static int
imap_tagged(struct imap *m, const char *status_text)
{
	lab_say(m->c, "%s %s", m->tag, status_text);
	return imap_send(m);
}

/* True for a character of an atom (RFC 3501 ATOM-CHAR, plus the list
 * wildcards and "]", which LIST patterns and FETCH sections use). */
static bool
imap_atom_char(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f && strchr("(){\"\\", ch) == NULL;
}

/* Reads an astring (atom, quoted string or literal) into a new buffer.
 * Returns it, or NULL if there is none. */
static char *
imap_string(struct imap_cursor *cur)
{
	const unsigned char *s = cur->p;

	if (s < cur->end && *s == '"') {
		char *out = xmalloc((size_t)(cur->end - s));
		size_t n = 0;
		for (s++; s < cur->end && *s != '"'; s++) {
			if (*s == '\\' && s + 1 < cur->end && (s[1] == '"' || s[1] == '\\'))
				s++;
			if (*s == '\r' || *s == '\n' || *s == '\0') {
				free(out);
				return NULL;
			}
			out[n++] = (char)*s;
		}
		if (s >= cur->end) {
			free(out);
			return NULL;
		}
		out[n] = '\0';
		cur->p = s + 1;
		return out;
	}
	if (s < cur->end && *s == '{') {
		const unsigned char *e = s + 1;
		size_t n = 0;
		while (e < cur->end && *e >= '0' && *e <= '9' && n <= LAB_LINE_MAX)
			n = n * 10 + (size_t)(*e++ - '0');
		if (e == s + 1)
			return NULL;
		if (e < cur->end && *e == '+')
			e++;
		if (cur->end - e < 3 || e[0] != '}' || e[1] != '\r' || e[2] != '\n' ||
		    n > (size_t)(cur->end - e - 3))
			return NULL;
		cur->p = e + 3 + n;
		return xmemdup(e + 3, n);
	}
	while (s < cur->end && imap_atom_char(*s))
		s++;
	if (s == cur->p)
		return NULL;
	char *out = xmemdup(cur->p, (size_t)(s - cur->p));
	cur->p = s;
	return out;
}

/* Skips exactly one space. Returns false if there is none. */
static bool
imap_space(struct imap_cursor *cur)
{
	if (cur->p < cur->end && *cur->p == ' ') {
		cur->p++;
		return true;
	}
	return false;
}

/* The rest of the command as a string. */
static char *
imap_rest(struct imap_cursor *cur)
{
	char *out = xmemdup(cur->p, (size_t)(cur->end - cur->p));

	cur->p = cur->end;
	return out;
}

/* If a line ends with a literal announcement {n} or {n+}, returns true and
 * sets its size and whether the client waits for a continuation. */
static bool
imap_literal_at_end(const unsigned char *line, size_t len, size_t *size, bool *sync)
{
	size_t i, digits = 0;
	unsigned long long n = 0;

	if (len < 3 || line[len - 1] != '}')
		return false;
	i = len - 1;
	*sync = !(line[i - 1] == '+');
	if (!*sync)
		i--;
	while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9' && digits < 10) {
		i--;
		digits++;
	}
	if (digits == 0 || i == 0 || line[i - 1] != '{')
		return false;
	for (size_t k = i; k < i + digits; k++)
		n = n * 10 + (unsigned)(line[k] - '0');
	*size = (size_t)n;
	return true;
}

/* Reads one command with its literals (each announced {n} answered with a
 * continuation). Returns the bytes (caller frees), or NULL when the session
 * ends. */
static unsigned char *
imap_read_command(struct imap *m, size_t *outlen)
{
	unsigned char *buf = NULL;
	size_t used = 0;

	for (;;) {
		const unsigned char *line;
		size_t len, lit;
		bool sync;
		unsigned char *bytes;

		if (!lab_read_line(m->c, &line, &len, false)) {
			free(buf);
			return NULL;
		}
		buf = xrealloc(buf, used + len + 3);
		memcpy(buf + used, line, len);
		used += len;
		if (!imap_literal_at_end(line, len, &lit, &sync))
			break;
		if (lit > LAB_LINE_MAX - used) {
			lab_say(
			    m->c,
			    "* BYE The command is longer than the lab accepts (1 MiB).");
			imap_send(m);
			free(buf);
			return NULL;
		}
		memcpy(buf + used, "\r\n", 2);
		used += 2;
		if (sync) {
			lab_say(m->c, "+ Ready for literal data");
			if (imap_send(m) != 0) {
				free(buf);
				return NULL;
			}
		}
		if ((bytes = lab_read_bytes(m->c, lit)) == NULL) {
			free(buf);
			return NULL;
		}
		buf = xrealloc(buf, used + lit + 1);
		memcpy(buf + used, bytes, lit);
		used += lit;
		free(bytes);
	}
	*outlen = used;
	return buf;
}

static int
imap_capability(struct imap *m, struct imap_cursor *cur)
{
	char *caps = imap_capability_list(m);

	(void)cur;
	lab_say(m->c, "* CAPABILITY %s", caps);
	free(caps);
	if (lab_cut_tls_caps(m->c))
		return -1;
	return imap_tagged(m, "OK Capability completed.");
}

static int
imap_noop(struct imap *m, struct imap_cursor *cur)
{
	(void)cur;
	lab_say_text(m->c, "%s OK NOOP completed.", m->tag);
	return imap_send(m);
}

static int
imap_logout(struct imap *m, struct imap_cursor *cur)
{
	(void)cur;
	lab_say_text(m->c, "* BYE startle-lab logging out");
	lab_say(m->c, "%s OK Logout completed.", m->tag);
	imap_send(m);
	return -1;
}

static int
imap_id(struct imap *m, struct imap_cursor *cur)
{
	(void)cur;
	lab_say(m->c, "* ID (\"name\" \"startle-lab\" \"version\" \"%s\")",
	        STARTLE_VERSION);
	return imap_tagged(m, "OK ID completed.");
}

static int
imap_starttls(struct imap *m, struct imap_cursor *cur)
{
	int rc;

	(void)cur;
	if (lab_in_tls(m->c))
		return imap_tagged(m, "BAD TLS is already active.");
	rc = lab_answer_starttls(m->c, &imap_tls, m->tag);
	return rc < 0 ? -1 : 0;
}

/* Login succeeded or failed: the tagged answer and the new state. */
static int
imap_login_result(struct imap *m, bool ok)
{
	char *caps;

	if (!ok)
		return imap_tagged(
		    m, "NO [AUTHENTICATIONFAILED] Authentication failed: the lab "
		       "knows only demo/demo.");
	m->state = IMAP_AUTH;
	caps = imap_capability_list(m);
	lab_say(m->c, "%s OK [CAPABILITY %s] Logged in", m->tag, caps);
	free(caps);
	return imap_send(m);
}

static const char imap_privacy[] =
    "NO [PRIVACYREQUIRED] Plaintext authentication disallowed "
    "on non-secure (SSL/TLS) connections.";

static int
imap_login(struct imap *m, struct imap_cursor *cur)
{
	char *user = NULL, *pass = NULL;
	int rc;

	if (!imap_space(cur) || (user = imap_string(cur)) == NULL || !imap_space(cur) ||
	    (pass = imap_string(cur)) == NULL || cur->p != cur->end)
		rc = imap_tagged(m,
		                 "BAD Error in IMAP command LOGIN: give a user name and a "
		                 "password.");
	else if (!lab_auth_allowed(m->c))
		rc = imap_tagged(m, imap_privacy);
	else
		rc = imap_login_result(m, lab_login_ok(user, pass));
	free(user);
	free(pass);
	return rc;
}

static int
imap_authenticate(struct imap *m, struct imap_cursor *cur)
{
	char *mech = NULL, *ir = NULL;
	unsigned char *msg = NULL;
	size_t len = 0;
	int rc;

	if (!imap_space(cur) || (mech = imap_string(cur)) == NULL) {
		rc = imap_tagged(
		    m, "BAD Error in IMAP command AUTHENTICATE: name a mechanism.");
		goto out;
	}
	if (imap_space(cur))
		ir = imap_rest(cur);
	if (strcasecmp(mech, "PLAIN") != 0) {
		rc = imap_tagged(
		    m, "NO [CANNOT] Unsupported authentication mechanism: the lab "
		       "knows PLAIN.");
		goto out;
	}
	if (!lab_auth_allowed(m->c)) {
		rc = imap_tagged(m, imap_privacy);
		goto out;
	}
	if (ir == NULL) {
		const unsigned char *line;
		size_t n;
		lab_say(m->c, "+ ");
		if (imap_send(m) != 0 || !lab_read_line(m->c, &line, &n, false)) {
			rc = -1;
			goto out;
		}
		if (n == 1 && line[0] == '*') {
			rc = imap_tagged(m, "BAD Authentication aborted by the client.");
			goto out;
		}
		msg = lab_b64_decode(line, n, &len);
	} else if (strcmp(ir, "=") == 0) {
		msg = (unsigned char *)xstrdup("");
	} else {
		msg = lab_b64_decode((unsigned char *)ir, strlen(ir), &len);
	}
	if (msg == NULL)
		rc = imap_tagged(m, "BAD Invalid base64 data in the SASL answer.");
	else
		rc = imap_login_result(m, lab_plain_ok(msg, len));
out:
	free(mech);
	free(ir);
	free(msg);
	return rc;
}

static int
imap_select_common(struct imap *m, struct imap_cursor *cur, bool readonly)
{
	char *box = NULL;
	int rc;
	size_t unseen = 0;

	m->state = IMAP_AUTH;
	if (!imap_space(cur) || (box = imap_string(cur)) == NULL || cur->p != cur->end) {
		rc = imap_tagged(m, "BAD Error in IMAP command: give a mailbox name.");
	} else if (strcasecmp(box, "INBOX") != 0) {
		lab_say(
		    m->c,
		    "%s NO [NONEXISTENT] Mailbox doesn't exist: the lab has only INBOX.",
		    m->tag);
		rc = imap_send(m);
	} else {
		m->state = IMAP_SELECTED;
		m->readonly = readonly;
		for (size_t i = lab_mbox_count(); i > 0; i--)
			if (!m->seen[i - 1])
				unseen = i;
		lab_say(m->c, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
		lab_say(m->c,
		        "* OK [PERMANENTFLAGS ()] No permanent flags: the lab changes "
		        "nothing for good.");
		lab_say(m->c, "* %zu EXISTS", lab_mbox_count());
		lab_say(m->c, "* 0 RECENT");
		if (unseen > 0)
			lab_say(m->c, "* OK [UNSEEN %zu] First unseen.", unseen);
		lab_say(m->c, "* OK [UIDVALIDITY 1704067200] UIDs valid");
		lab_say(m->c, "* OK [UIDNEXT %zu] Predicted next UID",
		        lab_mbox_count() + 1);
		lab_say(m->c, "%s OK [%s] %s completed.", m->tag,
		        readonly ? "READ-ONLY" : "READ-WRITE",
		        readonly ? "Examine" : "Select");
		rc = imap_send(m);
	}
	free(box);
	return rc;
}

static int
imap_select(struct imap *m, struct imap_cursor *cur)
{
	return imap_select_common(m, cur, false);
}

static int
imap_examine(struct imap *m, struct imap_cursor *cur)
{
	return imap_select_common(m, cur, true);
}

static int
imap_close(struct imap *m, struct imap_cursor *cur)
{
	(void)cur;
	m->state = IMAP_AUTH;
	return imap_tagged(m, "OK Close completed.");
}

/* Matches a LIST pattern (* and % wildcards) against a name, ignoring case. */
static bool
imap_list_match(const char *pat, const char *name)
{
	if (*pat == '\0')
		return *name == '\0';
	if (*pat == '*' || *pat == '%') {
		for (const char *n = name;; n++) {
			if (imap_list_match(pat + 1, n))
				return true;
			if (*n == '\0' || (*pat == '%' && *n == '/'))
				return false;
		}
	}
	if (*name == '\0' || strncasecmp(pat, name, 1) != 0)
		return false;
	return imap_list_match(pat + 1, name + 1);
}

static int
imap_list(struct imap *m, struct imap_cursor *cur)
{
	char *ref = NULL, *pat = NULL;
	int rc;

	if (!imap_space(cur) || (ref = imap_string(cur)) == NULL || !imap_space(cur) ||
	    (pat = imap_string(cur)) == NULL || cur->p != cur->end) {
		rc =
		    imap_tagged(m, "BAD Error in IMAP command LIST: give a reference and a "
		                   "pattern.");
	} else {
		if (*pat == '\0')
			lab_say(m->c, "* LIST (\\Noselect) \"/\" \"\"");
		else if (imap_list_match(pat, "INBOX"))
			lab_say(m->c, "* LIST (\\HasNoChildren) \"/\" INBOX");
		rc = imap_tagged(m, "OK List completed.");
	}
	free(ref);
	free(pat);
	return rc;
}

/* Parses a sequence set into wanted[] (indexes from 0). Returns false if it
 * is not one, or names a message that does not exist (sequence numbers). */
static bool
imap_sequence(const struct imap *m, const char *set, bool wanted[])
{
	size_t count = lab_mbox_count();
	const char *p = set;

	memset(wanted, 0, IMAP_MAX_MESSAGES * sizeof wanted[0]);
	while (*p != '\0') {
		unsigned long a, b;
		char *e;
		if (*p == '*') {
			a = count;
			e = (char *)p + 1;
		} else {
			a = strtoul(p, &e, 10);
			if (e == p || a == 0)
				return false;
		}
		b = a;
		if (*e == ':') {
			p = e + 1;
			if (*p == '*') {
				b = count;
				e = (char *)p + 1;
			} else {
				b = strtoul(p, &e, 10);
				if (e == p || b == 0)
					return false;
			}
		}
		if (a > b) {
			unsigned long t = a;
			a = b;
			b = t;
		}
		if (!m->uid && b > count)
			return false;
		for (unsigned long i = a; i <= b && i <= count; i++)
			wanted[i - 1] = true;
		if (*e == ',')
			e++;
		else if (*e != '\0')
			return false;
		p = e;
	}
	return true;
}

enum fetch_kind { FETCH_FLAGS, FETCH_UID, FETCH_SIZE, FETCH_DATE, FETCH_PART };
enum fetch_part { PART_ALL, PART_HEADER, PART_TEXT };

static const struct fetch_item {
	const char *name;     /* as the client asks for it */
	const char *response; /* as the server names it in the answer */
	enum fetch_kind kind;
	enum fetch_part part;
	bool sets_seen;
} fetch_items[] = {
    {"FLAGS", "FLAGS", FETCH_FLAGS, PART_ALL, false},
    {"UID", "UID", FETCH_UID, PART_ALL, false},
    {"RFC822.SIZE", "RFC822.SIZE", FETCH_SIZE, PART_ALL, false},
    {"INTERNALDATE", "INTERNALDATE", FETCH_DATE, PART_ALL, false},
    {"BODY[]", "BODY[]", FETCH_PART, PART_ALL, true},
    {"BODY.PEEK[]", "BODY[]", FETCH_PART, PART_ALL, false},
    {"BODY[HEADER]", "BODY[HEADER]", FETCH_PART, PART_HEADER, true},
    {"BODY.PEEK[HEADER]", "BODY[HEADER]", FETCH_PART, PART_HEADER, false},
    {"BODY[TEXT]", "BODY[TEXT]", FETCH_PART, PART_TEXT, true},
    {"BODY.PEEK[TEXT]", "BODY[TEXT]", FETCH_PART, PART_TEXT, false},
    {"RFC822", "RFC822", FETCH_PART, PART_ALL, true},
    {"RFC822.HEADER", "RFC822.HEADER", FETCH_PART, PART_HEADER, false},
    {"RFC822.TEXT", "RFC822.TEXT", FETCH_PART, PART_TEXT, true},
};

#define FETCH_ITEMS_MAX 16

/* Splits the item list ("(A B)" or one item; FAST expands) into table rows. */
static int
fetch_parse(char *spec, const struct fetch_item **items, size_t *n, char **bad)
{
	size_t len = strlen(spec);
	char *p = spec, *tok;

	*n = 0;
	if (len >= 2 && spec[0] == '(' && spec[len - 1] == ')') {
		spec[len - 1] = '\0';
		p = spec + 1;
	}
	for (tok = strtok(p, " "); tok != NULL; tok = strtok(NULL, " ")) {
		bool found = false;
		if (strcasecmp(tok, "FAST") == 0) {
			static const size_t fast[] = {0, 3, 2};
			for (size_t k = 0; k < 3 && *n < FETCH_ITEMS_MAX; k++)
				items[(*n)++] = &fetch_items[fast[k]];
			continue;
		}
		for (size_t i = 0; i < sizeof fetch_items / sizeof fetch_items[0]; i++)
			if (strcasecmp(tok, fetch_items[i].name) == 0 &&
			    *n < FETCH_ITEMS_MAX) {
				items[(*n)++] = &fetch_items[i];
				found = true;
				break;
			}
		if (!found) {
			*bad = tok;
			return -1;
		}
	}
	return *n > 0 ? 0 : -1;
}

/* Appends one message's FETCH response. */
static void
fetch_one(struct imap *m, size_t i, const struct fetch_item **items, size_t n)
{
	size_t len, hlen = lab_mbox_header_len(i);
	const char *msg = lab_mbox_message(i, &len);
	bool has_flags = false, has_uid = false, newly_seen = false;
	char *head = str_printf("* %zu FETCH (", i + 1);
	const char *sep = "";

	for (size_t k = 0; k < n; k++) {
		has_flags |= items[k]->kind == FETCH_FLAGS;
		has_uid |= items[k]->kind == FETCH_UID;
		if (items[k]->sets_seen && !m->readonly && !m->seen[i])
			newly_seen = m->seen[i] = true;
	}
	lab_put(m->c, head, strlen(head));
	free(head);
	if (m->uid && !has_uid) {
		char *s = str_printf("UID %zu", i + 1);
		lab_put(m->c, s, strlen(s));
		free(s);
		sep = " ";
	}
	for (size_t k = 0; k <= n; k++) {
		const struct fetch_item *it = k < n ? items[k] : NULL;
		char *s = NULL;
		if (it == NULL && !(newly_seen && !has_flags))
			break;
		if (it == NULL || it->kind == FETCH_FLAGS)
			s = str_printf("%sFLAGS (%s)", sep, m->seen[i] ? "\\Seen" : "");
		else if (it->kind == FETCH_UID)
			s = str_printf("%sUID %zu", sep, i + 1);
		else if (it->kind == FETCH_SIZE)
			s = str_printf("%sRFC822.SIZE %zu", sep, len);
		else if (it->kind == FETCH_DATE)
			s = str_printf("%sINTERNALDATE %s", sep, lab_mbox_date(i));
		if (s != NULL) {
			lab_put(m->c, s, strlen(s));
			free(s);
		} else {
			const char *part = it->part == PART_TEXT ? msg + hlen : msg;
			size_t plen = it->part == PART_ALL      ? len
			              : it->part == PART_HEADER ? hlen
			                                        : len - hlen;
			s = str_printf("%s%s {%zu}\r\n", sep, it->response, plen);
			lab_put(m->c, s, strlen(s));
			lab_put(m->c, part, plen);
			free(s);
		}
		sep = " ";
	}
	lab_put(m->c, ")\r\n", 3);
}

static int
imap_fetch(struct imap *m, struct imap_cursor *cur)
{
	const struct fetch_item *items[FETCH_ITEMS_MAX];
	bool wanted[IMAP_MAX_MESSAGES];
	char *set = NULL, *spec = NULL, *bad = NULL;
	size_t n = 0;
	int rc;

	if (!imap_space(cur) || (set = imap_string(cur)) == NULL || !imap_space(cur)) {
		rc = imap_tagged(
		    m, "BAD Error in IMAP command FETCH: give messages and items.");
	} else if (!imap_sequence(m, set, wanted)) {
		rc =
		    imap_tagged(m, "BAD Error in IMAP command FETCH: invalid message set.");
	} else if (spec = imap_rest(cur), fetch_parse(spec, items, &n, &bad) != 0) {
		lab_say(
		    m->c,
		    "%s BAD Error in IMAP command FETCH: unknown item %.64s (the lab knows "
		    "FLAGS UID RFC822.SIZE INTERNALDATE BODY[] BODY[HEADER] BODY[TEXT] "
		    "BODY.PEEK[...] RFC822 RFC822.HEADER RFC822.TEXT FAST)",
		    m->tag, bad ? bad : "(none)");
		rc = imap_send(m);
	} else {
		for (size_t i = 0; i < lab_mbox_count(); i++)
			if (wanted[i])
				fetch_one(m, i, items, n);
		lab_say(m->c, "%s OK Fetch completed.", m->tag);
		rc = imap_send(m);
	}
	free(set);
	free(spec);
	return rc;
}

static int
imap_search(struct imap *m, struct imap_cursor *cur)
{
	char *key = NULL;
	char line[128] = "* SEARCH";
	size_t used = strlen(line);
	int rc, which;

	if (!imap_space(cur) || (key = imap_string(cur)) == NULL || cur->p != cur->end) {
		rc = imap_tagged(
		    m, "BAD Error in IMAP command SEARCH: give one search key (ALL, "
		       "SEEN or UNSEEN).");
		goto out;
	}
	which = strcasecmp(key, "ALL") == 0      ? 0
	        : strcasecmp(key, "SEEN") == 0   ? 1
	        : strcasecmp(key, "UNSEEN") == 0 ? 2
	                                         : -1;
	if (which < 0) {
		rc = imap_tagged(
		    m, "BAD Error in IMAP command SEARCH: the lab knows ALL, SEEN "
		       "and UNSEEN.");
		goto out;
	}
	for (size_t i = 0; i < lab_mbox_count(); i++)
		if (which == 0 || (which == 1) == m->seen[i])
			used += (size_t)snprintf(line + used, sizeof line - used, " %zu",
			                         i + 1);
	lab_say(m->c, "%s", line);
	rc = imap_tagged(m, "OK Search completed.");
out:
	free(key);
	return rc;
}

/* UID FETCH and UID SEARCH: the lab's UIDs are the sequence numbers. */
static int
imap_uid(struct imap *m, struct imap_cursor *cur)
{
	char *word = NULL;
	int rc;

	if (!imap_space(cur) || (word = imap_string(cur)) == NULL)
		rc = imap_tagged(m, "BAD Error in IMAP command UID: give FETCH or SEARCH.");
	else if (strcasecmp(word, "FETCH") == 0 || strcasecmp(word, "SEARCH") == 0) {
		m->uid = true;
		rc = (strcasecmp(word, "FETCH") == 0 ? imap_fetch : imap_search)(m, cur);
		m->uid = false;
	} else
		rc = imap_tagged(
		    m, "BAD Error in IMAP command UID: the lab knows UID FETCH and "
		       "UID SEARCH.");
	free(word);
	return rc;
}

#define ANY (IMAP_NOAUTH | IMAP_AUTH | IMAP_SELECTED)
#define LOGGED_IN (IMAP_AUTH | IMAP_SELECTED)

static const struct {
	const char *word;
	int (*fn)(struct imap *, struct imap_cursor *);
	unsigned states;
} imap_commands[] = {
    {"CAPABILITY", imap_capability, ANY},
    {"NOOP", imap_noop, ANY},
    {"LOGOUT", imap_logout, ANY},
    {"ID", imap_id, ANY},
    {"STARTTLS", imap_starttls, IMAP_NOAUTH},
    {"LOGIN", imap_login, IMAP_NOAUTH},
    {"AUTHENTICATE", imap_authenticate, IMAP_NOAUTH},
    {"SELECT", imap_select, LOGGED_IN},
    {"EXAMINE", imap_examine, LOGGED_IN},
    {"LIST", imap_list, LOGGED_IN},
    {"FETCH", imap_fetch, IMAP_SELECTED},
    {"SEARCH", imap_search, IMAP_SELECTED},
    {"UID", imap_uid, IMAP_SELECTED},
    {"CLOSE", imap_close, IMAP_SELECTED},
    {"UNSELECT", imap_close, IMAP_SELECTED},
};

/* Why a known command cannot run in the session's state. */
static const char *
imap_state_refusal(unsigned states)
{
	if (states == IMAP_NOAUTH)
		return "is valid only before login";
	if (states == IMAP_SELECTED)
		return "needs a selected mailbox (SELECT INBOX)";
	return "needs a login first (demo/demo)";
}

/* Runs one command. Returns 0 to go on, -1 when the session ends. */
static int
imap_command(struct imap *m, const unsigned char *buf, size_t len)
{
	struct imap_cursor cur = {buf, buf + len};
	const unsigned char *t = buf;
	char *tag, *word;
	int rc = -2;

	while (t < cur.end && imap_atom_char(*t) && *t != '+')
		t++;
	if (t == buf || t >= cur.end || *t != ' ') {
		lab_say(
		    m->c,
		    "* BAD Error in IMAP command received by server: a command is a tag, "
		    "a space and a command name.");
		return imap_send(m);
	}
	tag = xmemdup(buf, (size_t)(t - buf));
	cur.p = t + 1;
	m->tag = tag;
	word = imap_string(&cur);
	for (size_t i = 0; word && i < sizeof imap_commands / sizeof imap_commands[0];
	     i++) {
		if (strcasecmp(word, imap_commands[i].word) != 0)
			continue;
		if (imap_commands[i].states & m->state) {
			rc = imap_commands[i].fn(m, &cur);
		} else {
			lab_say(m->c, "%s BAD Command %s %s.", tag, imap_commands[i].word,
			        imap_state_refusal(imap_commands[i].states));
			rc = imap_send(m);
		}
		break;
	}
	if (rc == -2) {
		lab_say_text(m->c, "%s BAD Error in IMAP command %.32s: Unknown command.",
		             tag, word ? word : "(none)");
		rc = imap_send(m);
	}
	free(word);
	free(tag);
	m->tag = NULL;
	return rc;
}

void
lab_imap_serve(struct lab_client *c)
{
	struct imap m = {.c = c, .state = IMAP_NOAUTH};
	unsigned char *cmd;
	size_t len;

	if (c->b->preauth) {
		m.state = IMAP_AUTH;
		lab_say_text(c, "* PREAUTH [CAPABILITY IMAP4rev1] %s logged in", LAB_USER);
	} else {
		char *caps = imap_capability_list(&m);
		lab_say_text(
		    c, "* OK [CAPABILITY %s] startle-lab IMAP ready (account demo/demo)",
		    caps);
		free(caps);
	}
	if (lab_send(c) != 0)
		return;
	while ((cmd = imap_read_command(&m, &len)) != NULL) {
		int rc = imap_command(&m, cmd, len);
		free(cmd);
		if (rc != 0)
			break;
	}
}
