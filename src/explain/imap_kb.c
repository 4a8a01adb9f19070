#include <string.h>
#include <strings.h>

#include "explain.h"
#include "kb.h"

static const struct kb_entry imap_statuses[] = {
    {"OK", "success (RFC 9051 §7.1.1)"},
    {"NO", "the command failed (RFC 9051 §7.1.2)"},
    {"BAD", "protocol error: unknown command or wrong syntax (RFC 9051 §7.1.3)"},
    {"PREAUTH",
     "already logged in, so STARTTLS is impossible on this connection (RFC 9051 §7.1.4)"},
    {"BYE", "the server is closing the connection (RFC 9051 §7.1.5)"},
};
KB_TABLE(kb_imap_statuses, "IMAP status responses", imap_statuses);

/* Statuses whose meaning depends on the command they answer. "GREETING" stands
 * for the server's first line, "UNTAGGED" for a status not tied to a command;
 * "+" alone is a continuation request in no particular context. */
static const struct kb_entry imap_replies[] = {
    {"+", "the server waits for the rest of the command, e.g. a literal (RFC 9051 §7.6)"},
    {"GREETING OK", "the server is ready (RFC 9051 §7.1.1)"},
    {"GREETING PREAUTH",
     "already logged in, so STARTTLS is impossible on this connection (RFC 9051 §7.1.4)"},
    {"GREETING BYE", "the server refuses the connection and closes it (RFC 9051 §7.1.5)"},
    {"UNTAGGED OK", "an informational message (RFC 9051 §7.1.1)"},
    {"UNTAGGED NO", "a warning (RFC 9051 §7.1.2)"},
    {"UNTAGGED BAD",
     "a protocol error the server cannot tie to a command (RFC 9051 §7.1.3)"},
    {"STARTTLS OK", "go ahead — from the next byte on, the client starts the TLS handshake "
                    "(RFC 9051 §6.2.1)"},
    {"STARTTLS NO",
     "the server refuses STARTTLS; the session stays in plaintext (RFC 9051 §6.2.1)"},
    {"STARTTLS BAD", "STARTTLS not understood or not allowed now; the session stays in "
                     "plaintext (RFC 9051 §6.2.1)"},
    {"LOGIN OK", "logged in (RFC 9051 §6.2.3)"},
    {"LOGIN NO", "login refused (RFC 9051 §6.2.3)"},
    {"AUTHENTICATE OK", "logged in (RFC 9051 §6.2.2)"},
    {"AUTHENTICATE NO", "authentication failed (RFC 9051 §6.2.2)"},
    {"AUTHENTICATE BAD",
     "unknown mechanism, or the exchange was cancelled (RFC 9051 §6.2.2)"},
    {"AUTHENTICATE +",
     "SASL challenge in base64: answer with one line, or * to cancel (RFC 9051 §6.2.2)"},
    {"IDLE +",
     "idling: the server pushes changes until the client sends DONE (RFC 9051 §6.3.13)"},
    {"IDLE OK", "idling ended (RFC 9051 §6.3.13)"},
    {"LOGOUT BYE", "the server says goodbye before completing LOGOUT (RFC 9051 §6.1.3)"},
    {"LOGOUT OK", "logged out; the server closes the connection (RFC 9051 §6.1.3)"},
    {"CAPABILITY OK", "capability list complete (RFC 9051 §6.1.1)"},
    {"NOOP OK", "nothing done; updates arrive as untagged lines (RFC 9051 §6.1.2)"},
    {"ENABLE OK", "the extensions listed in * ENABLED are on (RFC 9051 §6.3.1)"},
};
KB_TABLE(kb_imap_replies, "IMAP statuses in context", imap_replies);

