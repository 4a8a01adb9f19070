#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "explain.h"
#include "../../src/explain/kb.h"

/* Explains a server line given as (bytes, len) with flags, in answer to command. */
static char *
server_n(enum proto_id id, const char *bytes, size_t len, unsigned flags,
         const char *command)
{
	struct proto_line line = {0};
	line.data = (const unsigned char *)bytes;
	line.len = len;
	line.flags = flags;
	return explain_server_line(id, &line, command);
}

static char *
server(enum proto_id id, const char *text, unsigned flags, const char *command)
{
	return server_n(id, text, strlen(text), flags, command);
}

static char *
client(enum proto_id id, const char *text)
{
	return explain_client_line(id, (const unsigned char *)text, strlen(text));
}

/* Asserts s contains every needle, then frees s. */
static void
expect_has(char *s, const char *needle1, const char *needle2)
{
	assert_non_null(s);
	if (strstr(s, needle1) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", s, needle1);
	if (needle2 != NULL && strstr(s, needle2) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", s, needle2);
	free(s);
}

static void
expect_equal(char *s, const char *want)
{
	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

/* Every byte of an explanation is printable ASCII or part of UTF-8 from our
 * own tables (the "§" and "—" signs): never a control character. */
static void
assert_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			fail_msg("control byte 0x%02x in \"%s\"", *p, s);
}

#define FLAGS_END PROTO_LINE_END
#define FLAGS_CAPS (PROTO_LINE_CAPS)
#define FLAGS_GREETING (PROTO_LINE_GREETING | PROTO_LINE_END)
#define FLAGS_UNTAGGED (PROTO_LINE_UNTAGGED)

/* ---- table lookups: SMTP ---- */

static void
test_smtp_codes_in_practice_are_all_known(void **state)
{
	(void)state;
	static const int codes[] = {211, 214, 220, 221, 235, 250, 251, 252, 334,
	                            354, 421, 432, 450, 451, 452, 454, 455, 500,
	                            501, 502, 503, 504, 521, 523, 530, 534, 535,
	                            538, 550, 551, 552, 553, 554, 555, 556};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const char *text = explain_smtp_code(codes[i]);
		if (text == NULL)
			fail_msg("code %d is not known", codes[i]);
		assert_non_null(strstr(text, "RFC"));
	}
}

static void
test_smtp_code_names_its_rfc(void **state)
{
	(void)state;
	assert_non_null(strstr(explain_smtp_code(354), "RFC 5321"));
	assert_non_null(strstr(explain_smtp_code(535), "RFC 4954"));
	assert_non_null(strstr(explain_smtp_code(556), "RFC 7504"));
}

static void
test_smtp_unknown_or_invalid_code_is_null(void **state)
{
	(void)state;
	assert_null(explain_smtp_code(299));
	assert_null(explain_smtp_code(0));
	assert_null(explain_smtp_code(-250));
	assert_null(explain_smtp_code(2500));
}

static void
test_smtp_enhanced_common_details_are_known(void **state)
{
	(void)state;
	static const int details[][2] = {
	    {1, 0}, {1, 1},  {1, 2},  {1, 5},  {1, 6},  {1, 7},  {1, 8},  {2, 0}, {2, 1},
	    {2, 2}, {3, 0},  {3, 4},  {4, 0},  {4, 1},  {4, 2},  {4, 3},  {4, 4}, {4, 7},
	    {5, 0}, {5, 1},  {5, 2},  {5, 3},  {5, 4},  {6, 0},  {7, 0},  {7, 1}, {7, 8},
	    {7, 9}, {7, 10}, {7, 11}, {7, 12}, {7, 13}, {7, 14}, {7, 30}, {0, 0},
	};
	for (size_t i = 0; i < sizeof details / sizeof details[0]; i++) {
		const char *text = explain_smtp_enhanced(5, details[i][0], details[i][1]);
		if (text == NULL)
			fail_msg("X.%d.%d is not known", details[i][0], details[i][1]);
		assert_non_null(strstr(text, "RFC"));
	}
}

static void
test_smtp_enhanced_detail_means_the_same_in_every_class(void **state)
{
	(void)state;
	const char *persistent = explain_smtp_enhanced(4, 2, 2);
	assert_non_null(persistent);
	assert_string_equal(persistent, explain_smtp_enhanced(5, 2, 2));
	assert_string_equal(persistent, explain_smtp_enhanced(2, 2, 2));
	assert_non_null(strstr(persistent, "mailbox full"));
}

static void
test_smtp_enhanced_requiretls_and_auth_codes(void **state)
{
	(void)state;
	assert_non_null(strstr(explain_smtp_enhanced(5, 7, 30), "RFC 8689"));
	assert_non_null(strstr(explain_smtp_enhanced(5, 7, 8), "RFC 4954"));
	assert_non_null(strstr(explain_smtp_enhanced(5, 1, 1), "RFC 3463 §3.2"));
}

static void
test_smtp_enhanced_bad_class_or_unknown_detail_is_null(void **state)
{
	(void)state;
	assert_null(explain_smtp_enhanced(3, 1, 1));
	assert_null(explain_smtp_enhanced(6, 1, 1));
	assert_null(explain_smtp_enhanced(5, 1, 99));
	assert_null(explain_smtp_enhanced(5, 9, 0));
	assert_null(explain_smtp_enhanced(5, -1, 1));
	assert_null(explain_smtp_enhanced(5, 1, 1000));
}

static void
test_smtp_enhanced_classes_and_subjects_are_tabled(void **state)
{
	(void)state;
	assert_non_null(strstr(kb_text(kb_find(&kb_smtp_classes, "4")), "transient"));
	assert_non_null(strstr(kb_text(kb_find(&kb_smtp_classes, "5")), "permanent"));
	assert_null(kb_find(&kb_smtp_classes, "3"));
	for (int subject = 0; subject <= 7; subject++) {
		char key[16];
		snprintf(key, sizeof key, "X.%d", subject);
		assert_non_null(kb_find(&kb_smtp_subjects, key));
	}
	assert_null(kb_find(&kb_smtp_subjects, "X.8"));
}

static void
test_smtp_ehlo_keywords_are_known(void **state)
{
	(void)state;
	static const char *const keywords[] = {
	    "PIPELINING",    "SIZE",
	    "STARTTLS",      "AUTH",
	    "8BITMIME",      "SMTPUTF8",
	    "CHUNKING",      "BINARYMIME",
	    "DSN",           "ENHANCEDSTATUSCODES",
	    "ETRN",          "VRFY",
	    "EXPN",          "HELP",
	    "REQUIRETLS",    "DELIVERBY",
	    "MT-PRIORITY",   "FUTURERELEASE",
	    "NO-SOLICITING", "MTRK",
	    "BURL",          "LIMITS",
	    "XCLIENT",       "XFORWARD",
	    "ATRN",          "SEND",
	    "SOML",          "SAML",
	    "TURN",
	};
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (explain_smtp_keyword(keywords[i]) == NULL)
			fail_msg("EHLO keyword %s is not known", keywords[i]);
	assert_non_null(strstr(explain_smtp_keyword("STARTTLS"), "RFC 3207"));
}

static void
test_smtp_keyword_lookup_ignores_case(void **state)
{
	(void)state;
	assert_non_null(explain_smtp_keyword("starttls"));
	assert_string_equal(explain_smtp_keyword("starttls"),
	                    explain_smtp_keyword("STARTTLS"));
}

static void
test_smtp_postfix_and_obsolete_keywords_say_so(void **state)
{
	(void)state;
	assert_non_null(strstr(explain_smtp_keyword("XCLIENT"), "Postfix"));
	assert_non_null(strstr(explain_smtp_keyword("XFORWARD"), "Postfix"));
	static const char *const old[] = {"SEND", "SOML", "SAML", "TURN"};
	for (size_t i = 0; i < 4; i++)
		assert_non_null(strstr(explain_smtp_keyword(old[i]), "obsolete"));
}

static void
test_smtp_unknown_keyword_is_null(void **state)
{
	(void)state;
	assert_null(explain_smtp_keyword("XFOO"));
	assert_null(explain_smtp_keyword(""));
	assert_null(explain_smtp_keyword(NULL));
	assert_null(explain_smtp_keyword("STARTTLSX"));
}

static void
test_smtp_commands_are_known(void **state)
{
	(void)state;
	static const char *const commands[] = {"EHLO", "HELO", "MAIL",     "RCPT", "DATA",
	                                       "BDAT", "RSET", "VRFY",     "EXPN", "HELP",
	                                       "NOOP", "QUIT", "STARTTLS", "AUTH", "ETRN"};
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (explain_smtp_command(commands[i]) == NULL)
			fail_msg("SMTP command %s is not known", commands[i]);
	assert_null(explain_smtp_command("XYZZY"));
	assert_null(explain_smtp_command(NULL));
}

/* ---- table lookups: IMAP ---- */

static void
test_imap_statuses_are_known(void **state)
{
	(void)state;
	static const char *const statuses[] = {"OK", "NO", "BAD", "PREAUTH", "BYE"};
	for (size_t i = 0; i < 5; i++)
		assert_non_null(strstr(explain_imap_status(statuses[i]), "RFC 9051 §7.1."));
	assert_null(explain_imap_status("MAYBE"));
}

static void
test_imap_response_codes_are_known(void **state)
{
	(void)state;
	static const char *const codes[] = {
	    "ALERT",
	    "CAPABILITY",
	    "PARSE",
	    "PERMANENTFLAGS",
	    "READ-ONLY",
	    "READ-WRITE",
	    "TRYCREATE",
	    "UIDNEXT",
	    "UIDVALIDITY",
	    "UNSEEN",
	    "APPENDUID",
	    "COPYUID",
	    "UIDNOTSTICKY",
	    "AUTHENTICATIONFAILED",
	    "AUTHORIZATIONFAILED",
	    "EXPIRED",
	    "PRIVACYREQUIRED",
	    "CONTACTADMIN",
	    "NOPERM",
	    "INUSE",
	    "EXPUNGEISSUED",
	    "CORRUPTION",
	    "SERVERBUG",
	    "CLIENTBUG",
	    "CANNOT",
	    "LIMIT",
	    "OVERQUOTA",
	    "ALREADYEXISTS",
	    "NONEXISTENT",
	    "CLOSED",
	    "HIGHESTMODSEQ",
	    "NOMODSEQ",
	};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (explain_imap_code(codes[i]) == NULL)
			fail_msg("IMAP response code %s is not known", codes[i]);
	assert_null(explain_imap_code("XWHATEVER"));
}

static void
test_imap_capabilities_are_known(void **state)
{
	(void)state;
	static const char *const caps[] = {
	    "IMAP4rev1",
	    "IMAP4rev2",
	    "STARTTLS",
	    "LOGINDISABLED",
	    "AUTH=PLAIN",
	    "AUTH=LOGIN",
	    "AUTH=XOAUTH2",
	    "AUTH=OAUTHBEARER",
	    "AUTH=SCRAM-SHA-1",
	    "AUTH=SCRAM-SHA-256",
	    "AUTH=CRAM-MD5",
	    "AUTH=GSSAPI",
	    "AUTH=EXTERNAL",
	    "AUTH=ANONYMOUS",
	    "SASL-IR",
	    "IDLE",
	    "LITERAL+",
	    "LITERAL-",
	    "ID",
	    "ENABLE",
	    "NAMESPACE",
	    "UIDPLUS",
	    "MOVE",
	    "CONDSTORE",
	    "QRESYNC",
	    "UNSELECT",
	    "CHILDREN",
	    "SPECIAL-USE",
	    "LIST-EXTENDED",
	    "LIST-STATUS",
	    "ESEARCH",
	    "SORT",
	    "THREAD=REFERENCES",
	    "QUOTA",
	    "ACL",
	    "METADATA",
	    "NOTIFY",
	    "BINARY",
	    "COMPRESS=DEFLATE",
	    "UTF8=ACCEPT",
	    "APPENDLIMIT",
	    "OBJECTID",
	    "SAVEDATE",
	    "PREVIEW",
	    "STATUS=SIZE",
	    "WITHIN",
	    "CONTEXT=SEARCH",
	    "MULTIAPPEND",
	    "URLAUTH",
	    "CATENATE",
	    "I18NLEVEL=1",
	};
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
		if (explain_imap_capability(caps[i]) == NULL)
			fail_msg("IMAP capability %s is not known", caps[i]);
	assert_non_null(strstr(explain_imap_capability("imap4rev1"), "RFC 3501"));
}

static void
test_imap_auth_with_unknown_mechanism_is_a_generic_sasl_mechanism(void **state)
{
	(void)state;
	const char *text = explain_imap_capability("AUTH=X-MADE-UP");
	assert_non_null(text);
	assert_non_null(strstr(text, "SASL"));
	assert_string_equal(text, explain_imap_capability("AUTH=SOMETHING-ELSE"));
	assert_string_not_equal(text, explain_imap_capability("AUTH=PLAIN"));
	assert_non_null(strstr(explain_imap_capability("AUTH=PLAIN"), "TLS"));
}

static void
test_imap_unknown_capability_is_null(void **state)
{
	(void)state;
	assert_null(explain_imap_capability("XFOO"));
	assert_null(explain_imap_capability("FOO=BAR"));
	assert_null(explain_imap_capability("=PLAIN"));
	assert_null(explain_imap_capability(""));
	assert_null(explain_imap_capability(NULL));
}

static void
test_imap_commands_are_known(void **state)
{
	(void)state;
	static const char *const commands[] = {
	    "CAPABILITY", "NOOP",         "LOGOUT",    "STARTTLS",    "AUTHENTICATE",
	    "LOGIN",      "ENABLE",       "SELECT",    "EXAMINE",     "CREATE",
	    "DELETE",     "RENAME",       "SUBSCRIBE", "UNSUBSCRIBE", "LIST",
	    "NAMESPACE",  "STATUS",       "APPEND",    "IDLE",        "CLOSE",
	    "UNSELECT",   "EXPUNGE",      "SEARCH",    "FETCH",       "STORE",
	    "COPY",       "MOVE",         "UID",       "ID",          "COMPRESS",
	    "GETQUOTA",   "GETQUOTAROOT", "SETQUOTA",
	};
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (explain_imap_command(commands[i]) == NULL)
			fail_msg("IMAP command %s is not known", commands[i]);
	assert_null(explain_imap_command("XYZZY"));
}

static void
test_credential_commands_say_they_need_tls(void **state)
{
	(void)state;
	const char *texts[] = {
	    explain_imap_command("LOGIN"), explain_imap_command("AUTHENTICATE"),
	    explain_smtp_command("AUTH"),  explain_pop3_command("USER"),
	    explain_pop3_command("PASS"),  explain_pop3_command("APOP"),
	    explain_pop3_command("AUTH")};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		assert_non_null(texts[i]);
		assert_non_null(strstr(texts[i], "TLS"));
	}
	assert_non_null(strstr(explain_pop3_command("PASS"), "credentials"));
	assert_non_null(strstr(explain_smtp_command("AUTH"), "credentials"));
}

