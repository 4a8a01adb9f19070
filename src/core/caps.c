/*
 * caps: capability sets and their comparison across the upgrade.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "caps.h"
#include "escape.h"
#include "util.h"

void
caps_clear(struct capset *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->items[i]);
	c->n = 0;
	c->known = false;
}

void
caps_add(struct capset *c, const unsigned char *data, size_t len)
{
	if (c->n >= CAPS_MAX)
		return;
	/* Capabilities are compared and shown as text; escape what is not. */
	char *text = escape_bytes(data, len, ESCAPE_TEXT);
	if (text == NULL)
		fatal("out of memory");
	c->items[c->n++] = text;
}

/* The keyword of a capability: its first word, for SMTP and POP3. */
static size_t
caps_keyword_len(const char *cap)
{
	size_t n = 0;
	while (cap[n] != '\0' && cap[n] != ' ' && cap[n] != '=')
		n++;
	return n;
}

bool
caps_has(const struct capset *c, const char *keyword)
{
	size_t kl = strlen(keyword);
	for (size_t i = 0; i < c->n; i++)
		if (caps_keyword_len(c->items[i]) == kl &&
		    strncasecmp(c->items[i], keyword, kl) == 0)
			return true;
	return false;
}

bool
caps_has_exact(const struct capset *c, const char *cap)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcasecmp(c->items[i], cap) == 0)
			return true;
	return false;
}

/* Keywords whose change across the upgrade is what a careful server does:
 * the offer to upgrade goes (RFC 3207 §4.2), and login is offered only once
 * the session is encrypted (AUTH, IMAP AUTH=, POP3 SASL and USER,
 * LOGINDISABLED lifted). */
static const char *const caps_expected[] = {"STARTTLS", "STLS", "LOGINDISABLED",
                                            "AUTH",     "SASL", "USER"};

/* True for capabilities whose change across the upgrade is expected. */
static bool
caps_expected_to_change(const char *cap)
{
	size_t kl = caps_keyword_len(cap);

	for (size_t i = 0; i < sizeof caps_expected / sizeof caps_expected[0]; i++)
		if (strlen(caps_expected[i]) == kl &&
		    strncasecmp(cap, caps_expected[i], kl) == 0)
			return true;
	return false;
}

/* Appends to buf the items of a that are not in b; true if one of them is
 * not expected to change. */
static bool
caps_missing(const struct capset *a, const struct capset *b, char *buf, size_t size)
{
	size_t used = strlen(buf);
	bool unexpected = false;

	for (size_t i = 0; i < a->n; i++) {
		if (caps_has_exact(b, a->items[i]))
			continue;
		if (!caps_expected_to_change(a->items[i]))
			unexpected = true;
		/* Commas keep multi-word capabilities ("SASL PLAIN LOGIN") whole. */
		if (used < size)
			used += (size_t)snprintf(buf + used, size - used, "%s %s",
			                         used > 0 ? "," : "", a->items[i]);
	}
	return unexpected;
}

void
caps_compare(const struct capset *before, const struct capset *after,
             struct caps_change *out)
{
	memset(out, 0, sizeof(*out));
	bool added = caps_missing(after, before, out->added, sizeof(out->added));
	bool removed = caps_missing(before, after, out->removed, sizeof(out->removed));
	out->unexpected = added || removed;
}
