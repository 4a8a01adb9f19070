#include <string.h>
#include <strings.h>

#include "explain.h"
#include "kb.h"

static const struct kb_entry pop3_statuses[] = {
    {"+OK", "positive response (RFC 1939 §3)"},
    {"-ERR", "negative response: the command failed (RFC 1939 §3)"},
};
KB_TABLE(kb_pop3_statuses, "POP3 status indicators", pop3_statuses);

/* Statuses whose meaning depends on the command they answer. "GREETING" stands
 * for the server's first line. */
static const struct kb_entry pop3_replies[] = {
    {"GREETING +OK", "the server is ready; log in next (RFC 1939 §4)"},
    {"GREETING -ERR", "the server refuses service (RFC 1939 §4)"},
    {"STLS +OK",
     "go ahead — from the next byte on, the client starts the TLS handshake (RFC 2595 §4)"},
    {"STLS -ERR", "the server refuses STLS; the session stays in plaintext (RFC 2595 §4)"},
    {"USER +OK", "user name accepted; PASS comes next (RFC 1939 §7)"},
    {"USER -ERR", "user name refused, or USER not allowed here (RFC 1939 §7)"},
    {"PASS +OK", "logged in; the mailbox is locked for this session (RFC 1939 §7)"},
    {"PASS -ERR", "login failed (RFC 1939 §7)"},
    {"APOP +OK", "logged in with the digest (RFC 1939 §7)"},
    {"APOP -ERR", "APOP login failed (RFC 1939 §7)"},
    {"AUTH +OK", "logged in (RFC 5034 §4)"},
    {"AUTH -ERR", "authentication failed or was cancelled (RFC 5034 §4)"},
    {"CAPA +OK",
     "the capability list follows, one per line, ending with \".\" (RFC 2449 §5)"},
    {"CAPA -ERR", "this server predates CAPA (RFC 2449 §5)"},
    {"QUIT +OK", "the session ends; deletions take effect now (RFC 1939 §6)"},
    {"STAT +OK", "number of messages and their total size in octets (RFC 1939 §5)"},
    {"LIST +OK", "message numbers and sizes (RFC 1939 §5)"},
    {"RETR +OK", "the message follows, ending with a line \".\" (RFC 1939 §5)"},
    {"DELE +OK", "message marked for deletion at QUIT (RFC 1939 §5)"},
    {"UIDL +OK", "unique ids of the messages (RFC 1939 §7)"},
    {"TOP +OK", "headers and first lines of the message follow (RFC 1939 §7)"},
};
KB_TABLE(kb_pop3_replies, "POP3 statuses in context", pop3_replies);

static const struct kb_entry pop3_codes[] = {
    {"IN-USE", "the mailbox is locked by another session (RFC 2449 §8.1)"},
    {"LOGIN-DELAY", "logging in again too soon (RFC 2449 §8.1)"},
    {"SYS", "a problem of the server, not of the user (RFC 3206)"},
    {"SYS/TEMP", "a temporary problem of the server; retry later (RFC 3206)"},
    {"SYS/PERM", "a permanent problem of the server; retrying will not help (RFC 3206)"},
    {"AUTH", "the credentials are wrong (RFC 3206)"},
};
KB_TABLE(kb_pop3_codes, "POP3 response codes", pop3_codes);

static const struct kb_entry pop3_capabilities[] = {
    {"STLS", "the server offers to upgrade this connection to TLS (RFC 2595 §4)"},
    {"USER",
     "USER/PASS login, password in plain text: safe only inside TLS (RFC 2449 §6.2)"},
    {"SASL", "login with these SASL mechanisms (RFC 5034 §3)"},
    {"TOP", "TOP shows headers and first lines of a message (RFC 2449 §6.1)"},
    {"UIDL", "UIDL gives messages unique ids (RFC 2449 §6.8)"},
    {"RESP-CODES", "-ERR lines carry [CODES] in brackets (RFC 2449 §6.4)"},
    {"PIPELINING", "the client may send several commands without waiting (RFC 2449 §6.6)"},
    {"EXPIRE", "days the server keeps retrieved messages, or NEVER (RFC 2449 §6.7)"},
    {"LOGIN-DELAY", "minimum seconds between logins (RFC 2449 §6.5)"},
    {"IMPLEMENTATION", "the server software's name (RFC 2449 §6.9)"},
    {"AUTH-RESP-CODE", "login failures carry [AUTH] or [SYS/...] codes (RFC 3206)"},
    {"UTF8", "UTF-8 mode can be switched on (RFC 6856 §2)"},
    {"LANG", "server messages in other languages (RFC 6856 §3)"},
};
KB_TABLE(kb_pop3_capabilities, "POP3 CAPA tags", pop3_capabilities);

