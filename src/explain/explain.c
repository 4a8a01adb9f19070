#include <stddef.h>

#include "explain.h"
#include "kb.h"

const struct kb_table *const kb_tables[] = {
    &kb_smtp_codes,          &kb_smtp_replies,        &kb_smtp_classes,
    &kb_smtp_subjects,       &kb_smtp_details,        &kb_smtp_keywords,
    &kb_smtp_commands,       &kb_imap_statuses,       &kb_imap_codes,
    &kb_imap_capabilities,   &kb_imap_commands,       &kb_imap_responses,
    &kb_imap_replies,        &kb_pop3_statuses,       &kb_pop3_codes,
    &kb_pop3_capabilities,   &kb_pop3_commands,       &kb_pop3_replies,
    &kb_tls_server_messages, &kb_tls_client_messages,
};
const size_t kb_table_count = sizeof(kb_tables) / sizeof(kb_tables[0]);

char *
explain_server_line(enum proto_id id, const struct proto_line *line, const char *command)
{
	if (line == NULL || (line->flags & PROTO_LINE_LITERAL) || line->len == 0 ||
	    line->data == NULL)
		return NULL;
	switch (id) {
	case PROTO_SMTP:
		return kb_smtp_server_line(line, command);
	case PROTO_IMAP:
		return kb_imap_server_line(line, command);
	case PROTO_POP3:
		return kb_pop3_server_line(line, command);
	}
	return NULL;
}

char *
explain_client_line(enum proto_id id, const unsigned char *line, size_t len)
{
	if (line == NULL || len == 0)
		return NULL;
	switch (id) {
	case PROTO_SMTP:
		return kb_smtp_client_line(line, len);
	case PROTO_IMAP:
		return kb_imap_client_line(line, len);
	case PROTO_POP3:
		return kb_pop3_client_line(line, len);
	}
	return NULL;
}