static const struct kb_entry imap_codes[] = {
    {"ALERT", "a message the user must see (RFC 9051 §7.1)"},
    {"ALREADYEXISTS", "the mailbox already exists (RFC 5530 §3)"},
    {"APPENDUID", "UIDVALIDITY and UID of the appended message (RFC 4315)"},
    {"AUTHENTICATIONFAILED", "wrong user name or password (RFC 5530 §3)"},
    {"AUTHORIZATIONFAILED",
     "authenticated, but not allowed to act as that user (RFC 5530 §3)"},
    {"BADCHARSET", "the search charset is not supported (RFC 9051 §7.1)"},
    {"BADURL", "a URL in CATENATE could not be used (RFC 4469)"},
    {"CANNOT", "the operation violates a server rule (RFC 5530 §3)"},
    {"CAPABILITY", "the server's capabilities (RFC 9051 §7.1)"},
    {"CLIENTBUG", "the server thinks the client misbehaves (RFC 5530 §3)"},
    {"CLOSED", "the previously selected mailbox is now closed (RFC 7162)"},
    {"COMPRESSIONACTIVE", "compression is already active (RFC 4978)"},
    {"CONTACTADMIN", "contact the administrator (RFC 5530 §3)"},
    {"COPYUID", "UIDs of the copied messages in the target mailbox (RFC 4315)"},
    {"CORRUPTION", "the server found corrupt data (RFC 5530 §3)"},
    {"EXPIRED", "the credentials or the account have expired (RFC 5530 §3)"},
    {"EXPUNGEISSUED", "another session expunged messages meanwhile (RFC 5530 §3)"},
    {"HASCHILDREN", "the mailbox has children (RFC 9051 §7.1)"},
    {"HIGHESTMODSEQ", "the highest modification sequence of the mailbox (RFC 7162)"},
    {"INUSE", "the resource is in use by another session (RFC 5530 §3)"},
    {"LIMIT", "a server limit was reached (RFC 5530 §3)"},
    {"MAILBOXID", "the object id of the mailbox (RFC 8474)"},
    {"METADATA", "a METADATA limit was hit (RFC 5464)"},
    {"MODIFIED", "messages changed since UNCHANGEDSINCE were not stored (RFC 7162)"},
    {"NOMODSEQ", "the mailbox keeps no modification sequences (RFC 7162)"},
    {"NONEXISTENT", "no such mailbox or object (RFC 5530 §3)"},
    {"NOPERM", "no permission for this operation (RFC 5530 §3)"},
    {"NOTSAVED", "no saved search result (RFC 5182)"},
    {"NOUPDATE", "the server will not update this context (RFC 5267)"},
    {"OVERQUOTA", "a quota is exceeded (RFC 5530 §3)"},
    {"PARSE", "the server could not parse a message's headers or MIME (RFC 9051 §7.1)"},
    {"PERMANENTFLAGS", "flags the client may change permanently (RFC 9051 §7.1)"},
    {"PRIVACYREQUIRED", "the operation needs privacy, such as TLS (RFC 5530 §3)"},
    {"READ-ONLY", "the mailbox is selected read-only (RFC 9051 §7.1)"},
    {"READ-WRITE", "the mailbox is selected read-write (RFC 9051 §7.1)"},
    {"REFERRAL", "the mailbox or login lives on another server (RFC 2193, RFC 2221)"},
    {"SERVERBUG", "the server hit an internal bug (RFC 5530 §3)"},
    {"TOOBIG", "the message would be too big (RFC 4469)"},
    {"TRYCREATE", "the target mailbox does not exist; create it first (RFC 9051 §7.1)"},
    {"UIDNEXT", "the UID the next new message will get (RFC 9051 §7.1)"},
    {"UIDNOTSTICKY", "UIDs in this mailbox are not kept across sessions (RFC 4315)"},
    {"UIDVALIDITY", "when this changes, cached UIDs are void (RFC 9051 §7.1)"},
    {"UNAVAILABLE", "temporary failure: a back-end is unavailable (RFC 5530 §3)"},
    {"UNKNOWN-CTE",
     "the server cannot decode this content transfer encoding (RFC 9051 §7.1)"},
    {"UNSEEN", "the number of the first unseen message (RFC 3501 §7.1)"},
    {"USEATTR", "the special-use attribute is not supported (RFC 6154)"},
};
KB_TABLE(kb_imap_codes, "IMAP response codes", imap_codes);

