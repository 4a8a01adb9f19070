/*
 * replay: a recording read back, line by line: the header first (what the
 * file is, its version, the sessions), then the events, then under
 * --compare the comparison (docs/recording.md). Lines come from the file
 * through a bounded reader, or from memory (tests, the fuzzer).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "output.h"
#include "replay.h"
#include "replay_int.h"
#include "util.h"

static const char *const replay_side_names[REPLAY_SIDES] = {"a", "b"};

/* What the header and the lines so far said, while reading. */
struct replay_reader {
	struct replay *r;
	bool have_header;
	unsigned long last_seq[REPLAY_SIDES];
};

/* The target of a session of the header, as recorded. */
static int
replay_header_target(const struct json *j, long s, struct target *t, char *why)
{
	char *text, *cause = NULL, *proto, *mode;
	size_t n;
	int p;

	if (replay_get_string(j, s, "target", s, false, &text, &n, why) != 0)
		return -1;
	if (replay_get_string(j, s, "proto", -1, false, &proto, &n, why) != 0) {
		free(text);
		return -1;
	}
	if (replay_get_string(j, s, "mode", -1, false, &mode, &n, why) != 0) {
		free(text);
		free(proto);
		return -1;
	}
	p = proto_from_name(proto);
	int implicit = strcmp(mode, "implicit") == 0   ? 1
	               : strcmp(mode, "explicit") == 0 ? 0
	                                               : -1;
	int rc = p < 0 || implicit < 0 || memchr(text, '\0', n) != NULL
	             ? replay_why(why, "a session's proto or mode is not one startle knows")
	             : target_parse(text, p, implicit, t, &cause);
	if (rc != 0 && cause != NULL) {
		replay_why(why, "a session's target: %s", cause);
		free(cause);
	}
	free(text);
	free(proto);
	free(mode);
	return rc;
}

/* The sessions of the header: one alone (name null), or a and b. */
static int
replay_header_sessions(const struct json *j, struct replay *r, char *why)
{
	long arr = json_get(j, 0, "sessions");

	if (arr < 0 || j->tok[arr].type != JSON_ARRAY || j->tok[arr].count < 1 ||
	    j->tok[arr].count > REPLAY_SIDES)
		return replay_why(why, "\"sessions\" must list one or two sessions");
	r->nsides = (int)j->tok[arr].count;
	for (int i = 0; i < r->nsides; i++) {
		long s = json_item(j, (size_t)arr, (size_t)i);
		long name = json_get(j, (size_t)s, "name");
		bool ok = r->nsides == 1 ? name >= 0 && j->tok[name].type == JSON_NULL
		                         : json_is(j, name, replay_side_names[i]);
		if (!ok)
			return replay_why(why, "session %d must be named %s", i + 1,
			                  r->nsides == 1 ? "null" : replay_side_names[i]);
		r->side[i].name = r->nsides == 1 ? NULL : replay_side_names[i];
		if (replay_header_target(j, s, &r->side[i].target, why) != 0)
			return -1;
	}
	return 0;
}

/* The first line: a recording of a version this startle reads. What it is
 * when it is not one is said as plainly as can be. */
static int
replay_header(const struct json *j, struct replay *r, char *why)
{
	long long version;

	if (json_get(j, 0, "seq") >= 0 && json_get(j, 0, "replay") < 0)
		return replay_why(why,
		                  "no recording header: this is startle's --json output, "
		                  "or a recording by an older startle; record the "
		                  "session again with --record FILE");
	if (json_get(j, 0, "seq") >= 0)
		return replay_why(why,
		                  "no recording header: the file starts with an event; "
		                  "was its first line cut off?");
	if (!json_is(j, json_get(j, 0, "kind"), "recording"))
		return replay_why(why, "not a startle recording: the first line must be "
		                       "{\"kind\":\"recording\",...}");
	if (replay_get_int(j, 0, "version", 1, 1000000, &version, why) != 0)
		return -1;
	if (version > OUTPUT_RECORDING_VERSION)
		return replay_why(why,
		                  "recording format version %lld: this startle reads "
		                  "version %d; a newer startle made it, update startle",
		                  version, OUTPUT_RECORDING_VERSION);
	r->version = (unsigned)version;
	long red = json_get(j, 0, "redact");
	if (red < 0 || !json_bool(j, red, &r->redact))
		return replay_why(why, "\"redact\" is missing or not true or false");
	return replay_header_sessions(j, r, why);
}

