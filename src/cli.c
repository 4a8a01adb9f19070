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

#define DEFAULT_TIMEOUT_S 30
_Static_assert(DEFAULT_TIMEOUT_S == EXPORT_TIMEOUT_DEFAULT_S,
               "--export names a --timeout other than the default");

enum long_only {
	OPT_STARTTLS = 256,
	OPT_REQUIRE_TLS,
	OPT_VERIFY,
	OPT_SERVERNAME,
	OPT_CAFILE,
	OPT_TLS_MIN,
	OPT_TLS_MAX,
	OPT_TIMEOUT,
	OPT_MEMORY,
	OPT_JSON,
	OPT_RECORD,
	OPT_LOG,
	OPT_KEYLOG,
	OPT_THEME,
	OPT_NO_COLOR,
	OPT_PROTO,
	OPT_IMPLICIT,
	OPT_EXPLICIT,
	OPT_EHLO,
	OPT_NO_EXPLAIN,
	OPT_RECORDS,
	OPT_DEMO,
	OPT_SCENARIO,
	OPT_LESSON,
	OPT_COLOR,
	OPT_SCRIPT,
	OPT_AUTH,
	OPT_AUTH_MECH,
	OPT_COMPARE,
	OPT_REPLAY,
	/* privacy and policy */
	OPT_REDACT,
	OPT_INSECURE,
	OPT_FAIL_ON,
	OPT_CONFIG,
	OPT_NO_CONFIG,
	/* mail domains */
	OPT_MX,
	OPT_MX_HOST,
	OPT_DNS_CONFIG,
	OPT_REQUIRE_DANE,
	/* the handshake */
	OPT_CIPHERS,
	OPT_GROUPS,
	OPT_ALPN,
	OPT_RECONNECT,
	/* mutual TLS */
	OPT_CERT,
	OPT_KEY,
	/* taking the session away */
	OPT_EXPORT,
	OPT_SAVE_CHAIN,
	OPT_REQUIRE_MTA_STS,
	OPT_MTA_STS_PORT
};