static const struct kb_entry imap_capabilities[] = {
    {"IMAP4rev1", "the IMAP4rev1 protocol (RFC 3501)"},
    {"IMAP4rev2", "the IMAP4rev2 protocol (RFC 9051)"},
    {"IMAP4", "the old IMAP4 protocol (RFC 1730)"},
    {"STARTTLS", "the server offers to upgrade this connection to TLS (RFC 9051 §6.2.1)"},
    {"LOGINDISABLED",
     "LOGIN is refused on this connection, typically until TLS (RFC 9051 §6.2.3)"},
    {"AUTH=", "the server accepts this SASL mechanism with AUTHENTICATE (RFC 9051 §6.2.2)"},
    {"AUTH=PLAIN",
     "user name and password in base64, readable: safe only inside TLS (RFC 4616)"},
    {"AUTH=LOGIN",
     "user name and password in base64, readable: safe only inside TLS (no RFC)"},
    {"AUTH=XOAUTH2",
     "an OAuth 2.0 token, Google's mechanism (no RFC); safe only inside TLS"},
    {"AUTH=OAUTHBEARER", "an OAuth 2.0 bearer token; safe only inside TLS (RFC 7628)"},
    {"AUTH=SCRAM-SHA-1",
     "salted challenge-response: the password never crosses the wire (RFC 5802)"},
    {"AUTH=SCRAM-SHA-1-PLUS", "SCRAM-SHA-1 bound to the TLS channel (RFC 5802)"},
    {"AUTH=SCRAM-SHA-256", "salted challenge-response with SHA-256 (RFC 7677)"},
    {"AUTH=SCRAM-SHA-256-PLUS", "SCRAM-SHA-256 bound to the TLS channel (RFC 7677)"},
    {"AUTH=CRAM-MD5", "challenge-response with MD5; weak and deprecated (RFC 2195)"},
    {"AUTH=DIGEST-MD5", "digest challenge-response; historic (RFC 2831, RFC 6331)"},
    {"AUTH=GSSAPI", "Kerberos login (RFC 4752)"},
    {"AUTH=EXTERNAL",
     "identity from outside SASL, e.g. a TLS client certificate (RFC 4422)"},
    {"AUTH=ANONYMOUS", "login without credentials (RFC 4505)"},
    {"AUTH=NTLM", "Microsoft NTLM login (no RFC)"},
    {"SASL-IR", "the first SASL response may go on the AUTHENTICATE line (RFC 4959)"},
    {"IDLE", "the server can push mailbox changes while the client waits (RFC 2177)"},
    {"LITERAL+", "non-synchronizing literals {n+} of any size (RFC 7888)"},
    {"LITERAL-", "non-synchronizing literals up to 4096 bytes (RFC 7888)"},
    {"ID", "client and server may exchange names and versions (RFC 2971)"},
    {"ENABLE", "extensions can be switched on with ENABLE (RFC 5161)"},
    {"NAMESPACE", "NAMESPACE shows personal, shared and other users' folders (RFC 2342)"},
    {"UIDPLUS", "APPEND and COPY report the new UIDs; UID EXPUNGE (RFC 4315)"},
    {"MOVE", "messages can be moved atomically (RFC 6851)"},
    {"CONDSTORE", "conditional STORE and modification sequences (RFC 7162)"},
    {"QRESYNC", "quick mailbox resynchronisation (RFC 7162)"},
    {"UNSELECT", "UNSELECT closes the mailbox without expunging (RFC 3691)"},
    {"CHILDREN", "LIST marks mailboxes that have children (RFC 3348)"},
    {"SPECIAL-USE", "LIST marks special mailboxes such as \\Sent and \\Trash (RFC 6154)"},
    {"CREATE-SPECIAL-USE", "CREATE may set a special use (RFC 6154)"},
    {"LIST-EXTENDED", "extended LIST selection and return options (RFC 5258)"},
    {"LIST-STATUS", "LIST can return STATUS data too (RFC 5819)"},
    {"LIST-MYRIGHTS", "LIST can return your rights too (RFC 8440)"},
    {"ESEARCH", "extended SEARCH results: MIN, MAX, COUNT, ALL (RFC 4731)"},
    {"SEARCHRES", "search results can be saved and reused as $ (RFC 5182)"},
    {"SORT", "the server can sort messages (RFC 5256)"},
    {"SORT=DISPLAY", "sorting by display names (RFC 5957)"},
    {"THREAD=", "the server can thread messages with this algorithm (RFC 5256)"},
    {"QUOTA", "quota usage and limits can be queried (RFC 9208)"},
    {"QUOTA=", "this quota resource type is supported (RFC 9208)"},
    {"QUOTASET", "the client may set quotas (RFC 9208)"},
    {"ACL", "access control lists on mailboxes (RFC 4314)"},
    {"RIGHTS=", "extra access rights are supported (RFC 4314)"},
    {"METADATA", "annotations on mailboxes and the server (RFC 5464)"},
    {"METADATA-SERVER", "annotations on the server only (RFC 5464)"},
    {"NOTIFY", "the client chooses which events the server pushes (RFC 5465)"},
    {"BINARY", "messages can be fetched and appended in binary (RFC 3516)"},
    {"COMPRESS=DEFLATE", "the connection can be compressed with DEFLATE (RFC 4978)"},
    {"UTF8=ACCEPT", "UTF-8 in mailbox names and headers, after ENABLE (RFC 6855)"},
    {"UTF8=ONLY", "the server requires UTF-8 mode (RFC 6855)"},
    {"APPENDLIMIT", "the largest message APPEND accepts (RFC 7889)"},
    {"APPENDLIMIT=", "the largest message APPEND accepts, in bytes (RFC 7889)"},
    {"OBJECTID", "stable ids for mailboxes and messages (RFC 8474)"},
    {"SAVEDATE", "the date a message was saved can be fetched (RFC 8514)"},
    {"PREVIEW", "short previews of messages can be fetched (RFC 8970)"},
    {"STATUS=SIZE", "STATUS can report a mailbox's size (RFC 8438)"},
    {"WITHIN", "SEARCH by age: OLDER and YOUNGER (RFC 5032)"},
    {"CONTEXT=SEARCH", "search results can be kept up to date (RFC 5267)"},
    {"CONTEXT=SORT", "sort results can be kept up to date (RFC 5267)"},
    {"ESORT", "extended SORT results (RFC 5267)"},
    {"MULTIAPPEND", "several messages in one APPEND (RFC 3502)"},
    {"URLAUTH", "authorized IMAP URLs, for BURL submission (RFC 4467)"},
    {"URL-PARTIAL", "URLs may name part of a message (RFC 5550)"},
    {"CATENATE", "APPEND can build a message from parts and URLs (RFC 4469)"},
    {"I18NLEVEL=", "internationalised searching and sorting at this level (RFC 5255)"},
    {"LANGUAGE", "server messages in other languages (RFC 5255)"},
    {"CONVERT", "server-side conversion of message parts (RFC 5259)"},
    {"FILTERS", "named search filters (RFC 5466)"},
    {"SEARCH=FUZZY", "fuzzy search with relevancy scores (RFC 6203)"},
    {"UNAUTHENTICATE", "log out to the not-authenticated state without closing (RFC 8437)"},
    {"REPLACE", "replace a message in one step (RFC 8508)"},
    {"MAILBOX-REFERRALS", "mailboxes may live on other servers (RFC 2193)"},
    {"LOGIN-REFERRALS", "the server may refer the login to another server (RFC 2221)"},
    {"PARTIAL", "paged SEARCH and FETCH results (RFC 9394)"},
    {"UIDONLY", "the client may use UIDs only, no sequence numbers (RFC 9586)"},
    {"ANNOTATE-EXPERIMENT-1", "per-message annotations (RFC 5257)"},
    {"XLIST", "Gmail's old way to mark special folders (no RFC; SPECIAL-USE is RFC 6154)"},
    {"X-GM-EXT-1", "Gmail extensions: labels, thread and message ids (no RFC)"},
};
KB_TABLE(kb_imap_capabilities, "IMAP capabilities", imap_capabilities);

