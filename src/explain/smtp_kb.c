#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "explain.h"
#include "kb.h"

static const struct kb_entry smtp_codes[] = {
    {"211", "system status or help reply (RFC 5321 §4.2.2)"},
    {"214", "help message meant for humans (RFC 5321 §4.2.2)"},
    {"220", "service ready (RFC 5321 §4.2.2)"},
    {"221", "the server closes the connection (RFC 5321 §4.2.2)"},
    {"235", "authentication succeeded (RFC 4954 §6)"},
    {"250", "requested action okay, completed (RFC 5321 §4.2.2)"},
    {"251", "user not local; the server will forward the message (RFC 5321 §3.4)"},
    {"252",
     "cannot verify the user, but will accept the message and try (RFC 5321 §3.5.3)"},
    {"334",
     "SASL challenge in base64: answer with one base64 line, or * to cancel (RFC 4954 §4)"},
    {"354",
     "send the message now; end it with a line holding only \".\" (RFC 5321 §4.1.1.4)"},
    {"421", "service not available; the server closes the connection (RFC 5321 §4.2.2)"},
    {"432", "a password transition is needed (RFC 4954 §6)"},
    {"450",
     "mailbox unavailable for now (busy, or greylisting); retry later (RFC 5321 §4.2.2)"},
    {"451", "aborted: local error in processing; retry later (RFC 5321 §4.2.2)"},
    {"452", "insufficient system storage, or too many recipients (RFC 5321 §4.2.2)"},
    {"454", "temporary failure: TLS or authentication not available now (RFC 3207 §4, RFC "
            "4954 §6)"},
    {"455", "the server cannot accommodate the parameters now (RFC 5321 §4.2.2)"},
    {"500", "syntax error: command unrecognised, or line too long (RFC 5321 §4.2.2)"},
    {"501", "syntax error in parameters or arguments (RFC 5321 §4.2.2)"},
    {"502", "command not implemented (RFC 5321 §4.2.4)"},
    {"503", "bad sequence of commands (RFC 5321 §4.2.2)"},
    {"504", "command parameter not implemented (RFC 5321 §4.2.2)"},
    {"521", "this host does not accept mail (RFC 7504)"},
    {"523",
     "encryption needed: this authentication mechanism requires TLS first (RFC 5248)"},
    {"530",
     "authentication required, or STARTTLS must come first (RFC 4954 §6, RFC 3207 §4)"},
    {"534", "authentication mechanism is too weak (RFC 4954 §6)"},
    {"535", "authentication credentials invalid (RFC 4954 §6)"},
    {"538", "this mechanism needs an encrypted connection first (RFC 4954 §6)"},
    {"550", "mailbox unavailable, or refused by policy (RFC 5321 §4.2.2)"},
    {"551", "user not local; try the forward-path given (RFC 5321 §3.4)"},
    {"552", "exceeded storage allocation, e.g. message too big (RFC 5321 §4.2.2)"},
    {"553", "mailbox name not allowed, e.g. bad syntax (RFC 5321 §4.2.2)"},
    {"554", "transaction failed, or no SMTP service here (RFC 5321 §4.2.2)"},
    {"555",
     "MAIL FROM/RCPT TO parameters not recognised or not implemented (RFC 5321 §4.2.2)"},
    {"556", "the recipient's domain does not accept mail (RFC 7504)"},
};
KB_TABLE(kb_smtp_codes, "SMTP reply codes", smtp_codes);

/* Replies whose meaning depends on the command they answer. "GREETING" stands
 * for the server's first reply. */