/* ---- table lookups: POP3 ---- */

static void
test_pop3_capabilities_are_known(void **state)
{
	(void)state;
	static const char *const caps[] = {
	    "STLS",           "USER",       "SASL",   "TOP",         "UIDL",
	    "RESP-CODES",     "PIPELINING", "EXPIRE", "LOGIN-DELAY", "IMPLEMENTATION",
	    "AUTH-RESP-CODE", "UTF8",       "LANG"};
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
		if (explain_pop3_capability(caps[i]) == NULL)
			fail_msg("POP3 capability %s is not known", caps[i]);
	assert_non_null(strstr(explain_pop3_capability("STLS"), "RFC 2595"));
	assert_null(explain_pop3_capability("XTND"));
}

static void
test_pop3_codes_are_known_and_hierarchical(void **state)
{
	(void)state;
	static const char *const codes[] = {"IN-USE", "LOGIN-DELAY", "SYS/TEMP", "SYS/PERM",
	                                    "AUTH"};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (explain_pop3_code(codes[i]) == NULL)
			fail_msg("POP3 code %s is not known", codes[i]);
	assert_string_equal(explain_pop3_code("SYS/SOMETHING"), explain_pop3_code("SYS"));
	assert_null(explain_pop3_code("XYZ"));
	assert_null(explain_pop3_code("XYZ/ABC"));
	assert_null(explain_pop3_code("/TEMP"));
}