static const struct kb_entry imap_commands[] = {
    {"CAPABILITY", "asks what the server supports (RFC 9051 §6.1.1)"},
    {"NOOP", "does nothing; lets the server send updates (RFC 9051 §6.1.2)"},
    {"LOGOUT", "ends the session (RFC 9051 §6.1.3)"},
    {"STARTTLS", "asks to upgrade this connection to TLS; on OK the handshake starts (RFC "
                 "9051 §6.2.1)"},
    {"AUTHENTICATE", "logs in with a SASL mechanism; carries credentials, safe only inside "
                     "TLS (RFC 9051 §6.2.2)"},
    {"LOGIN",
     "sends user name and password in plain text; safe only inside TLS (RFC 9051 §6.2.3)"},
    {"ENABLE", "switches on extensions (RFC 9051 §6.3.1)"},
    {"SELECT", "opens a mailbox for reading and writing (RFC 9051 §6.3.2)"},
    {"EXAMINE", "opens a mailbox read-only (RFC 9051 §6.3.3)"},
    {"CREATE", "creates a mailbox (RFC 9051 §6.3.4)"},
    {"DELETE", "deletes a mailbox (RFC 9051 §6.3.5)"},
    {"RENAME", "renames a mailbox (RFC 9051 §6.3.6)"},
    {"SUBSCRIBE", "adds a mailbox to the subscription list (RFC 9051 §6.3.7)"},
    {"UNSUBSCRIBE", "removes a mailbox from the subscription list (RFC 9051 §6.3.8)"},
    {"LIST", "lists mailbox names (RFC 9051 §6.3.9)"},
    {"NAMESPACE",
     "asks for the personal, shared and other users' namespaces (RFC 9051 §6.3.10)"},
    {"STATUS", "asks for a mailbox's counters without selecting it (RFC 9051 §6.3.11)"},
    {"APPEND", "adds a message to a mailbox (RFC 9051 §6.3.12)"},
    {"IDLE", "waits for the server to push changes; end it with DONE (RFC 9051 §6.3.13)"},
    {"DONE", "ends IDLE (RFC 9051 §6.3.13)"},
    {"CLOSE", "closes the mailbox and expunges deleted messages (RFC 9051 §6.4.1)"},
    {"UNSELECT", "closes the mailbox without expunging (RFC 9051 §6.4.2)"},
    {"EXPUNGE", "removes the messages flagged \\Deleted (RFC 9051 §6.4.3)"},
    {"SEARCH", "finds messages matching criteria (RFC 9051 §6.4.4)"},
    {"FETCH", "retrieves message data (RFC 9051 §6.4.5)"},
    {"STORE", "changes message flags (RFC 9051 §6.4.6)"},
    {"COPY", "copies messages to another mailbox (RFC 9051 §6.4.7)"},
    {"MOVE", "moves messages to another mailbox (RFC 9051 §6.4.8)"},
    {"UID",
     "runs the next command with UIDs instead of sequence numbers (RFC 9051 §6.4.9)"},
    {"CHECK", "asks for a checkpoint of the mailbox (RFC 3501 §6.4.1)"},
    {"LSUB", "lists subscribed mailboxes (RFC 3501 §6.3.9)"},
    {"ID", "exchanges client and server names and versions (RFC 2971)"},
    {"COMPRESS", "starts compressing the connection (RFC 4978)"},
    {"GETQUOTA", "asks for a quota root's usage and limits (RFC 9208)"},
    {"GETQUOTAROOT", "asks which quota roots apply to a mailbox (RFC 9208)"},
    {"SETQUOTA", "sets a quota's limits (RFC 9208)"},
    {"GETACL", "asks for a mailbox's access control list (RFC 4314)"},
    {"SETACL", "grants rights on a mailbox (RFC 4314)"},
    {"DELETEACL", "removes rights on a mailbox (RFC 4314)"},
    {"LISTRIGHTS", "asks which rights may be granted (RFC 4314)"},
    {"MYRIGHTS", "asks for your rights on a mailbox (RFC 4314)"},
    {"GETMETADATA", "reads annotations (RFC 5464)"},
    {"SETMETADATA", "writes annotations (RFC 5464)"},
    {"SORT", "returns messages in sorted order (RFC 5256)"},
    {"THREAD", "returns messages grouped into threads (RFC 5256)"},
    {"NOTIFY", "chooses which events the server pushes (RFC 5465)"},
    {"UNAUTHENTICATE", "returns to the not-authenticated state (RFC 8437)"},
    {"REPLACE", "replaces a message in one step (RFC 8508)"},
    {"XLIST", "Gmail's old LIST with special-use flags (no RFC)"},
};
KB_TABLE(kb_imap_commands, "IMAP commands", imap_commands);