static const struct kb_entry smtp_replies[] = {
    {"GREETING 220", "the server is ready (RFC 5321 §4.2)"},
    {"GREETING 421", "the server is unavailable and closes the connection (RFC 5321 §3.1)"},
    {"GREETING 554", "no SMTP service here; the server accepts only QUIT (RFC 5321 §3.1)"},
    {"STARTTLS 220",
     "go ahead — from the next byte on, the client starts the TLS handshake (RFC 3207 §4)"},
    {"STARTTLS 454",
     "TLS not available for now; the session stays in plaintext (RFC 3207 §4)"},
    {"STARTTLS 501",
     "STARTTLS takes no parameters; the session stays in plaintext (RFC 3207 §4)"},
    {"STARTTLS 500",
     "the server does not know STARTTLS; the session stays in plaintext (RFC 5321 §4.2.2)"},
    {"STARTTLS 502",
     "STARTTLS not implemented; the session stays in plaintext (RFC 5321 §4.2.4)"},
    {"STARTTLS 503", "bad sequence (TLS already active, or no EHLO yet); nothing changes "
                     "(RFC 5321 §4.2.2)"},
    {"EHLO 250", "hello accepted; any further 250 lines name the server's extensions (RFC "
                 "5321 §4.1.1.1)"},
    {"EHLO 500", "this server does not know EHLO; fall back to HELO (RFC 5321 §3.2)"},
    {"EHLO 502", "this server does not implement EHLO; fall back to HELO (RFC 5321 §3.2)"},
    {"EHLO 501", "EHLO needs a domain name or address literal (RFC 5321 §4.1.1.1)"},
    {"HELO 250",
     "hello accepted; HELO lists no extensions, so no STARTTLS (RFC 5321 §4.1.1.1)"},
    {"AUTH 501", "the SASL answer was not valid base64, or was cancelled (RFC 4954 §4)"},
    {"AUTH 503", "already authenticated, or AUTH is not allowed now (RFC 4954 §4)"},
    {"AUTH 504", "unrecognised authentication mechanism (RFC 4954 §4)"},
    {"MAIL 250", "sender accepted (RFC 5321 §4.1.1.2)"},
    {"RCPT 250", "recipient accepted (RFC 5321 §4.1.1.3)"},
    {"DATA 250", "message accepted for delivery (RFC 5321 §4.1.1.4)"},
    {"BDAT 250", "chunk accepted (RFC 3030)"},
    {"RSET 250", "transaction reset (RFC 5321 §4.1.1.5)"},
    {"NOOP 250", "nothing done; the connection is alive (RFC 5321 §4.1.1.9)"},
    {"QUIT 221", "the server closes the connection (RFC 5321 §4.1.1.10)"},
};
KB_TABLE(kb_smtp_replies, "SMTP replies in context", smtp_replies);

static const struct kb_entry smtp_classes[] = {
    {"2", "success (RFC 3463 §2)"},
    {"4", "persistent transient failure: retrying may work (RFC 3463 §2)"},
    {"5", "permanent failure: retrying as is will not work (RFC 3463 §2)"},
};
KB_TABLE(kb_smtp_classes, "SMTP enhanced status classes", smtp_classes);

static const struct kb_entry smtp_subjects[] = {
    {"X.0", "other or undefined status (RFC 3463 §2)"},
    {"X.1", "addressing status (RFC 3463 §2)"},
    {"X.2", "mailbox status (RFC 3463 §2)"},
    {"X.3", "mail system status (RFC 3463 §2)"},
    {"X.4", "network and routing status (RFC 3463 §2)"},
    {"X.5", "mail delivery protocol status (RFC 3463 §2)"},
    {"X.6", "message content or media status (RFC 3463 §2)"},
    {"X.7", "security or policy status (RFC 3463 §2)"},
};
KB_TABLE(kb_smtp_subjects, "SMTP enhanced status subjects", smtp_subjects);

