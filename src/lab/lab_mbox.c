#include <string.h>

#include "lab_int.h"

/* The demo mailbox. Lines end in CRLF; the header ends at the first empty
 * line. The second message has lines that start with a dot, so POP3 must
 * dot-stuff them. */
static const struct {
	const char *text;
	const char *date; /* INTERNALDATE */
	const char *uidl;
} messages[] = {
    {"Return-Path: <lab@" LAB_HOST ">\r\n"
     "Date: Mon, 01 Jan 2024 09:00:00 +0000\r\n"
     "From: startle lab <lab@" LAB_HOST ">\r\n"
     "To: demo <demo@" LAB_HOST ">\r\n"
     "Subject: Welcome to the startle lab\r\n"
     "Message-ID: <welcome@" LAB_HOST ">\r\n"
     "MIME-Version: 1.0\r\n"
     "Content-Type: text/plain; charset=us-ascii\r\n"
     "\r\n"
     "Hello demo,\r\n"
     "\r\n"
     "this mailbox belongs to startle-lab, a mail server made for learning.\r\n"
     "It speaks SMTP, IMAP and POP3, with STARTTLS or with implicit TLS, and\r\n"
     "it can misbehave on purpose: each scenario (startle-lab --list-scenarios)\r\n"
     "breaks or attacks one thing, so you can see what a client should notice.\r\n"
     "\r\n"
     "The account is demo, password demo. Nothing you do here is kept: mail\r\n"
     "sent to the lab is discarded and deleting a message only pretends.\r\n"
     "\r\n"
     "-- \r\n"
     "startle lab\r\n",
     "\"01-Jan-2024 09:00:00 +0000\"", "startle-lab-welcome"},
    {"Return-Path: <lab@" LAB_HOST ">\r\n"
     "Date: Mon, 01 Jan 2024 09:05:00 +0000\r\n"
     "From: startle lab <lab@" LAB_HOST ">\r\n"
     "To: demo <demo@" LAB_HOST ">\r\n"
     "Subject: What STARTTLS does, and what it cannot do\r\n"
     "Message-ID: <starttls@" LAB_HOST ">\r\n"
     "MIME-Version: 1.0\r\n"
     "Content-Type: text/plain; charset=us-ascii\r\n"
     "\r\n"
     "STARTTLS turns a plaintext connection into a TLS one, in place.\r\n"
     "Everything before it travels in the clear and can be changed by anyone\r\n"
     "on the path: the capability list, the go-ahead, even extra lines\r\n"
     "slipped in after it. A careful client therefore:\r\n"
     "\r\n"
     "  - refuses to go on when STARTTLS is missing, if it needs TLS;\r\n"
     "  - throws away every byte that arrived after the go-ahead;\r\n"
     "  - asks for the capabilities again once TLS is up.\r\n"
     "\r\n"
     ".A line that starts with a dot travels as two dots in POP3.\r\n"
     "The next line is a single dot, which would end the message if POP3\r\n"
     "did not stuff it:\r\n"
     ".\r\n"
     "..and this line started with two dots.\r\n",
     "\"01-Jan-2024 09:05:00 +0000\"", "startle-lab-starttls"},
    {"Return-Path: <lab@" LAB_HOST ">\r\n"
     "Date: Mon, 01 Jan 2024 09:10:00 +0000\r\n"
     "From: startle lab <lab@" LAB_HOST ">\r\n"
     "To: demo <demo@" LAB_HOST ">\r\n"
     "Subject: Gr\xc3\xbc\xc3\x9f"
     "e aus dem Labor \xe2\x80\x94 \xce\xba\xce\xb1\xce\xbb\xce"
     "\xb7\xce\xbc\xce\xad\xcf\x81\xce\xb1 \xe2\x9c\x89\r\n"
     "Message-ID: <utf8@" LAB_HOST ">\r\n"
     "MIME-Version: 1.0\r\n"
     "Content-Type: text/plain; charset=utf-8\r\n"
     "Content-Transfer-Encoding: 8bit\r\n"
     "\r\n"
     "This message has a UTF-8 subject, written as raw bytes (RFC 6532).\r\n"
     "A client that shows it correctly decodes UTF-8; one that shows \\xc3\r\n"
     "and friends is being careful with bytes it does not trust.\r\n",
     "\"01-Jan-2024 09:10:00 +0000\"", "startle-lab-utf8"},
};

size_t
lab_mbox_count(void)
{
	return sizeof messages / sizeof messages[0];
}

const char *
lab_mbox_message(size_t i, size_t *len)
{
	*len = strlen(messages[i].text);
	return messages[i].text;
}

size_t
lab_mbox_header_len(size_t i)
{
	const char *end = strstr(messages[i].text, "\r\n\r\n");

	return end ? (size_t)(end - messages[i].text) + 4 : strlen(messages[i].text);
}

const char *
lab_mbox_date(size_t i)
{
	return messages[i].date;
}

const char *
lab_mbox_uidl(size_t i)
{
	return messages[i].uidl;
}