static const struct kb_entry imap_responses[] = {
    {"CAPABILITY", "what the server supports (RFC 9051 §7.2.2)"},
    {"ENABLED", "extensions now enabled (RFC 9051 §7.2.1)"},
    {"LIST", "one mailbox name, with attributes and hierarchy delimiter (RFC 9051 §7.3.1)"},
    {"LSUB", "one subscribed mailbox (RFC 3501 §7.2.3)"},
    {"NAMESPACE", "personal, other users' and shared namespaces (RFC 9051 §7.3.2)"},
    {"STATUS", "counters of one mailbox (RFC 9051 §7.3.3)"},
    {"ESEARCH", "search results (RFC 9051 §7.3.4)"},
    {"SEARCH", "message numbers that match a search (RFC 3501 §7.2.5)"},
    {"FLAGS", "flags defined in the selected mailbox (RFC 9051 §7.3.5)"},
    {"EXISTS", "number of messages in the mailbox (RFC 9051 §7.4.1)"},
    {"RECENT", "number of messages new since the last session (RFC 3501 §7.3.2)"},
    {"EXPUNGE", "a message was removed; later numbers shift down by one (RFC 9051 §7.5.1)"},
    {"FETCH", "data about one message (RFC 9051 §7.5.2)"},
    {"ID", "the server's name and version (RFC 2971)"},
    {"QUOTA", "usage and limits of a quota root (RFC 9208)"},
    {"QUOTAROOT", "the quota roots of a mailbox (RFC 9208)"},
    {"ACL", "access rights on a mailbox (RFC 4314)"},
    {"MYRIGHTS", "your rights on a mailbox (RFC 4314)"},
    {"LISTRIGHTS", "rights that may be granted (RFC 4314)"},
    {"METADATA", "annotations of a mailbox or the server (RFC 5464)"},
    {"VANISHED", "UIDs of removed messages (RFC 7162)"},
    {"SORT", "message numbers in sorted order (RFC 5256)"},
    {"THREAD", "messages grouped into threads (RFC 5256)"},
    {"XLIST", "one mailbox with Gmail's special-use flags (no RFC)"},
};
KB_TABLE(kb_imap_responses, "IMAP untagged responses", imap_responses);