static const struct kb_entry smtp_details[] = {
    {"X.0.0", "other undefined status (RFC 3463 §3.1)"},
    {"X.1.0", "other address status (RFC 3463 §3.2)"},
    {"X.1.1", "bad destination mailbox address (RFC 3463 §3.2)"},
    {"X.1.2", "bad destination system address (RFC 3463 §3.2)"},
    {"X.1.3", "bad destination mailbox address syntax (RFC 3463 §3.2)"},
    {"X.1.4", "destination mailbox address ambiguous (RFC 3463 §3.2)"},
    {"X.1.5", "destination address valid (RFC 3463 §3.2)"},
    {"X.1.6", "destination mailbox has moved, no forwarding address (RFC 3463 §3.2)"},
    {"X.1.7", "bad sender's mailbox address syntax (RFC 3463 §3.2)"},
    {"X.1.8", "bad sender's system address (RFC 3463 §3.2)"},
    {"X.1.9", "message relayed to a non-compliant mailer (RFC 3886)"},
    {"X.1.10", "recipient address has a null MX: the domain takes no mail (RFC 7505)"},
    {"X.2.0", "other or undefined mailbox status (RFC 3463 §3.3)"},
    {"X.2.1", "mailbox disabled, not accepting messages (RFC 3463 §3.3)"},
    {"X.2.2", "mailbox full (RFC 3463 §3.3)"},
    {"X.2.3", "message length exceeds administrative limit (RFC 3463 §3.3)"},
    {"X.2.4", "mailing list expansion problem (RFC 3463 §3.3)"},
    {"X.3.0", "other or undefined mail system status (RFC 3463 §3.4)"},
    {"X.3.1", "mail system full (RFC 3463 §3.4)"},
    {"X.3.2", "system not accepting network messages (RFC 3463 §3.4)"},
    {"X.3.3", "system not capable of selected features (RFC 3463 §3.4)"},
    {"X.3.4", "message too big for system (RFC 3463 §3.4)"},
    {"X.3.5", "system incorrectly configured (RFC 3463 §3.4)"},
    {"X.3.6", "requested priority was changed (RFC 6710)"},
    {"X.4.0", "other or undefined network or routing status (RFC 3463 §3.5)"},
    {"X.4.1", "no answer from host (RFC 3463 §3.5)"},
    {"X.4.2", "bad connection (RFC 3463 §3.5)"},
    {"X.4.3", "directory server failure, e.g. DNS (RFC 3463 §3.5)"},
    {"X.4.4", "unable to route (RFC 3463 §3.5)"},
    {"X.4.5", "mail system congestion (RFC 3463 §3.5)"},
    {"X.4.6", "routing loop detected (RFC 3463 §3.5)"},
    {"X.4.7", "delivery time expired (RFC 3463 §3.5)"},
    {"X.5.0", "other or undefined protocol status (RFC 3463 §3.6)"},
    {"X.5.1", "invalid command (RFC 3463 §3.6)"},
    {"X.5.2", "syntax error (RFC 3463 §3.6)"},
    {"X.5.3", "too many recipients (RFC 3463 §3.6)"},
    {"X.5.4", "invalid command arguments (RFC 3463 §3.6)"},
    {"X.5.5", "wrong protocol version (RFC 3463 §3.6)"},
    {"X.5.6", "authentication exchange line is too long (RFC 4954 §6)"},
    {"X.6.0", "other or undefined media error (RFC 3463 §3.7)"},
    {"X.6.1", "media not supported (RFC 3463 §3.7)"},
    {"X.6.2", "conversion required and prohibited (RFC 3463 §3.7)"},
    {"X.6.3", "conversion required but not supported (RFC 3463 §3.7)"},
    {"X.6.4", "conversion with loss performed (RFC 3463 §3.7)"},
    {"X.6.5", "conversion failed (RFC 3463 §3.7)"},
    {"X.6.6", "message content not available (RFC 4468)"},
    {"X.6.7", "non-ASCII addresses not permitted for that sender or recipient (RFC 6531)"},
    {"X.6.8", "UTF-8 reply required but not permitted by the client (RFC 6531)"},
    {"X.6.9", "UTF-8 header message cannot be transferred to a recipient (RFC 6531)"},
    {"X.7.0", "other or undefined security status (RFC 3463 §3.8)"},
    {"X.7.1", "delivery not authorized, message refused (RFC 3463 §3.8)"},
    {"X.7.2", "mailing list expansion prohibited (RFC 3463 §3.8)"},
    {"X.7.3", "security conversion required but not possible (RFC 3463 §3.8)"},
    {"X.7.4", "security features not supported (RFC 3463 §3.8)"},
    {"X.7.5", "cryptographic failure (RFC 3463 §3.8)"},
    {"X.7.6", "cryptographic algorithm not supported (RFC 3463 §3.8)"},
    {"X.7.7", "message integrity failure (RFC 3463 §3.8)"},
    {"X.7.8", "authentication credentials invalid (RFC 4954 §6)"},
    {"X.7.9", "authentication mechanism is too weak (RFC 4954 §6)"},
    {"X.7.10", "encryption needed for this authentication mechanism (RFC 5248)"},
    {"X.7.11",
     "encryption required for the requested authentication mechanism (RFC 4954 §6)"},
    {"X.7.12", "a password transition is needed (RFC 4954 §6)"},
    {"X.7.13", "user account disabled (RFC 5248)"},
    {"X.7.14", "trust relationship required (RFC 5248)"},
    {"X.7.15", "priority level is too low (RFC 6710)"},
    {"X.7.16", "message is too big for the specified priority (RFC 6710)"},
    {"X.7.17", "mailbox owner has changed (RFC 7293)"},
    {"X.7.18", "domain owner has changed (RFC 7293)"},
    {"X.7.19", "RRVS test cannot be completed (RFC 7293)"},
    {"X.7.20", "no passing DKIM signature found (RFC 7372)"},
    {"X.7.21", "no acceptable DKIM signature found (RFC 7372)"},
    {"X.7.22", "no valid author-matched DKIM signature found (RFC 7372)"},
    {"X.7.23", "SPF validation failed (RFC 7372)"},
    {"X.7.24", "SPF validation error (RFC 7372)"},
    {"X.7.25", "reverse DNS validation failed (RFC 7372)"},
    {"X.7.26", "multiple authentication checks failed (RFC 7372)"},
    {"X.7.27", "sender address has a null MX (RFC 7505)"},
    {"X.7.29", "ARC validation failure (RFC 8617)"},
    {"X.7.30", "REQUIRETLS support required (RFC 8689)"},
};
KB_TABLE(kb_smtp_details, "SMTP enhanced status details", smtp_details);