static void
test_pop3_commands_are_known(void **state)
{
	(void)state;
	static const char *const commands[] = {
	    "USER", "PASS", "APOP", "AUTH", "STAT", "LIST", "RETR", "DELE", "NOOP",
	    "RSET", "QUIT", "TOP",  "UIDL", "CAPA", "STLS", "UTF8", "LANG"};
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (explain_pop3_command(commands[i]) == NULL)
			fail_msg("POP3 command %s is not known", commands[i]);
	assert_null(explain_pop3_command("XTND"));
}

/* ---- every table ---- */

static void
test_every_entry_is_nonempty_and_cites_an_rfc(void **state)
{
	(void)state;
	size_t rows = 0;
	assert_true(kb_table_count >= 18);
	for (size_t t = 0; t < kb_table_count; t++) {
		const struct kb_table *table = kb_tables[t];
		assert_true(table->count > 0);
		for (size_t i = 0; i < table->count; i++, rows++) {
			const struct kb_entry *e = &table->rows[i];
			assert_non_null(e->key);
			assert_non_null(e->text);
			assert_true(strlen(e->key) > 0);
			assert_true(strlen(e->text) > 0);
			if (strstr(e->text, "RFC") == NULL)
				fail_msg("%s: %s cites no RFC", table->name, e->key);
			assert_printable(e->text);
		}
	}
	assert_true(rows > 300);
}

static void
test_no_table_has_duplicate_keys(void **state)
{
	(void)state;
	for (size_t t = 0; t < kb_table_count; t++) {
		const struct kb_table *table = kb_tables[t];
		for (size_t i = 0; i < table->count; i++)
			for (size_t j = i + 1; j < table->count; j++)
				if (strcasecmp(table->rows[i].key, table->rows[j].key) == 0)
					fail_msg("%s: duplicate key %s", table->name,
					         table->rows[i].key);
	}
}

static void
test_entries_are_short_enough_for_a_terminal_line(void **state)
{
	(void)state;
	for (size_t t = 0; t < kb_table_count; t++)
		for (size_t i = 0; i < kb_tables[t]->count; i++) {
			const struct kb_entry *e = &kb_tables[t]->rows[i];
			if (strlen(e->key) + 2 + strlen(e->text) > 110)
				fail_msg("%s: %s is too long", kb_tables[t]->name, e->key);
		}
}

/* ---- TLS 1.3 handshake messages ---- */

static void
test_tls_messages_say_what_they_prove_for_each_sender(void **state)
{
	(void)state;
	const char *cv = explain_tls_message("CertificateVerify", true);
	assert_non_null(cv);
	assert_non_null(strstr(cv, "holds the leaf's key"));
	assert_non_null(strstr(cv, "RFC 8446 §4.4.3"));
	const char *sf = explain_tls_message("Finished", true);
	const char *cf = explain_tls_message("Finished", false);
	assert_non_null(sf);
	assert_non_null(cf);
	assert_string_not_equal(sf, cf);
	assert_non_null(strstr(explain_tls_message("NewSessionTicket", true), "resume"));
	assert_null(explain_tls_message("NewSessionTicket", false));
	assert_null(explain_tls_message("NoSuchMessage", true));
	assert_null(explain_tls_message(NULL, true));
}

