/*
 * libFuzzer target for startle's other parsers of untrusted or user-given
 * text: the first byte picks one; the rest is its input. Checked beyond "no
 * crash": escaping must produce no control byte and be idempotent on its own
 * output's safety; a theme or lesson that fails to parse must leave its
 * output untouched (theme) or free (lesson); explanations must be NUL-free
 * strings; TLS handshake messages (hsmsg.h) must read within their bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "escape.h"
#include "explain.h"
#include "hsmsg.h"
#include "lesson.h"
#include "script.h"
#include "target.h"
#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_escape(const uint8_t *d, size_t n)
{
	char *text = escape_bytes(d, n, ESCAPE_TEXT);
	char *json = escape_bytes(d, n, ESCAPE_JSON);

	/* What escaping produces is safe to show: nothing needs escaping again. */
	if (text == NULL || json == NULL ||
	    escape_needed((const unsigned char *)text, strlen(text)))
		abort();
	for (const char *p = json; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	free(text);
	free(json);
}

static void
fuzz_theme(const uint8_t *d, size_t n)
{
	struct theme t, before;
	char *cause = NULL;

	theme_default(&t);
	before = t;
	if (theme_parse(&t, (const char *)d, n, "fuzz.theme", &cause) != 0) {
		if (cause == NULL || memcmp(&t, &before, sizeof t) != 0)
			abort();
		free(cause);
	}
}

static void
fuzz_lesson(const uint8_t *d, size_t n)
{
	struct lesson l;
	char *cause = NULL;

	if (lesson_parse((const char *)d, n, "fuzz.lesson", &l, &cause) == 0)
		lesson_free(&l);
	else if (cause == NULL)
		abort();
	free(cause);
}

static void
fuzz_target(const uint8_t *d, size_t n)
{
	char *text = strndup((const char *)d, n);
	struct target t;
	char *cause = NULL;

	if (target_parse(text, -1, -1, &t, &cause) == 0) {
		if (t.port == 0 || t.host[0] == '\0')
			abort();
	} else if (cause == NULL) {
		abort();
	}
	free(cause);
	free(text);
}

static void
fuzz_explain(const uint8_t *d, size_t n)
{
	if (n < 2)
		return;
	enum proto_id id = (enum proto_id)(d[0] % PROTO_COUNT);
	struct proto_line line = {
	    .data = d + 2, .len = n - 2, .flags = d[1], .code = d[1] * 3};
	char *e = explain_server_line(id, &line, (d[1] & 1) ? "EHLO" : NULL);
	if (e != NULL && strlen(e) == 0)
		abort();
	free(e);
	e = explain_client_line(id, d + 2, n - 2);
	free(e);
}

static void
fuzz_command(const uint8_t *d, size_t n)
{
	char *text = strndup((const char *)d, n);
	struct command_parse p;

	command_parse(text, &p);
	if (p.result == COMMAND_RUN && p.cmd == NULL)
		abort();
	free(text);
}

/* A script: every step it yields is a line without CR or LF, or the upgrade. */
static void
fuzz_script(const uint8_t *d, size_t n)
{
	struct script sc = {0};
	char *cause = NULL;

	if (script_parse(&sc, (const char *)d, n, "fuzz.script", &cause) == 0) {
		for (size_t i = 0; i < sc.n; i++) {
			const char *l = sc.steps[i].line;
			if (sc.steps[i].kind == SCRIPT_LINE &&
			    (l == NULL || strchr(l, '\n') != NULL ||
			     strchr(l, '\r') != NULL))
				abort();
		}
	} else if (cause == NULL) {
		abort();
	}
	free(cause);
	script_free(&sc);
}

/* A handshake message from the walker: every reader runs on its body, and
 * what they read must fit inside it. */
static void
fuzz_hsmsg_message(void *arg, unsigned char type, size_t length, const unsigned char *body,
                   size_t kept)
{
	const struct hsmsg_walker *w = arg;
	struct hsmsg_hello h;
	struct hsmsg_kx kx;
	unsigned scheme;
	unsigned long life;

	(void)type;
	if (kept > length || kept > w->keep)
		abort();
	if (hsmsg_server_hello(body, kept, &h) && h.key_share_len > kept)
		abort();
	for (int ecdhe = 0; ecdhe < 2; ecdhe++)
		if (hsmsg_key_exchange(body, kept, ecdhe, true, &kx) &&
		    (kx.key_share_len > kept || kx.dh_bits > 8 * kept))
			abort();
	(void)hsmsg_verify_scheme(body, kept, &scheme);
	(void)hsmsg_ticket_lifetime(body, kept, &life);
}

/* Handshake bytes: the first byte sets how much of each body is kept (times
 * 16) and the size of the pieces fed. */
static void
fuzz_hsmsg(const uint8_t *d, size_t n)
{
	struct hsmsg_walker *w = malloc(sizeof *w);

	if (n == 0 || w == NULL) {
		free(w);
		return;
	}
	size_t step = (d[0] & 7) + 1;
	hsmsg_walker_init(w, (size_t)d[0] * 16, fuzz_hsmsg_message, w);
	for (size_t at = 1; at < n; at += step)
		hsmsg_walk(w, d + at, n - at < step ? n - at : step);
	free(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const targets[])(const uint8_t *, size_t) = {
	    fuzz_escape,  fuzz_theme,   fuzz_lesson, fuzz_target,
	    fuzz_explain, fuzz_command, fuzz_script, fuzz_hsmsg,
	};

	if (size == 0)
		return 0;
	targets[data[0] % (sizeof targets / sizeof targets[0])](data + 1, size - 1);
	return 0;
}