const char *
explain_imap_capability(const char *cap)
{
	return kb_text(kb_find_prefix(&kb_imap_capabilities, cap));
}

const char *
explain_imap_code(const char *code)
{
	return kb_text(kb_find(&kb_imap_codes, code));
}

const char *
explain_imap_command(const char *command)
{
	return kb_text(kb_find(&kb_imap_commands, command));
}

const char *
explain_imap_status(const char *status)
{
	return kb_text(kb_find(&kb_imap_statuses, status));
}

/* Appends a summary of the capability atoms from pos up to ']' or the end of
 * the line: how many, and the teaching points STARTTLS and LOGINDISABLED. */
static void
imap_add_caps_summary(struct kb_buf *b, const unsigned char *p, size_t len, size_t pos)
{
	struct kb_word w;
	size_t count = 0;
	bool starttls = false, logindisabled = false;
	while (kb_next_word(p, len, &pos, ']', &w)) {
		count++;
		starttls = starttls || kb_word_is(&w, "STARTTLS");
		logindisabled = logindisabled || kb_word_is(&w, "LOGINDISABLED");
	}
	kb_buf_addf(b, "%zu capabilit%s", count, count == 1 ? "y" : "ies");
	kb_buf_add(b, starttls ? ", STARTTLS offered" : ", no STARTTLS");
	if (logindisabled)
		kb_buf_add(b, ", LOGINDISABLED (no LOGIN yet)");
}

