/*
 * prompt: a secret read from the terminal with echo off.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "prompt.h"
#include "util.h"

#define PROMPT_MAX 1024

/* The terminal to restore when SIGINT arrives mid-prompt. */
static volatile sig_atomic_t prompt_fd = -1;
static struct termios prompt_saved;

static void
prompt_on_signal(int sig)
{
	if (prompt_fd >= 0)
		tcsetattr(prompt_fd, TCSAFLUSH, &prompt_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Writes text to fd; a failure only loses the courtesy text. */
static void
prompt_say(int fd, const char *text)
{
	size_t n = strlen(text);

	while (n > 0) {
		ssize_t w = write(fd, text, n);
		if (w <= 0)
			return;
		text += w;
		n -= (size_t)w;
	}
}

/* Reads one line from fd into buf (at most size - 1 bytes, the rest of a
 * longer line is dropped). Returns its length, or -1 at end or on error. */
static ssize_t
prompt_read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return n > 0 ? (ssize_t)n : -1;
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (ssize_t)n;
}

char *
prompt_secret(const char *question, char **cause)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	struct termios quiet;
	char buf[PROMPT_MAX];
	ssize_t n;

	if (fd < 0 || tcgetattr(fd, &prompt_saved) != 0) {
		*cause = str_printf("no terminal to ask for the password on (%s): set "
		                    "STARTLE_PASSWORD instead",
		                    strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	quiet = prompt_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	prompt_fd = fd;
	void (*old_int)(int) = signal(SIGINT, prompt_on_signal);
	void (*old_term)(int) = signal(SIGTERM, prompt_on_signal);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	prompt_say(fd, question);
	n = prompt_read_line(fd, buf, sizeof buf);
	tcsetattr(fd, TCSAFLUSH, &prompt_saved);
	prompt_say(fd, "\n");
	prompt_fd = -1;
	signal(SIGINT, old_int);
	signal(SIGTERM, old_term);
	close(fd);
	if (n < 0) {
		*cause = str_printf("no password was typed");
		return NULL;
	}
	char *answer = xstrdup(buf);
	explicit_bzero(buf, sizeof buf);
	return answer;
}
