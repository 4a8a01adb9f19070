/*
 * exportview: /export's page. The command another tool needs for the side's
 * connection fills the screen, without a frame or anything else on its rows,
 * wrapped into lines ending in " \" -- so that a mouse selection of the rows
 * copies a command a shell reads back as one. Any key returns.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "export.h"
#include "styled.h"
#include "ui_int.h"

/* The program each tool's command runs. */
static const char *const exportview_programs[EXPORT_TOOL_COUNT] = {
    [EXPORT_OPENSSL] = "openssl s_client",
    [EXPORT_GNUTLS] = "gnutls-cli",
    [EXPORT_SWAKS] = "swaks",
    [EXPORT_CURL] = "curl",
};

void
exportview_show(struct ui *u, enum export_tool tool, struct export_command *cmd)
{
	exportview_close(u);
	u->export_cmd = *cmd;
	u->export_tool = tool;
	u->export_shown = true;
	memset(cmd, 0, sizeof *cmd);
	u->dirty = true;
}

void
exportview_close(struct ui *u)
{
	if (!u->export_shown)
		return;
	export_command_free(&u->export_cmd);
	u->export_shown = false;
	u->dirty = true;
}

/* Draws one line of the command (escaped: a control byte a path holds shows
 * as such) at row y. */
static void
exportview_row(struct ui *u, int y, enum theme_element e, const char *text, size_t len)
{
	struct sline l;

	sline_init(&l);
	sline_add_escaped(&l, e, TE_ESCAPED, (const unsigned char *)text, len);
	draw_sline(&u->dc, y, 0, COLS, &l, false);
	sline_free(&l);
}

void
exportview_draw(struct ui *u)
{
	int width = COLS - 1 > 20 ? COLS - 1 : 20, y = 0;
	char *text = export_format(&u->export_cmd, width);
	struct sline l;

	sline_init(&l);
	sline_addf(&l, TE_TITLE, " /export %s: this connection as %s · any key returns",
	           export_tool_name(u->export_tool), exportview_programs[u->export_tool]);
	draw_sline(&u->dc, y, 0, COLS, &l, false);
	y += 2;
	for (const char *p = text; *p != '\0' && y < LINES - 3;) {
		size_t n = strcspn(p, "\n");
		exportview_row(u, y++, p[0] == '#' ? TE_INFO : TE_DEFAULT, p, n);
		p += n + (p[n] == '\n');
	}
	free(text);
	sline_clear(&l);
	sline_add(&l, TE_HINT,
	          " Select the lines to copy them (Shift+drag where needed), or "
	          "/export TOOL FILE");
	draw_sline(&u->dc, y + 1 < LINES ? y + 1 : LINES - 1, 0, COLS, &l, false);
	sline_free(&l);
}
