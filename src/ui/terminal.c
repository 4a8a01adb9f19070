/*
 * terminal: whether the terminal TERM names can show the explorer, asked of
 * terminfo before curses takes over (curses itself would end the program
 * with "Error opening terminal" and exit status 1).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "ui_int.h"
#include "util.h"

/* term.h defines macros named like ordinary words (lines, columns): it
 * comes last, after every other header. */
#include <curses.h>
#include <term.h>

/* Checks, before curses takes over, that the terminal TERM names can show
 * the explorer: terminfo knows it and it can place the cursor (TERM=dumb
 * cannot). Returns 0, or -1 with *cause saying what to do instead. */
int
ui_check_terminal(char **cause)
{
	const char *term = getenv("TERM");
	char *shown = escape_bytes((const unsigned char *)(term ? term : ""),
	                           term ? strlen(term) : 0, ESCAPE_TEXT);
	int err = 0, rc = 0;

	if (term == NULL || term[0] == '\0') {
		*cause = str_printf("TERM is not set, so the explorer cannot draw: set it "
		                    "(e.g. TERM=xterm-256color), or use --batch");
		rc = -1;
	} else if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		*cause =
		    str_printf("the terminal type TERM=%s is not known here (no terminfo "
		               "entry): set TERM to one this system knows, e.g. "
		               "xterm-256color, or use --batch",
		               shown ? shown : "?");
		rc = -1;
	} else {
		const char *cup = tigetstr("cup");
		if (cup == NULL || cup == (char *)-1 || tigetflag("hc") > 0) {
			*cause = str_printf(
			    "the terminal TERM=%s cannot place the cursor, which "
			    "the explorer needs: use --batch, or a terminal "
			    "such as xterm-256color",
			    shown ? shown : "?");
			rc = -1;
		}
		del_curterm(cur_term);
	}
	free(shown);
	return rc;
}