/* ---- SMTP server lines ---- */

static void
test_smtp_greeting_says_the_server_is_ready(void **state)
{
	(void)state;
	expect_equal(server(PROTO_SMTP, "220 mail.test ESMTP", FLAGS_GREETING, NULL),
	             "greeting: the server is ready (RFC 5321 §4.2)");
}

static void
test_smtp_greeting_554_refuses_service(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "554 5.7.1 go away", FLAGS_GREETING, NULL),
	           "greeting 554", "only QUIT");
}

static void
test_smtp_lines_before_the_last_of_a_reply_are_silent(void **state)
{
	(void)state;
	assert_null(server(PROTO_SMTP, "220-mail.test ESMTP", PROTO_LINE_GREETING, NULL));
	assert_null(server(PROTO_SMTP, "550-first line", 0, "RCPT"));
}

static void
test_smtp_starttls_220_is_the_go_ahead(void **state)
{
	(void)state;
	char *s = server(PROTO_SMTP, "220 2.0.0 Ready to start TLS", FLAGS_END, "STARTTLS");
	assert_non_null(s);
	assert_true(strncmp(s, "220 to STARTTLS: go ahead", 25) == 0);
	expect_has(s, "TLS handshake", "(RFC 3207 §4)");
}

static void
test_smtp_starttls_refusal_keeps_plaintext(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "454 4.7.0 TLS not available", FLAGS_END, "STARTTLS"),
	           "plaintext", "RFC 3207");
	expect_has(server(PROTO_SMTP, "502 5.5.1 unknown", FLAGS_END, "STARTTLS"),
	           "plaintext", NULL);
}

static void
test_smtp_ehlo_keyword_line_explains_the_keyword(void **state)
{
	(void)state;
	expect_equal(
	    server(PROTO_SMTP, "250-STARTTLS", FLAGS_CAPS, "EHLO"),
	    "STARTTLS: the server offers to upgrade this connection to TLS (RFC 3207)");
	expect_has(server(PROTO_SMTP, "250 PIPELINING", FLAGS_CAPS | FLAGS_END, "EHLO"),
	           "PIPELINING:", "RFC 2920");
}

static void
test_smtp_ehlo_size_gives_the_number(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "250-SIZE 10240000", FLAGS_CAPS, "EHLO"), "10240000",
	           "9.8 MiB");
	expect_has(server(PROTO_SMTP, "250-SIZE 1000", FLAGS_CAPS, "EHLO"), "1000 bytes",
	           "RFC 1870");
	expect_has(server(PROTO_SMTP, "250-SIZE", FLAGS_CAPS, "EHLO"),
	           "no fixed size limit", NULL);
}

static void
test_smtp_ehlo_auth_names_mechanisms_and_warns(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "250-AUTH PLAIN LOGIN", FLAGS_CAPS, "EHLO"),
	           "AUTH PLAIN LOGIN:", "PLAIN and LOGIN reveal the password outside TLS");
	char *s = server(PROTO_SMTP, "250-AUTH SCRAM-SHA-256", FLAGS_CAPS, "EHLO");
	assert_null(strstr(s, "reveal"));
	expect_has(s, "SCRAM-SHA-256", "RFC 4954");
	expect_has(server(PROTO_SMTP, "250-AUTH=LOGIN", FLAGS_CAPS, "EHLO"), "non-standard",
	           "LOGIN reveals");
}

static void
test_smtp_ehlo_unknown_keyword_is_unknown(void **state)
{
	(void)state;
	expect_equal(server(PROTO_SMTP, "250-XFOO", FLAGS_CAPS, "EHLO"),
	             "XFOO: an extension keyword startle does not know");
	expect_equal(
	    server(PROTO_SMTP, "250 XFOO with params", FLAGS_CAPS | FLAGS_END, "EHLO"),
	    "XFOO: an extension keyword startle does not know");
}

static void
test_smtp_ehlo_first_line_introduces_extensions(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "250-mail.test", 0, "EHLO"), "250 to EHLO",
	           "extensions");
}

static void
test_smtp_reply_with_enhanced_code_explains_both(void **state)
{
	(void)state;
	char *s = server(PROTO_SMTP, "550 5.1.1 <a@b>: User unknown", FLAGS_END, "RCPT");
	assert_non_null(s);
	assert_true(strncmp(s, "550 to RCPT: ", 13) == 0);
	expect_has(s, "5.1.1: bad destination mailbox", "RFC 3463 §3.2");
}

static void
test_smtp_enhanced_code_repeating_the_reply_is_not_repeated(void **state)
{
	(void)state;
	char *s =
	    server(PROTO_SMTP, "535 5.7.8 Error: authentication failed", FLAGS_END, "AUTH");
	assert_non_null(s);
	assert_null(strstr(s, "5.7.8"));
	expect_has(s, "535 to AUTH: authentication credentials invalid", NULL);
}

static void
test_smtp_enhanced_class_that_disagrees_is_pointed_out(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "250 5.1.1 odd", FLAGS_END, "RCPT"),
	           "class 5 disagrees", NULL);
}

static void
test_smtp_unknown_enhanced_detail_is_unknown(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "550 5.1.99 odd", FLAGS_END, "RCPT"),
	           "5.1.99: addressing", "does not know");
	expect_has(server(PROTO_SMTP, "550 5.9.9 odd", FLAGS_END, "RCPT"), "5.9.9",
	           "does not know");
}

static void
test_smtp_ip_address_after_code_is_not_an_enhanced_code(void **state)
{
	(void)state;
	char *s = server(PROTO_SMTP, "250 10.0.0.1 hello", FLAGS_END, "HELO");
	assert_non_null(s);
	assert_null(strstr(s, "10.0.0"));
	free(s);
}

static void
test_smtp_unknown_code_is_explained_by_its_class(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "599 what", FLAGS_END, "RCPT"), "permanent failure",
	           "not in startle's table");
	expect_has(server(PROTO_SMTP, "499 what", FLAGS_END, "RCPT"), "transient failure",
	           "not in startle's table");
	expect_has(server(PROTO_SMTP, "299 what", FLAGS_END, "RCPT"), "positive completion",
	           NULL);
	expect_has(server(PROTO_SMTP, "399 what", FLAGS_END, "DATA"), "intermediate", NULL);
	expect_has(server(PROTO_SMTP, "999 what", FLAGS_END, "DATA"),
	           "not a valid reply code", NULL);
}

static void
test_smtp_line_without_a_code_is_not_a_reply(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "hello there", FLAGS_END, NULL), "not a reply",
	           "RFC 5321");
	expect_has(server(PROTO_SMTP, "25", FLAGS_END, NULL), "not a reply", NULL);
}