/* The side an event names: none alone, "a" or "b" in a comparison. */
static int
replay_event_side(const struct json *j, const struct replay *r, char *why)
{
	long s = json_get(j, 0, "session");

	if (r->nsides == 1) {
		if (s >= 0 && j->tok[s].type != JSON_NULL)
			return replay_why(why,
			                  "an event names a session, but the recording "
			                  "has one");
		return 0;
	}
	for (int i = 0; i < r->nsides; i++)
		if (json_is(j, s, replay_side_names[i]))
			return i;
	return replay_why(why, "an event of a comparison must name its session, a or b");
}

/* The comparison at the end: each side's plaintext bytes and exit code. */
static int
replay_compare(const struct json *j, struct replay *r, char *why)
{
	long sessions = json_get(j, 0, "sessions");

	if (r->nsides < 2)
		return replay_why(why, "a comparison in a recording of one session");
	if (r->have_compare)
		return replay_why(why, "a second comparison");
	for (int i = 0; i < r->nsides; i++) {
		long s =
		    json_get(j, sessions >= 0 ? (size_t)sessions : 0, replay_side_names[i]);
		long long bytes, code;
		if (s < 0 || j->tok[s].type != JSON_OBJECT)
			return replay_why(why, "the comparison has no session %s",
			                  replay_side_names[i]);
		if (replay_get_int(j, s, "plaintext_bytes", 0, 1ll << 50, &bytes, why) ||
		    replay_get_int(j, s, "exit", 0, 255, &code, why))
			return -1;
		r->side[i].summarised = true;
		r->side[i].plain_bytes = (size_t)bytes;
		r->side[i].exit = (int)code;
	}
	r->have_compare = true;
	return 0;
}

/* Appends an event read from a line, within the limits. */
static int
replay_add_event(struct replay_reader *rd, const struct json *j, char *why)
{
	struct replay *r = rd->r;
	long long seq;
	size_t bytes;
	int side;

	if (r->have_compare)
		return replay_why(why,
		                  "an event after the comparison, which ends a recording");
	if ((side = replay_event_side(j, r, why)) < 0 ||
	    replay_get_int(j, 0, "seq", 1, 1ll << 40, &seq, why) != 0)
		return -1;
	if ((unsigned long long)seq <= rd->last_seq[side])
		return replay_why(why, "\"seq\" %lld does not follow %lu", seq,
		                  rd->last_seq[side]);
	if (r->n >= REPLAY_EVENTS_MAX)
		return replay_why(why, "more than %u events: more than a session can hold",
		                  (unsigned)REPLAY_EVENTS_MAX);
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->events = xrealloc(r->events, r->cap * sizeof *r->events);
	}
	struct replay_event *e = &r->events[r->n];
	if (replay_read_event(j, &e->ev, r->redact, &bytes, why) != 0)
		return -1;
	e->side = side;
	e->ev.seq = (unsigned long)seq;
	rd->last_seq[side] = (unsigned long)seq;
	r->n++;
	r->side[side].nevents++;
	if ((r->bytes += bytes) > REPLAY_BYTES_MAX)
		return replay_why(why, "more than %u MiB of events: more than replay holds",
		                  REPLAY_BYTES_MAX / (1024 * 1024));
	return 0;
}

/* One line of the file: the header, an event or the comparison. */
static int
replay_line(struct replay_reader *rd, const char *line, size_t len, char *why)
{
	static const struct json_limits lim = {.depth = REPLAY_DEPTH_MAX,
	                                       .tokens = REPLAY_TOKENS_MAX};
	struct json j;
	char err[160];
	int rc;

	if (len == 0)
		return replay_why(why, "an empty line");
	if (json_parse(&j, line, len, &lim, err, sizeof err) != 0)
		return replay_why(why, "not JSON (%s)%s", err,
		                  rd->have_header ? ""
		                                  : ": this is not a startle recording");
	if (j.tok[0].type != JSON_OBJECT)
		rc = replay_why(why, "a line must be a JSON object");
	else if (!rd->have_header)
		rc = replay_header(&j, rd->r, why);
	else if (json_is(&j, json_get(&j, 0, "kind"), "compare"))
		rc = replay_compare(&j, rd->r, why);
	else
		rc = replay_add_event(rd, &j, why);
	rd->have_header = true;
	json_free(&j);
	return rc;
}

