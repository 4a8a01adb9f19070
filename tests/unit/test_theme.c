#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <curses.h>
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/ui/theme_int.h"
#include "theme.h"
#include "testutil.h"

#ifndef STARTLE_DATADIR
#define STARTLE_DATADIR "/usr/local/share/startle"
#endif

/* The repository root (where themes/ is), found from the working directory. */
static char root[PATH_MAX];

/* A scratch directory per test, and the environment it changes. */
struct fixture {
	char dir[64];
	char cwd[PATH_MAX];
	char *saved[3];
};

static const char *const env_names[3] = {"XDG_CONFIG_HOME", "HOME", "STARTLE_THEMES"};

static int
setup_dir(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/startle-theme-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_non_null(getcwd(f->cwd, sizeof f->cwd));
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(env_names[i]);
		f->saved[i] = v != NULL ? strdup(v) : NULL;
		unsetenv(env_names[i]);
	}
	*state = f;
	return 0;
}

static int
teardown_dir(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(chdir(f->cwd), 0);
	for (size_t i = 0; i < 3; i++) {
		if (f->saved[i] != NULL)
			setenv(env_names[i], f->saved[i], 1);
		else
			unsetenv(env_names[i]);
		free(f->saved[i]);
	}
	testutil_remove_tree(f->dir);
	free(f);
	return 0;
}