static void
test_smtp_unsolicited_421_is_explained_without_command(void **state)
{
	(void)state;
	char *s = server(PROTO_SMTP, "421 4.4.2 timeout", FLAGS_END, NULL);
	assert_non_null(s);
	assert_true(strncmp(s, "421: ", 5) == 0);
	expect_has(s, "closes the connection", "4.4.2");
}

/* ---- IMAP server lines ---- */

static void
test_imap_greeting_summarises_capabilities(void **state)
{
	(void)state;
	char *s = server(PROTO_IMAP,
	                 "* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED] ready",
	                 FLAGS_GREETING | FLAGS_UNTAGGED, NULL);
	assert_non_null(s);
	assert_true(strncmp(s, "greeting: ", 10) == 0);
	assert_non_null(strstr(s, "4 capabilities"));
	expect_has(s, "STARTTLS offered", "LOGINDISABLED");
}

static void
test_imap_preauth_greeting_says_starttls_is_impossible(void **state)
{
	(void)state;
	expect_has(
	    server(PROTO_IMAP, "* PREAUTH welcome", FLAGS_GREETING | FLAGS_UNTAGGED, NULL),
	    "STARTTLS is impossible", "RFC 9051 §7.1.4");
}

static void
test_imap_capability_response_mentions_the_teaching_points(void **state)
{
	(void)state;
	expect_has(server(PROTO_IMAP, "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED",
	                  FLAGS_UNTAGGED | FLAGS_CAPS, "CAPABILITY"),
	           "STARTTLS offered", "LOGINDISABLED");
	char *s = server(PROTO_IMAP, "* CAPABILITY IMAP4rev2 AUTH=PLAIN",
	                 FLAGS_UNTAGGED | FLAGS_CAPS, "CAPABILITY");
	assert_null(strstr(s, "LOGINDISABLED"));
	expect_has(s, "2 capabilities, no STARTTLS", "RFC 9051 §7.2.2");
}

static void
test_imap_tagged_ok_to_starttls_is_the_go_ahead(void **state)
{
	(void)state;
	char *s =
	    server(PROTO_IMAP, "b OK Begin TLS negotiation now", FLAGS_END, "STARTTLS");
	assert_non_null(s);
	assert_true(strncmp(s, "OK to STARTTLS: go ahead", 24) == 0);
	expect_has(s, "TLS handshake", "RFC 9051 §6.2.1");
}

static void
test_imap_starttls_refused_keeps_plaintext(void **state)
{
	(void)state;
	expect_has(server(PROTO_IMAP, "b NO not now", FLAGS_END, "STARTTLS"),
	           "NO to STARTTLS", "plaintext");
	expect_has(server(PROTO_IMAP, "b BAD what", FLAGS_END, "STARTTLS"),
	           "BAD to STARTTLS", "plaintext");
}

static void
test_imap_tagged_line_explains_its_response_code(void **state)
{
	(void)state;
	expect_has(server(PROTO_IMAP, "c NO [AUTHENTICATIONFAILED] Authentication failed.",
	                  FLAGS_END, "LOGIN"),
	           "NO to LOGIN",
	           "[AUTHENTICATIONFAILED]: wrong user name or password (RFC 5530");
	expect_equal(
	    server(PROTO_IMAP, "d NO [NONEXISTENT] no such mailbox", FLAGS_END, "SELECT"),
	    "NO to SELECT [NONEXISTENT]: no such mailbox or object (RFC 5530 §3)");
}

static void
test_imap_unknown_response_code_is_unknown(void **state)
{
	(void)state;
	expect_has(server(PROTO_IMAP, "c NO [XWHAT] huh", FLAGS_END, "SELECT"),
	           "[XWHAT]: a response code startle does not know", "the command failed");
}

static void
test_imap_untagged_informational_line_explains_its_code(void **state)
{
	(void)state;
	expect_has(server(PROTO_IMAP, "* OK [UIDVALIDITY 3857529045] UIDs valid",
	                  FLAGS_UNTAGGED, "SELECT"),
	           "[UIDVALIDITY]:", "RFC 9051 §7.1");
	expect_has(server(PROTO_IMAP, "* BYE Autologout", FLAGS_UNTAGGED, NULL),
	           "BYE: the server is closing the connection", NULL);
}

static void
test_imap_untagged_data_responses(void **state)
{
	(void)state;
	expect_has(server(PROTO_IMAP, "* 23 EXISTS", FLAGS_UNTAGGED, "SELECT"),
	           "EXISTS:", "RFC 9051 §7.4.1");
	expect_has(
	    server(PROTO_IMAP, "* 4 FETCH (FLAGS (\\Seen))", FLAGS_UNTAGGED, "FETCH"),
	    "FETCH:", "RFC 9051");
	expect_equal(server(PROTO_IMAP, "* XFOO bar", FLAGS_UNTAGGED, NULL),
	             "XFOO: an untagged response startle does not know");
}

static void
test_imap_continuation_depends_on_the_command(void **state)
{
	(void)state;
	expect_has(server(PROTO_IMAP, "+ ", 0, "AUTHENTICATE"), "SASL challenge", NULL);
	expect_has(server(PROTO_IMAP, "+ idling", 0, "IDLE"), "DONE", NULL);
	expect_has(server(PROTO_IMAP, "+ Ready for literal data", 0, "APPEND"), "literal",
	           "RFC 9051 §7.6");
}

static void
test_imap_unknown_status_word_is_unknown(void **state)
{
	(void)state;
	expect_has(server(PROTO_IMAP, "a1 MAYBE later", FLAGS_END, "LOGIN"),
	           "MAYBE: a status startle does not know", "OK, NO or BAD");
}

static void
test_literal_lines_get_no_explanation(void **state)
{
	(void)state;
	assert_null(
	    server(PROTO_IMAP, "* OK looks like a status", PROTO_LINE_LITERAL, "FETCH"));
	assert_null(server(PROTO_SMTP, "250 OK", PROTO_LINE_LITERAL, "FETCH"));
}

/* ---- POP3 server lines ---- */

static void
test_pop3_greeting_and_apop_timestamp(void **state)
{
	(void)state;
	expect_equal(server(PROTO_POP3, "+OK Dovecot ready.", FLAGS_GREETING, NULL),
	             "greeting: the server is ready; log in next (RFC 1939 §4)");
	expect_has(server(PROTO_POP3, "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>",
	                  FLAGS_GREETING, NULL),
	           "APOP", "RFC 1939 §7");
}