/* Finds a response code "[CODE ...]" at pos (after spaces). Returns true and
 * fills w with CODE and *args with the position after it. */
static bool
imap_code_at(const unsigned char *p, size_t len, size_t pos, struct kb_word *w,
             size_t *args)
{
	pos = kb_skip_spaces(p, len, pos);
	if (pos >= len || p[pos] != '[')
		return false;
	pos++;
	if (!kb_next_word(p, len, &pos, ']', w))
		return false;
	*args = pos;
	return true;
}

/* Appends lead and "[CODE]: text" for the response code w whose arguments
 * start at args. After "; " a capability list is only summarised. */
static void
imap_add_code(struct kb_buf *b, const struct proto_line *line, const struct kb_word *w,
              size_t args, const char *lead)
{
	bool tail = strcmp(lead, "; ") == 0;
	kb_buf_add(b, lead);
	if (kb_word_is(w, "CAPABILITY") && tail) {
		imap_add_caps_summary(b, line->data, line->len, args);
		return;
	}
	kb_buf_add(b, "[");
	kb_buf_word(b, w);
	kb_buf_add(b, "]: ");
	if (kb_word_is(w, "CAPABILITY")) {
		imap_add_caps_summary(b, line->data, line->len, args);
		kb_buf_add(b, " (RFC 9051 §7.1)");
		return;
	}
	const char *text = explain_imap_code(kb_word_key(w));
	kb_buf_add(b, text != NULL ? text : "a response code startle does not know");
}

/* Explains a status response (tagged, or untagged after "*") whose status
 * word is w and whose text starts at pos. A known response code replaces the
 * generic meaning of the status; a meaning in context is kept. */
static char *
imap_status_line(const struct proto_line *line, const char *command, bool untagged,
                 const struct kb_word *w, size_t pos)
{
	struct kb_buf b;
	struct kb_word code;
	size_t args = 0;
	const struct kb_entry *status = kb_find(&kb_imap_statuses, kb_word_key(w));
	kb_buf_init(&b);
	if (status == NULL) {
		kb_buf_word(&b, w);
		kb_buf_add(&b, ": a status startle does not know; expected OK, NO or BAD "
		               "(RFC 9051 §7.1)");
		return kb_buf_dup(&b);
	}
	bool has_code = imap_code_at(line->data, line->len, pos, &code, &args);
	bool known_code = has_code && (kb_word_is(&code, "CAPABILITY") ||
	                               explain_imap_code(kb_word_key(&code)) != NULL);
	bool greeting = untagged && ((line->flags & PROTO_LINE_GREETING) ||
	                             strcmp(status->key, "PREAUTH") == 0);
	const struct kb_entry *e = NULL;
	if (greeting) {
		e = kb_find_pair(&kb_imap_replies, "GREETING", status->key);
		kb_buf_add(&b, "greeting");
		if (strcmp(status->key, "OK") != 0)
			kb_buf_addf(&b, " %s", status->key);
	} else if (untagged && strcmp(status->key, "BYE") != 0) {
		/* An informational OK/NO/BAD: its response code says the most. */
		if (known_code) {
			imap_add_code(&b, line, &code, args, "");
			return kb_buf_dup(&b);
		}
		e = kb_find_pair(&kb_imap_replies, "UNTAGGED", status->key);
		kb_buf_add(&b, status->key);
	} else {
		if (command != NULL)
			e = kb_find_pair(&kb_imap_replies, command, status->key);
		kb_buf_add(&b, status->key);
		if (command != NULL && !untagged) {
			kb_buf_add(&b, " to ");
			kb_buf_bytes(&b, (const unsigned char *)command, strlen(command),
			             KB_WORD_MAX);
		}
	}
	if (e == NULL && known_code) {
		imap_add_code(&b, line, &code, args, " ");
		return kb_buf_dup(&b);
	}
	kb_buf_add(&b, ": ");
	kb_buf_add(&b, e != NULL ? e->text : status->text);
	if (has_code)
		imap_add_code(&b, line, &code, args, "; ");
	return kb_buf_dup(&b);
}