/* Creates dir/sub (and its parents under dir); returns the full path. */
static const char *
make_dir(struct fixture *f, const char *sub)
{
	static char path[PATH_MAX];
	char part[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", f->dir, sub);
	for (char *p = path + strlen(f->dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		snprintf(part, sizeof part, "%.*s", (int)(p - path), path);
		mkdir(part, 0700);
	}
	mkdir(path, 0700);
	return path;
}

static void
write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
}

static void
write_text(const char *dir, const char *name, const char *text)
{
	write_file(dir, name, text, strlen(text));
}

static int
parse(struct theme *t, const char *text, char **cause)
{
	return theme_parse(t, text, strlen(text), "x.theme", cause);
}

/* Parses text over the default theme and expects exactly the message want. */
static void
expect_error(const char *text, size_t len, const char *want)
{
	struct theme t;
	char *cause = NULL;

	theme_default(&t);
	assert_int_equal(theme_parse(&t, text, len, "themes/x.theme", &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

/* A theme whose every element holds a value no theme line can produce. */
static void
sentinel_theme(struct theme *t)
{
	memset(t, 0, sizeof *t);
	for (int e = 0; e < TE_COUNT; e++)
		t->style[e] = (struct theme_style){-7, -7, 0x80000000u};
}

static void
assert_every_element_set(const struct theme *t)
{
	for (int e = 0; e < TE_COUNT; e++) {
		if (t->style[e].fg == -7 || t->style[e].bg == -7) {
			fail_msg("element \"%s\" is not set", theme_element_name(e));
		}
	}
}

static void
assert_same_styles(const struct theme *a, const struct theme *b)
{
	for (int e = 0; e < TE_COUNT; e++) {
		if (a->style[e].fg != b->style[e].fg || a->style[e].bg != b->style[e].bg ||
		    a->style[e].attrs != b->style[e].attrs)
			fail_msg("element \"%s\" differs", theme_element_name(e));
	}
}

static int
color_of(const char *word)
{
	int c = -99;
	assert_int_equal(theme_parse_color(word, &c), 0);
	return c;
}

static void
test_element_names_round_trip(void **state)
{
	(void)state;
	for (int e = 0; e < TE_COUNT; e++)
		assert_int_equal(theme_element_from_name(theme_element_name(e)), e);
	assert_string_equal(theme_element_name(TE_FINDING_DANGER), "finding-danger");
	assert_int_equal(theme_element_from_name("titel"), -1);
}

static void
test_default_parses_cleanly(void **state)
{
	struct theme t;
	char *cause = NULL;
	const char *src = theme_default_source();

	(void)state;
	sentinel_theme(&t);
	assert_int_equal(theme_parse(&t, src, strlen(src), "default", &cause), 0);
	assert_null(cause);
}

static void
test_default_sets_every_element(void **state)
{
	struct theme t;
	const char *src = theme_default_source();

	(void)state;
	sentinel_theme(&t);
	assert_int_equal(theme_parse(&t, src, strlen(src), "default", NULL), 0);
	assert_every_element_set(&t);
}

static void
test_default_is_named_default(void **state)
{
	struct theme t;

	(void)state;
	theme_default(&t);
	assert_string_equal(t.name, "default");
}

static void
test_dark_theme_file_equals_the_default(void **state)
{
	struct theme dark, def;
	char path[PATH_MAX + 32];
	char *cause = NULL;

	(void)state;
	snprintf(path, sizeof path, "%s/themes/dark.theme", root);
	assert_int_equal(theme_load(&dark, path, &cause), 0);
	theme_default(&def);
	assert_same_styles(&dark, &def);
	assert_string_equal(dark.name, "dark");
}

/* One case per file in themes/: it loads and names every element. */
static void
test_shipped_theme_loads_cleanly(void **state)
{
	const char *path = *state;
	struct theme t;
	char *cause = NULL;
	FILE *fp = fopen(path, "rb");
	static char text[THEME_MAX_BYTES + 1];
	size_t len;

	assert_non_null(fp);
	len = fread(text, 1, sizeof text, fp);
	fclose(fp);
	if (theme_load(&t, path, &cause) != 0)
		fail_msg("%s", cause);
	sentinel_theme(&t);
	assert_int_equal(theme_parse(&t, text, len, path, &cause), 0);
	assert_every_element_set(&t);
}

static void
test_mono_theme_has_no_colours(void **state)
{
	struct theme t;
	char path[PATH_MAX + 32];

	(void)state;
	snprintf(path, sizeof path, "%s/themes/mono.theme", root);
	assert_int_equal(theme_load(&t, path, NULL), 0);
	for (int e = 0; e < TE_COUNT; e++) {
		assert_int_equal(t.style[e].fg, -1);
		assert_int_equal(t.style[e].bg, -1);
	}
}

static void
test_mono_theme_tells_plaintext_from_tls_by_attributes(void **state)
{
	static const enum theme_element pairs[][2] = {
	    {TE_CLIENT_PLAIN, TE_CLIENT_TLS}, {TE_SERVER_PLAIN, TE_SERVER_TLS},
	    {TE_GUTTER_PLAIN, TE_GUTTER_TLS}, {TE_GUTTER_PLAIN, TE_GUTTER_HANDSHAKE},
	    {TE_TITLE_PLAIN, TE_TITLE_TLS},
	};
	struct theme t;
	char path[PATH_MAX + 32];

	(void)state;
	snprintf(path, sizeof path, "%s/themes/mono.theme", root);
	assert_int_equal(theme_load(&t, path, NULL), 0);
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		assert_int_not_equal(t.style[pairs[i][0]].attrs,
		                     t.style[pairs[i][1]].attrs);
}

/* The text of root/rel, NUL-terminated; the caller frees it. */
static char *
read_source_file(const char *rel, size_t *len)
{
	char path[PATH_MAX + 64];
	FILE *fp;
	char *text = malloc(256 * 1024);

	assert_non_null(text);
	snprintf(path, sizeof path, "%s/%s", root, rel);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	*len = fread(text, 1, 256 * 1024 - 1, fp);
	text[*len] = '\0';
	fclose(fp);
	return text;
}

static void
test_docs_describe_every_element_in_order(void **state)
{
	size_t len;
	char *doc = read_source_file("docs/themes.md", &len);
	char *p = strstr(doc, "\n## Elements\n");
	char *end;
	int e = 0;

	(void)state;
	assert_non_null(p);
	end = strstr(p + 1, "\n## ");
	assert_non_null(end);
	*end = '\0';
	while ((p = strstr(p, "\n| `")) != NULL) {
		char name[64];
		p += 4;
		assert_int_equal(sscanf(p, "%63[a-z-]`", name), 1);
		assert_true(e < TE_COUNT);
		assert_string_equal(name, theme_element_name(e));
		e++;
	}
	assert_int_equal(e, TE_COUNT);
	free(doc);
}

static void
test_docs_example_theme_parses(void **state)
{
	size_t len;
	char *doc = read_source_file("docs/themes.md", &len);
	char *p = strstr(doc, "\n## An example\n");
	char example[4096] = "";
	struct theme t;
	char *cause = NULL;

	(void)state;
	assert_non_null(p);
	for (p = strchr(p + 1, '\n'); p != NULL; p = strchr(p + 1, '\n')) {
		if (strncmp(p + 1, "    ", 4) != 0)
			continue;
		char *eol = strchr(p + 1, '\n');
		size_t used = strlen(example);
		snprintf(example + used, sizeof example - used, "%.*s\n",
		         (int)(eol - (p + 5)), p + 5);
	}
	assert_non_null(strstr(example, "color title"));
	theme_default(&t);
	if (parse(&t, example, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(t.style[TE_TITLE].bg, THEME_RGB_FLAG | 0x1c3f5f);
	free(doc);
}

static void
test_basic_colour_names(void **state)
{
	static const char *const names[] = {"black", "red",     "green", "yellow",
	                                    "blue",  "magenta", "cyan",  "white"};

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_int_equal(color_of(names[i]), i);
	assert_int_equal(color_of("default"), -1);
}

static void
test_bright_colour_names_are_8_to_15(void **state)
{
	(void)state;
	assert_int_equal(color_of("bright-black"), 8);
	assert_int_equal(color_of("bright-red"), 9);
	assert_int_equal(color_of("bright-white"), 15);
}

static void
test_colour_words_ignore_case(void **state)
{
	(void)state;
	assert_int_equal(color_of("RED"), 1);
	assert_int_equal(color_of("Bright-Cyan"), 14);
	assert_int_equal(color_of("Color42"), 42);
}

static void
test_colorN_accepts_0_to_255(void **state)
{
	int c;

	(void)state;
	assert_int_equal(color_of("color0"), 0);
	assert_int_equal(color_of("color196"), 196);
	assert_int_equal(color_of("color255"), 255);
	assert_int_equal(theme_parse_color("color256", &c), -1);
	assert_int_equal(theme_parse_color("color1000", &c), -1);
	assert_int_equal(theme_parse_color("color-1", &c), -1);
	assert_int_equal(theme_parse_color("color", &c), -1);
	assert_int_equal(theme_parse_color("color1x", &c), -1);
}

static void
test_hex_colours_are_rgb(void **state)
{
	int c;

	(void)state;
	assert_int_equal(color_of("#ff8000"), THEME_RGB_FLAG | 0xff8000);
	assert_int_equal(color_of("#00AAff"), THEME_RGB_FLAG | 0x00aaff);
	assert_int_equal(color_of("#000000"), THEME_RGB_FLAG);
	assert_int_equal(theme_parse_color("#fff", &c), -1);
	assert_int_equal(theme_parse_color("#ff00001", &c), -1);
	assert_int_equal(theme_parse_color("#gg0000", &c), -1);
	assert_int_equal(theme_parse_color("#\x10\x10\x10\x10\x10\x10", &c), -1);
	assert_int_equal(theme_parse_color("purple", &c), -1);
}

static void
test_attribute_names(void **state)
{
	static const struct {
		const char *word;
		unsigned bits;
	} attrs[] = {
	    {"bold", THEME_BOLD},           {"dim", THEME_DIM},
	    {"underline", THEME_UNDERLINE}, {"reverse", THEME_REVERSE},
	    {"italic", THEME_ITALIC},       {"blink", THEME_BLINK},
	    {"standout", THEME_STANDOUT},   {"normal", 0},
	    {"BOLD", THEME_BOLD},
	};
	unsigned bits;

	(void)state;
	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		bits = 0xdead;
		assert_int_equal(theme_parse_attr(attrs[i].word, &bits), 0);
		assert_int_equal(bits, attrs[i].bits);
	}
	assert_int_equal(theme_parse_attr("blod", &bits), -1);
}

static void
test_a_line_sets_colours_and_attributes(void **state)
{
	struct theme t;

	(void)state;
	theme_default(&t);
	assert_int_equal(
	    parse(&t, "color title bright-white #102030 bold underline\n", NULL), 0);
	assert_int_equal(t.style[TE_TITLE].fg, 15);
	assert_int_equal(t.style[TE_TITLE].bg, THEME_RGB_FLAG | 0x102030);
	assert_int_equal(t.style[TE_TITLE].attrs, THEME_BOLD | THEME_UNDERLINE);
}

static void
test_a_line_replaces_the_attributes_of_its_element(void **state)
{
	struct theme t;

	(void)state;
	theme_default(&t);
	assert_true(t.style[TE_SELECTED].attrs & THEME_REVERSE);
	assert_int_equal(parse(&t, "color selected red default\n", NULL), 0);
	assert_int_equal(t.style[TE_SELECTED].attrs, 0);
}

static void
test_elements_not_named_keep_their_values(void **state)
{
	struct theme t, before;

	(void)state;
	theme_default(&t);
	before = t;
	assert_int_equal(parse(&t, "color hex red blue\n", NULL), 0);
	for (int e = 0; e < TE_COUNT; e++)
		if (e != TE_HEX)
			assert_memory_equal(&t.style[e], &before.style[e],
			                    sizeof t.style[e]);
}

static void
test_the_last_line_for_an_element_wins(void **state)
{
	struct theme t;

	(void)state;
	theme_default(&t);
	assert_int_equal(parse(&t, "color hex red blue\ncolor hex green yellow", NULL), 0);
	assert_int_equal(t.style[TE_HEX].fg, 2);
	assert_int_equal(t.style[TE_HEX].bg, 3);
}

static void
test_comments_and_blank_lines_are_ignored(void **state)
{
	struct theme t;
	const char *text =
	    "# a theme\n"
	    "\n"
	    "   \t\n"
	    "  # indented comment\n"
	    "color info cyan default bold # trailing comment\n"
	    "color hint #ff0000 default   # the # starts a comment after colours\n";

	(void)state;
	theme_default(&t);
	assert_int_equal(parse(&t, text, NULL), 0);
	assert_int_equal(t.style[TE_INFO].fg, 6);
	assert_int_equal(t.style[TE_INFO].attrs, THEME_BOLD);
	assert_int_equal(t.style[TE_HINT].fg, THEME_RGB_FLAG | 0xff0000);
}

static void
test_crlf_line_endings_are_accepted(void **state)
{
	struct theme t;

	(void)state;
	theme_default(&t);
	assert_int_equal(
	    parse(&t, "color info cyan default bold\r\ncolor hex red blue\r\n", NULL), 0);
	assert_int_equal(t.style[TE_INFO].attrs, THEME_BOLD);
	assert_int_equal(t.style[TE_HEX].bg, 4);
}

static void
test_colour_is_a_synonym_of_color(void **state)
{
	struct theme t;

	(void)state;
	theme_default(&t);
	assert_int_equal(parse(&t, "colour hex red blue\n", NULL), 0);
	assert_int_equal(t.style[TE_HEX].fg, 1);
}

static void
test_unknown_element_is_named_with_a_suggestion(void **state)
{
	(void)state;
	const char *text = "# my theme\n\ncolor titel white blue\n";
	expect_error(text, strlen(text),
	             "themes/x.theme:3: unknown element \"titel\": did you mean \"title\"? "
	             "(see docs/themes.md for the list)");
}

static void
test_unknown_element_far_from_any_name(void **state)
{
	(void)state;
	const char *text = "color wallpaper white blue\n";
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:1: unknown element \"wallpaper\" (see docs/themes.md for the "
	    "list)");
}

static void
test_a_word_that_is_not_a_colour(void **state)
{
	(void)state;
	const char *text = "color title white blue\n\n\n\ncolor hex purple default\n";
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:5: \"purple\" is not a colour: use a name, colorN (0-255) or "
	    "#rrggbb");
}

static void
test_color256_is_not_a_colour(void **state)
{
	(void)state;
	const char *text = "color hex default color256\n";
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:1: \"color256\" is not a colour: use a name, colorN (0-255) "
	    "or #rrggbb");
}

static void
test_a_line_without_an_element(void **state)
{
	(void)state;
	const char *text = "color\n";
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:1: missing the element name: write \"color <element> <fg> "
	    "<bg> [attr ...]\"");
}

static void
test_a_line_without_colours(void **state)
{
	(void)state;
	const char *text = "color title\n";
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:1: missing the foreground and background colours: write "
	    "\"color <element> <fg> <bg> [attr ...]\"");
}

