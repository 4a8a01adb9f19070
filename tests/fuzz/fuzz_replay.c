/*
 * libFuzzer target for the reader of recordings (replay.h) and the JSON
 * reader under it (json.h). The input is a recording's text. Beyond "no
 * crash, no leak, no unbounded memory":
 *   - json_parse on the first line either fails with a message and no
 *     tokens, or gives tokens whose spans nest inside the text and whose
 *     subtrees end where the next sibling starts;
 *   - replay_parse either fails with "NAME:LINE: ..." and an empty replay,
 *     or gives events that, written again as a recording and read back,
 *     come back the same (the format round-trips whatever got in).
 * Seed it with the recordings of docs/sessions/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "json.h"
#include "output.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks the token layout of a parsed text. */
static void
check_tokens(const struct json *j)
{
	for (size_t i = 0; i < j->ntok; i++) {
		const struct json_token *t = &j->tok[i];
		if (t->start > t->end || t->end > j->len || t->next <= i ||
		    t->next > j->ntok)
			abort();
		if (t->type != JSON_ARRAY && t->type != JSON_OBJECT && t->next != i + 1)
			abort();
		if (t->type == JSON_STRING) {
			size_t n;
			char *s = json_string(j, (long)i, &n);
			if (s == NULL || n > t->end - t->start)
				abort();
			free(s);
		}
	}
}

static void
fuzz_json(const uint8_t *data, size_t size)
{
	static const struct json_limits lim = {.depth = REPLAY_DEPTH_MAX, .tokens = 4096};
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl != NULL ? (size_t)(nl - data) : size;
	struct json j;
	char err[160];

	err[0] = '\0';
	if (json_parse(&j, (const char *)data, len, &lim, err, sizeof err) != 0) {
		if (j.ntok != 0 || strncmp(err, "at byte ", 8) != 0)
			abort();
	} else {
		check_tokens(&j);
	}
	json_free(&j);
}

/* Writes r out again as a recording, into a new buffer. */
static char *
write_again(const struct replay *r, size_t *len)
{
	const struct target *targets[REPLAY_SIDES];
	const char *names[REPLAY_SIDES];
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	for (int i = 0; i < r->nsides; i++) {
		targets[i] = &r->side[i].target;
		names[i] = r->side[i].name;
	}
	output_recording_header(f, targets, names, (size_t)r->nsides, r->redact);
	for (size_t i = 0; i < r->n; i++)
		output_record(f, &r->events[i].ev, r->redact,
		              r->side[r->events[i].side].name);
	fclose(f);
	return buf;
}

/* The events of r as one string, the header left out (it has the time). */
static char *
events_text(const struct replay *r, size_t *len)
{
	size_t n;
	char *all = write_again(r, &n);
	char *nl = memchr(all, '\n', n);
	size_t skip = nl != NULL ? (size_t)(nl - all) + 1 : n;
	char *rest = malloc(n - skip + 1);

	memcpy(rest, all + skip, n - skip);
	rest[n - skip] = '\0';
	*len = n - skip;
	free(all);
	return rest;
}

static void
fuzz_recording(const uint8_t *data, size_t size)
{
	struct replay r, again;
	char *cause = NULL;

	if (replay_parse("fuzz.jsonl", (const char *)data, size, &r, &cause) != 0) {
		if (cause == NULL || strncmp(cause, "fuzz.jsonl", 10) != 0 || r.n != 0 ||
		    r.events != NULL)
			abort();
		free(cause);
		return;
	}
	size_t len, len2;
	char *text = write_again(&r, &len);
	if (replay_parse("again.jsonl", text, len, &again, &cause) != 0)
		abort();
	char *a = events_text(&r, &len), *b = events_text(&again, &len2);
	if (len != len2 || memcmp(a, b, len) != 0 || again.n != r.n)
		abort();
	free(a);
	free(b);
	free(text);
	replay_free(&again);
	replay_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json(data, size);
	fuzz_recording(data, size);
	return 0;
}