static void
test_pop3_ok_to_stls_is_the_go_ahead(void **state)
{
	(void)state;
	char *s = server(PROTO_POP3, "+OK Begin TLS negotiation", FLAGS_END, "STLS");
	assert_non_null(s);
	assert_true(strncmp(s, "+OK to STLS: go ahead", 21) == 0);
	expect_has(s, "TLS handshake", "RFC 2595 §4");
}

static void
test_pop3_err_to_stls_keeps_plaintext(void **state)
{
	(void)state;
	expect_has(server(PROTO_POP3, "-ERR not now", FLAGS_END, "STLS"), "plaintext",
	           "RFC 2595");
}

static void
test_pop3_err_explains_its_response_code(void **state)
{
	(void)state;
	expect_has(server(PROTO_POP3, "-ERR [IN-USE] locked", FLAGS_END, "PASS"),
	           "login failed",
	           "[IN-USE]: the mailbox is locked by another session (RFC 2449 §8.1)");
	expect_equal(
	    server(PROTO_POP3, "-ERR [SYS/TEMP] later", FLAGS_END, "RETR"),
	    "-ERR to RETR [SYS/TEMP]: a temporary problem of the server; retry later "
	    "(RFC 3206)");
	expect_has(server(PROTO_POP3, "-ERR [XYZ] no", FLAGS_END, "RETR"),
	           "[XYZ]: a response code startle does not know", "RFC 1939");
}

static void
test_pop3_capa_tags_are_explained(void **state)
{
	(void)state;
	expect_has(server(PROTO_POP3, "STLS", FLAGS_CAPS, "CAPA"), "STLS: ", "RFC 2595");
	expect_has(server(PROTO_POP3, "SASL PLAIN LOGIN", FLAGS_CAPS, "CAPA"),
	           "SASL PLAIN LOGIN:", "reveal the password");
	expect_has(server(PROTO_POP3, "LOGIN-DELAY 900", FLAGS_CAPS, "CAPA"), "900",
	           "RFC 2449 §6.5");
	expect_equal(server(PROTO_POP3, "XFOO", FLAGS_CAPS, "CAPA"),
	             "XFOO: a capability startle does not know");
}

static void
test_pop3_multiline_body_is_silent_and_dot_ends_it(void **state)
{
	(void)state;
	assert_null(server(PROTO_POP3, "From: someone", 0, "RETR"));
	assert_null(server(PROTO_POP3, "..stuffed", PROTO_LINE_STUFFED, "RETR"));
	expect_has(server(PROTO_POP3, ".", FLAGS_END, "RETR"), "end of the multi-line",
	           "RFC 1939 §3");
}

static void
test_pop3_sasl_continuation(void **state)
{
	(void)state;
	expect_has(server(PROTO_POP3, "+ ", 0, "AUTH"), "SASL challenge", "RFC 5034");
}

/* ---- client lines ---- */

static void
test_client_command_word_is_explained(void **state)
{
	(void)state;
	expect_equal(
	    client(PROTO_SMTP, "EHLO me"),
	    "EHLO: says hello and asks for the server's extensions (RFC 5321 §4.1.1.1)");
	expect_has(client(PROTO_SMTP, "ehlo me"), "EHLO:", NULL);
	expect_has(client(PROTO_POP3, "STLS"), "STLS:", "RFC 2595");
	expect_has(client(PROTO_SMTP, "."), "ends the message data", NULL);
}

static void
test_client_imap_command_is_read_after_the_tag(void **state)
{
	(void)state;
	expect_has(client(PROTO_IMAP, "a1 STARTTLS"), "STARTTLS:", "RFC 9051 §6.2.1");
	expect_has(client(PROTO_IMAP, "LOGIN LOGOUT"), "LOGOUT:", NULL);
	expect_has(client(PROTO_IMAP, "DONE"), "DONE: ends IDLE", NULL);
}

static void
test_client_credentials_are_flagged_and_never_echoed(void **state)
{
	(void)state;
	char *s = client(PROTO_SMTP, "AUTH PLAIN c2VjcmV0c2VjcmV0");
	assert_null(strstr(s, "c2VjcmV0"));
	expect_has(s, "credentials", "TLS");
	s = client(PROTO_IMAP, "a2 LOGIN alice hunter2");
	assert_null(strstr(s, "hunter2"));
	expect_has(s, "LOGIN:", "TLS");
	s = client(PROTO_POP3, "PASS hunter2");
	assert_null(strstr(s, "hunter2"));
	expect_has(s, "credentials", "TLS");
}

static void
test_client_unknown_command_is_unknown(void **state)
{
	(void)state;
	expect_equal(client(PROTO_SMTP, "XYZZY 1"),
	             "XYZZY: a command startle does not know");
	expect_equal(client(PROTO_IMAP, "a3 XYZZY"),
	             "XYZZY: a command startle does not know");
	expect_equal(client(PROTO_POP3, "XTND XMIT"),
	             "XTND: a command startle does not know");
}

static void
test_client_empty_line_gets_nothing(void **state)
{
	(void)state;
	assert_null(explain_client_line(PROTO_SMTP, (const unsigned char *)"", 0));
	assert_null(explain_client_line(PROTO_IMAP, (const unsigned char *)"   ", 3));
	assert_null(explain_client_line(PROTO_POP3, NULL, 4));
}

/* ---- hostile bytes ---- */

static void
test_nul_inside_a_keyword_never_matches(void **state)
{
	(void)state;
	static const char line[] = "250-STARTTLS\0X";
	char *s = server_n(PROTO_SMTP, line, sizeof line - 1, FLAGS_CAPS, "EHLO");
	assert_non_null(s);
	assert_string_equal(s, "STARTTLS?X: an extension keyword startle does not know");
	free(s);

	static const char cmd[] = "EHLO\0 me";
	s = explain_client_line(PROTO_SMTP, (const unsigned char *)cmd, sizeof cmd - 1);
	expect_equal(s, "EHLO?: a command startle does not know");
}

static void
test_nul_bytes_anywhere_never_crash(void **state)
{
	(void)state;
	static const char line[] = "* OK [CAP\0ABILITY ST\0ARTTLS] \0ok";
	static const unsigned flags[] = {0, FLAGS_END, FLAGS_CAPS, FLAGS_GREETING,
	                                 FLAGS_UNTAGGED | FLAGS_END};
	static const char *const commands[] = {NULL, "STARTTLS", "EHLO", "CAPA"};
	for (int id = 0; id < PROTO_COUNT; id++)
		for (size_t f = 0; f < 5; f++)
			for (size_t c = 0; c < 4; c++)
				for (size_t len = 0; len <= sizeof line - 1; len++) {
					char *s = server_n((enum proto_id)id, line, len,
					                   flags[f], commands[c]);
					if (s != NULL)
						assert_printable(s);
					free(s);
					s = explain_client_line((enum proto_id)id,
					                        (const unsigned char *)line,
					                        len);
					if (s != NULL)
						assert_printable(s);
					free(s);
				}
}