static const struct option long_options[] = {
    {"batch", no_argument, NULL, 'b'},
    {"command", required_argument, NULL, 'c'},
    {"starttls", no_argument, NULL, OPT_STARTTLS},
    {"require-tls", no_argument, NULL, OPT_REQUIRE_TLS},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"servername", required_argument, NULL, OPT_SERVERNAME},
    {"cafile", required_argument, NULL, OPT_CAFILE},
    {"tls-min", required_argument, NULL, OPT_TLS_MIN},
    {"tls-max", required_argument, NULL, OPT_TLS_MAX},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"json", no_argument, NULL, OPT_JSON},
    {"record", required_argument, NULL, OPT_RECORD},
    {"log", required_argument, NULL, OPT_LOG},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"theme", required_argument, NULL, OPT_THEME},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"proto", required_argument, NULL, OPT_PROTO},
    {"implicit", no_argument, NULL, OPT_IMPLICIT},
    {"explicit", no_argument, NULL, OPT_EXPLICIT},
    {"ehlo", required_argument, NULL, OPT_EHLO},
    {"no-explain", no_argument, NULL, OPT_NO_EXPLAIN},
    {"records", no_argument, NULL, OPT_RECORDS},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"scenario", required_argument, NULL, OPT_SCENARIO},
    {"lesson", required_argument, NULL, OPT_LESSON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"script", required_argument, NULL, OPT_SCRIPT},
    {"auth", required_argument, NULL, OPT_AUTH},
    {"auth-mech", required_argument, NULL, OPT_AUTH_MECH},
    {"compare", no_argument, NULL, OPT_COMPARE},
    {"replay", required_argument, NULL, OPT_REPLAY},
    /* privacy and policy */
    {"redact", no_argument, NULL, OPT_REDACT},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},
    /* mail domains */
    {"mx", no_argument, NULL, OPT_MX},
    {"mx-host", required_argument, NULL, OPT_MX_HOST},
    {"dns-config", required_argument, NULL, OPT_DNS_CONFIG},
    {"require-dane", no_argument, NULL, OPT_REQUIRE_DANE},
    /* the handshake */
    {"ciphers", required_argument, NULL, OPT_CIPHERS},
    {"groups", required_argument, NULL, OPT_GROUPS},
    {"alpn", required_argument, NULL, OPT_ALPN},
    {"reconnect", no_argument, NULL, OPT_RECONNECT},
    /* mutual TLS */
    {"cert", required_argument, NULL, OPT_CERT},
    {"key", required_argument, NULL, OPT_KEY},
    /* taking the session away */
    {"export", required_argument, NULL, OPT_EXPORT},
    {"save-chain", required_argument, NULL, OPT_SAVE_CHAIN},
    {"require-mta-sts", no_argument, NULL, OPT_REQUIRE_MTA_STS},
    {"mta-sts-port", required_argument, NULL, OPT_MTA_STS_PORT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

const char *
cli_usage(void)
{
	return "usage: startle [--batch] [options] [SCHEME://]HOST[:PORT]";
}

/* clang-format off: the help text is laid out as it prints */
const char *
cli_help(void)
{
	return "startle - explore STARTTLS on SMTP, IMAP and POP3 servers\n"
	       "usage: startle [--batch] [options] [SCHEME://]HOST[:PORT]\n"
	       "       startle --demo [smtp|imap|pop3] [--scenario NAME] | --lesson NAME\n"
	       "       startle --compare TARGET_A TARGET_B | HOST   (side by side; --demo too)\n"
	       "       startle --export openssl|gnutls|swaks|curl [options] TARGET (print it)\n"
	       "  schemes: smtp(25) submission(587) smtps(465) imap(143) imaps(993)\n"
	       "           pop3(110) pop3s(995); without one the port decides\n"
	       "  -b, --batch          without the TUI: the annotated transcript (--json: JSON)\n"
	       "  -c, --command LINE   send LINE, wait for its reply (repeatable, in order)\n"
	       "      --starttls       upgrade here in the -c list: caps, STARTTLS, caps again\n"
	       "      --script FILE    send FILE's lines (- stdin); --auth USER: SASL login\n"
	       "      --require-tls (only caps/STARTTLS in plaintext), --verify (trusted name)\n"
	       "      --servername N (SNI, name to verify), --cafile FILE (CAs to trust)\n"
	       "      --tls-min V, --tls-max V   1.2 or 1.3; --timeout SEC a phase (30)\n"
	       "      --ciphers L, --groups L, --alpn L, --cert F --key F (client cert)\n"
	       "      --reconnect (resume TLS), --save-chain F (PEM), --keylog F (TLS secrets)\n"
	       "      --log F, --record F (text / JSON Lines to F); --replay F shows F again\n"
	       "      --redact (credentials as [redacted: N bytes]), --insecure, --fail-on SEV\n"
	       "      --mx (TARGET: a mail domain; MX, DANE, MTA-STS), --mx-host N,\n"
	       "      --dns-config F, --require-dane, --require-mta-sts, --mta-sts-port N\n"
	       "      --theme NAME, --proto P, --implicit, --explicit, --ehlo NAME, --records,\n"
	       "      --no-explain, --color WHEN, --config F, --no-config, -h, -V\n"
	       "  with no -c, batch probes: greeting, caps, STARTTLS, caps again, quit. Exit:\n"
	       "  0 ok, 1 policy, 2 usage, 3 network, 4 protocol, 5 TLS. man startle: the rest\n";
}
/* clang-format on */

/* before + the user's value escaped (escape.h) in quotes + after: every
 * sentence that quotes the command line goes through it. */
static char *
cli_quote(const char *before, const char *value, const char *after)
{
	char *esc = escape_bytes((const unsigned char *)value, strlen(value), ESCAPE_TEXT);
	if (esc == NULL)
		fatal("out of memory");
	char *s = str_printf("%s\"%s\"%s", before, esc, after);
	free(esc);
	return s;
}

static int
parse_version(const char *arg, const char *opt, int *out, char **cause)
{
	if (strcmp(arg, "1.2") == 0)
		*out = 12;
	else if (strcmp(arg, "1.3") == 0)
		*out = 13;
	else {
		char *before = str_printf("%s takes 1.2 or 1.3, not ", opt);
		*cause = cli_quote(before, arg, "");
		free(before);
		return -1;
	}
	return 0;
}

/* Options that only store their value or switch a flag on: a row each. */
static const struct {
	int id;
	size_t offset;
} cli_strings[] =
    {
        {OPT_SERVERNAME, offsetof(struct cli_options, servername)},
        {OPT_CAFILE, offsetof(struct cli_options, cafile)},
        {OPT_RECORD, offsetof(struct cli_options, record)},
        {OPT_LOG, offsetof(struct cli_options, log)},
        {OPT_KEYLOG, offsetof(struct cli_options, keylog)},
        {OPT_THEME, offsetof(struct cli_options, theme)},
        {OPT_EHLO, offsetof(struct cli_options, ehlo)},
        {OPT_SCENARIO, offsetof(struct cli_options, scenario)},
        {OPT_LESSON, offsetof(struct cli_options, lesson)},
        {OPT_CONFIG, offsetof(struct cli_options, config_file)},
        {OPT_DNS_CONFIG, offsetof(struct cli_options, mx_opts.dns_config)},
        {OPT_CIPHERS, offsetof(struct cli_options, ciphers)},
        {OPT_GROUPS, offsetof(struct cli_options, groups)},
        {OPT_ALPN, offsetof(struct cli_options, alpn)},
        {OPT_CERT, offsetof(struct cli_options, client_cert)},
        {OPT_KEY, offsetof(struct cli_options, client_key)},
        {OPT_SAVE_CHAIN, offsetof(struct cli_options, save_chain)},
},
  cli_flags[] = {
      {OPT_REQUIRE_TLS, offsetof(struct cli_options, require_tls)},
      {OPT_VERIFY, offsetof(struct cli_options, verify)},
      {OPT_JSON, offsetof(struct cli_options, json)},
      {OPT_NO_COLOR, offsetof(struct cli_options, no_color)},
      {OPT_NO_EXPLAIN, offsetof(struct cli_options, no_explain)},
      {OPT_RECORDS, offsetof(struct cli_options, records)},
      /* privacy and policy */
      {OPT_REDACT, offsetof(struct cli_options, redact)},
      {OPT_INSECURE, offsetof(struct cli_options, insecure)},
      {OPT_NO_CONFIG, offsetof(struct cli_options, no_config)},
      {OPT_MX, offsetof(struct cli_options, mx)},
      {OPT_REQUIRE_DANE, offsetof(struct cli_options, mx_opts.require_dane)},
      {OPT_RECONNECT, offsetof(struct cli_options, reconnect)},
      {OPT_REQUIRE_MTA_STS, offsetof(struct cli_options, mx_opts.require_mta_sts)},
};

/* Stores a value or flag option; false if c is not one of them. */
static bool
cli_simple_option(struct cli_options *o, int c)
{
	for (size_t i = 0; i < sizeof cli_strings / sizeof cli_strings[0]; i++) {
		if (cli_strings[i].id == c) {
			*(const char **)((char *)o + cli_strings[i].offset) = optarg;
			return true;
		}
	}
	for (size_t i = 0; i < sizeof cli_flags / sizeof cli_flags[0]; i++) {
		if (cli_flags[i].id == c) {
			*(bool *)((char *)o + cli_flags[i].offset) = true;
			return true;
		}
	}
	return false;
}

/* What the parse collects beside the options themselves. */
struct cli_parse_state {
	int proto, implicit;
	const char *target, *target_b; /* target_b: the second of --compare */
};

static int
parse_timeout(const char *arg, int *out, char **cause)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > 3600) {
		*cause = cli_quote("--timeout takes whole seconds from 1 to 3600, not ",
		                   arg, "");
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* --memory MIB: the transcript's budget for bulk; 0 keeps everything. */
static int
parse_memory(const char *arg, unsigned *out, char **cause)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 0 || v > 65536) {
		*cause = cli_quote("--memory takes mebibytes from 1 to 65536 (0: keep "
		                   "everything), not ",
		                   arg, "");
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* --mx-host N: which MX host to connect to, 1 the first. */
static int
parse_mx_host(const char *arg, unsigned *out, char **cause)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > MX_HOSTS_MAX) {
		*cause = cli_quote("--mx-host takes the number of an MX host in preference "
		                   "order, 1 for the first, not ",
		                   arg, "");
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* --mta-sts-port N: where the policy host serves HTTPS (RFC 8461 fixes 443;
 * tests on loopback cannot bind it). */
static int
parse_mta_sts_port(const char *arg, unsigned *out, char **cause)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > 65535) {
		*cause = cli_quote("--mta-sts-port takes a port from 1 to 65535, not ", arg,
		                   "");
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* --fail-on: a severity name. */
static int
parse_fail_on(const char *arg, struct cli_options *o, char **cause)
{
	static const enum severity sev[] = {SEV_INFO, SEV_WARN, SEV_DANGER};

	for (size_t i = 0; i < sizeof sev / sizeof sev[0]; i++) {
		if (strcmp(arg, severity_name(sev[i])) == 0) {
			o->fail_on = sev[i];
			o->fail_on_set = true;
			return 0;
		}
	}
	*cause = cli_quote("--fail-on takes info, warn or danger, not ", arg, "");
	return -1;
}

/* --export: a tool's name. */
static int
parse_export(const char *arg, struct cli_options *o, char **cause)
{
	int tool = export_tool_from_name(arg);

	if (tool < 0) {
		*cause = cli_quote("--export takes openssl, gnutls, swaks or curl, not ",
		                   arg, "");
		return -1;
	}
	o->export_set = true;
	o->export_tool = (enum export_tool)tool;
	return 0;
}

/* --color: less -R habits: auto (a terminal, and no NO_COLOR), always, never. */
static int
cli_option_color(struct cli_options *o, const char *arg, char **cause)
{
	if (strcmp(arg, "always") == 0) {
		o->force_color = true;
		o->no_color = false;
	} else if (strcmp(arg, "never") == 0) {
		o->no_color = true;
		o->force_color = false;
	} else if (strcmp(arg, "auto") == 0) {
		o->no_color = o->force_color = false;
	} else {
		*cause = str_printf("--color takes auto, always or never");
		return -1;
	}
	return 0;
}

/* --script, --auth and --auth-mech: steps of the script and their settings. */
static int
cli_option_script(struct cli_options *o, int c, const char *arg, char **cause)
{
	int m;

	switch (c) {
	case OPT_SCRIPT:
		if (o->script_file != NULL) {
			*cause = str_printf("--script can be given once; put the lines in "
			                    "one file, or add -c lines around it");
			return -1;
		}
		o->script_file = arg;
		o->script_at = o->script.n;
		return 0;
	case OPT_AUTH:
		if (o->script.auth.user != NULL || arg[0] == '\0') {
			*cause = str_printf("--auth takes one user name, once");
			return -1;
		}
		o->script.auth.user = arg;
		script_add(&o->script, SCRIPT_AUTH, NULL);
		return 0;
	default: /* OPT_AUTH_MECH */
		if ((m = auth_mech_from_name(arg)) < 0) {
			*cause = str_printf("--auth-mech takes PLAIN or LOGIN");
			return -1;
		}
		o->script.auth.mech = (enum auth_mech)m;
		return 0;
	}
}

/* Handles one option that needs more than storing. Returns 0, 1 when parsing
 * is over (help, version), or -1 with *cause. */
static int
cli_option(struct cli_options *o, struct cli_parse_state *ps, int c, char **argv,
           char **cause)
{
	switch (c) {
	case 'b':
		o->mode = MODE_BATCH;
		return 0;
	case 'c':
		script_add(&o->script, SCRIPT_LINE, optarg);
		return 0;
	case OPT_STARTTLS:
		script_add(&o->script, SCRIPT_STARTTLS, NULL);
		return 0;
	case OPT_COLOR:
		return cli_option_color(o, optarg, cause);
	case OPT_SCRIPT:
	case OPT_AUTH:
	case OPT_AUTH_MECH:
		return cli_option_script(o, c, optarg, cause);
	case OPT_TLS_MIN:
		return parse_version(optarg, "--tls-min", &o->tls_min, cause);
	case OPT_TLS_MAX:
		return parse_version(optarg, "--tls-max", &o->tls_max, cause);
	case OPT_TIMEOUT:
		return parse_timeout(optarg, &o->timeout_s, cause);
	case OPT_MEMORY:
		return parse_memory(optarg, &o->memory_mib, cause);
	case OPT_PROTO:
		if ((ps->proto = proto_from_name(optarg)) < 0) {
			*cause =
			    cli_quote("--proto takes smtp, imap or pop3, not ", optarg, "");
			return -1;
		}
		return 0;
	case OPT_IMPLICIT:
	case OPT_EXPLICIT:
		ps->implicit = c == OPT_IMPLICIT;
		return 0;
	case OPT_DEMO:
		o->demo = true;
		return 0;
	case OPT_FAIL_ON:
		return parse_fail_on(optarg, o, cause);
	case OPT_MX_HOST:
		return parse_mx_host(optarg, &o->mx_opts.host, cause);
	case OPT_MTA_STS_PORT:
		return parse_mta_sts_port(optarg, &o->mx_opts.mta_sts_port, cause);
	case OPT_COMPARE:
		o->compare = true;
		return 0;
	case OPT_EXPORT:
		return parse_export(optarg, o, cause);
	case OPT_REPLAY:
		o->replay = optarg;
		return 0;
	case 'h':
		o->help = true;
		return 1;
	case 'V':
		o->version = true;
		return 1;
	case ':':
		*cause = cli_quote("option ", argv[optind - 1], " needs a value");
		return -1;
	default:
		if (optopt >= 0x20 && optopt < 0x7f)
			*cause = str_printf("unknown option -%c", optopt);
		else
			*cause = cli_quote("unknown option ", argv[optind - 1], "");
		return -1;
	}
}

/* --demo and --lesson: the target names the lab's protocol. */
static int
cli_check_demo(struct cli_options *o, const struct cli_parse_state *ps, char **cause)
{
	if (ps->target != NULL && proto_from_name(ps->target) < 0) {
		*cause = cli_quote("--demo takes smtp, imap or pop3, not ", ps->target, "");
		return -1;
	}
	if (o->compare && ps->target_b != NULL) {
		*cause = cli_quote("unexpected argument ", ps->target_b,
		                   ": --demo --compare takes one protocol (smtp, imap or "
		                   "pop3) and runs both modes on the lab");
		return -1;
	}
	if (o->compare && ps->implicit >= 0) {
		*cause = str_printf("--demo --compare runs explicit and implicit TLS side "
		                    "by side: leave out --implicit and --explicit");
		return -1;
	}
	if (o->lesson != NULL && o->mode == MODE_BATCH) {
		*cause = str_printf("--lesson runs in the explorer: leave out --batch");
		return -1;
	}
	o->demo_proto = ps->target;
	o->demo_implicit = ps->implicit == 1;
	return 0;
}

/* --compare A B, or --compare HOST (paired by --proto). */
static int
cli_check_compare(struct cli_options *o, const struct cli_parse_state *ps, char **cause)
{
	if (ps->implicit >= 0) {
		*cause = str_printf("--compare names the mode of each side by its target: "
		                    "leave out --implicit and --explicit");
		return -1;
	}
	if (ps->target_b == NULL)
		return target_parse_pair(ps->target, ps->proto, &o->target, &o->target_b,
		                         cause);
	if (target_parse(ps->target, ps->proto, -1, &o->target, cause) != 0)
		return -1;
	return target_parse(ps->target_b, ps->proto, -1, &o->target_b, cause);
}

static bool
cli_mx_options_given(const struct cli_options *o)
{
	return o->mx_opts.host != 0 || o->mx_opts.dns_config != NULL ||
	       o->mx_opts.require_dane || o->mx_opts.require_mta_sts ||
	       o->mx_opts.mta_sts_port != 0;
}

/* --mx DOMAIN: SMTP on port 25 unless a scheme or port says otherwise. */
static int
cli_check_mx(struct cli_options *o, struct cli_parse_state *ps, char **cause)
{
	if (!o->mx) {
		*cause = str_printf("--mx-host, --dns-config, --require-dane, "
		                    "--require-mta-sts and --mta-sts-port need --mx (the "
		                    "target is then a mail domain)");
		return -1;
	}
	o->mx_opts.timeout_ms = (o->timeout_s < 5 ? o->timeout_s : 5) * 1000;
	o->mx_opts.fetch_timeout_ms = (o->timeout_s < 10 ? o->timeout_s : 10) * 1000;
	o->mx_opts.cafile = o->cafile;
	if (strstr(ps->target, "://") != NULL)
		return target_parse(ps->target, ps->proto, ps->implicit, &o->target, cause);
	char *text = str_printf("smtp://%s", ps->target);
	int rc = target_parse(text, ps->proto, ps->implicit, &o->target, cause);
	free(text);
	return rc;
}

/* --replay FILE: a recording instead of a server, so nothing that connects
 * or sends; the explorer shows it and writes nothing. */
static int
cli_check_replay(const struct cli_options *o, const struct cli_parse_state *ps,
                 char **cause)
{
	const char *clash = NULL;

	if (ps->target != NULL)
		clash = "a target";
	else if (o->script.n > 0 || o->script_file != NULL)
		clash = "lines to send (-c, --starttls, --script, --auth)";
	else if (o->compare)
		clash = "--compare (a recording says whether it compares)";
	else if (o->demo || o->scenario != NULL)
		clash = "--demo and --scenario";
	else if (o->mx || cli_mx_options_given(o))
		clash = "--mx";
	if (clash != NULL) {
		*cause = str_printf("--replay shows a recording and connects nowhere: leave "
		                    "out %s",
		                    clash);
		return -1;
	}
	if (o->mode != MODE_BATCH && (o->json || o->log || o->record)) {
		*cause = str_printf("--replay in the explorer writes nothing: for --json, "
		                    "--log or --record add --batch");
		return -1;
	}
	if (o->mode == MODE_BATCH && o->lesson != NULL) {
		*cause = str_printf("--lesson runs in the explorer: leave out --batch");
		return -1;
	}
	return 0;
}

/* --export and --save-chain against the modes they do not fit. */
static int
cli_check_takeaway(const struct cli_options *o, char **cause)
{
	if (o->export_set && o->demo)
		*cause = str_printf("--export prints a command for a server that outlives "
		                    "startle, and the demo's lab stops with it: start "
		                    "startle-lab, then export for the address it prints");
	else if (o->export_set && o->compare)
		*cause = str_printf("--export names one target: leave out --compare and "
		                    "export each side on its own");
	else if (o->export_set && o->mx)
		*cause = str_printf("--export needs a server, not a mail domain: leave out "
		                    "--mx and export for the MX host it names");
	else if (o->save_chain != NULL && o->compare)
		*cause = str_printf("--save-chain saves one chain: leave out --compare, or "
		                    "type /save-chain FILE on a side of the explorer");
	else
		return 0;
	return -1;
}

/* --ciphers, --groups and --alpn name things the TLS library must know;
 * --reconnect runs one session twice. */
static int
cli_check_tls(const struct cli_options *o, char **cause)
{
	if (o->tls_min && o->tls_max && o->tls_min > o->tls_max) {
		*cause = str_printf(
		    "--tls-min is higher than --tls-max: no TLS version is left");
		return -1;
	}
	if (o->ciphers != NULL &&
	    tls_check_ciphers(o->ciphers, o->tls_min, o->tls_max, cause) != 0)
		return -1;
	if (o->groups != NULL && tls_check_groups(o->groups, cause) != 0)
		return -1;
	if (o->alpn != NULL && tls_check_alpn(o->alpn, cause) != 0)
		return -1;
	if (o->reconnect && (o->mode != MODE_BATCH || o->compare || o->mx)) {
		*cause = str_printf("--reconnect runs one session twice in batch mode: add "
		                    "--batch, leave out --compare and --mx (the explorer "
		                    "has /reconnect)");
		return -1;
	}
	if (o->client_key != NULL && o->client_cert == NULL) {
		*cause = str_printf("--key needs --cert: give the client certificate the "
		                    "key belongs to");
		return -1;
	}
	return 0;
}

/* Checks the options against each other once all are read. */
static int
cli_check(struct cli_options *o, struct cli_parse_state *ps, char **cause)
{
	if (cli_check_tls(o, cause) != 0)
		return -1;
	if (o->replay != NULL)
		return cli_check_replay(o, ps, cause);
	if (o->lesson != NULL)
		o->demo = true;
	if (cli_check_takeaway(o, cause) != 0)
		return -1;
	if (o->demo && (o->mx || cli_mx_options_given(o))) {
		*cause = str_printf("--mx checks a real mail domain through DNS: leave out "
		                    "--demo and --lesson");
		return -1;
	}
	if (o->demo)
		return cli_check_demo(o, ps, cause);
	if (o->scenario != NULL) {
		*cause = str_printf(
		    "--scenario needs --demo: scenarios run on startle's lab server");
		return -1;
	}
	if (ps->target == NULL) {
		*cause = str_printf(
		    "no target given: name a server, e.g. smtp://mail.example.org");
		return -1;
	}
	if (o->json && o->mode != MODE_BATCH) {
		*cause =
		    str_printf("--json needs --batch (the TUI can --record JSON Lines)");
		return -1;
	}
	if (o->compare && (o->mx || cli_mx_options_given(o))) {
		*cause = str_printf("--mx checks one mail domain: leave out --compare");
		return -1;
	}
	if (o->compare)
		return cli_check_compare(o, ps, cause);
	if (o->mx || cli_mx_options_given(o))
		return cli_check_mx(o, ps, cause);
	return target_parse(ps->target, ps->proto, ps->implicit, &o->target, cause);
}

/* Options other tools spell with one dash, and how startle says the same:
 * "-connect" would otherwise read as -c "onnect" and go to the server. */
static const struct {
	const char *theirs;
	const char *ours;
} cli_foreign[] = {
    {"-connect", "give the target as an argument: startle smtp://HOST:PORT"},
    {"-starttls", "the scheme says it (smtp://, imap://, pop3://); --starttls upgrades "
                  "in a -c list"},
    {"-servername", "use --servername NAME"},
    {"-CAfile", "use --cafile FILE"},
    {"-cert", "use --cert FILE"},
    {"-key", "use --key FILE"},
    {"-crlf", "startle always ends lines with CRLF"},
    {"-quiet", "use --no-explain, or --json for scripts"},
    {"-brief", "use --no-explain"},
    {"-showcerts", "the chain is in the Certificates tab, and in --json"},
    {"-verify_return_error", "use --verify"},
    {"-keylogfile", "use --keylog FILE (or SSLKEYLOGFILE)"},
    {"-tls1_2", "use --tls-max 1.2"},
    {"-tls1_3", "use --tls-min 1.3"},
    {"-proto", "use --proto"},
    {"-server", "give the target as an argument: startle smtp://HOST:PORT"},
};

/* Refuses another tool's single-dash option, saying the startle way. */
static int
cli_foreign_option(int argc, char **argv, char **cause)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		for (size_t k = 0; k < sizeof cli_foreign / sizeof cli_foreign[0]; k++) {
			if (strcmp(argv[i], cli_foreign[k].theirs) == 0) {
				*cause =
				    str_printf("%s is not a startle option (openssl "
				               "s_client and swaks spell options with one "
				               "dash): %s",
				               cli_foreign[k].theirs, cli_foreign[k].ours);
				return -1;
			}
		}
	}
	return 0;
}

