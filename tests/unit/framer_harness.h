/*
 * A harness for framer tests. A test writes a conversation as a script of
 * steps (server bytes, client lines, framer resets) and plays it through the
 * framer of one protocol; harness_script plays it whole, byte by byte and cut
 * at every server byte boundary, fails the test unless every way yields the
 * same lines, and hands back those lines with the framer state after each.
 * The assertions fail the running cmocka test; a run is freed with
 * harness_run_free.
 */
#ifndef STARTLE_TEST_FRAMER_HARNESS_H
#define STARTLE_TEST_FRAMER_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

/* One step of a scripted conversation. */
struct harness_step {
	char who; /* 'S' server bytes, 'C' client line, 'R' framer_reset */
	const char *bytes;
	size_t len;
};
/* clang-format off */
#define SRV(s) {'S', (s), sizeof(s) - 1}
#define CLI(s) {'C', (s), sizeof(s) - 1}
#define RESET {'R', NULL, 0}
/* clang-format on */
#define NSTEPS(a) (sizeof(a) / sizeof((a)[0]))

/* One line as the framer handed it out, with the state right after it. */
struct harness_line {
	unsigned char *data;
	size_t len;
	unsigned flags;
	size_t dropped;
	enum proto_reply reply;
	int code;
	char *tag; /* NUL-terminated copy, or NULL */
	char command[24]; /* word of the command the line answers, "" if none */
	bool answer;      /* PROTO_LINE_ANSWER (kept out of flags) */
	const char *finding;
	const char *violation;
	unsigned pending;
	bool in_data;
};

/* Every line a framer handed out, in order. */
struct harness_run {
	struct harness_line *v;
	size_t n, cap;
};

/* Short names for the line flags and the finding every framer reports. */
#define END PROTO_LINE_END
#define GREET PROTO_LINE_GREETING
#define CAPS PROTO_LINE_CAPS
#define PV "protocol-violation"

/* malloc that fails the test when memory runs out; never returns NULL. */
void *harness_xmalloc(size_t n);

/* Frees every line of r and leaves it empty. */
void harness_run_free(struct harness_run *r);

/* Takes every complete line out of fr and appends it to r. */
void harness_run_drain(struct framer *fr, struct harness_run *r);

/* Plays the n steps of s through a new framer for id whole, byte by byte
 * and cut at every server byte boundary (at chosen ones for scripts over
 * 4 KiB); fails unless all agree, and leaves the lines in out. */
void harness_script(enum proto_id id, const struct harness_step *s, size_t n,
                    struct harness_run *out);

/* Plays the n steps of s once into a new framer for id, leaves its lines in
 * r and returns the framer for the caller to inspect and free. */
struct framer *harness_framer_after(enum proto_id id, const struct harness_step *s,
                                    size_t n, struct harness_run *r);

/* Asserts that line i exists with exactly these len bytes, flags and reply. */
void harness_line_is(const struct harness_run *r, size_t i, const char *text, size_t len,
                     unsigned flags, enum proto_reply reply);
#define LINE(r, i, lit, flags, reply)                                                      \
	harness_line_is((r), (i), (lit), sizeof(lit) - 1, (flags), (reply))

/* Asserts that line i exists and carries no finding. */
void harness_no_finding(const struct harness_run *r, size_t i);

/* Asserts that line i exists and carries finding id with a violation sentence. */
void harness_finding_is(const struct harness_run *r, size_t i, const char *id);

/* Asserts that a capability is exactly the C string text. */
void harness_cap_is(const struct proto_cap *cap, const char *text);

/* Runs framer_autotag on the C string line, asserts that the length it
 * reports matches the string it wrote to out, and returns its result. */
int harness_autotag(struct framer *fr, const char *line, char *out);

#endif