static void
test_control_bytes_from_the_server_are_not_passed_through(void **state)
{
	(void)state;
	char *s = server(PROTO_SMTP, "250-X\x1b]52;c;aGk=\x07", FLAGS_CAPS, "EHLO");
	assert_printable(s);
	expect_has(s, "does not know", NULL);
	s = server(PROTO_IMAP, "a NO [\x1b[31m] red", FLAGS_END, "LOGIN");
	assert_printable(s);
	expect_has(s, "[?[31m]", "does not know");
}

static void
test_over_long_word_is_cut_and_unknown(void **state)
{
	(void)state;
	char line[4 + 300 + 1];
	memcpy(line, "250-STARTTLS", 12);
	memset(line + 12, 'X', sizeof line - 13);
	line[sizeof line - 1] = '\0';
	char *s = server(PROTO_SMTP, line, FLAGS_CAPS, "EHLO");
	assert_non_null(s);
	assert_true(strlen(s) < 120);
	assert_non_null(strstr(s, "..."));
	expect_has(s, "does not know", NULL);

	char cmd[200];
	memset(cmd, 'Q', sizeof cmd - 1);
	cmd[sizeof cmd - 1] = '\0';
	s = client(PROTO_POP3, cmd);
	assert_true(strlen(s) < 120);
	expect_has(s, "...: a command startle does not know", NULL);
}

static void
test_word_just_longer_than_the_cap_never_matches_by_prefix(void **state)
{
	(void)state;
	char word[KB_WORD_MAX + 2];
	memset(word, 'A', sizeof word - 1);
	memcpy(word, "AUTH=", 5);
	word[sizeof word - 1] = '\0';
	char line[sizeof word + 4];
	snprintf(line, sizeof line, "250-%s", word);
	expect_equal(
	    server(PROTO_SMTP, line, FLAGS_CAPS, "EHLO"),
	    "AUTH=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...: an extension keyword startle "
	    "does not know");
}

static void
test_huge_line_gives_a_bounded_sentence(void **state)
{
	(void)state;
	size_t len = PROTO_LINE_CAP;
	char *line = malloc(len);
	assert_non_null(line);
	memset(line, ' ', len);
	memcpy(line, "250-AUTH", 8);
	for (size_t i = 9; i + 6 < len; i += 7)
		memcpy(line + i, "PLAIN ", 6);
	char *s = server_n(PROTO_SMTP, line, len, FLAGS_CAPS, "EHLO");
	assert_non_null(s);
	assert_true(strlen(s) <= KB_BUF_CAP);
	expect_has(s, "PLAIN reveals", NULL);
	free(line);
}

static void
test_missing_line_or_empty_line_gets_nothing(void **state)
{
	(void)state;
	assert_null(explain_server_line(PROTO_SMTP, NULL, NULL));
	assert_null(server_n(PROTO_IMAP, "", 0, FLAGS_END, "LOGIN"));
	assert_null(server(PROTO_IMAP, "   ", FLAGS_END, "LOGIN"));
}

/* Asserts s lacks needle, then frees s. */
static void
expect_lacks(char *s, const char *needle)
{
	if (s != NULL && strstr(s, needle) != NULL)
		fail_msg("\"%s\" has \"%s\"", s, needle);
	free(s);
}

static void
test_smtp_334_prompts_are_decoded(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "334 VXNlcm5hbWU6", PROTO_LINE_END, "AUTH"),
	           "\"Username:\"", NULL);
	expect_has(server(PROTO_SMTP, "334 UGFzc3dvcmQ6", PROTO_LINE_END, "AUTH"),
	           "\"Password:\"", NULL);
}

static void
test_binary_or_bad_prompts_are_not_shown(void **state)
{
	(void)state;
	expect_has(server(PROTO_SMTP, "334 AAEC", PROTO_LINE_END, "AUTH"),
	           "binary challenge of 3 bytes", NULL);
	expect_lacks(server(PROTO_SMTP, "334 not*base64", PROTO_LINE_END, "AUTH"),
	             "decodes");
}

static void
test_imap_and_pop3_plus_prompts_are_decoded(void **state)
{
	(void)state;
	expect_has(server(PROTO_IMAP, "+ VXNlcm5hbWU6", PROTO_LINE_END, "AUTHENTICATE"),
	           "\"Username:\"", NULL);
	expect_lacks(server(PROTO_IMAP, "+ VXNlcm5hbWU6", PROTO_LINE_END, "APPEND"),
	             "Username");
	expect_has(server(PROTO_POP3, "+ UGFzc3dvcmQ6", PROTO_LINE_END, "AUTH"),
	           "\"Password:\"", NULL);
}

static void
test_imap_rest_after_a_literal_is_the_end_of_the_response(void **state)
{
	(void)state;
	expect_has(server(PROTO_IMAP, " FLAGS (\\Seen))",
	                  PROTO_LINE_UNTAGGED | PROTO_LINE_REST, NULL),
	           "the literal above interrupted", NULL);
	expect_lacks(server(PROTO_IMAP, ")", PROTO_LINE_UNTAGGED | PROTO_LINE_REST, NULL),
	             "tag without a status");
}

