/*
 * Helpers shared by the unit tests (linked into every test program): where a
 * styled line's spans put a piece of text, and cleaning up temporary
 * directories. The assertions fail the running cmocka test.
 */
#ifndef STARTLE_TEST_TESTUTIL_H
#define STARTLE_TEST_TESTUTIL_H

#include <stddef.h>

#include "styled.h"

/* The element of the span covering byte off of l; fails the test when off
 * is past the last span. */
enum theme_element testutil_elem_at(const struct sline *l, size_t off);

/* The byte offset of the first occurrence of needle in l's text; fails the
 * test when there is none. */
size_t testutil_offset_of(const struct sline *l, const char *needle);

/* Removes dir and everything under it (a shallow tree of files and dirs). */
void testutil_remove_tree(const char *dir);

#endif
