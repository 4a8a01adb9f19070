/*
 * cli_give: what the parsed command line gives each part of startle -- the
 * session parameters (one side or both of --compare), the batch, explorer
 * and export configurations, the script read from --script, and the check
 * of the files startle will write, made before connecting. cli.c parses.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "clientcert.h"
#include "dns.h"
#include "certfile.h"
#include "escape.h"
#include "tls.h"
#include "util.h"

void
cli_session_params(const struct cli_options *o, struct session_params *p)
{
	*p = (struct session_params){
	    .target = o->target,
	    .ehlo_name = o->ehlo,
	    .servername = o->servername,
	    .cafile = o->cafile,
	    .client_cert = o->client_cert,
	    .client_key = o->client_key,
	    .tls_min = o->tls_min,
	    .tls_max = o->tls_max,
	    .ciphers = o->ciphers,
	    .groups = o->groups,
	    .alpn = o->alpn,
	    .keylog = o->keylog,
	    .require_tls = o->require_tls,
	    .require_verified = o->verify,
	    .insecure = o->insecure,
	    .timeout_ms = o->timeout_s * 1000,
	};
}

/* Reads all of f (at most SCRIPT_MAX_BYTES + 1 bytes, so an oversized
 * script is seen as one) into *text. Returns -1 on a read error. */
static int
cli_read_all(FILE *f, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0 || n > SCRIPT_MAX_BYTES)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return -1;
	}
	*text = buf;
	*len = n;
	return 0;
}

/* Puts the steps of from into o->script at o->script_at; the texts the
 * lines point into move along. */
static void
cli_splice_script(struct cli_options *o, struct script *from)
{
	struct script merged = {0};

	for (size_t i = 0; i < o->script_at; i++)
		script_add(&merged, o->script.steps[i].kind, o->script.steps[i].line);
	for (size_t i = 0; i < from->n; i++)
		script_add(&merged, from->steps[i].kind, from->steps[i].line);
	for (size_t i = o->script_at; i < o->script.n; i++)
		script_add(&merged, o->script.steps[i].kind, o->script.steps[i].line);
	merged.texts =
	    xmalloc((o->script.ntexts + from->ntexts + 1) * sizeof *merged.texts);
	for (size_t i = 0; i < o->script.ntexts; i++)
		merged.texts[merged.ntexts++] = o->script.texts[i];
	for (size_t i = 0; i < from->ntexts; i++)
		merged.texts[merged.ntexts++] = from->texts[i];
	merged.auth = o->script.auth;
	free(o->script.texts);
	free(o->script.steps);
	free(from->texts);
	free(from->steps);
	memset(from, 0, sizeof *from);
	o->script = merged;
}

int
cli_load_script(struct cli_options *o, char **cause)
{
	const char *path = o->script_file;
	struct script from = {0};
	char *text = NULL;
	size_t len;
	FILE *f;
	int rc;

	/* s_client's habit: with nothing to send, batch mode reads its lines
	 * from a pipe or file on standard input. */
	if (path == NULL && o->mode == MODE_BATCH && o->script.nlines == 0 &&
	    o->replay == NULL && !isatty(STDIN_FILENO)) {
		path = "-";
		o->script_at = o->script.n;
	}
	if (path == NULL)
		return 0;
	bool in = strcmp(path, "-") == 0;
	if (in && o->mode != MODE_BATCH) {
		*cause = str_printf("--script - reads standard input, which the explorer "
		                    "needs for the keyboard: add --batch, or give a file");
		return -1;
	}
	const char *name = in ? "standard input" : path;
	if ((f = in ? stdin : fopen(path, "r")) == NULL) {
		util_file_error(cause, path, 0,
		                "cannot be read (%s): check the path given to --script",
		                strerror(errno));
		return -1;
	}
	rc = cli_read_all(f, &text, &len);
	if (!in)
		fclose(f);
	if (rc != 0) {
		util_file_error(cause, name, 0, "cannot be read (%s)", strerror(errno));
		return -1;
	}
	rc = script_parse(&from, text, len, name, cause);
	free(text);
	if (rc == 0)
		cli_splice_script(o, &from);
	else
		script_free(&from);
	return rc;
}