static const struct kb_entry smtp_keywords[] = {
    {"PIPELINING",
     "the client may send several commands without waiting for replies (RFC 2920)"},
    {"SIZE", "the largest message the server accepts, in bytes (RFC 1870)"},
    {"STARTTLS", "the server offers to upgrade this connection to TLS (RFC 3207)"},
    {"AUTH", "login with these SASL mechanisms (RFC 4954 §3)"},
    {"AUTH=", "old non-standard form of AUTH, for early Outlook (RFC 4954 §3)"},
    {"8BITMIME", "accepts 8-bit message bodies, MAIL FROM ... BODY=8BITMIME (RFC 6152)"},
    {"SMTPUTF8", "accepts UTF-8 in addresses and headers (RFC 6531)"},
    {"CHUNKING", "accepts the message in BDAT chunks instead of DATA (RFC 3030)"},
    {"BINARYMIME", "accepts binary message bodies sent with BDAT (RFC 3030)"},
    {"DSN", "delivery status notifications: NOTIFY, RET and ENVID parameters (RFC 3461)"},
    {"ENHANCEDSTATUSCODES", "replies carry enhanced status codes such as 5.1.1 (RFC 2034)"},
    {"ETRN", "a client may ask the server to flush its queue for a domain (RFC 1985)"},
    {"VRFY", "VRFY can check whether an address exists (RFC 5321 §3.5)"},
    {"EXPN", "EXPN can expand a mailing list (RFC 5321 §3.5)"},
    {"HELP", "HELP returns help text (RFC 5321 §4.1.1.8)"},
    {"REQUIRETLS", "a message may demand TLS on every hop (RFC 8689)"},
    {"DELIVERBY", "the client may set a delivery deadline (RFC 2852)"},
    {"MT-PRIORITY", "messages may carry a priority (RFC 6710)"},
    {"FUTURERELEASE", "messages may be held and released at a later time (RFC 4865)"},
    {"NO-SOLICITING",
     "the server asks not to be sent these kinds of solicitations (RFC 3865)"},
    {"MTRK", "message tracking (RFC 3885)"},
    {"BURL", "the message may be fetched from an IMAP URL instead of sent (RFC 4468)"},
    {"LIMITS", "the server states its limits, e.g. RCPTMAX and MAILMAX (RFC 9422)"},
    {"CHECKPOINT", "interrupted transfers may resume (RFC 1845)"},
    {"RRVS", "the client may require that a mailbox has not changed owner (RFC 7293)"},
    {"SUBMITTER", "the client may name the responsible submitter (RFC 4405)"},
    {"UTF8SMTP", "an experimental forerunner of SMTPUTF8 (RFC 5336, replaced by RFC 6531)"},
    {"XCLIENT",
     "a Postfix extension (no RFC): a trusted proxy may set the client's address"},
    {"XFORWARD",
     "a Postfix extension (no RFC): a trusted filter may pass the original client"},
    {"ATRN",
     "authenticated TURN: a client may take delivery of its queued mail (RFC 2645)"},
    {"SEND", "obsolete: deliver to the user's terminal (RFC 821 §4.1.1)"},
    {"SOML", "obsolete: deliver to the user's terminal or mailbox (RFC 821 §4.1.1)"},
    {"SAML", "obsolete: deliver to the user's terminal and mailbox (RFC 821 §4.1.1)"},
    {"TURN", "obsolete and unsafe: client and server swap roles (RFC 5321 Appendix F.1)"},
    {"VERB", "a Sendmail extension (no RFC): verbose delivery traces"},
    {"ONEX", "a Sendmail extension (no RFC): only one message in this session"},
    {"XEXCH50", "a Microsoft Exchange extension (no RFC) passing internal message data"},
    {"X-LINK2STATE", "a Microsoft Exchange extension (no RFC) passing routing state"},
};
KB_TABLE(kb_smtp_keywords, "SMTP EHLO keywords", smtp_keywords);

