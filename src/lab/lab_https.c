/*
 * lab_https: the lab as an MTA-STS policy host (startle-lab mta-sts). One
 * GET per connection, answered the configured way: the policy as RFC 8461
 * §3.3 wants it, or one of the ways a sender must refuse (a redirect, 404,
 * the wrong media type, a body past 64 KiB) or outwait (a stall).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_int.h"
#include "util.h"

#define LAB_HTTPS_PATH "/.well-known/mta-sts.txt"
#define LAB_HTTPS_HEADERS_MAX 100
#define LAB_OVERSIZE (64 * 1024 + 4096)

static const char *const policy_names[LAB_POLICY_COUNT] = {
#define LAB_POLICY_NAME(sym, name, text) [LAB_POLICY_##sym] = name,
    LAB_POLICY_ANSWERS(LAB_POLICY_NAME)
#undef LAB_POLICY_NAME
};

static const char *const policy_texts[LAB_POLICY_COUNT] = {
#define LAB_POLICY_TEXT(sym, name, text) [LAB_POLICY_##sym] = text,
    LAB_POLICY_ANSWERS(LAB_POLICY_TEXT)
#undef LAB_POLICY_TEXT
};

const char *
lab_policy_answer_name(enum lab_policy_answer a)
{
	return (unsigned)a < LAB_POLICY_COUNT ? policy_names[a] : "unknown";
}

const char *
lab_policy_answer_text(enum lab_policy_answer a)
{
	return (unsigned)a < LAB_POLICY_COUNT ? policy_texts[a] : "";
}

int
lab_policy_answer_from_name(const char *name)
{
	for (int i = 0; i < LAB_POLICY_COUNT; i++)
		if (strcmp(name, policy_names[i]) == 0)
			return i;
	return -1;
}

/* Reads the request line and the headers; returns 1 with the path copied,
 * or 0 when the connection ended first. */
static int
lab_https_request(struct lab_client *c, char *path, size_t size)
{
	const unsigned char *line;
	size_t len;

	if (!lab_read_line(c, &line, &len, false))
		return 0;
	/* "GET /path HTTP/1.1": the path is between the two spaces. */
	const unsigned char *sp = memchr(line, ' ', len), *end = NULL;
	if (sp != NULL)
		end = memchr(sp + 1, ' ', len - (size_t)(sp + 1 - line));
	size_t plen = end != NULL ? (size_t)(end - sp - 1) : 0;
	if (plen >= size)
		plen = size - 1;
	memcpy(path, sp != NULL ? sp + 1 : line, plen);
	path[plen] = '\0';
	for (int i = 0; i < LAB_HTTPS_HEADERS_MAX; i++) {
		if (!lab_read_line(c, &line, &len, true))
			return 0;
		if (len == 0)
			return 1;
	}
	return 1;
}

/* The status line and headers of an answer, then its body. */
static void
lab_https_answer(struct lab_client *c, const char *status, const char *type,
                 const char *extra, const char *body, size_t len)
{
	lab_say(c, "HTTP/1.1 %s", status);
	lab_say(c, "Content-Type: %s", type);
	lab_say(c, "Content-Length: %zu", len);
	if (extra != NULL)
		lab_say(c, "%s", extra);
	lab_say(c, "Connection: close");
	lab_say(c, "%s", "");
	lab_put(c, body, len);
	lab_send(c);
}

/* The policy in chunks of 16 bytes (the last one shorter). */
static void
lab_https_chunked(struct lab_client *c, const char *body, size_t len)
{
	lab_say(c, "HTTP/1.1 200 OK");
	lab_say(c, "Content-Type: text/plain; charset=utf-8");
	lab_say(c, "Transfer-Encoding: chunked");
	lab_say(c, "Connection: close");
	lab_say(c, "%s", "");
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;
		lab_say(c, "%zx", n);
		lab_put(c, body + off, n);
		lab_say(c, "%s", "");
	}
	lab_say(c, "0");
	lab_say(c, "%s", "");
	lab_send(c);
}

/* The policy, then comment-like padding lines past 64 KiB. */
static void
lab_https_oversize(struct lab_client *c, const char *body, size_t len)
{
	size_t total = len < LAB_OVERSIZE ? LAB_OVERSIZE : len + 1;
	char *big = xmalloc(total);

	memcpy(big, body, len);
	for (size_t off = len; off < total; off += 64) {
		size_t n = total - off < 64 ? total - off : 64;
		memset(big + off, 'x', n);
		big[off + n - 1] = '\n';
		if (n > 8)
			memcpy(big + off, "padding:", 8);
	}
	lab_https_answer(c, "200 OK", "text/plain", NULL, big, total);
	free(big);
}

/* Never answers: reads until the client gives up (or the lab's limits end
 * the connection). */
static void
lab_https_stall(struct lab_client *c)
{
	const unsigned char *line;
	size_t len;

	lab_log(c, "stall: the request is never answered");
	while (lab_read_line(c, &line, &len, true))
		;
}

void
lab_https_serve(struct lab_client *c)
{
	const struct lab_policy *p = c->lab->cfg.policy;
	char path[512], location[400];

	if (!lab_https_request(c, path, sizeof path))
		return;
	if (strcmp(path, LAB_HTTPS_PATH) != 0) {
		lab_https_answer(c, "404 Not Found", "text/plain", NULL, "not here\n", 9);
		return;
	}
	switch (p->answer) {
	case LAB_POLICY_POLICY:
		lab_https_answer(c, "200 OK", "text/plain; charset=utf-8", NULL, p->body,
		                 p->len);
		break;
	case LAB_POLICY_CHUNKED:
		lab_https_chunked(c, p->body, p->len);
		break;
	case LAB_POLICY_REDIRECT:
		snprintf(location, sizeof location, "Location: https://%s/moved/mta-sts.txt",
		         p->hosts[0]);
		lab_https_answer(c, "301 Moved Permanently", "text/plain", location,
		                 "moved\n", 6);
		break;
	case LAB_POLICY_NOT_FOUND:
		lab_https_answer(c, "404 Not Found", "text/plain", NULL, "no policy\n", 10);
		break;
	case LAB_POLICY_WRONG_TYPE:
		lab_https_answer(c, "200 OK", "text/html", NULL, p->body, p->len);
		break;
	case LAB_POLICY_OVERSIZE:
		lab_https_oversize(c, p->body, p->len);
		break;
	default:
		lab_https_stall(c);
		break;
	}
}
