/*
 * lesson internals shared by the parser (lesson.c) and the file side
 * (lesson_file.c): the words of messages and the shape of file names.
 */
#ifndef STARTLE_LESSON_INT_H
#define STARTLE_LESSON_INT_H

#include <stddef.h>

#define LESSON_MAX_BYTES (64 * 1024)
#define LESSON_SUFFIX ".lesson"
#define LESSON_SUFFIX_LEN (sizeof LESSON_SUFFIX - 1)

/* Hands msg to the caller through cause (or drops it if cause is NULL). */
void lesson_give(char **cause, char *msg);

/* A word from a file as it may appear in a message: escaped, quoted, and cut
 * after a few dozen bytes. Caller frees. */
char *lesson_quote(const char *word);

/* "a, b or c" from n words, last_sep before the last. Caller frees. */
char *lesson_join(const char *const *words, size_t n, const char *last_sep);

/* The lesson name a file name stands for: its last component without
 * ".lesson". Caller frees. */
char *lesson_name_of(const char *path);

#endif
