/*
 * Two sessions in one process, driven by one poll loop: each against its own
 * lab server, each with its own transcript. A slow server on one side must
 * not hold up the other, and nothing of one session may show in the other.
 */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lab.h"
#include "labcert.h"
#include "session.h"
#include "transcript.h"
#include "util.h"

/* The slow side's greeting comes this late: far later than the fast side
 * needs for its whole dance, even under a sanitizer or valgrind. */
#define SLOW_MS 2500

struct side {
	struct lab *lab;
	pid_t pid;
	char *ca;
	struct transcript *t;
	struct session *s;
	enum session_state seen[64]; /* states entered, in order */
	size_t nseen;
};

static void
on_state(void *arg, enum session_state from, enum session_state to)
{
	struct side *d = arg;

	(void)from;
	if (d->nseen < sizeof d->seen / sizeof d->seen[0])
		d->seen[d->nseen++] = to;
}

static void
side_start(struct side *d, enum lab_scenario scenario)
{
	struct lab_config cfg = {
	    .proto = PROTO_SMTP, .scenario = scenario, .slow_ms = SLOW_MS};
	char *cause = NULL;

	memset(d, 0, sizeof *d);
	d->lab = lab_new(&cfg, &cause);
	if (d->lab == NULL)
		fail_msg("lab_new: %s", cause);
	d->ca = labcert_write_ca(lab_certs(d->lab), &cause);
	if (d->ca == NULL)
		fail_msg("labcert_write_ca: %s", cause);
	d->pid = lab_spawn(d->lab, &cause);
	if (d->pid < 0)
		fail_msg("lab_spawn: %s", cause);

	struct session_params p = {
	    .cafile = d->ca,
	    .servername = LABCERT_HOST,
	    .timeout_ms = 10000,
	    .on_state = on_state,
	    .state_arg = d,
	};
	p.target.proto = PROTO_SMTP;
	p.target.mode = TLS_MODE_EXPLICIT;
	p.target.port = lab_port(d->lab);
	p.target.host_is_ip = true;
	snprintf(p.target.host, sizeof p.target.host, "127.0.0.1");
	snprintf(p.target.scheme, sizeof p.target.scheme, "smtp");
	d->t = transcript_new();
	d->s = session_new(&p, d->t);
	assert_int_equal(session_open(d->s), 0);
	/* The slow server trickles every byte: keep its side short. */
	if (scenario != LAB_SLOW)
		session_queue_starttls(d->s);
	session_queue_quit(d->s);
}

static void
side_stop(struct side *d)
{
	session_free(d->s);
	transcript_free(d->t);
	kill(d->pid, SIGTERM);
	waitpid(d->pid, NULL, 0);
	lab_free(d->lab);
	unlink(d->ca);
	free(d->ca);
}

static bool
side_done(const struct side *d)
{
	return session_state(d->s) == SS_CLOSED;
}

/* One turn of the loop both sessions share: poll both sockets, then hand
 * each session its readiness or its timeout. */
static void
loop_once(struct side *sides, size_t n)
{
	struct pollfd p[2];
	int timeout = -1;

	for (size_t i = 0; i < n; i++) {
		int t = session_timeout_ms(sides[i].s);
		p[i] = (struct pollfd){.fd = session_fd(sides[i].s),
		                       .events = session_poll_events(sides[i].s)};
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
	}
	if (timeout < 0 || timeout > 200)
		timeout = 200;
	if (poll(p, n, timeout) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (p[i].fd >= 0 && p[i].revents != 0)
			session_io(sides[i].s, p[i].revents);
		session_timeout(sides[i].s);
	}
}

/* True if a server line of the transcript contains needle. */
static bool
has_server_line(const struct transcript *t, const char *needle)
{
	for (size_t i = 0; i < transcript_count(t); i++) {
		const struct event *ev = transcript_get(t, i);
		if (ev->kind == EV_LINE && ev->dir == DIR_SERVER &&
		    strstr((const char *)ev->text, needle) != NULL)
			return true;
	}
	return false;
}

static bool
entered(const struct side *d, enum session_state st)
{
	for (size_t i = 0; i < d->nseen; i++)
		if (d->seen[i] == st)
			return true;
	return false;
}

static void
a_slow_server_does_not_hold_up_the_other_session(void **state)
{
	struct side sides[2];
	double t0 = util_now_ms(), deadline = t0 + 30000;

	(void)state;
	side_start(&sides[0], LAB_HONEST);
	side_start(&sides[1], LAB_SLOW);
	while (!side_done(&sides[0]) && util_now_ms() < deadline)
		loop_once(sides, 2);
	assert_true(side_done(&sides[0]));
	/* The fast side finished its whole dance while the slow side still
	 * waits for the greeting it delays by SLOW_MS. */
	assert_int_equal(session_state(sides[1].s), SS_GREETING);
	assert_int_equal(session_failure(sides[0].s), FAIL_NONE);
	assert_true(has_server_line(sides[0].t, "2.0.0 Ready to start TLS"));

	while (!side_done(&sides[1]) && util_now_ms() < deadline)
		loop_once(sides, 2);
	assert_true(side_done(&sides[1]));
	assert_int_equal(session_failure(sides[1].s), FAIL_NONE);
	assert_true(has_server_line(sides[1].t, "220 "));
	assert_true(has_server_line(sides[1].t, "221 "));
	side_stop(&sides[0]);
	side_stop(&sides[1]);
}

static void
each_session_keeps_its_own_transcript_and_states(void **state)
{
	struct side sides[2];
	double deadline = util_now_ms() + 30000;
	char port[2][16];

	(void)state;
	side_start(&sides[0], LAB_HONEST);
	side_start(&sides[1], LAB_STRIP);
	while ((!side_done(&sides[0]) || !side_done(&sides[1])) && util_now_ms() < deadline)
		loop_once(sides, 2);
	assert_true(side_done(&sides[0]) && side_done(&sides[1]));
	for (int i = 0; i < 2; i++)
		snprintf(port[i], sizeof port[i], "port %u",
		         session_target(sides[i].s)->port);
	/* The connect event names each session's own lab and not the other. */
	const struct event *c0 = transcript_get(sides[0].t, 0);
	const struct event *c1 = transcript_get(sides[1].t, 0);
	assert_non_null(strstr((const char *)c0->text, port[0]));
	assert_null(strstr((const char *)c0->text, port[1]));
	assert_non_null(strstr((const char *)c1->text, port[1]));
	/* The honest side went through the handshake; the stripped side never
	 * did, and its transcript has no TLS at all. */
	assert_int_equal(sides[0].seen[0], SS_CONNECTING);
	assert_true(entered(&sides[0], SS_HANDSHAKE));
	assert_false(entered(&sides[1], SS_HANDSHAKE));
	assert_int_equal(sides[0].seen[sides[0].nseen - 1], SS_CLOSED);
	assert_int_equal(sides[1].seen[sides[1].nseen - 1], SS_CLOSED);
	assert_int_equal(session_phase(sides[0].s), PHASE_TLS);
	assert_int_equal(session_phase(sides[1].s), PHASE_PLAIN);
	side_stop(&sides[0]);
	side_stop(&sides[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_slow_server_does_not_hold_up_the_other_session),
	    cmocka_unit_test(each_session_keeps_its_own_transcript_and_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
