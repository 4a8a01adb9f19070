/*
 * script: the steps a session is given, and the text form they are read from.
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "script.h"
#include "session.h"
#include "util.h"

void
script_add(struct script *sc, enum script_step_kind kind, const char *line)
{
	sc->steps = xrealloc(sc->steps, (sc->n + 1) * sizeof *sc->steps);
	sc->steps[sc->n++] = (struct script_step){kind, kind == SCRIPT_LINE ? line : NULL};
	if (kind != SCRIPT_STARTTLS)
		sc->nlines++;
}

/* Adds one line of a script (NUL-terminated, CR and LF removed). */
static int
script_line(struct script *sc, const char *line, const char *name, size_t lineno,
            char **cause)
{
	if (strchr(line, '\r') != NULL) {
		*cause =
		    str_printf("%s:%zu: a CR inside a line: startle ends each line with "
		               "CRLF itself; remove the CR",
		               name, lineno);
		return -1;
	}
	if (line[0] != '/') {
		script_add(sc, SCRIPT_LINE, line);
		return 0;
	}
	if (line[1] == '/') {
		script_add(sc, SCRIPT_LINE, line + 1);
		return 0;
	}
	if (strcmp(line, "/starttls") == 0) {
		script_add(sc, SCRIPT_STARTTLS, NULL);
		return 0;
	}
	char *shown = escape_bytes((const unsigned char *)line, strlen(line), ESCAPE_TEXT);
	*cause = str_printf("%s:%zu: \"%s\" is not a script command: a script knows "
	                    "/starttls; write // to send a line that starts with /",
	                    name, lineno, shown ? shown : "?");
	free(shown);
	return -1;
}

int
script_parse(struct script *sc, const char *text, size_t len, const char *name,
             char **cause)
{
	if (len > SCRIPT_MAX_BYTES) {
		*cause = str_printf("%s: %zu bytes is more than a script may hold (%d); "
		                    "send large content another way",
		                    name, len, SCRIPT_MAX_BYTES);
		return -1;
	}
	const char *nul = memchr(text, '\0', len);
	if (nul != NULL) {
		size_t lineno = 1;
		for (const char *p = text; p < nul; p++)
			lineno += *p == '\n';
		*cause = str_printf("%s:%zu: a NUL byte: a script is text", name, lineno);
		return -1;
	}
	char *own = xmemdup(text, len);
	sc->texts = xrealloc(sc->texts, (sc->ntexts + 1) * sizeof *sc->texts);
	sc->texts[sc->ntexts++] = own;
	size_t lineno = 0;
	for (char *p = own; p < own + len;) {
		char *lf = memchr(p, '\n', (size_t)(own + len - p));
		char *end = lf != NULL ? lf : own + len;
		lineno++;
		if (end > p && end[-1] == '\r')
			end[-1] = '\0';
		*end = '\0';
		if (script_line(sc, p, name, lineno, cause) != 0)
			return -1;
		p = end + 1;
	}
	return 0;
}

/* Queues the SASL exchange of the script's auth: the command, then each
 * answer, each sent when the server has answered the line before. */
static int
script_queue_auth(const struct script_auth *a, struct session *s, char **cause)
{
	char *lines[AUTH_LINES_MAX];
	size_t n = auth_lines(session_target(s)->proto, a->mech, a->user,
	                      a->password != NULL ? a->password : "", lines);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = session_queue_line(s, lines[i], cause);
	auth_lines_free(lines, n);
	return rc;
}

int
script_queue_step(const struct script *sc, size_t i, struct session *s, char **cause)
{
	switch (sc->steps[i].kind) {
	case SCRIPT_STARTTLS:
		session_queue_starttls(s);
		return 0;
	case SCRIPT_AUTH:
		return script_queue_auth(&sc->auth, s, cause);
	case SCRIPT_LINE:
		break;
	}
	return session_queue_line(s, sc->steps[i].line, cause);
}

void
script_free(struct script *sc)
{
	for (size_t i = 0; i < sc->ntexts; i++)
		free(sc->texts[i]);
	free(sc->texts);
	free(sc->steps);
	if (sc->auth.password != NULL) {
		explicit_bzero(sc->auth.password, strlen(sc->auth.password));
		free(sc->auth.password);
	}
	memset(sc, 0, sizeof *sc);
}
