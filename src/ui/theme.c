#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>

#include "escape.h"
#include "theme.h"
#include "theme_int.h"
#include "util.h"

#ifndef STARTLE_DATADIR
#define STARTLE_DATADIR "/usr/local/share/startle"
#endif

#define THEME_LINE_FORMAT "\"color <element> <fg> <bg> [attr ...]\""
#define THEME_TOO_LARGE                                                                    \
	"is larger than the 64 KiB a theme file may be: check that this is a theme file"
#define THEME_MAX_WORDS 32
#define THEME_HUE_CHROMA 48 /* max - min channel from which a colour has a hue */
#define THEME_QUOTE_MAX 40

/* The dark theme, the one startle starts with. themes/dark.theme holds the
 * same lines (a unit test keeps the two equal). */
static const char theme_default_text[] =
    "color default          default   default\n"
    "color title            color255  color24   bold\n"
    "color title-plain      color16   color214  bold\n"
    "color title-handshake  color16   color170  bold\n"
    "color title-tls        color16   color42   bold\n"
    "color border           color240  default\n"
    "color gutter-plain     color214  default   bold\n"
    "color gutter-handshake color170  default   bold\n"
    "color gutter-tls       color42   default   bold\n"
    "color client-plain     color221  default   bold\n"
    "color server-plain     color215  default\n"
    "color client-tls       color80   default   bold\n"
    "color server-tls       color114  default\n"
    "color escaped          color231  color239\n"
    "color explain          default   default   dim\n"
    "color info             color110  default\n"
    "color boundary         color42   default   bold\n"
    "color finding-info     color81   default\n"
    "color finding-warn     color220  default   bold\n"
    "color finding-danger   color196  default   bold\n"
    "color error            color203  default   bold\n"
    "color injected         color231  color124  bold\n"
    "color selected         default   default   reverse\n"
    "color tab              color250  default\n"
    "color tab-active       color255  color24   bold\n"
    "color label            color146  default\n"
    "color value            default   default\n"
    "color good             color77   default   bold\n"
    "color bad              color203  default   bold\n"
    "color hex              color145  default\n"
    "color status           color252  color237\n"
    "color prompt           color75   default   bold\n"
    "color input            default   default\n"
    "color hint             color250  default\n"
    "color hint-key         color75   default   bold\n"
    "color overlay          color252  color235\n";

static const char *const theme_element_names[TE_COUNT] = {
#define THEME_ELEMENT_NAME(sym, name) [TE_##sym] = name,
    THEME_ELEMENTS(THEME_ELEMENT_NAME)
#undef THEME_ELEMENT_NAME
};

static const char *const theme_colour_names[8] = {"black", "red",     "green", "yellow",
                                                  "blue",  "magenta", "cyan",  "white"};

static const struct theme_attr_name {
	const char *name;
	unsigned bits;
} theme_attr_names[] = {
    {"bold", THEME_BOLD},           {"dim", THEME_DIM},
    {"underline", THEME_UNDERLINE}, {"reverse", THEME_REVERSE},
    {"italic", THEME_ITALIC},       {"blink", THEME_BLINK},
    {"standout", THEME_STANDOUT},   {"normal", 0},
};
#define THEME_NATTRS (sizeof theme_attr_names / sizeof theme_attr_names[0])

