/*
 * The transcript's memory budget: bulk inside TLS is dropped oldest first
 * into runs that read as one marker, listeners still see every event, and
 * what matters (phases, findings, the plaintext phase, the newest event) is
 * always kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transcript.h"

static void
add(struct transcript *t, enum event_kind kind, enum phase ph, const char *text)
{
	struct event ev = {.phase = ph, .dir = DIR_SERVER, .kind = kind};

	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	transcript_append(t, &ev);
}

static void
count_bytes(void *arg, const struct transcript *t, const struct event *ev)
{
	(void)t;
	*(size_t *)arg += ev->len;
}

static void
without_a_budget_everything_is_kept(void **state)
{
	struct transcript *t = transcript_new();
	char line[200];

	(void)state;
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	for (int i = 0; i < 1000; i++)
		add(t, EV_LINE, PHASE_TLS, line);
	for (size_t i = 0; i < 1000; i++)
		assert_false(transcript_elided(t, i, NULL, NULL));
	assert_true(transcript_kept_bytes(t) > 1000 * 199);
	transcript_free(t);
}

static void
bulk_past_the_budget_becomes_one_marker_a_run(void **state)
{
	struct transcript *t = transcript_new();
	size_t seen = 0, first, last;
	char line[1000];

	(void)state;
	memset(line, 'y', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	transcript_listen(t, count_bytes, &seen);
	transcript_set_budget(t, 20000, "out.jsonl (--record)");
	add(t, EV_LINE, PHASE_PLAIN, "220 mail.test ESMTP");
	add(t, EV_PHASE, PHASE_TLS, "TLS established");
	for (int i = 0; i < 100; i++)
		add(t, EV_LINE, PHASE_TLS, line);
	/* the listener saw every byte */
	assert_int_equal(seen, 19 + 15 + 100 * 999);
	assert_true(transcript_kept_bytes(t) <= 20000);
	assert_int_equal(transcript_count(t), 102);
	/* the plaintext greeting and the phase stay */
	assert_false(transcript_elided(t, 0, NULL, NULL));
	assert_false(transcript_elided(t, 1, NULL, NULL));
	assert_string_equal((const char *)transcript_get(t, 0)->text, "220 mail.test ESMTP");
	/* the oldest TLS lines are one run, the newest are kept */
	assert_true(transcript_elided(t, 2, &first, &last));
	assert_int_equal(first, 2);
	assert_true(last > 80 && last < 101);
	assert_false(transcript_elided(t, 101, NULL, NULL));
	const struct event *m = transcript_get(t, 2);
	assert_ptr_equal(m, transcript_get(t, last));
	assert_int_equal(m->kind, EV_NOTE);
	char want[160];
	snprintf(want, sizeof want, "%zu events (%zu bytes) not kept in memory: over the "
	         "transcript's budget of 20000 bytes; the full copy is in out.jsonl (--record)",
	         last - first + 1, (last - first + 1) * 999);
	assert_string_equal((const char *)m->text, want);
	transcript_free(t);
}

static void
findings_split_runs_and_are_kept(void **state)
{
	struct transcript *t = transcript_new();
	size_t first, last;
	char line[500];

	(void)state;
	memset(line, 'z', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	transcript_set_budget(t, 3000, NULL);
	for (int i = 0; i < 10; i++)
		add(t, EV_LINE, PHASE_TLS, line);
	add(t, EV_FINDING, PHASE_TLS, "a line is longer than the protocol allows");
	for (int i = 0; i < 20; i++)
		add(t, EV_LINE, PHASE_TLS, line);
	assert_false(transcript_elided(t, 10, NULL, NULL));
	assert_int_equal(transcript_get(t, 10)->kind, EV_FINDING);
	assert_true(transcript_elided(t, 0, &first, &last));
	assert_int_equal(first, 0);
	assert_int_equal(last, 9);
	assert_true(transcript_elided(t, 11, &first, &last));
	assert_int_equal(first, 11);
	assert_ptr_not_equal(transcript_get(t, 0), transcript_get(t, 11));
	assert_null(strstr((const char *)transcript_get(t, 0)->text, "full copy"));
	transcript_free(t);
}

static void
a_plaintext_flood_is_bulk_past_the_plaintext_allowance(void **state)
{
	struct transcript *t = transcript_new();
	static char line[64 * 1024];

	(void)state;
	memset(line, 'p', sizeof line - 1);
	transcript_set_budget(t, 1024 * 1024, NULL);
	for (int i = 0; i < 200; i++) /* 12.8 MB of plaintext */
		add(t, EV_LINE, PHASE_PLAIN, line);
	/* the first TRANSCRIPT_PLAIN_KEEP bytes stay, then the budget holds */
	assert_false(transcript_elided(t, 0, NULL, NULL));
	assert_false(transcript_elided(t, 60, NULL, NULL));
	assert_true(transcript_elided(t, 100, NULL, NULL));
	assert_false(transcript_elided(t, 199, NULL, NULL));
	assert_true(transcript_kept_bytes(t) <= 1024 * 1024);
	transcript_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(without_a_budget_everything_is_kept),
	    cmocka_unit_test(bulk_past_the_budget_becomes_one_marker_a_run),
	    cmocka_unit_test(findings_split_runs_and_are_kept),
	    cmocka_unit_test(a_plaintext_flood_is_bulk_past_the_plaintext_allowance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