static void
test_client_answers_are_never_commands_nor_shown(void **state)
{
	struct proto_client c = {.next = PROTO_NEXT_ANSWER, .auth = true};

	(void)state;
	memcpy(c.word, "AUTH", 5);
	char *e = explain_client_part(PROTO_SMTP, &c, 8);
	expect_has(e, "answer to the server's authentication prompt", "credential");
	c.next = PROTO_NEXT_LITERAL;
	memcpy(c.word, "LOGIN", 6);
	expect_has(explain_client_part(PROTO_IMAP, &c, 4), "4 bytes of the literal",
	           "a credential");
	c.next = PROTO_NEXT_REST;
	expect_has(explain_client_part(PROTO_IMAP, &c, 0), "the rest of the LOGIN command",
	           NULL);
	c.next = PROTO_NEXT_COMMAND;
	assert_null(explain_client_part(PROTO_IMAP, &c, 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_smtp_334_prompts_are_decoded),
	    cmocka_unit_test(test_binary_or_bad_prompts_are_not_shown),
	    cmocka_unit_test(test_imap_and_pop3_plus_prompts_are_decoded),
	    cmocka_unit_test(test_imap_rest_after_a_literal_is_the_end_of_the_response),
	    cmocka_unit_test(test_client_answers_are_never_commands_nor_shown),
	    cmocka_unit_test(test_smtp_codes_in_practice_are_all_known),
	    cmocka_unit_test(test_smtp_code_names_its_rfc),
	    cmocka_unit_test(test_smtp_unknown_or_invalid_code_is_null),
	    cmocka_unit_test(test_smtp_enhanced_common_details_are_known),
	    cmocka_unit_test(test_smtp_enhanced_detail_means_the_same_in_every_class),
	    cmocka_unit_test(test_smtp_enhanced_requiretls_and_auth_codes),
	    cmocka_unit_test(test_smtp_enhanced_bad_class_or_unknown_detail_is_null),
	    cmocka_unit_test(test_smtp_enhanced_classes_and_subjects_are_tabled),
	    cmocka_unit_test(test_smtp_ehlo_keywords_are_known),
	    cmocka_unit_test(test_smtp_keyword_lookup_ignores_case),
	    cmocka_unit_test(test_smtp_postfix_and_obsolete_keywords_say_so),
	    cmocka_unit_test(test_smtp_unknown_keyword_is_null),
	    cmocka_unit_test(test_smtp_commands_are_known),
	    cmocka_unit_test(test_imap_statuses_are_known),
	    cmocka_unit_test(test_imap_response_codes_are_known),
	    cmocka_unit_test(test_imap_capabilities_are_known),
	    cmocka_unit_test(
	        test_imap_auth_with_unknown_mechanism_is_a_generic_sasl_mechanism),
	    cmocka_unit_test(test_imap_unknown_capability_is_null),
	    cmocka_unit_test(test_imap_commands_are_known),
	    cmocka_unit_test(test_credential_commands_say_they_need_tls),
	    cmocka_unit_test(test_pop3_capabilities_are_known),
	    cmocka_unit_test(test_pop3_codes_are_known_and_hierarchical),
	    cmocka_unit_test(test_pop3_commands_are_known),
	    cmocka_unit_test(test_every_entry_is_nonempty_and_cites_an_rfc),
	    cmocka_unit_test(test_tls_messages_say_what_they_prove_for_each_sender),
	    cmocka_unit_test(test_no_table_has_duplicate_keys),
	    cmocka_unit_test(test_entries_are_short_enough_for_a_terminal_line),
	    cmocka_unit_test(test_smtp_greeting_says_the_server_is_ready),
	    cmocka_unit_test(test_smtp_greeting_554_refuses_service),
	    cmocka_unit_test(test_smtp_lines_before_the_last_of_a_reply_are_silent),
	    cmocka_unit_test(test_smtp_starttls_220_is_the_go_ahead),
	    cmocka_unit_test(test_smtp_starttls_refusal_keeps_plaintext),
	    cmocka_unit_test(test_smtp_ehlo_keyword_line_explains_the_keyword),
	    cmocka_unit_test(test_smtp_ehlo_size_gives_the_number),
	    cmocka_unit_test(test_smtp_ehlo_auth_names_mechanisms_and_warns),
	    cmocka_unit_test(test_smtp_ehlo_unknown_keyword_is_unknown),
	    cmocka_unit_test(test_smtp_ehlo_first_line_introduces_extensions),
	    cmocka_unit_test(test_smtp_reply_with_enhanced_code_explains_both),
	    cmocka_unit_test(test_smtp_enhanced_code_repeating_the_reply_is_not_repeated),
	    cmocka_unit_test(test_smtp_enhanced_class_that_disagrees_is_pointed_out),
	    cmocka_unit_test(test_smtp_unknown_enhanced_detail_is_unknown),
	    cmocka_unit_test(test_smtp_ip_address_after_code_is_not_an_enhanced_code),
	    cmocka_unit_test(test_smtp_unknown_code_is_explained_by_its_class),
	    cmocka_unit_test(test_smtp_line_without_a_code_is_not_a_reply),
	    cmocka_unit_test(test_smtp_unsolicited_421_is_explained_without_command),
	    cmocka_unit_test(test_imap_greeting_summarises_capabilities),
	    cmocka_unit_test(test_imap_preauth_greeting_says_starttls_is_impossible),
	    cmocka_unit_test(test_imap_capability_response_mentions_the_teaching_points),
	    cmocka_unit_test(test_imap_tagged_ok_to_starttls_is_the_go_ahead),
	    cmocka_unit_test(test_imap_starttls_refused_keeps_plaintext),
	    cmocka_unit_test(test_imap_tagged_line_explains_its_response_code),
	    cmocka_unit_test(test_imap_unknown_response_code_is_unknown),
	    cmocka_unit_test(test_imap_untagged_informational_line_explains_its_code),
	    cmocka_unit_test(test_imap_untagged_data_responses),
	    cmocka_unit_test(test_imap_continuation_depends_on_the_command),
	    cmocka_unit_test(test_imap_unknown_status_word_is_unknown),
	    cmocka_unit_test(test_literal_lines_get_no_explanation),
	    cmocka_unit_test(test_pop3_greeting_and_apop_timestamp),
	    cmocka_unit_test(test_pop3_ok_to_stls_is_the_go_ahead),
	    cmocka_unit_test(test_pop3_err_to_stls_keeps_plaintext),
	    cmocka_unit_test(test_pop3_err_explains_its_response_code),
	    cmocka_unit_test(test_pop3_capa_tags_are_explained),
	    cmocka_unit_test(test_pop3_multiline_body_is_silent_and_dot_ends_it),
	    cmocka_unit_test(test_pop3_sasl_continuation),
	    cmocka_unit_test(test_client_command_word_is_explained),
	    cmocka_unit_test(test_client_imap_command_is_read_after_the_tag),
	    cmocka_unit_test(test_client_credentials_are_flagged_and_never_echoed),
	    cmocka_unit_test(test_client_unknown_command_is_unknown),
	    cmocka_unit_test(test_client_empty_line_gets_nothing),
	    cmocka_unit_test(test_nul_inside_a_keyword_never_matches),
	    cmocka_unit_test(test_nul_bytes_anywhere_never_crash),
	    cmocka_unit_test(test_control_bytes_from_the_server_are_not_passed_through),
	    cmocka_unit_test(test_over_long_word_is_cut_and_unknown),
	    cmocka_unit_test(test_word_just_longer_than_the_cap_never_matches_by_prefix),
	    cmocka_unit_test(test_huge_line_gives_a_bounded_sentence),
	    cmocka_unit_test(test_missing_line_or_empty_line_gets_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