/* The 16 basic colours as xterm shows them by default. */
static const int theme_basic_rgb[16] = {
    0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
    0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

/* The six levels of each channel of the 6x6x6 colour cube (16..231). */
static const int theme_cube_level[6] = {0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff};

const char *
theme_element_name(enum theme_element e)
{
	if ((int)e < 0 || e >= TE_COUNT)
		return NULL;
	return theme_element_names[e];
}

int
theme_element_from_name(const char *name)
{
	for (int e = 0; e < TE_COUNT; e++)
		if (strcasecmp(theme_element_names[e], name) == 0)
			return e;
	return -1;
}

const char *
theme_default_source(void)
{
	return theme_default_text;
}

/* Reads exactly ndigits hexadecimal digits (no sign, no prefix) into *value. */
static int
theme_parse_hex(const char *s, size_t ndigits, int *value)
{
	int v = 0;

	if (strlen(s) != ndigits)
		return -1;
	for (size_t i = 0; i < ndigits; i++) {
		int d = util_hex_digit((unsigned char)s[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	*value = v;
	return 0;
}

int
theme_parse_color(const char *word, int *color)
{
	int v;

	if (strcasecmp(word, "default") == 0) {
		*color = -1;
		return 0;
	}
	for (int i = 0; i < 8; i++) {
		if (strcasecmp(word, theme_colour_names[i]) == 0) {
			*color = i;
			return 0;
		}
		if (strncasecmp(word, "bright-", 7) == 0 &&
		    strcasecmp(word + 7, theme_colour_names[i]) == 0) {
			*color = 8 + i;
			return 0;
		}
	}
	if (strncasecmp(word, "color", 5) == 0) {
		const char *n = word + 5;
		size_t len = strlen(n);
		if (len < 1 || len > 3 || strspn(n, "0123456789") != len)
			return -1;
		v = atoi(n);
		if (v > 255)
			return -1;
		*color = v;
		return 0;
	}
	if (word[0] == '#' && theme_parse_hex(word + 1, 6, &v) == 0) {
		*color = THEME_RGB_FLAG | v;
		return 0;
	}
	return -1;
}

int
theme_parse_attr(const char *word, unsigned *bits)
{
	for (size_t i = 0; i < THEME_NATTRS; i++) {
		if (strcasecmp(word, theme_attr_names[i].name) == 0) {
			*bits = theme_attr_names[i].bits;
			return 0;
		}
	}
	return -1;
}

/* A word from a file or the command line as it may appear in a message:
 * escaped for the terminal, quoted, and cut after THEME_QUOTE_MAX bytes. */
static char *
theme_quote(const char *word)
{
	size_t len = strlen(word);
	bool cut = len > THEME_QUOTE_MAX;
	char *esc = escape_bytes((const unsigned char *)word, cut ? THEME_QUOTE_MAX : len,
	                         ESCAPE_TEXT);
	char *q = str_printf("\"%s%s\"", esc, cut ? "..." : "");

	free(esc);
	return q;
}

/* Hands msg to the caller through cause (or drops it if cause is NULL). */
static void
theme_give(char **cause, char *msg)
{
	if (cause != NULL)
		*cause = msg;
	else
		free(msg);
}

/* Edit distance between two short words (case-insensitive), capped: words
 * longer than 31 bytes count as far from everything. */
static size_t
theme_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[32];

	if (la > 31 || lb > 31)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t same = tolower((unsigned char)a[i - 1]) ==
			              tolower((unsigned char)b[j - 1]);
			size_t best = diag + !same;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The element name closest to word, if it is within two edits; else NULL. */
static const char *
theme_suggest_element(const char *word)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (int e = 0; e < TE_COUNT; e++) {
		size_t d = theme_distance(word, theme_element_names[e]);
		if (d < best_d) {
			best_d = d;
			best = theme_element_names[e];
		}
	}
	return best;
}

/* "bold, dim, ... or normal": the attribute names for messages. */
static char *
theme_attr_list(void)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < THEME_NATTRS; i++) {
		const char *sep = i == 0 ? "" : i + 1 == THEME_NATTRS ? " or " : ", ";
		char *n = str_printf("%s%s%s", s, sep, theme_attr_names[i].name);
		free(s);
		s = n;
	}
	return s;
}

/* Applies the words of one color line to t. */
static int
theme_parse_words(struct theme *t, char **w, size_t n, const char *file, unsigned line,
                  char **cause)
{
	struct theme_style st = {-1, -1, 0};
	static const char *const missing[] = {
	    "missing the element name",
	    "missing the foreground and background colours",
	    "missing the background colour",
	};
	int e = -1;
	char *q;

	if (strcasecmp(w[0], "color") != 0 && strcasecmp(w[0], "colour") != 0) {
		q = theme_quote(w[0]);
		util_file_error(cause, file, line,
		                "%s is not a theme command: each line is " THEME_LINE_FORMAT
		                ", a # comment or blank",
		                q);
		free(q);
		return -1;
	}
	if (n > 1 && (e = theme_element_from_name(w[1])) < 0) {
		const char *near = theme_suggest_element(w[1]);
		q = theme_quote(w[1]);
		if (near != NULL)
			util_file_error(
			    cause, file, line,
			    "unknown element %s: did you mean \"%s\"? (see docs/themes.md "
			    "for the list)",
			    q, near);
		else
			util_file_error(
			    cause, file, line,
			    "unknown element %s (see docs/themes.md for the list)", q);
		free(q);
		return -1;
	}
	for (size_t i = 2; i < 4 && i < n; i++) {
		if (theme_parse_color(w[i], i == 2 ? &st.fg : &st.bg) < 0) {
			q = theme_quote(w[i]);
			util_file_error(
			    cause, file, line,
			    "%s is not a colour: use a name, colorN (0-255) or #rrggbb", q);
			free(q);
			return -1;
		}
	}
	if (n < 4) {
		util_file_error(cause, file, line, "%s: write " THEME_LINE_FORMAT,
		                missing[n - 1]);
		return -1;
	}
	for (size_t i = 4; i < n; i++) {
		unsigned bits;
		int colour;
		if (theme_parse_attr(w[i], &bits) == 0) {
			st.attrs |= bits;
			continue;
		}
		q = theme_quote(w[i]);
		if (theme_parse_color(w[i], &colour) == 0) {
			util_file_error(
			    cause, file, line,
			    "too many fields: %s comes after the background colour, where "
			    "only attributes may follow; write " THEME_LINE_FORMAT,
			    q);
		} else {
			char *list = theme_attr_list();
			util_file_error(cause, file, line, "unknown attribute %s: use %s",
			                q, list);
			free(list);
		}
		free(q);
		return -1;
	}
	t->style[e] = st;
	return 0;
}

/* Parses one line (without its newline) into t. */
static int
theme_parse_line(struct theme *t, const char *text, size_t len, const char *file,
                 unsigned line, char **cause)
{
	char *buf = xmemdup(text, len);
	char *w[THEME_MAX_WORDS];
	size_t n = 0;
	int rc = 0;

	for (char *p = buf;;) {
		p += strspn(p, " \t\r\v\f");
		if (*p == '\0')
			break;
		/* a comment starts a line, or follows the colours of a color line */
		if (*p == '#' && (n == 0 || n >= 4))
			break;
		if (n == THEME_MAX_WORDS) {
			util_file_error(cause, file, line,
			                "too many fields: a line has at most %d words; "
			                "write " THEME_LINE_FORMAT,
			                THEME_MAX_WORDS);
			free(buf);
			return -1;
		}
		w[n++] = p;
		p += strcspn(p, " \t\r\v\f");
		if (*p != '\0')
			*p++ = '\0';
	}
	if (n > 0)
		rc = theme_parse_words(t, w, n, file, line, cause);
	free(buf);
	return rc;
}

int
theme_parse(struct theme *t, const char *text, size_t len, const char *filename,
            char **cause)
{
	struct theme work = *t;
	const char *p, *end;
	unsigned line = 0;

	if (filename == NULL)
		filename = "(theme)";
	if (len > THEME_MAX_BYTES) {
		util_file_error(cause, filename, 0, THEME_TOO_LARGE);
		return -1;
	}
	if (len == 0)
		return 0;
	const char *nul = memchr(text, '\0', len);
	if (nul != NULL) {
		unsigned at = 1;
		for (const char *c = text; c < nul; c++)
			at += *c == '\n';
		util_file_error(
		    cause, filename, at,
		    "contains a NUL byte: a theme is plain text; save it as text");
		return -1;
	}
	for (p = text, end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		line++;
		if (theme_parse_line(&work, p, (size_t)(le - p), filename, line, cause) < 0)
			return -1;
		p = nl != NULL ? nl + 1 : end;
	}
	*t = work;
	return 0;
}

void
theme_default(struct theme *t)
{
	char *cause = NULL;

	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "default");
	for (int e = 0; e < TE_COUNT; e++)
		t->style[e] = (struct theme_style){-1, -1, 0};
	if (theme_parse(t, theme_default_text, strlen(theme_default_text),
	                "(built-in theme)", &cause) < 0)
		fatal("%s", cause);
}