/* True if the word is a number, as in "* 23 EXISTS". */
static bool
imap_is_number(const struct kb_word *w)
{
	if (w->cut || w->len == 0)
		return false;
	for (size_t i = 0; i < w->len; i++)
		if (w->s[i] < '0' || w->s[i] > '9')
			return false;
	return true;
}

/* Explains an untagged line; pos is just after the "*". */
static char *
imap_untagged_line(const struct proto_line *line, const char *command, size_t pos)
{
	struct kb_buf b;
	struct kb_word w;
	kb_buf_init(&b);
	if (!kb_next_word(line->data, line->len, &pos, -1, &w))
		return NULL;
	if (kb_find(&kb_imap_statuses, kb_word_key(&w)) != NULL)
		return imap_status_line(line, command, true, &w, pos);
	if (imap_is_number(&w) && !kb_next_word(line->data, line->len, &pos, -1, &w))
		return NULL;
	if (kb_word_is(&w, "CAPABILITY")) {
		kb_buf_add(&b, "CAPABILITY: ");
		imap_add_caps_summary(&b, line->data, line->len, pos);
		kb_buf_add(&b, " (RFC 9051 §7.2.2)");
		return kb_buf_dup(&b);
	}
	const struct kb_entry *e = kb_find(&kb_imap_responses, kb_word_key(&w));
	if (e == NULL) {
		kb_buf_word(&b, &w);
		kb_buf_add(&b, ": an untagged response startle does not know");
	} else {
		kb_buf_addf(&b, "%s: %s", e->key, e->text);
	}
	return kb_buf_dup(&b);
}

char *
kb_imap_server_line(const struct proto_line *line, const char *command)
{
	struct kb_buf b;
	struct kb_word w;
	size_t pos = 0;
	kb_buf_init(&b);
	if (line->len > 0 && line->data[0] == '+') {
		const struct kb_entry *e = NULL;
		if (command != NULL)
			e = kb_find_pair(&kb_imap_replies, command, "+");
		if (e == NULL)
			e = kb_find(&kb_imap_replies, "+");
		kb_buf_addf(&b, "+: %s", e->text);
		if (command != NULL && strcasecmp(command, "AUTHENTICATE") == 0 &&
		    line->len > 2)
			kb_sasl_prompt(&b, line->data + 2, line->len - 2);
		return kb_buf_dup(&b);
	}
	if (!kb_next_word(line->data, line->len, &pos, -1, &w))
		return NULL;
	if (kb_word_is(&w, "*"))
		return imap_untagged_line(line, command, pos);
	if (line->flags & PROTO_LINE_REST) {
		kb_buf_add(&b, "the end of the response that the literal above interrupted "
		               "(RFC 9051 §4.3)");
		return kb_buf_dup(&b);
	}
	if (!kb_next_word(line->data, line->len, &pos, -1, &w)) {
		kb_buf_add(
		    &b, "a tag without a status: expected OK, NO or BAD (RFC 9051 §7.1)");
		return kb_buf_dup(&b);
	}
	return imap_status_line(line, command, false, &w, pos);
}

char *
kb_imap_client_line(const unsigned char *p, size_t len)
{
	struct kb_buf b;
	struct kb_word first, second;
	size_t pos = 0;
	kb_buf_init(&b);
	if (!kb_next_word(p, len, &pos, -1, &first))
		return NULL;
	bool tagged = kb_next_word(p, len, &pos, -1, &second);
	const struct kb_entry *e = NULL;
	if (tagged)
		e = kb_find(&kb_imap_commands, kb_word_key(&second));
	if (e == NULL) /* an untagged line: DONE, or a command typed without a tag */
		e = kb_find(&kb_imap_commands, kb_word_key(&first));
	if (e != NULL) {
		kb_buf_addf(&b, "%s: %s", e->key, e->text);
	} else if (!tagged && kb_word_is(&first, "*")) {
		kb_buf_add(&b, "*: cancels the SASL exchange (RFC 9051 §6.2.2)");
	} else {
		kb_buf_word(&b, tagged ? &second : &first);
		kb_buf_add(&b, ": a command startle does not know");
	}
	return kb_buf_dup(&b);
}
