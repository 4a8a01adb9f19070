#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kb.h"

const struct kb_entry *
kb_find(const struct kb_table *t, const char *key)
{
	if (key == NULL || *key == '\0')
		return NULL;
	for (size_t i = 0; i < t->count; i++)
		if (strcasecmp(t->rows[i].key, key) == 0)
			return &t->rows[i];
	return NULL;
}

const struct kb_entry *
kb_find_prefix(const struct kb_table *t, const char *key)
{
	const struct kb_entry *e = kb_find(t, key);
	if (e != NULL || key == NULL)
		return e;
	const char *eq = strchr(key, '=');
	if (eq == NULL || eq == key)
		return NULL;
	size_t n = (size_t)(eq - key) + 1;
	for (size_t i = 0; i < t->count; i++) {
		const char *k = t->rows[i].key;
		if (strlen(k) == n && strncasecmp(k, key, n) == 0)
			return &t->rows[i];
	}
	return NULL;
}

const struct kb_entry *
kb_find_pair(const struct kb_table *t, const char *first, const char *second)
{
	char key[2 * KB_WORD_MAX + 2];
	if (first == NULL || second == NULL || *first == '\0' || *second == '\0')
		return NULL;
	int n = snprintf(key, sizeof key, "%s %s", first, second);
	if (n < 0 || (size_t)n >= sizeof key)
		return NULL;
	return kb_find(t, key);
}

const char *
kb_text(const struct kb_entry *e)
{
	return e != NULL ? e->text : NULL;
}

size_t
kb_skip_spaces(const unsigned char *p, size_t len, size_t pos)
{
	while (pos < len && p[pos] == ' ')
		pos++;
	return pos;
}

/* Printable ASCII other than space passes; every other byte becomes '?'. */
static char
kb_safe_char(unsigned char c)
{
	return (c > 0x20 && c < 0x7f) ? (char)c : '?';
}

bool
kb_next_word(const unsigned char *p, size_t len, size_t *pos, int stop, struct kb_word *w)
{
	size_t i = p != NULL ? kb_skip_spaces(p, len, *pos) : len;
	size_t start = i;
	w->s[0] = '\0';
	w->len = 0;
	w->cut = false;
	if (i < len) {
		const unsigned char *sp = memchr(p + i, ' ', len - i);
		size_t end = sp != NULL ? (size_t)(sp - p) : len;
		const unsigned char *st = stop < 0 ? NULL : memchr(p + i, stop, end - i);
		i = st != NULL ? (size_t)(st - p) : end;
	}
	*pos = i;
	if (i == start)
		return false;
	w->len = i - start;
	w->cut = w->len > KB_WORD_MAX;
	size_t keep = w->cut ? KB_WORD_MAX : w->len;
	for (size_t k = 0; k < keep; k++)
		w->s[k] = kb_safe_char(p[start + k]);
	w->s[keep] = '\0';
	return true;
}

bool
kb_word_is(const struct kb_word *w, const char *name)
{
	return !w->cut && w->len > 0 && strcasecmp(w->s, name) == 0;
}

const char *
kb_word_key(const struct kb_word *w)
{
	return w->cut ? "" : w->s;
}

void
kb_buf_init(struct kb_buf *b)
{
	b->s[0] = '\0';
	b->len = 0;
}

/* Marks a full buffer by ending it with "...". */
static void
kb_buf_overflow(struct kb_buf *b)
{
	memcpy(b->s + KB_BUF_CAP - 3, "...", 4);
	b->len = KB_BUF_CAP;
}

void
kb_buf_add(struct kb_buf *b, const char *text)
{
	size_t n = strlen(text);
	if (b->len >= KB_BUF_CAP)
		return;
	if (n > KB_BUF_CAP - b->len) {
		memcpy(b->s + b->len, text, KB_BUF_CAP - b->len);
		kb_buf_overflow(b);
		return;
	}
	memcpy(b->s + b->len, text, n + 1);
	b->len += n;
}

void
kb_buf_addf(struct kb_buf *b, const char *fmt, ...)
{
	char tmp[KB_BUF_CAP + 1];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	kb_buf_add(b, tmp);
}

void
kb_buf_word(struct kb_buf *b, const struct kb_word *w)
{
	kb_buf_add(b, w->s);
	if (w->cut)
		kb_buf_add(b, "...");
}

void
kb_buf_bytes(struct kb_buf *b, const unsigned char *p, size_t n, size_t max)
{
	char tmp[KB_BUF_CAP + 1];
	size_t keep = n < max ? n : max;
	if (keep > KB_BUF_CAP)
		keep = KB_BUF_CAP;
	for (size_t i = 0; i < keep; i++)
		tmp[i] = p[i] == ' ' ? ' ' : kb_safe_char(p[i]);
	tmp[keep] = '\0';
	kb_buf_add(b, tmp);
	if (keep < n)
		kb_buf_add(b, "...");
}

void
kb_buf_words(struct kb_buf *b, const char *text)
{
	char tmp[KB_BUF_CAP + 1];
	const char *ref = strstr(text, " (RFC");
	size_t n = ref != NULL ? (size_t)(ref - text) : strlen(text);
	if (n > KB_BUF_CAP)
		n = KB_BUF_CAP;
	memcpy(tmp, text, n);
	tmp[n] = '\0';
	kb_buf_add(b, tmp);
}

char *
kb_buf_dup(const struct kb_buf *b)
{
	char *s = malloc(b->len + 1);
	if (s != NULL)
		memcpy(s, b->s, b->len + 1);
	return s;
}

void
kb_buf_sasl_warning(struct kb_buf *b, const unsigned char *p, size_t len, size_t pos)
{
	static const char *const readable[] = {"PLAIN", "LOGIN"};
	bool found[2] = {false, false};
	struct kb_word w;
	while (kb_next_word(p, len, &pos, -1, &w))
		for (size_t i = 0; i < 2; i++)
			if (kb_word_is(&w, readable[i]))
				found[i] = true;
	if (found[0] && found[1])
		kb_buf_add(b, "; PLAIN and LOGIN reveal the password outside TLS");
	else if (found[0] || found[1])
		kb_buf_addf(b, "; %s reveals the password outside TLS",
		            readable[found[0] ? 0 : 1]);
}
