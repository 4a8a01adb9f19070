/* Measures the transcript view at 120x40 on a short and a very long
 * transcript: the cost of drawing the pane and of paging through it should
 * not depend on the transcript's length. Prints microseconds per call; it
 * measures, it does not judge. */
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tview.h"

#define WIDTH 120
#define HEIGHT 40
#define CALLS 10000

static const struct tview_opts opts = {.mode = TVIEW_TRANSCRIPT, .explain = true};

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* n line events, alternating client and server, plaintext then TLS. */
static struct transcript *
build(size_t n)
{
	struct transcript *t = transcript_new();
	char text[96];

	for (size_t i = 0; i < n; i++) {
		struct event ev = {.phase = i < n / 2 ? PHASE_PLAIN : PHASE_TLS,
		                   .dir = i % 2 ? DIR_SERVER : DIR_CLIENT,
		                   .kind = EV_LINE};
		snprintf(text, sizeof text, "%s %zu mail.example.test ESMTP ready\r",
		         i % 2 ? "250-line" : "NOOP", i);
		ev.text = (unsigned char *)text;
		ev.len = strlen(text);
		ev.explain = i % 10 == 0 ? "an explanation on every tenth line" : NULL;
		transcript_append(t, &ev);
	}
	return t;
}

static void
bench(size_t n)
{
	struct transcript *t = build(n);
	struct slines out;
	struct tview v;
	unsigned long most = 0;
	double start;

	slines_init(&out);
	tview_init(&v);
	start = now_us();
	for (int i = 0; i < CALLS; i++) {
		tview_visible(&v, t, WIDTH, HEIGHT, &opts, &out);
		if (v.visited > most)
			most = v.visited;
	}
	printf("%8zu events  tview_visible (following)  %8.2f us/call  "
	       "(at most %lu events visited)\n",
	       n, (now_us() - start) / CALLS, most);

	tview_home(&v);
	tview_visible(&v, t, WIDTH, HEIGHT, &opts, &out);
	most = 0;
	double scroll_us = 0, draw_us = 0;
	for (int i = 0; i < CALLS; i++) {
		double a = now_us();
		tview_scroll(&v, t, WIDTH, HEIGHT, &opts, HEIGHT);
		double b = now_us();
		if (v.visited > most)
			most = v.visited;
		tview_visible(&v, t, WIDTH, HEIGHT, &opts, &out);
		draw_us += now_us() - b;
		scroll_us += b - a;
		if (v.follow) {
			tview_home(&v);
			tview_visible(&v, t, WIDTH, HEIGHT, &opts, &out);
		}
	}
	printf("%8zu events  tview_scroll (page down)   %8.2f us/call  "
	       "(at most %lu events visited)\n",
	       n, scroll_us / CALLS, most);
	printf("%8zu events  tview_visible after a page %8.2f us/call\n", n,
	       draw_us / CALLS);

	slines_free(&out);
	transcript_free(t);
}

/* bench_tview EVENTS CALLS redraw|append: only that work, for instruction
 * counts (tests/bench/run subtracts a run of 0 calls from one of CALLS):
 * redraw draws the following view CALLS times; append appends one line and
 * draws, CALLS times. */
static int
one(size_t n, long calls, const char *what)
{
	struct transcript *t = build(n);
	struct slines out;
	struct tview v;
	bool append = strcmp(what, "append") == 0;

	slines_init(&out);
	tview_init(&v);
	tview_visible(&v, t, WIDTH, HEIGHT, &opts, &out);
	for (long i = 0; i < calls; i++) {
		if (append) {
			struct event ev = {.phase = PHASE_TLS, .dir = DIR_SERVER, .kind = EV_LINE};
			ev.text = (unsigned char *)"* 1 FETCH (FLAGS (\\Seen))";
			ev.len = strlen((const char *)ev.text);
			transcript_append(t, &ev);
		}
		tview_visible(&v, t, WIDTH, HEIGHT, &opts, &out);
	}
	slines_free(&out);
	transcript_free(t);
	return 0;
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = {100, 1000000};

	setlocale(LC_ALL, "C.UTF-8");
	if (argc == 4)
		return one(strtoul(argv[1], NULL, 10), strtol(argv[2], NULL, 10), argv[3]);
	printf("transcript view at %dx%d, %d calls each\n", WIDTH, HEIGHT, CALLS);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		bench(sizes[i]);
	return 0;
}