/* Reads the options of argv into o. Returns 0, 1 when parsing is over (help,
 * version), or -1 with *cause. */
static int
cli_scan(int argc, char **argv, struct cli_options *o, struct cli_parse_state *ps,
         char **cause)
{
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":bc:hV", long_options, NULL)) != -1) {
		if (cli_simple_option(o, c))
			continue;
		int r = cli_option(o, ps, c, argv, cause);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Reads the configuration file's options; an error names its line. */
static int
cli_scan_config(const struct config *cfg, struct cli_options *o, struct cli_parse_state *ps,
                char **cause)
{
	char *why = NULL;

	if (cfg == NULL || cfg->argc <= 1)
		return 0;
	if (cli_scan(cfg->argc, cfg->argv, o, ps, &why) == 0 && optind == cfg->argc)
		return 0;
	int at = optind - 1 < cfg->argc ? optind - 1 : cfg->argc - 1;
	util_file_error(cause, cfg->file, cfg->lines[at],
	                "%s: fix the line, or run with --no-config",
	                why != NULL ? why : "not an option");
	free(why);
	return -1;
}

int
cli_parse_layered(const struct config *cfg, int argc, char **argv, struct cli_options *o,
                  char **cause)
{
	struct cli_parse_state ps = {.proto = -1, .implicit = -1};

	memset(o, 0, sizeof *o);
	o->timeout_s = DEFAULT_TIMEOUT_S;
	o->memory_mib = TRANSCRIPT_DEFAULT_BUDGET / (1024 * 1024);
	if (cli_foreign_option(argc, argv, cause) != 0)
		return -1;
	if (cli_scan_config(cfg, o, &ps, cause) != 0)
		return -1;
	int r = cli_scan(argc, argv, o, &ps, cause);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (o->keylog == NULL && getenv("SSLKEYLOGFILE") != NULL &&
	    getenv("SSLKEYLOGFILE")[0] != '\0')
		o->keylog = getenv("SSLKEYLOGFILE");
	if (optind < argc)
		ps.target = argv[optind++];
	if (optind < argc && o->compare)
		ps.target_b = argv[optind++];
	if (optind < argc) {
		*cause = cli_quote("unexpected argument ", argv[optind],
		                   o->compare ? ": --compare takes two targets, or one host"
		                              : ": give one target (two with --compare)");
		return -1;
	}
	return cli_check(o, &ps, cause);
}

int
cli_parse(int argc, char **argv, struct cli_options *o, char **cause)
{
	return cli_parse_layered(NULL, argc, argv, o, cause);
}

void
cli_free(struct cli_options *o)
{
	script_free(&o->script);
}