static const struct kb_entry pop3_commands[] = {
    {"USER",
     "names the mailbox, starting a plain-text password login: safe only inside TLS "
     "(RFC 1939 §7)"},
    {"PASS", "sends the password in plain text; carries credentials, safe only inside TLS "
             "(RFC 1939 §7)"},
    {"APOP", "logs in with an MD5 digest; carries credentials crackable offline, use TLS "
             "(RFC 1939 §7)"},
    {"AUTH", "logs in with a SASL mechanism; carries credentials, safe only inside TLS "
             "(RFC 5034 §4)"},
    {"STAT", "asks for the number of messages and their total size (RFC 1939 §5)"},
    {"LIST", "lists message numbers and sizes (RFC 1939 §5)"},
    {"RETR", "retrieves a message (RFC 1939 §5)"},
    {"DELE", "marks a message for deletion at QUIT (RFC 1939 §5)"},
    {"NOOP", "does nothing; checks the connection is alive (RFC 1939 §5)"},
    {"RSET", "unmarks messages marked for deletion (RFC 1939 §5)"},
    {"QUIT", "ends the session; marked messages are deleted (RFC 1939 §6)"},
    {"TOP", "retrieves the headers and first lines of a message (RFC 1939 §7)"},
    {"UIDL", "lists the unique ids of messages (RFC 1939 §7)"},
    {"CAPA", "asks for the server's capabilities (RFC 2449 §5)"},
    {"STLS",
     "asks to upgrade this connection to TLS; on +OK the handshake starts (RFC 2595 §4)"},
    {"UTF8", "switches the session to UTF-8 (RFC 6856 §2)"},
    {"LANG", "lists or chooses the language of server messages (RFC 6856 §3)"},
    {"LAST", "obsolete: the highest message number accessed (RFC 1460)"},
};
KB_TABLE(kb_pop3_commands, "POP3 commands", pop3_commands);

const char *
explain_pop3_capability(const char *cap)
{
	return kb_text(kb_find(&kb_pop3_capabilities, cap));
}

/* Response codes are hierarchical (RFC 2449 §8): "SYS/FOO" falls back to "SYS". */
const char *
explain_pop3_code(const char *code)
{
	const struct kb_entry *e = kb_find(&kb_pop3_codes, code);
	char top[KB_WORD_MAX + 1];
	if (e != NULL || code == NULL)
		return kb_text(e);
	const char *slash = strchr(code, '/');
	if (slash == NULL || (size_t)(slash - code) >= sizeof top)
		return NULL;
	memcpy(top, code, (size_t)(slash - code));
	top[slash - code] = '\0';
	return kb_text(kb_find(&kb_pop3_codes, top));
}

const char *
explain_pop3_command(const char *command)
{
	return kb_text(kb_find(&kb_pop3_commands, command));
}

/* True if (p, len) holds a "<...@...>" timestamp, which makes APOP possible. */
static bool
pop3_has_apop_stamp(const unsigned char *p, size_t len)
{
	if (p == NULL || len == 0)
		return false;
	const unsigned char *lt = memchr(p, '<', len);
	if (lt == NULL)
		return false;
	size_t rest = len - (size_t)(lt - p);
	const unsigned char *gt = memchr(lt, '>', rest);
	return gt != NULL && memchr(lt, '@', (size_t)(gt - lt)) != NULL;
}

/* Explains a CAPA tag line ("SASL PLAIN LOGIN"). */
static char *
pop3_capa_line(const struct proto_line *line)
{
	struct kb_buf b;
	struct kb_word tag;
	size_t pos = 0;
	kb_buf_init(&b);
	if (!kb_next_word(line->data, line->len, &pos, -1, &tag))
		return NULL;
	const struct kb_entry *e = kb_find(&kb_pop3_capabilities, kb_word_key(&tag));
	kb_buf_word(&b, &tag);
	if (e == NULL) {
		kb_buf_add(&b, ": a capability startle does not know");
		return kb_buf_dup(&b);
	}
	size_t params = kb_skip_spaces(line->data, line->len, pos);
	if (params < line->len) {
		kb_buf_add(&b, " ");
		kb_buf_bytes(&b, line->data + params, line->len - params, KB_WORD_MAX);
	}
	kb_buf_addf(&b, ": %s", e->text);
	if (strcmp(e->key, "SASL") == 0)
		kb_buf_sasl_warning(&b, line->data, line->len, params);
	return kb_buf_dup(&b);
}