/* The user's theme directory, or NULL when neither $XDG_CONFIG_HOME (an
 * absolute path) nor $HOME is set. The caller frees it. */
static char *
theme_user_dir(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return str_printf("%s/startle/themes", xdg);
	if (home != NULL && home[0] != '\0')
		return str_printf("%s/.config/startle/themes", home);
	return NULL;
}

const char *const *
theme_dirs(void)
{
	static const char *dirs[5];
	const char *env = getenv("STARTLE_THEMES");
	const char *beside = util_beside_exe("themes");
	size_t n = 0;

	if (env != NULL && env[0] != '\0')
		dirs[n++] = env;
	dirs[n++] = STARTLE_DATADIR "/themes";
	dirs[n++] = "./themes";
	if (beside != NULL)
		dirs[n++] = beside;
	dirs[n] = NULL;
	return dirs;
}

/* The directories searched for theme names, in order: the user's first.
 * Returns how many were put in dirs (at most 5); *user is freed by the caller. */
static size_t
theme_search_dirs(const char *dirs[6], char **user)
{
	const char *const *shipped = theme_dirs();
	size_t n = 0;

	*user = theme_user_dir();
	if (*user != NULL)
		dirs[n++] = *user;
	for (size_t i = 0; shipped[i] != NULL && n < 6; i++)
		dirs[n++] = shipped[i];
	return n;
}