static void
test_a_hash_before_the_background_is_not_a_comment(void **state)
{
	(void)state;
	const char *text = "\ncolor title white # no background\n";
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:2: \"#\" is not a colour: use a name, colorN (0-255) or "
	    "#rrggbb");
}

static void
test_a_line_without_a_background(void **state)
{
	(void)state;
	const char *text = "\ncolor title white\n";
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:2: missing the background colour: write \"color <element> "
	    "<fg> <bg> [attr ...]\"");
}

static void
test_a_third_colour_is_too_many_fields(void **state)
{
	(void)state;
	const char *text = "color title white blue red\n";
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:1: too many fields: \"red\" comes after the background "
	    "colour, where only attributes may follow; write \"color <element> <fg> <bg> "
	    "[attr ...]\"");
}

static void
test_more_than_32_words_is_too_many_fields(void **state)
{
	char text[512] = "color title white blue";

	(void)state;
	for (int i = 0; i < 29; i++)
		strcat(text, " bold");
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:1: too many fields: a line has at most 32 words; write "
	    "\"color <element> <fg> <bg> [attr ...]\"");
	text[strlen(text) - 5] = '\0';
	struct theme t;
	theme_default(&t);
	assert_int_equal(parse(&t, text, NULL), 0);
}

static void
test_an_unknown_attribute(void **state)
{
	(void)state;
	const char *text = "color title white blue bold blod\n";
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:1: unknown attribute \"blod\": use bold, dim, underline, "
	    "reverse, italic, blink, standout or normal");
}

