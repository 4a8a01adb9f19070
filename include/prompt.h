/*
 * prompt: asking the person at the terminal for a secret before startle
 * starts, without echo, on /dev/tty (so it works with standard input
 * redirected). Used for --auth's password when STARTLE_PASSWORD is not set.
 */
#ifndef STARTLE_PROMPT_H
#define STARTLE_PROMPT_H

/* Asks question on /dev/tty with echo off and returns the answer without its
 * line end (caller frees; clear it with explicit_bzero first). Returns NULL
 * with *cause when there is no terminal or reading fails; the terminal's
 * echo is restored on every path, SIGINT included. */
char *prompt_secret(const char *question, char **cause);

#endif