/* Parses the theme file at path over t, naming the theme name. */
static int
theme_load_file(struct theme *t, const char *path, bool missing_ok, char **cause)
{
	char *text;
	size_t len;
	int rc = util_read_text_file(path, THEME_MAX_BYTES, "theme", missing_ok, &text,
	                             &len, cause);

	if (rc != 0)
		return rc;
	rc = theme_parse(t, text, len, path, cause);
	free(text);
	return rc;
}

struct theme_names {
	char **v;
	size_t n;
};

/* theme_list callback that keeps the names for a message. */
static void
theme_collect(void *arg, const char *name)
{
	struct theme_names *nm = arg;

	nm->v = xrealloc(nm->v, (nm->n + 1) * sizeof *nm->v);
	nm->v[nm->n++] = xstrdup(name);
}

/* Sets *cause for a name no directory holds, listing the themes there are
 * as "a, b and c". */
static void
theme_unknown(const char *name, char **cause)
{
	struct theme_names nm = {NULL, 0};
	char *q = theme_quote(name);
	char *list = xstrdup("");

	theme_list(theme_collect, &nm);
	for (size_t i = 0; i < nm.n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == nm.n ? " and " : ", ";
		char *l = str_printf("%s%s%s", list, sep, nm.v[i]);
		free(list);
		free(nm.v[i]);
		list = l;
	}
	theme_give(cause,
	           str_printf("no theme named %s: the themes available are %s; or give "
	                      "the path of a .theme file",
	                      q, list));
	free(nm.v);
	free(list);
	free(q);
}

/* The theme name a path or name stands for: its last component without
 * ".theme". */
static void
theme_set_name(struct theme *t, const char *name_or_path)
{
	const char *base = strrchr(name_or_path, '/');
	size_t len;

	base = base != NULL ? base + 1 : name_or_path;
	len = strlen(base);
	if (len > 6 && strcmp(base + len - 6, ".theme") == 0)
		len -= 6;
	if (len >= sizeof t->name)
		len = sizeof t->name - 1;
	memcpy(t->name, base, len);
	t->name[len] = '\0';
}

int
theme_load(struct theme *t, const char *name_or_path, char **cause)
{
	struct theme work;
	const char *dirs[6];
	char *user, *name;
	size_t ndirs, len;
	int rc = 1;

	theme_default(&work);
	if (strchr(name_or_path, '/') != NULL) {
		if (theme_load_file(&work, name_or_path, false, cause) < 0)
			return -1;
		theme_set_name(&work, name_or_path);
		*t = work;
		return 0;
	}
	len = strlen(name_or_path);
	if (len > 6 && strcmp(name_or_path + len - 6, ".theme") == 0)
		len -= 6;
	if (len == 0) {
		theme_give(cause,
		           str_printf("no theme name given: name a theme such as \"dark\" "
		                      "or give the path of a .theme file"));
		return -1;
	}
	name = xmemdup(name_or_path, len);
	ndirs = theme_search_dirs(dirs, &user);
	for (size_t i = 0; i < ndirs && rc == 1; i++) {
		char *path = str_printf("%s/%s.theme", dirs[i], name);
		rc = theme_load_file(&work, path, true, cause);
		free(path);
	}
	free(user);
	if (rc == 1 && strcmp(name, "default") == 0)
		rc = 0;
	if (rc == 1)
		theme_unknown(name, cause);
	if (rc == 0) {
		theme_set_name(&work, name);
		*t = work;
	}
	free(name);
	return rc == 0 ? 0 : -1;
}