static void
test_a_line_that_is_not_a_color_line(void **state)
{
	(void)state;
	const char *text = "set title white blue\n";
	expect_error(
	    text, strlen(text),
	    "themes/x.theme:1: \"set\" is not a theme command: each line is \"color "
	    "<element> <fg> <bg> [attr ...]\", a # comment or blank");
}

static void
test_a_nul_byte_is_reported_with_its_line(void **state)
{
	(void)state;
	static const char text[] = "color title white blue\ncolor hex\0 red blue\n";
	expect_error(
	    text, sizeof text - 1,
	    "themes/x.theme:2: contains a NUL byte: a theme is plain text; save it as "
	    "text");
}

static void
test_a_text_over_64_KiB_is_refused(void **state)
{
	size_t len = THEME_MAX_BYTES + 1;
	char *text = malloc(len);

	(void)state;
	assert_non_null(text);
	memset(text, '\n', len);
	expect_error(
	    text, len,
	    "themes/x.theme: is larger than the 64 KiB a theme file may be: check that "
	    "this is a theme file");
	memset(text, '#', len - 1);
	struct theme t;
	theme_default(&t);
	assert_int_equal(theme_parse(&t, text, len - 1, "x", NULL), 0);
	free(text);
}

static void
test_words_in_messages_are_escaped(void **state)
{
	(void)state;
	const char *text = "color \x1b]0;owned\x07 white blue\n";
	expect_error(text, strlen(text),
	             "themes/x.theme:1: unknown element \"\\x1b]0;owned\\x07\" (see "
	             "docs/themes.md for the list)");
}

static void
test_an_error_leaves_the_theme_unchanged(void **state)
{
	struct theme t, before;
	char *cause = NULL;

	(void)state;
	theme_default(&t);
	before = t;
	assert_int_equal(
	    parse(&t, "color hex red blue\ncolor info cyan default\ncolor x y z\n", &cause),
	    -1);
	assert_memory_equal(&t, &before, sizeof t);
	free(cause);
}

static void
test_palette_rgb_follows_xterm(void **state)
{
	(void)state;
	assert_int_equal(theme_palette_rgb(9), 0xff0000);
	assert_int_equal(theme_palette_rgb(16), 0x000000);
	assert_int_equal(theme_palette_rgb(196), 0xff0000);
	assert_int_equal(theme_palette_rgb(214), 0xffaf00);
	assert_int_equal(theme_palette_rgb(231), 0xffffff);
	assert_int_equal(theme_palette_rgb(232), 0x080808);
	assert_int_equal(theme_palette_rgb(244), 0x808080);
}

static void
test_red_maps_to_196_on_256_colours(void **state)
{
	(void)state;
	assert_int_equal(theme_rgb_to_256(0xff0000), 196);
	assert_int_equal(theme_map_color(THEME_RGB_FLAG | 0xff0000, 256, NULL), 196);
}

static void
test_grey_maps_to_the_grey_ramp_on_256_colours(void **state)
{
	(void)state;
	assert_int_equal(theme_rgb_to_256(0x808080), 244);
	assert_int_equal(theme_rgb_to_256(0xffaf00), 214);
}

static void
test_red_maps_to_9_on_16_colours(void **state)
{
	(void)state;
	assert_int_equal(theme_rgb_to_16(0xff0000), 9);
	assert_int_equal(theme_map_color(THEME_RGB_FLAG | 0xff0000, 16, NULL), 9);
}

static void
test_red_maps_to_1_and_bold_on_8_colours(void **state)
{
	bool bright = false;

	(void)state;
	assert_int_equal(theme_map_color(THEME_RGB_FLAG | 0xff0000, 8, &bright), 1);
	assert_true(bright);
	assert_int_equal(theme_map_color(1, 8, &bright), 1);
	assert_false(bright);
	assert_int_equal(theme_map_color(12, 8, &bright), 4);
	assert_true(bright);
}

static void
test_soft_colours_keep_their_hue_on_16_colours(void **state)
{
	(void)state;
	assert_int_equal(theme_rgb_to_16(0xff5f5f), 9);
	assert_int_equal(theme_rgb_to_16(0x5fd75f), 2);
	assert_int_equal(theme_map_color(203, 16, NULL), 9);
}

static void
test_greys_stay_grey_on_16_colours(void **state)
{
	(void)state;
	assert_int_equal(theme_rgb_to_16(0x808080), 8);
	assert_int_equal(theme_rgb_to_16(0xe0e0e0), 7);
	assert_int_equal(theme_rgb_to_16(0x101010), 0);
	assert_int_equal(theme_map_color(231, 16, NULL), 15);
	assert_int_equal(theme_map_color(255, 16, NULL), 7);
}

static void
test_palette_indices_map_down_by_their_rgb(void **state)
{
	(void)state;
	assert_int_equal(theme_map_color(214, 256, NULL), 214);
	assert_int_equal(theme_map_color(214, 16, NULL), 3);
	assert_int_equal(theme_map_color(5, 16, NULL), 5);
	assert_int_equal(theme_map_color(13, 16, NULL), 13);
}

static void
test_direct_colour_passes_rgb_through(void **state)
{
	(void)state;
	assert_int_equal(theme_map_color(THEME_RGB_FLAG | 0x123456, 1 << 24, NULL),
	                 0x123456);
	assert_int_equal(theme_map_color(196, 1 << 24, NULL), 0xff0000);
	assert_int_equal(theme_map_color(3, 1 << 24, NULL), 3);
	assert_int_equal(theme_map_color(THEME_RGB_FLAG | 0x000000, 1 << 24, NULL), 8);
}

static void
test_default_colour_stays_default_everywhere(void **state)
{
	static const int modes[] = {0, 8, 16, 256, 1 << 24};

	(void)state;
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		assert_int_equal(theme_map_color(-1, modes[i], NULL), -1);
}