/* Says what was wrong at the line being read, and empties r. */
static int
replay_fail(struct replay *r, const char *name, char **cause, const char *why)
{
	util_file_error(cause, name, (unsigned)r->line, "%s", why);
	replay_free(r);
	return -1;
}

/* After the last line: a file with no line at all is not a recording. */
static int
replay_finish(struct replay_reader *rd, const char *name, char **cause)
{
	if (!rd->have_header) {
		util_file_error(cause, name, 0,
		                "is empty: a recording starts with its header line");
		replay_free(rd->r);
		return -1;
	}
	return 0;
}

int
replay_parse(const char *name, const char *text, size_t len, struct replay *r, char **cause)
{
	struct replay_reader rd = {.r = r};
	char why[REPLAY_WHY_MAX];
	size_t at = 0;

	memset(r, 0, sizeof *r);
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - (text + at)) : len - at;
		r->line++;
		if (n > REPLAY_LINE_MAX)
			return replay_fail(r, name, cause, "a line longer than 4 MiB");
		if (nl == NULL)
			return replay_fail(r, name, cause,
			                   "the file ends in the middle of this line: the "
			                   "recording was cut short");
		if (replay_line(&rd, text + at, n, why) != 0)
			return replay_fail(r, name, cause, why);
		at += n + 1;
	}
	return replay_finish(&rd, name, cause);
}

/* A bounded line reader over a file: no line is held past REPLAY_LINE_MAX. */
struct replay_lines {
	FILE *f;
	char *buf;
	size_t cap, start, end;
	bool eof;
};

/* The next line (without its newline): 1, 0 at the end, -1 when it is too
 * long, -2 when the file ends inside it, -3 on a read error. */
static int
replay_next_line(struct replay_lines *l, const char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(l->buf + l->start, '\n', l->end - l->start);
		if (nl != NULL) {
			*line = l->buf + l->start;
			*len = (size_t)(nl - *line);
			l->start += *len + 1;
			return 1;
		}
		if (l->end - l->start > REPLAY_LINE_MAX)
			return -1;
		if (l->eof)
			return l->end > l->start ? -2 : 0;
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
		if (l->cap - l->end < 65536) {
			l->cap *= 2;
			if (l->cap > REPLAY_LINE_MAX + 131072)
				l->cap = REPLAY_LINE_MAX + 131072;
			l->buf = xrealloc(l->buf, l->cap);
		}
		size_t got = fread(l->buf + l->end, 1, l->cap - l->end, l->f);
		l->end += got;
		if (got == 0 && ferror(l->f))
			return -3;
		l->eof = got == 0;
	}
}

/* Reads every line of an open file through rd. */
static int
replay_read_lines(struct replay_lines *l, struct replay_reader *rd, const char *path,
                  char **cause)
{
	static const char *const problems[] = {
	    [1] = "a line longer than 4 MiB: this is not a startle recording",
	    [2] = "the file ends in the middle of this line: the recording was cut short",
	};
	char why[REPLAY_WHY_MAX];
	const char *line;
	size_t len;
	int got;

	while ((got = replay_next_line(l, &line, &len)) != 0) {
		rd->r->line++;
		if (got == -3) {
			snprintf(why, sizeof why, "cannot be read: %s", strerror(errno));
			return replay_fail(rd->r, path, cause, why);
		}
		if (got < 0)
			return replay_fail(rd->r, path, cause, problems[-got]);
		if (replay_line(rd, line, len, why) != 0)
			return replay_fail(rd->r, path, cause, why);
	}
	return replay_finish(rd, path, cause);
}

int
replay_load(const char *path, struct replay *r, char **cause)
{
	struct replay_reader rd = {.r = r};
	struct replay_lines l = {.cap = 131072};

	memset(r, 0, sizeof *r);
	if ((l.f = fopen(path, "r")) == NULL) {
		util_file_error(cause, path, 0,
		                "cannot be read (%s): give the path of a recording made "
		                "with --record",
		                strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(l.f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(l.f);
		util_file_error(cause, path, 0,
		                "is a directory: give the path of a recording made with "
		                "--record");
		return -1;
	}
	l.buf = xmalloc(l.cap);
	int rc = replay_read_lines(&l, &rd, path, cause);
	fclose(l.f);
	free(l.buf);
	return rc;
}

void
replay_free(struct replay *r)
{
	for (size_t i = 0; i < r->n; i++)
		replay_event_free(&r->events[i].ev);
	free(r->events);
	memset(r, 0, sizeof *r);
}
