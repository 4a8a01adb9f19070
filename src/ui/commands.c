#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct command_info commands[CMD_COUNT] = {
#define COMMAND_ROW(sym, n, a, h)                                                          \
	[CMD_##sym] = {.id = CMD_##sym, .name = n, .args = a, .help = h},
    COMMANDS(COMMAND_ROW)
#undef COMMAND_ROW
};

const struct command_info *
command_info(enum command_id id)
{
	return &commands[id];
}

size_t
command_complete(const char *prefix, void (*fn)(void *arg, const char *name), void *arg)
{
	size_t n = 0, plen = strlen(prefix);

	for (size_t i = 0; i < CMD_COUNT; i++)
		if (strncmp(commands[i].name, prefix, plen) == 0) {
			if (fn != NULL)
				fn(arg, commands[i].name);
			n++;
		}
	return n;
}

/* Finds the one command whose name is word or starts with it. */
static const struct command_info *
command_find(const char *word, size_t len, size_t *matches)
{
	const struct command_info *found = NULL;

	*matches = 0;
	for (size_t i = 0; i < CMD_COUNT; i++) {
		if (strlen(commands[i].name) == len &&
		    strncmp(commands[i].name, word, len) == 0) {
			*matches = 1;
			return &commands[i];
		}
		if (strncmp(commands[i].name, word, len) == 0) {
			found = &commands[i];
			(*matches)++;
		}
	}
	return *matches == 1 ? found : NULL;
}

void
command_parse(const char *line, struct command_parse *out)
{
	const char *word, *end, *arg;
	size_t matches;

	memset(out, 0, sizeof *out);
	if (line[0] != '/') {
		out->result = COMMAND_SEND;
		out->send = line;
		return;
	}
	if (line[1] == '/') {
		out->result = COMMAND_SEND;
		out->send = line + 1;
		return;
	}
	word = line + 1;
	end = word + strcspn(word, " \t");
	arg = end + strspn(end, " \t");
	out->result = COMMAND_ERROR;
	if (end == word) {
		snprintf(
		    out->error, sizeof out->error,
		    "a command name must follow '/': try /help (use // to send a slash)");
		return;
	}
	out->cmd = command_find(word, (size_t)(end - word), &matches);
	if (out->cmd == NULL) {
		snprintf(out->error, sizeof out->error,
		         matches > 1
		             ? "/%.*s is ambiguous: type more of the name (see /help)"
		             : "unknown command /%.*s: see /help (use // to send a slash)",
		         (int)(end - word > 40 ? 40 : end - word), word);
		return;
	}
	if (out->cmd->args[0] == '\0' && *arg != '\0') {
		snprintf(out->error, sizeof out->error, "/%s takes no argument",
		         out->cmd->name);
		return;
	}
	if (out->cmd->args[0] != '\0' && out->cmd->args[0] != '[' && *arg == '\0') {
		snprintf(out->error, sizeof out->error, "/%s needs %s: /%s %s",
		         out->cmd->name, out->cmd->args, out->cmd->name, out->cmd->args);
		return;
	}
	out->result = COMMAND_RUN;
	out->arg = arg;
}