/* True if a directory entry names a theme: NAME.theme, NAME non-empty, not
 * hidden, printable. */
static bool
theme_is_theme_file(const char *entry)
{
	size_t len = strlen(entry);

	if (len <= 6 || entry[0] == '.' || strcmp(entry + len - 6, ".theme") != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)entry[i] < 0x20 || entry[i] == 0x7f)
			return false;
	return true;
}

static int
theme_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
theme_list(void (*fn)(void *arg, const char *name), void *arg)
{
	const char *dirs[6];
	char *user;
	size_t ndirs = theme_search_dirs(dirs, &user);
	char **names = xmalloc(sizeof *names);
	size_t n = 0, cap = 1;

	names[n++] = xstrdup("default");
	for (size_t i = 0; i < ndirs; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			struct stat st;
			char *path;
			if (!theme_is_theme_file(de->d_name))
				continue;
			path = str_printf("%s/%s", dirs[i], de->d_name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (n == cap) {
					cap *= 2;
					names = xrealloc(names, cap * sizeof *names);
				}
				names[n++] = xmemdup(de->d_name, strlen(de->d_name) - 6);
			}
			free(path);
		}
		closedir(d);
	}
	free(user);
	qsort(names, n, sizeof *names, theme_cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			fn(arg, names[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Squared perceptual distance between two rgb colours (red-mean weighting). */
static long
theme_rgb_distance(int a, int b)
{
	long r1 = (a >> 16) & 0xff, g1 = (a >> 8) & 0xff, b1 = a & 0xff;
	long r2 = (b >> 16) & 0xff, g2 = (b >> 8) & 0xff, b2 = b & 0xff;
	long rmean = (r1 + r2) / 2;
	long dr = r1 - r2, dg = g1 - g2, db = b1 - b2;

	return (((512 + rmean) * dr * dr) >> 8) + 4 * dg * dg +
	       (((767 - rmean) * db * db) >> 8);
}

int
theme_palette_rgb(int index)
{
	if (index < 0 || index > 255)
		return 0;
	if (index < 16)
		return theme_basic_rgb[index];
	if (index < 232) {
		int c = index - 16;
		return theme_cube_level[c / 36] << 16 | theme_cube_level[(c / 6) % 6] << 8 |
		       theme_cube_level[c % 6];
	}
	int grey = 8 + (index - 232) * 10;
	return grey << 16 | grey << 8 | grey;
}

/* The index in first..last of the palette colour nearest to rgb, skipping
 * the greys (0, 7, 8, 15) when no_greys is set. */
static int
theme_nearest(int rgb, int first, int last, bool no_greys)
{
	int best = first;
	long best_d = -1;

	for (int i = first; i <= last; i++) {
		if (no_greys && (i == 0 || i == 7 || i == 8 || i == 15))
			continue;
		long d = theme_rgb_distance(rgb, theme_palette_rgb(i));
		if (best_d < 0 || d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return best;
}

int
theme_rgb_to_256(int rgb)
{
	return theme_nearest(rgb & 0xffffff, 16, 255, false);
}

/* Among only 16 colours, the plain distance sends soft colours (salmon,
 * sage, sky blue) to grey; a colour with a clear hue keeps a hue instead. */
int
theme_rgb_to_16(int rgb)
{
	int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
	int hi = r > g ? (r > b ? r : b) : (g > b ? g : b);
	int lo = r < g ? (r < b ? r : b) : (g < b ? g : b);

	return theme_nearest(rgb & 0xffffff, 0, 15, hi - lo >= THEME_HUE_CHROMA);
}

int
theme_map_color(int color, int ncolors, bool *bright)
{
	bool is_rgb = color >= 0 && (color & THEME_RGB_FLAG) != 0;
	int rgb = is_rgb ? color & 0xffffff : -1;
	int idx;

	if (bright != NULL)
		*bright = false;
	if (color < 0 || ncolors < 8)
		return -1;
	if (ncolors > 256) {
		if (!is_rgb && color < 8)
			return color;
		if (!is_rgb)
			rgb = theme_palette_rgb(color);
		return rgb < 8 ? 8 : rgb; /* 0..7 would be read as the basic colours */
	}
	if (ncolors == 256)
		return is_rgb ? theme_rgb_to_256(rgb) : color;
	if (is_rgb)
		idx = theme_rgb_to_16(rgb);
	else
		idx = color < 16 ? color : theme_rgb_to_16(theme_palette_rgb(color));
	if (ncolors >= 16)
		return idx;
	if (idx >= 8) {
		idx -= 8;
		if (bright != NULL)
			*bright = true;
	}
	return idx;
}

void
theme_map_element(const struct theme *t, enum theme_element e, int ncolors,
                  bool default_colors, struct theme_term_style *out)
{
	const struct theme_style *s = &t->style[e];
	bool bright = false;

	out->attrs = s->attrs;
	if (ncolors < 8) {
		out->fg = out->bg = -1;
		if (s->bg != t->style[TE_DEFAULT].bg)
			out->attrs |= THEME_REVERSE;
		return;
	}
	out->fg = theme_map_color(s->fg, ncolors, &bright);
	out->bg = theme_map_color(s->bg, ncolors, NULL);
	if (bright)
		out->attrs |= THEME_BOLD;
	if (!default_colors) {
		if (out->fg < 0)
			out->fg = COLOR_WHITE;
		if (out->bg < 0)
			out->bg = COLOR_BLACK;
	}
}

static const struct {
	unsigned bit;
	unsigned long attr;
} theme_curses_attrs[] = {
    {THEME_BOLD, A_BOLD},       {THEME_DIM, A_DIM},     {THEME_UNDERLINE, A_UNDERLINE},
    {THEME_REVERSE, A_REVERSE}, {THEME_BLINK, A_BLINK}, {THEME_STANDOUT, A_STANDOUT},
#ifdef A_ITALIC
    {THEME_ITALIC, A_ITALIC},
#endif
};

/* Registers colour pair n, with direct-colour values where curses has them. */
static int
theme_init_pair(int pair, int fg, int bg)
{
#if defined(NCURSES_EXT_COLORS)
	return init_extended_pair(pair, fg, bg);
#else
	return init_pair((short)pair, (short)fg, (short)bg);
#endif
}

void
theme_apply(const struct theme *t, bool no_color, struct theme_attrs *out)
{
	int ncolors = 0;
	bool default_colors = false;

	if (!no_color && has_colors() && COLORS >= 8) {
		ncolors = COLORS;
#if defined(NCURSES_VERSION)
		default_colors = use_default_colors() == OK;
#endif
#if !defined(NCURSES_EXT_COLORS)
		if (ncolors > 256)
			ncolors = 256;
#endif
	}
	for (int e = 0; e < TE_COUNT; e++) {
		struct theme_term_style m;
		unsigned long a = A_NORMAL;
		theme_map_element(t, e, ncolors, default_colors, &m);
		for (size_t i = 0;
		     i < sizeof theme_curses_attrs / sizeof theme_curses_attrs[0]; i++)
			if (m.attrs & theme_curses_attrs[i].bit)
				a |= theme_curses_attrs[i].attr;
		if (ncolors > 0 && e + 1 < COLOR_PAIRS &&
		    theme_init_pair(e + 1, m.fg, m.bg) == OK)
			a |= (unsigned long)COLOR_PAIR(e + 1);
		out->attr[e] = a;
	}
}

unsigned long
theme_attr(const struct theme_attrs *a, enum theme_element e)
{
	if ((int)e < 0 || e >= TE_COUNT)
		return A_NORMAL;
	return a->attr[e];
}