/* Explains a +OK / -ERR line; pos is just after the status word. */
static char *
pop3_status_line(const struct proto_line *line, const char *command,
                 const struct kb_entry *status, size_t pos)
{
	struct kb_buf b;
	struct kb_word w;
	bool ok = strcmp(status->key, "+OK") == 0;
	bool greeting = (line->flags & PROTO_LINE_GREETING) || (command == NULL && ok);
	const struct kb_entry *e =
	    kb_find_pair(&kb_pop3_replies, greeting ? "GREETING" : command, status->key);
	kb_buf_init(&b);
	if (greeting) {
		kb_buf_add(&b, "greeting");
		if (!ok)
			kb_buf_addf(&b, " %s", status->key);
	} else {
		kb_buf_add(&b, status->key);
		if (command != NULL) {
			kb_buf_add(&b, " to ");
			kb_buf_bytes(&b, (const unsigned char *)command, strlen(command),
			             KB_WORD_MAX);
		}
	}
	const char *code_text = NULL;
	bool has_code = false;
	pos = kb_skip_spaces(line->data, line->len, pos);
	if (pos < line->len && line->data[pos] == '[') {
		pos++;
		has_code = kb_next_word(line->data, line->len, &pos, ']', &w);
	}
	if (has_code)
		code_text = explain_pop3_code(kb_word_key(&w));
	if (e == NULL && code_text != NULL) {
		/* A known response code replaces the generic meaning of the status. */
		kb_buf_add(&b, " [");
		kb_buf_word(&b, &w);
		kb_buf_addf(&b, "]: %s", code_text);
		return kb_buf_dup(&b);
	}
	kb_buf_addf(&b, ": %s", e != NULL ? e->text : status->text);
	if (has_code) {
		kb_buf_add(&b, "; [");
		kb_buf_word(&b, &w);
		kb_buf_addf(&b, "]: %s",
		            code_text != NULL ? code_text
		                              : "a response code startle does not know");
	}
	if (greeting && ok && pop3_has_apop_stamp(line->data, line->len))
		kb_buf_add(&b, "; its <...> timestamp allows APOP (RFC 1939 §7)");
	return kb_buf_dup(&b);
}

char *
kb_pop3_server_line(const struct proto_line *line, const char *command)
{
	struct kb_buf b;
	struct kb_word w;
	size_t pos = 0;
	kb_buf_init(&b);
	if (line->flags & PROTO_LINE_STUFFED)
		return NULL;
	if (line->len == 1 && line->data[0] == '.') {
		if (!(line->flags & PROTO_LINE_END))
			return NULL;
		kb_buf_add(&b, ".: end of the multi-line response (RFC 1939 §3)");
		return kb_buf_dup(&b);
	}
	if (line->len > 0 && line->data[0] == '+' &&
	    (line->len == 1 || line->data[1] == ' ')) {
		kb_buf_add(
		    &b, "+: SASL challenge in base64: answer with one line, or * to cancel "
		        "(RFC 5034 §4)");
		if (line->len > 2)
			kb_sasl_prompt(&b, line->data + 2, line->len - 2);
		return kb_buf_dup(&b);
	}
	if (!kb_next_word(line->data, line->len, &pos, -1, &w))
		return NULL;
	const struct kb_entry *status = kb_find(&kb_pop3_statuses, kb_word_key(&w));
	if (status != NULL)
		return pop3_status_line(line, command, status, pos);
	if ((line->flags & PROTO_LINE_CAPS) ||
	    (command != NULL && strcasecmp(command, "CAPA") == 0))
		return pop3_capa_line(line);
	return NULL;
}

char *
kb_pop3_client_line(const unsigned char *p, size_t len)
{
	struct kb_buf b;
	struct kb_word w;
	size_t pos = 0;
	kb_buf_init(&b);
	if (!kb_next_word(p, len, &pos, -1, &w))
		return NULL;
	const struct kb_entry *e = kb_find(&kb_pop3_commands, kb_word_key(&w));
	if (e == NULL) {
		kb_buf_word(&b, &w);
		kb_buf_add(&b, ": a command startle does not know");
	} else {
		kb_buf_addf(&b, "%s: %s", e->key, e->text);
	}
	return kb_buf_dup(&b);
}