static void
test_bright_foreground_is_bold_on_8_colours(void **state)
{
	struct theme t;
	struct theme_term_style m;

	(void)state;
	theme_default(&t);
	assert_int_equal(parse(&t, "color hex bright-red bright-blue\n", NULL), 0);
	theme_map_element(&t, TE_HEX, 8, true, &m);
	assert_int_equal(m.fg, 1);
	assert_int_equal(m.bg, 4);
	assert_int_equal(m.attrs, THEME_BOLD);
}

static void
test_without_colours_only_attributes_remain(void **state)
{
	struct theme t;
	struct theme_term_style m;

	(void)state;
	theme_default(&t);
	assert_int_equal(parse(&t, "color hex red default underline\n", NULL), 0);
	theme_map_element(&t, TE_HEX, 0, true, &m);
	assert_int_equal(m.fg, -1);
	assert_int_equal(m.bg, -1);
	assert_int_equal(m.attrs, THEME_UNDERLINE);
}

static void
test_without_colours_a_background_becomes_reverse(void **state)
{
	struct theme t;
	struct theme_term_style m;

	(void)state;
	theme_default(&t);
	assert_int_equal(parse(&t, "color status white blue bold\n", NULL), 0);
	theme_map_element(&t, TE_STATUS, 0, true, &m);
	assert_int_equal(m.attrs, THEME_BOLD | THEME_REVERSE);
	assert_int_equal(parse(&t, "color default white blue\n", NULL), 0);
	theme_map_element(&t, TE_STATUS, 0, true, &m);
	assert_int_equal(m.attrs, THEME_BOLD);
}

static void
test_without_default_colours_white_on_black_stands_in(void **state)
{
	struct theme t;
	struct theme_term_style m;

	(void)state;
	theme_default(&t);
	assert_int_equal(parse(&t, "color hex default default\n", NULL), 0);
	theme_map_element(&t, TE_HEX, 256, false, &m);
	assert_int_equal(m.fg, 7);
	assert_int_equal(m.bg, 0);
}

static void
test_load_by_path_names_the_theme_after_the_file(void **state)
{
	struct fixture *f = *state;
	struct theme t;
	char path[PATH_MAX];
	char *cause = NULL;

	write_text(f->dir, "ocean.theme", "color hex blue default bold\n");
	snprintf(path, sizeof path, "%s/ocean.theme", f->dir);
	assert_int_equal(theme_load(&t, path, &cause), 0);
	assert_string_equal(t.name, "ocean");
	assert_int_equal(t.style[TE_HEX].fg, 4);
	struct theme def;
	theme_default(&def);
	assert_memory_equal(&t.style[TE_INFO], &def.style[TE_INFO], sizeof def.style[0]);
}