static const struct kb_entry smtp_commands[] = {
    {"EHLO", "says hello and asks for the server's extensions (RFC 5321 §4.1.1.1)"},
    {"HELO", "old-style hello: no extension list, so no STARTTLS (RFC 5321 §4.1.1.1)"},
    {"MAIL", "starts a mail transaction and names the sender (RFC 5321 §4.1.1.2)"},
    {"RCPT", "names one recipient (RFC 5321 §4.1.1.3)"},
    {"DATA", "asks to send the message; the server answers 354 first (RFC 5321 §4.1.1.4)"},
    {"BDAT", "sends one chunk of the message, with its length (RFC 3030)"},
    {"RSET", "aborts the current mail transaction (RFC 5321 §4.1.1.5)"},
    {"VRFY", "asks whether an address exists (RFC 5321 §4.1.1.6)"},
    {"EXPN", "asks to expand a mailing list (RFC 5321 §4.1.1.7)"},
    {"HELP", "asks for help text (RFC 5321 §4.1.1.8)"},
    {"NOOP", "does nothing; checks the connection is alive (RFC 5321 §4.1.1.9)"},
    {"QUIT", "asks the server to close the connection (RFC 5321 §4.1.1.10)"},
    {"STARTTLS",
     "asks to upgrade this connection to TLS; on 220 the handshake starts (RFC 3207 §4)"},
    {"AUTH", "logs in with a SASL mechanism; carries credentials, safe only inside TLS "
             "(RFC 4954 §4)"},
    {"ETRN", "asks the server to deliver the mail queued for a domain (RFC 1985)"},
    {"ATRN", "asks to swap roles and receive queued mail, after AUTH (RFC 2645)"},
    {"TURN", "obsolete and unsafe: asks to swap roles (RFC 5321 Appendix F.1)"},
    {"SEND", "obsolete: deliver to the user's terminal (RFC 821 §4.1.1)"},
    {"SOML", "obsolete: deliver to the user's terminal or mailbox (RFC 821 §4.1.1)"},
    {"SAML", "obsolete: deliver to the user's terminal and mailbox (RFC 821 §4.1.1)"},
    {"XCLIENT",
     "a Postfix extension (no RFC): a trusted proxy sets the client's attributes"},
    {"XFORWARD",
     "a Postfix extension (no RFC): a trusted filter passes the original client"},
};
KB_TABLE(kb_smtp_commands, "SMTP commands", smtp_commands);

