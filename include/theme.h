/*
 * theme: the colours and attributes of every screen element, read from small
 * text files (docs/themes.md):
 *
 *     # comment
 *     color <element> <fg> <bg> [attr ...]
 *
 * fg/bg: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-<name>, color0..color255, or #rrggbb (mapped to the nearest of the
 * colours the terminal has). attrs: bold, dim, underline, reverse, italic,
 * blink, standout, normal. Elements not named keep the default theme's value.
 * The default theme is compiled in and parsed by the same parser.
 *
 * Parsing is pure (no curses). theme_apply and theme_attr talk to curses.
 */
#ifndef STARTLE_THEME_H
#define STARTLE_THEME_H

#include <stdbool.h>
#include <stddef.h>

#define THEME_ELEMENTS(X)                                                                  \
	X(DEFAULT, "default")                                                              \
	X(TITLE, "title")                                                                  \
	X(TITLE_PLAIN, "title-plain")                                                      \
	X(TITLE_HANDSHAKE, "title-handshake")                                              \
	X(TITLE_TLS, "title-tls")                                                          \
	X(BORDER, "border")                                                                \
	X(GUTTER_PLAIN, "gutter-plain")                                                    \
	X(GUTTER_HANDSHAKE, "gutter-handshake")                                            \
	X(GUTTER_TLS, "gutter-tls")                                                        \
	X(CLIENT_PLAIN, "client-plain")                                                    \
	X(SERVER_PLAIN, "server-plain")                                                    \
	X(CLIENT_TLS, "client-tls")                                                        \
	X(SERVER_TLS, "server-tls")                                                        \
	X(ESCAPED, "escaped")                                                              \
	X(EXPLAIN, "explain")                                                              \
	X(INFO, "info")                                                                    \
	X(BOUNDARY, "boundary")                                                            \
	X(FINDING_INFO, "finding-info")                                                    \
	X(FINDING_WARN, "finding-warn")                                                    \
	X(FINDING_DANGER, "finding-danger")                                                \
	X(ERROR, "error")                                                                  \
	X(INJECTED, "injected")                                                            \
	X(SELECTED, "selected")                                                            \
	X(TAB, "tab")                                                                      \
	X(TAB_ACTIVE, "tab-active")                                                        \
	X(LABEL, "label")                                                                  \
	X(VALUE, "value")                                                                  \
	X(GOOD, "good")                                                                    \
	X(BAD, "bad")                                                                      \
	X(HEX, "hex")                                                                      \
	X(STATUS, "status")                                                                \
	X(PROMPT, "prompt")                                                                \
	X(INPUT, "input")                                                                  \
	X(HINT, "hint")                                                                    \
	X(HINT_KEY, "hint-key")                                                            \
	X(OVERLAY, "overlay")

enum theme_element {
#define THEME_ELEMENT_ENUM(sym, name) TE_##sym,
	THEME_ELEMENTS(THEME_ELEMENT_ENUM)
#undef THEME_ELEMENT_ENUM
	    TE_COUNT
};

/* A colour: -1 terminal default, 0..255 a palette index, or 0x1000000 | rgb. */
#define THEME_RGB_FLAG 0x1000000

enum theme_attr_bits {
	THEME_BOLD = 1 << 0,
	THEME_DIM = 1 << 1,
	THEME_UNDERLINE = 1 << 2,
	THEME_REVERSE = 1 << 3,
	THEME_ITALIC = 1 << 4,
	THEME_BLINK = 1 << 5,
	THEME_STANDOUT = 1 << 6
};

struct theme_style {
	int fg, bg;
	unsigned attrs; /* enum theme_attr_bits */
};

struct theme {
	char name[64];
	struct theme_style style[TE_COUNT];
};

const char *theme_element_name(enum theme_element e);
int theme_element_from_name(const char *name); /* -1 if unknown */

/* Fills t with the compiled-in default theme. */
void theme_default(struct theme *t);

/* Parses theme text over t (which holds the base values). Returns 0, or -1
 * with *cause = "FILE:LINE: what is wrong" (caller frees); t is then left as
 * it was before the call. */
int theme_parse(struct theme *t, const char *text, size_t len, const char *filename,
                char **cause);

/* Finds a theme by name or path: a path containing '/' is read as is; a name
 * is looked up as NAME.theme in $XDG_CONFIG_HOME/startle/themes (or
 * ~/.config/startle/themes), then in the directories of theme_dirs. Loads it
 * over the default. Returns 0 or -1 with *cause. */
int theme_load(struct theme *t, const char *name_or_path, char **cause);

/* The shipped theme directories searched after the user's (NULL-terminated):
 * $STARTLE_THEMES, PREFIX/share/startle/themes, ./themes. */
const char *const *theme_dirs(void);

/* Lists the names of the themes that theme_load would find (sorted, unique),
 * calling fn for each. */
void theme_list(void (*fn)(void *arg, const char *name), void *arg);

/* What theme_apply set up for one curses screen: each element's attribute
 * (colour pair and attributes). Colour pairs belong to the screen, so the
 * screen's owner keeps this beside it. */
struct theme_attrs {
	unsigned long attr[TE_COUNT];
};

/* curses side: sets up colour pairs for the terminal's colour count (256, 16,
 * 8 or none; no_color forces none: then only attributes remain, and elements
 * stay distinguishable through markers and attributes) and fills out with
 * each element's attribute. Call after start_color() where colours exist. */
void theme_apply(const struct theme *t, bool no_color, struct theme_attrs *out);

/* The curses attribute (colour pair and attributes) of an element, as the
 * last theme_apply into a set them. */
unsigned long theme_attr(const struct theme_attrs *a, enum theme_element e);

#endif