static void
test_load_by_name_from_xdg_config_home(void **state)
{
	struct fixture *f = *state;
	struct theme t;
	char *cause = NULL;

	write_text(make_dir(f, "config/startle/themes"), "ocean.theme",
	           "color hex blue red\n");
	char xdg[PATH_MAX];
	snprintf(xdg, sizeof xdg, "%s/config", f->dir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	assert_int_equal(theme_load(&t, "ocean", &cause), 0);
	assert_string_equal(t.name, "ocean");
	assert_int_equal(t.style[TE_HEX].bg, 1);
}

static void
test_load_by_name_from_home_config(void **state)
{
	struct fixture *f = *state;
	struct theme t;

	write_text(make_dir(f, "home/.config/startle/themes"), "ocean.theme",
	           "color hex green red\n");
	char home[PATH_MAX];
	snprintf(home, sizeof home, "%s/home", f->dir);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", "relative/ignored", 1);
	assert_int_equal(theme_load(&t, "ocean", NULL), 0);
	assert_int_equal(t.style[TE_HEX].fg, 2);
}

static void
test_load_by_name_accepts_the_theme_suffix(void **state)
{
	struct fixture *f = *state;
	struct theme t;

	setenv("STARTLE_THEMES", make_dir(f, "shipped"), 1);
	write_text(getenv("STARTLE_THEMES"), "ocean.theme", "color hex green red\n");
	assert_int_equal(theme_load(&t, "ocean.theme", NULL), 0);
	assert_string_equal(t.name, "ocean");
}

static void
test_user_themes_come_before_shipped_ones(void **state)
{
	struct fixture *f = *state;
	struct theme t;
	char xdg[PATH_MAX];

	write_text(make_dir(f, "config/startle/themes"), "ocean.theme",
	           "color hex blue red\n");
	write_text(make_dir(f, "shipped"), "ocean.theme", "color hex green red\n");
	snprintf(xdg, sizeof xdg, "%s/config", f->dir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("STARTLE_THEMES", make_dir(f, "shipped"), 1);
	assert_int_equal(theme_load(&t, "ocean", NULL), 0);
	assert_int_equal(t.style[TE_HEX].fg, 4);
}

static void
test_load_searches_startle_themes_then_the_working_directory(void **state)
{
	struct fixture *f = *state;
	struct theme t;

	write_text(make_dir(f, "shipped"), "ocean.theme", "color hex green red\n");
	write_text(make_dir(f, "work/themes"), "reef.theme", "color hex cyan red\n");
	setenv("STARTLE_THEMES", make_dir(f, "shipped"), 1);
	assert_int_equal(chdir(make_dir(f, "work")), 0);
	assert_int_equal(theme_load(&t, "ocean", NULL), 0);
	assert_int_equal(t.style[TE_HEX].fg, 2);
	assert_int_equal(theme_load(&t, "reef", NULL), 0);
	assert_int_equal(t.style[TE_HEX].fg, 6);
}

static void
test_default_name_loads_the_built_in_theme(void **state)
{
	struct fixture *f = *state;
	struct theme t, def;

	assert_int_equal(chdir(f->dir), 0);
	memset(&t, 0x55, sizeof t);
	assert_int_equal(theme_load(&t, "default", NULL), 0);
	theme_default(&def);
	assert_memory_equal(&t, &def, sizeof t);
}

static void
test_unknown_name_lists_the_themes_there_are(void **state)
{
	struct fixture *f = *state;
	struct theme t;
	char *cause = NULL;
	char xdg[PATH_MAX];

	write_text(make_dir(f, "config/startle/themes"), "ocean.theme", "");
	write_text(make_dir(f, "shipped"), "reef.theme", "");
	write_text(make_dir(f, "work/themes"), "coral.theme", "");
	snprintf(xdg, sizeof xdg, "%s/config", f->dir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("STARTLE_THEMES", make_dir(f, "shipped"), 1);
	assert_int_equal(chdir(make_dir(f, "work")), 0);
	assert_int_equal(theme_load(&t, "nope", &cause), -1);
	/* The shipped themes beside the test program (the build tree) count too. */
	assert_string_equal(cause,
	                    "no theme named \"nope\": the themes available are coral, "
	                    "dark, default, high-contrast, light, mono, ocean and reef; or "
	                    "give the path of a .theme file");
	free(cause);
}

static void
test_a_theme_with_an_error_is_not_loaded(void **state)
{
	struct fixture *f = *state;
	struct theme t, before;
	char path[PATH_MAX], want[PATH_MAX + 128];
	char *cause = NULL;

	write_text(f->dir, "bad.theme",
	           "color hex blue red\ncolor hex blue red blink shiny\n");
	snprintf(path, sizeof path, "%s/bad.theme", f->dir);
	theme_default(&t);
	strcpy(t.name, "before");
	before = t;
	assert_int_equal(theme_load(&t, path, &cause), -1);
	snprintf(
	    want, sizeof want,
	    "%s:2: unknown attribute \"shiny\": use bold, dim, underline, reverse, italic, "
	    "blink, standout or normal",
	    path);
	assert_string_equal(cause, want);
	assert_memory_equal(&t, &before, sizeof t);
	free(cause);
}

static void
test_a_missing_path_cannot_be_read(void **state)
{
	struct fixture *f = *state;
	struct theme t;
	char path[PATH_MAX], want[PATH_MAX + 128];
	char *cause = NULL;

	snprintf(path, sizeof path, "%s/none.theme", f->dir);
	assert_int_equal(theme_load(&t, path, &cause), -1);
	snprintf(want, sizeof want,
	         "%s: cannot be read (No such file or directory): check the path and its "
	         "permissions",
	         path);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_a_directory_is_not_a_theme(void **state)
{
	struct fixture *f = *state;
	struct theme t;
	char path[PATH_MAX], want[PATH_MAX + 128];
	char *cause = NULL;

	snprintf(path, sizeof path, "%s/", f->dir);
	assert_int_equal(theme_load(&t, path, &cause), -1);
	snprintf(want, sizeof want,
	         "%s: is not a regular file: give the path of a .theme file", path);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_a_file_over_64_KiB_is_refused(void **state)
{
	struct fixture *f = *state;
	struct theme t;
	char path[PATH_MAX], want[PATH_MAX + 128];
	char *cause = NULL;
	char *big = malloc(THEME_MAX_BYTES + 1);

	assert_non_null(big);
	memset(big, '\n', THEME_MAX_BYTES + 1);
	write_file(f->dir, "big.theme", big, THEME_MAX_BYTES + 1);
	free(big);
	snprintf(path, sizeof path, "%s/big.theme", f->dir);
	assert_int_equal(theme_load(&t, path, &cause), -1);
	snprintf(
	    want, sizeof want,
	    "%s: is larger than the 64 KiB a theme file may be: check that this is a theme "
	    "file",
	    path);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_a_file_with_a_nul_byte_is_refused(void **state)
{
	struct fixture *f = *state;
	struct theme t;
	char path[PATH_MAX], want[PATH_MAX + 128];
	char *cause = NULL;

	write_file(f->dir, "nul.theme", "# x\n\n\ncolor hex\0 red blue\n", 25);
	snprintf(path, sizeof path, "%s/nul.theme", f->dir);
	assert_int_equal(theme_load(&t, path, &cause), -1);
	snprintf(want, sizeof want,
	         "%s:4: contains a NUL byte: a theme is plain text; save it as text", path);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_an_empty_name_is_refused(void **state)
{
	struct theme t;
	char *cause = NULL;

	(void)state;
	assert_int_equal(theme_load(&t, "", &cause), -1);
	assert_string_equal(cause,
	                    "no theme name given: name a theme such as \"dark\" or give "
	                    "the path of a .theme file");
	free(cause);
}

struct names {
	char buf[512];
};

static void
append_name(void *arg, const char *name)
{
	struct names *n = arg;
	size_t used = strlen(n->buf);
	snprintf(n->buf + used, sizeof n->buf - used, "%s;", name);
}

static void
test_list_is_sorted_unique_and_only_themes(void **state)
{
	struct fixture *f = *state;
	struct names n = {""};
	char xdg[PATH_MAX];
	const char *user = make_dir(f, "config/startle/themes");

	write_text(user, "zebra.theme", "");
	write_text(user, "apple.theme", "");
	write_text(user, ".hidden.theme", "");
	write_text(user, "notes.txt", "");
	write_text(user, ".theme", "");
	make_dir(f, "config/startle/themes/dir.theme");
	write_text(make_dir(f, "shipped"), "apple.theme", "");
	write_text(make_dir(f, "shipped"), "mango.theme", "");
	snprintf(xdg, sizeof xdg, "%s/config", f->dir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("STARTLE_THEMES", make_dir(f, "shipped"), 1);
	assert_int_equal(chdir(f->dir), 0);
	theme_list(append_name, &n);
	/* The shipped themes beside the test program (the build tree) count too. */
	assert_string_equal(n.buf,
	                    "apple;dark;default;high-contrast;light;mango;mono;zebra;");
}

static void
test_dirs_start_with_startle_themes_when_set(void **state)
{
	const char *const *d;

	(void)state;
	setenv("STARTLE_THEMES", "/opt/themes", 1);
	d = theme_dirs();
	assert_string_equal(d[0], "/opt/themes");
	assert_string_equal(d[1], STARTLE_DATADIR "/themes");
	assert_string_equal(d[2], "./themes");
	/* Then the themes beside the executable (a build tree run from anywhere). */
	assert_non_null(d[3]);
	assert_non_null(strstr(d[3], "/themes"));
	assert_null(d[4]);
	unsetenv("STARTLE_THEMES");
	d = theme_dirs();
	assert_string_equal(d[0], STARTLE_DATADIR "/themes");
	assert_string_equal(d[1], "./themes");
	assert_non_null(d[2]);
	assert_null(d[3]);
}

/* Opens a curses screen for terminal type term writing to /dev/null; skips
 * the test when the terminfo entry is missing. */
static SCREEN *
open_screen(const char *term, FILE **out, FILE **in)
{
	SCREEN *sp;

	*out = fopen("/dev/null", "w");
	*in = fopen("/dev/null", "r");
	assert_non_null(*out);
	assert_non_null(*in);
	sp = newterm(term, *out, *in);
	if (sp == NULL) {
		fclose(*out);
		fclose(*in);
		skip();
	}
	if (has_colors())
		start_color();
	return sp;
}

static void
close_screen(SCREEN *sp, FILE *out, FILE *in)
{
	endwin();
	delscreen(sp);
	fclose(out);
	fclose(in);
}

static void
test_apply_on_256_colours_gives_each_element_its_pair(void **state)
{
	FILE *out, *in;
	SCREEN *sp = open_screen("xterm-256color", &out, &in);
	struct theme t;
	struct theme_attrs ta;
	int fg, bg;

	(void)state;
	theme_default(&t);
	assert_int_equal(parse(&t, "color finding-danger #ff0000 default bold\n", NULL), 0);
	theme_apply(&t, false, &ta);
	unsigned long a = theme_attr(&ta, TE_FINDING_DANGER);
	assert_int_equal(PAIR_NUMBER((chtype)a), TE_FINDING_DANGER + 1);
	assert_true(a & A_BOLD);
	assert_int_equal(extended_pair_content(TE_FINDING_DANGER + 1, &fg, &bg), OK);
	assert_int_equal(fg, 196);
	assert_int_equal(bg, -1);
	close_screen(sp, out, in);
}

static void
test_apply_on_8_colours_makes_bright_bold(void **state)
{
	FILE *out, *in;
	SCREEN *sp = open_screen("xterm", &out, &in);
	struct theme t;
	struct theme_attrs ta;
	int fg, bg;

	(void)state;
	theme_default(&t);
	assert_int_equal(parse(&t, "color hex bright-green blue\n", NULL), 0);
	theme_apply(&t, false, &ta);
	unsigned long a = theme_attr(&ta, TE_HEX);
	assert_int_equal(PAIR_NUMBER((chtype)a), TE_HEX + 1);
	assert_true(a & A_BOLD);
	assert_int_equal(extended_pair_content(TE_HEX + 1, &fg, &bg), OK);
	assert_int_equal(fg, 2);
	assert_int_equal(bg, 4);
	close_screen(sp, out, in);
}

static void
test_apply_with_no_color_uses_no_pairs(void **state)
{
	FILE *out, *in;
	SCREEN *sp = open_screen("xterm-256color", &out, &in);
	struct theme t;
	struct theme_attrs ta;

	(void)state;
	theme_default(&t);
	theme_apply(&t, true, &ta);
	for (int e = 0; e < TE_COUNT; e++)
		assert_int_equal(PAIR_NUMBER((chtype)theme_attr(&ta, e)), 0);
	assert_true(theme_attr(&ta, TE_SELECTED) & A_REVERSE);
	assert_true(theme_attr(&ta, TE_FINDING_DANGER) & A_BOLD);
	assert_true(theme_attr(&ta, TE_EXPLAIN) & A_DIM);
	close_screen(sp, out, in);
}

static void
test_apply_on_a_terminal_without_colours_keeps_attributes(void **state)
{
	FILE *out, *in;
	SCREEN *sp = open_screen("vt100", &out, &in);
	struct theme t;
	struct theme_attrs ta;

	(void)state;
	theme_default(&t);
	theme_apply(&t, false, &ta);
	assert_int_equal(PAIR_NUMBER((chtype)theme_attr(&ta, TE_CLIENT_PLAIN)), 0);
	assert_true(theme_attr(&ta, TE_CLIENT_PLAIN) & A_BOLD);
	assert_true(theme_attr(&ta, TE_TITLE) & A_REVERSE);
	close_screen(sp, out, in);
}

/* Finds the directory holding themes/dark.theme, from the working directory
 * upwards. */
static int
find_root(void)
{
	char here[PATH_MAX];

	if (getcwd(here, sizeof here) == NULL)
		return -1;
	for (int up = 0; up < 4; up++) {
		char probe[PATH_MAX + 32];
		snprintf(probe, sizeof probe, "%s/themes/dark.theme", here);
		if (access(probe, R_OK) == 0) {
			snprintf(root, sizeof root, "%s", here);
			return 0;
		}
		char *slash = strrchr(here, '/');
		if (slash == NULL || slash == here)
			break;
		*slash = '\0';
	}
	return -1;
}

/* One test case per file in themes/, so a new theme is tested by adding it. */
static int
run_shipped_theme_tests(void)
{
	char dir[PATH_MAX + 16];
	struct CMUnitTest *tests = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *de;
	int failed;

	snprintf(dir, sizeof dir, "%s/themes", root);
	d = opendir(dir);
	if (d == NULL)
		return 1;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 6 ||
		    strcmp(de->d_name + len - 6, ".theme") != 0)
			continue;
		tests = realloc(tests, (n + 1) * sizeof *tests);
		char *name = malloc(len + 64);
		char *path = malloc(strlen(dir) + len + 2);
		if (tests == NULL || name == NULL || path == NULL)
			abort();
		snprintf(name, len + 64, "test_shipped_theme_loads_cleanly(%s)",
		         de->d_name);
		sprintf(path, "%s/%s", dir, de->d_name);
		tests[n++] = (struct CMUnitTest){name, test_shipped_theme_loads_cleanly,
		                                 NULL, NULL, path};
	}
	closedir(d);
	failed =
	    n == 0 ? 1 : _cmocka_run_group_tests("shipped themes", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		free((char *)tests[i].name);
		free(tests[i].initial_state);
	}
	free(tests);
	return failed;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_element_names_round_trip),
	    cmocka_unit_test(test_default_parses_cleanly),
	    cmocka_unit_test(test_default_sets_every_element),
	    cmocka_unit_test(test_default_is_named_default),
	    cmocka_unit_test(test_dark_theme_file_equals_the_default),
	    cmocka_unit_test(test_mono_theme_has_no_colours),
	    cmocka_unit_test(test_mono_theme_tells_plaintext_from_tls_by_attributes),
	    cmocka_unit_test(test_docs_describe_every_element_in_order),
	    cmocka_unit_test(test_docs_example_theme_parses),
	    cmocka_unit_test(test_basic_colour_names),
	    cmocka_unit_test(test_bright_colour_names_are_8_to_15),
	    cmocka_unit_test(test_colour_words_ignore_case),
	    cmocka_unit_test(test_colorN_accepts_0_to_255),
	    cmocka_unit_test(test_hex_colours_are_rgb),
	    cmocka_unit_test(test_attribute_names),
	    cmocka_unit_test(test_a_line_sets_colours_and_attributes),
	    cmocka_unit_test(test_a_line_replaces_the_attributes_of_its_element),
	    cmocka_unit_test(test_elements_not_named_keep_their_values),
	    cmocka_unit_test(test_the_last_line_for_an_element_wins),
	    cmocka_unit_test(test_comments_and_blank_lines_are_ignored),
	    cmocka_unit_test(test_crlf_line_endings_are_accepted),
	    cmocka_unit_test(test_colour_is_a_synonym_of_color),
	    cmocka_unit_test(test_unknown_element_is_named_with_a_suggestion),
	    cmocka_unit_test(test_unknown_element_far_from_any_name),
	    cmocka_unit_test(test_a_word_that_is_not_a_colour),
	    cmocka_unit_test(test_color256_is_not_a_colour),
	    cmocka_unit_test(test_a_line_without_an_element),
	    cmocka_unit_test(test_a_line_without_colours),
	    cmocka_unit_test(test_a_line_without_a_background),
	    cmocka_unit_test(test_a_hash_before_the_background_is_not_a_comment),
	    cmocka_unit_test(test_a_third_colour_is_too_many_fields),
	    cmocka_unit_test(test_more_than_32_words_is_too_many_fields),
	    cmocka_unit_test(test_an_unknown_attribute),
	    cmocka_unit_test(test_a_line_that_is_not_a_color_line),
	    cmocka_unit_test(test_a_nul_byte_is_reported_with_its_line),
	    cmocka_unit_test(test_a_text_over_64_KiB_is_refused),
	    cmocka_unit_test(test_words_in_messages_are_escaped),
	    cmocka_unit_test(test_an_error_leaves_the_theme_unchanged),
	    cmocka_unit_test(test_palette_rgb_follows_xterm),
	    cmocka_unit_test(test_red_maps_to_196_on_256_colours),
	    cmocka_unit_test(test_grey_maps_to_the_grey_ramp_on_256_colours),
	    cmocka_unit_test(test_red_maps_to_9_on_16_colours),
	    cmocka_unit_test(test_red_maps_to_1_and_bold_on_8_colours),
	    cmocka_unit_test(test_soft_colours_keep_their_hue_on_16_colours),
	    cmocka_unit_test(test_greys_stay_grey_on_16_colours),
	    cmocka_unit_test(test_palette_indices_map_down_by_their_rgb),
	    cmocka_unit_test(test_direct_colour_passes_rgb_through),
	    cmocka_unit_test(test_default_colour_stays_default_everywhere),
	    cmocka_unit_test(test_bright_foreground_is_bold_on_8_colours),
	    cmocka_unit_test(test_without_colours_only_attributes_remain),
	    cmocka_unit_test(test_without_colours_a_background_becomes_reverse),
	    cmocka_unit_test(test_without_default_colours_white_on_black_stands_in),
	    cmocka_unit_test_setup_teardown(
	        test_load_by_path_names_the_theme_after_the_file, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_by_name_from_xdg_config_home,
	                                    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_by_name_from_home_config, setup_dir,
	                                    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_by_name_accepts_the_theme_suffix,
	                                    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_user_themes_come_before_shipped_ones,
	                                    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(
	        test_load_searches_startle_themes_then_the_working_directory, setup_dir,
	        teardown_dir),
	    cmocka_unit_test_setup_teardown(test_default_name_loads_the_built_in_theme,
	                                    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_unknown_name_lists_the_themes_there_are,
	                                    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_a_theme_with_an_error_is_not_loaded,
	                                    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_a_missing_path_cannot_be_read, setup_dir,
	                                    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_a_directory_is_not_a_theme, setup_dir,
	                                    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_a_file_over_64_KiB_is_refused, setup_dir,
	                                    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_a_file_with_a_nul_byte_is_refused,
	                                    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_an_empty_name_is_refused, setup_dir,
	                                    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_list_is_sorted_unique_and_only_themes,
	                                    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_dirs_start_with_startle_themes_when_set,
	                                    setup_dir, teardown_dir),
	    cmocka_unit_test(test_apply_on_256_colours_gives_each_element_its_pair),
	    cmocka_unit_test(test_apply_on_8_colours_makes_bright_bold),
	    cmocka_unit_test(test_apply_with_no_color_uses_no_pairs),
	    cmocka_unit_test(test_apply_on_a_terminal_without_colours_keeps_attributes),
	};
	int failed;

	if (find_root() < 0) {
		fprintf(stderr,
		        "test_theme: run me from the repository (no themes/dark.theme "
		        "found from here upwards)\n");
		return 1;
	}
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	failed += run_shipped_theme_tests();
	return failed;
}