void
cli_batch_config(const struct cli_options *o, struct batch_config *cfg)
{
	*cfg = (struct batch_config){
	    .script = &o->script,
	    .json = o->json,
	    .no_explain = o->no_explain,
	    .records = o->records,
	    .no_color = o->no_color,
	    .force_color = o->force_color,
	    .log = o->log,
	    .record = o->record,
	    .redact = o->redact,
	    .fail_on_set = o->fail_on_set,
	    .fail_on = o->fail_on,
	    .budget = (size_t)o->memory_mib * 1024 * 1024,
	    .mx = o->mx ? &o->mx_opts : NULL,
	    .reconnect = o->reconnect,
	    .save_chain = o->save_chain,
	};
}

void
cli_ui_config(const struct cli_options *o, struct ui_config *cfg)
{
	*cfg = (struct ui_config){
	    .theme = o->theme,
	    .no_color = o->no_color,
	    .force_color = o->force_color,
	    .no_explain = o->no_explain,
	    .tls_records = o->records,
	    .log = o->log,
	    .record = o->record,
	    .lesson = o->lesson,
	    .redact = o->redact,
	    .demo_scenario = !o->demo      ? NULL
	                     : o->scenario ? o->scenario
	                                   : "honest",
	    .script = &o->script,
	    .budget = (size_t)o->memory_mib * 1024 * 1024,
	    .save_chain = o->save_chain,
	    .mx = o->mx ? &o->mx_opts : NULL,
	};
}

void
cli_export_options(const struct cli_options *o, struct export_options *eo)
{
	size_t lines = 0;

	for (size_t i = 0; i < o->script.n; i++)
		lines += o->script.steps[i].kind == SCRIPT_LINE;
	*eo = (struct export_options){
	    .target = o->target,
	    .servername = o->servername,
	    .cafile = o->cafile,
	    .keylog = o->keylog,
	    .ehlo = o->ehlo,
	    .tls_min = o->tls_min,
	    .tls_max = o->tls_max,
	    .timeout_s = o->timeout_s,
	    .lines = lines > 0 || o->script_file != NULL,
	    .auth_user = o->script.auth.user,
	    .auth_mech = o->script.auth.mech,
	    .save_chain = o->save_chain,
	    .log = o->log != NULL,
	    .record = o->record != NULL,
	    .insecure = o->insecure,
	    .ciphers = o->ciphers,
	    .groups = o->groups,
	    .alpn = o->alpn,
	    .client_cert = o->client_cert,
	    .client_key = o->client_key,
	    .reconnect = o->reconnect,
	};
}

int
cli_check_files(const struct cli_options *o, char **cause)
{
	char *why = NULL;

	if (o->mx_opts.dns_config != NULL && dns_check_config(o->mx_opts.dns_config, cause) != 0)
		return -1;
	if (o->cafile != NULL && tls_check_cafile(o->cafile, &why) != 0) {
		*cause = str_printf("the CA file %s", why);
		free(why);
		return -1;
	}
	if (o->client_cert != NULL &&
	    clientcert_check(o->client_cert, o->client_key, cause) != 0)
		return -1;
	if (o->save_chain != NULL && certfile_check(o->save_chain, &why) != 0) {
		*cause = str_printf("--save-chain: %s", why);
		free(why);
		return -1;
	}
	if (o->keylog != NULL) {
		/* Created (empty, 0600) now, so a bad path stops us before connecting. */
		FILE *f = util_open_private(o->keylog, true, &why);
		if (f == NULL) {
			*cause = str_printf("the key log file %s", why);
			free(why);
			return -1;
		}
		fclose(f);
	}
	return 0;
}

void
cli_compare_params(const struct cli_options *o, struct session_params *a,
                   struct session_params *b)
{
	cli_session_params(o, a);
	*b = *a;
	b->target = o->target_b;
}