const char *
explain_smtp_code(int code)
{
	char key[8];
	if (code < 100 || code > 999)
		return NULL;
	snprintf(key, sizeof key, "%d", code);
	return kb_text(kb_find(&kb_smtp_codes, key));
}

const char *
explain_smtp_enhanced(int klass, int subject, int detail)
{
	char key[24];
	if ((klass != 2 && klass != 4 && klass != 5) || subject < 0 || subject > 999 ||
	    detail < 0 || detail > 999)
		return NULL;
	snprintf(key, sizeof key, "X.%d.%d", subject, detail);
	return kb_text(kb_find(&kb_smtp_details, key));
}

const char *
explain_smtp_keyword(const char *keyword)
{
	return kb_text(kb_find_prefix(&kb_smtp_keywords, keyword));
}

const char *
explain_smtp_command(const char *command)
{
	return kb_text(kb_find(&kb_smtp_commands, command));
}

/* The reply code of a line: the framer's, else three leading digits followed
 * by a space, a hyphen or the end. 0 if the line has none. */
static int
smtp_line_code(const struct proto_line *line)
{
	const unsigned char *p = line->data;
	if (line->code >= 100 && line->code <= 999)
		return line->code;
	if (p == NULL || line->len < 3)
		return 0;
	for (size_t i = 0; i < 3; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	if (line->len > 3 && p[3] != ' ' && p[3] != '-')
		return 0;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* Reads 1 to 3 digits at *pos. Returns the number, or -1. */
static int
smtp_small_number(const unsigned char *p, size_t len, size_t *pos)
{
	int n = 0;
	size_t start = *pos;
	while (*pos < len && *pos - start < 4 && p[*pos] >= '0' && p[*pos] <= '9')
		n = n * 10 + (p[(*pos)++] - '0');
	if (*pos == start || *pos - start > 3)
		return -1;
	return n;
}

struct smtp_enhanced {
	int klass, subject, detail;
};

/* Parses an enhanced status code "c.sss.ddd" at pos, followed by a space or
 * the end of the line (RFC 3463 §2). Returns true if there is one. */
static bool
smtp_parse_enhanced(const unsigned char *p, size_t len, size_t pos, struct smtp_enhanced *e)
{
	if (pos + 5 > len || p[pos] < '2' || p[pos] > '5' || p[pos + 1] != '.')
		return false;
	e->klass = p[pos] - '0';
	pos += 2;
	e->subject = smtp_small_number(p, len, &pos);
	if (e->subject < 0 || pos >= len || p[pos] != '.')
		return false;
	pos++;
	e->detail = smtp_small_number(p, len, &pos);
	return e->detail >= 0 && (pos == len || p[pos] == ' ');
}

/* True if two sentences say the same before their references: "... (RFC". */
static bool
smtp_same_words(const char *a, const char *b)
{
	const char *ra = strstr(a, " (RFC"), *rb = strstr(b, " (RFC");
	size_t na = ra != NULL ? (size_t)(ra - a) : strlen(a);
	size_t nb = rb != NULL ? (size_t)(rb - b) : strlen(b);
	return na == nb && strncasecmp(a, b, na) == 0;
}

/* Appends the explanation of an enhanced status code unless it adds nothing:
 * X.0.0, or the same words as the reply code's (said is the reply's text, or
 * NULL when the reply was explained in context). A class that disagrees with
 * the reply code is always pointed out. */
static void
smtp_add_enhanced(struct kb_buf *b, int code, const struct smtp_enhanced *e,
                  const char *said)
{
	char key[16];
	const char *detail = explain_smtp_enhanced(e->klass, e->subject, e->detail);
	bool redundant = said == NULL || (e->subject == 0 && e->detail == 0) ||
	                 (detail != NULL && smtp_same_words(detail, said));
	if (!redundant) {
		snprintf(key, sizeof key, "X.%d", e->subject);
		const char *subject = kb_text(kb_find(&kb_smtp_subjects, key));
		kb_buf_addf(b, "; %d.%d.%d: ", e->klass, e->subject, e->detail);
		if (detail != NULL) {
			kb_buf_add(b, detail);
		} else if (subject != NULL) {
			kb_buf_words(b, subject);
			kb_buf_add(b, ", a detail startle does not know (RFC 3463 §2)");
		} else {
			kb_buf_add(b, "a code startle does not know (RFC 3463 §2)");
		}
	}
	if (e->klass != code / 100)
		kb_buf_addf(b, "; its class %d disagrees with the reply code", e->klass);
}

/* Appends what a reply code means when the exact code is not in the table. */
static void
smtp_add_class(struct kb_buf *b, int code)
{
	static const char *const classes[] = {
	    [1] = "positive preliminary, unused by SMTP",
	    [2] = "positive completion",
	    [3] = "positive intermediate",
	    [4] = "transient failure",
	    [5] = "permanent failure",
	};
	int klass = code / 100;
	if (klass < 1 || klass > 5) {
		kb_buf_add(b, "not a valid reply code: the first digit must be 1 to 5 "
		              "(RFC 5321 §4.2.1)");
		return;
	}
	kb_buf_addf(b,
	            "class %d, %s; the exact code is not in startle's table "
	            "(RFC 5321 §4.2.1)",
	            klass, classes[klass]);
}

/* Explains one EHLO keyword line ("250-SIZE 10240000"). */
static char *
smtp_keyword_line(const struct proto_line *line)
{
	struct kb_buf b;
	struct kb_word kw;
	size_t pos = line->len > 4 ? 4 : line->len;
	kb_buf_init(&b);
	if (!kb_next_word(line->data, line->len, &pos, -1, &kw))
		return NULL;
	const struct kb_entry *e = kb_find_prefix(&kb_smtp_keywords, kb_word_key(&kw));
	size_t params = kb_skip_spaces(line->data, line->len, pos);
	kb_buf_word(&b, &kw);
	if (e == NULL) {
		kb_buf_add(&b, ": an extension keyword startle does not know");
		return kb_buf_dup(&b);
	}
	if (params < line->len) {
		kb_buf_add(&b, " ");
		kb_buf_bytes(&b, line->data + params, line->len - params, KB_WORD_MAX);
	}
	kb_buf_add(&b, ": ");
	if (kb_word_is(&kw, "SIZE")) {
		unsigned long long n = 0;
		size_t i = params, digits = 0;
		for (; i < line->len && line->data[i] >= '0' && line->data[i] <= '9'; i++)
			if (++digits <= 18)
				n = n * 10 + (unsigned long long)(line->data[i] - '0');
		if (digits > 18 || (i < line->len && line->data[i] != ' ')) {
			kb_buf_add(&b, e->text);
		} else if (n == 0) {
			kb_buf_add(&b,
			           "the server announces no fixed size limit (RFC 1870)");
		} else if (n >= 1024 * 1024) {
			kb_buf_addf(&b, "messages up to %.1f MiB are accepted (RFC 1870)",
			            (double)n / (1024.0 * 1024.0));
		} else {
			kb_buf_addf(&b, "messages up to %llu bytes are accepted (RFC 1870)",
			            n);
		}
		return kb_buf_dup(&b);
	}
	kb_buf_add(&b, e->text);
	if (strcasecmp(e->key, "AUTH") == 0)
		kb_buf_sasl_warning(&b, line->data, line->len, params);
	else if (strcasecmp(e->key, "AUTH=") == 0) /* "AUTH=LOGIN PLAIN" */
		kb_buf_sasl_warning(&b, line->data, line->len, pos - kw.len + 5);
	return kb_buf_dup(&b);
}

char *
kb_smtp_server_line(const struct proto_line *line, const char *command)
{
	struct kb_buf b;
	int code = smtp_line_code(line);
	bool more = line->len > 3 && line->data[3] == '-';
	bool greeting =
	    (line->flags & PROTO_LINE_GREETING) || (command == NULL && code == 220);
	kb_buf_init(&b);
	if (code == 0) {
		kb_buf_add(&b,
		           "not a reply: SMTP reply lines start with a three-digit code "
		           "(RFC 5321 §4.2)");
		return kb_buf_dup(&b);
	}
	if (line->flags & PROTO_LINE_CAPS)
		return smtp_keyword_line(line);
	bool ehlo = code == 250 && command != NULL && strcasecmp(command, "EHLO") == 0;
	if (more && !(line->flags & PROTO_LINE_END) && !ehlo)
		return NULL;

	char num[8];
	snprintf(num, sizeof num, "%d", code);
	const struct kb_entry *e =
	    kb_find_pair(&kb_smtp_replies, greeting ? "GREETING" : command, num);
	if (greeting) {
		kb_buf_add(&b, "greeting");
		if (code / 100 != 2)
			kb_buf_addf(&b, " %d", code);
	} else {
		kb_buf_add(&b, num);
		if (command != NULL) {
			kb_buf_add(&b, " to ");
			kb_buf_bytes(&b, (const unsigned char *)command, strlen(command),
			             KB_WORD_MAX);
		}
	}
	kb_buf_add(&b, ": ");
	const char *said = NULL; /* stays NULL when the reply is explained in context */
	if (e != NULL) {
		kb_buf_add(&b, e->text);
	} else if ((said = kb_text(kb_find(&kb_smtp_codes, num))) != NULL) {
		kb_buf_add(&b, said);
	} else {
		smtp_add_class(&b, code);
		said = "";
	}

	struct smtp_enhanced enh;
	size_t pos = kb_skip_spaces(line->data, line->len, 4);
	if (line->len > 4 && smtp_parse_enhanced(line->data, line->len, pos, &enh))
		smtp_add_enhanced(&b, code, &enh, said);
	else if (code == 334 && line->len > 4)
		kb_sasl_prompt(&b, line->data + 4, line->len - 4);
	return kb_buf_dup(&b);
}

char *
kb_smtp_client_line(const unsigned char *p, size_t len)
{
	struct kb_buf b;
	struct kb_word w;
	size_t pos = 0;
	kb_buf_init(&b);
	if (len == 1 && p[0] == '.') {
		kb_buf_add(&b, ".: ends the message data (RFC 5321 §4.1.1.4)");
		return kb_buf_dup(&b);
	}
	if (!kb_next_word(p, len, &pos, -1, &w))
		return NULL;
	const struct kb_entry *e = kb_find(&kb_smtp_commands, kb_word_key(&w));
	if (e == NULL) {
		kb_buf_word(&b, &w);
		kb_buf_add(&b, ": a command startle does not know");
	} else {
		kb_buf_addf(&b, "%s: %s", e->key, e->text);
	}
	return kb_buf_dup(&b);
}
