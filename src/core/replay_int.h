/*
 * replay internals: one JSON object of a recording read into an event
 * (replay_event.c), for the file reader (replay.c).
 */
#ifndef STARTLE_REPLAY_INT_H
#define STARTLE_REPLAY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "transcript.h"

#define REPLAY_WHY_MAX 320

/* Sets why to a sentence and returns -1. */
int replay_why(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A value from the file quoted for a message: escaped, cut at 40 bytes. */
void replay_quote(const char *s, size_t len, char *out, size_t size);

/* The string at key of object obj, exactly: a KEY_base64 in object exact
 * (-1: none) holds the bytes when they are not UTF-8. With nullable, null
 * gives *out NULL. Returns 0, or -1 with why. Caller frees *out. */
int replay_get_string(const struct json *j, long obj, const char *key, long exact,
                      bool nullable, char **out, size_t *len, char *why);

/* A whole number at key of obj, from min to max. */
int replay_get_int(const struct json *j, long obj, const char *key, long long min,
                   long long max, long long *out, char *why);

/* Reads the event object at the root of j into ev (zeroed first; on failure
 * what was read is freed). redact: the header says --redact was in force.
 * *bytes gets the memory the event holds. Returns 0, or -1 with why. */
int replay_read_event(const struct json *j, struct event *ev, bool redact, size_t *bytes,
                      char *why);

/* Frees what an event read by replay_read_event holds (not ev itself). */
void replay_event_free(struct event *ev);

#endif
