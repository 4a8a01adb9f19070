#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#define DEFAULT_TIMEOUT_S 30

enum long_only {
	OPT_STARTTLS = 256,
	OPT_REQUIRE_TLS,
	OPT_VERIFY,
	OPT_SERVERNAME,
	OPT_CAFILE,
	OPT_TLS_MIN,
	OPT_TLS_MAX,
	OPT_TIMEOUT,
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
	OPT_COMPARE,
	OPT_REPLAY
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
    {"compare", no_argument, NULL, OPT_COMPARE},
    {"replay", required_argument, NULL, OPT_REPLAY},
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
	       "  schemes: smtp(25) submission(587) smtps(465) imap(143) imaps(993)\n"
	       "           pop3(110) pop3s(995); without one the port decides\n"
	       "\n"
	       "  -b, --batch          run without the TUI and print the annotated "
	       "transcript\n"
	       "  -c, --command LINE   send LINE, wait for its reply (repeatable, in "
	       "order)\n"
	       "      --starttls       upgrade here in the -c list: caps, STARTTLS, caps "
	       "again\n"
	       "      --require-tls    only caps/STARTTLS in plaintext; exit 1 if TLS "
	       "fails\n"
	       "      --verify         exit 1 unless the certificate is trusted for the "
	       "name\n"
	       "      --servername N   SNI and name to verify (default: the host)\n"
	       "      --cafile FILE    trust the CAs in FILE instead of the system store\n"
	       "      --tls-min V, --tls-max V   1.2 or 1.3\n"
	       "      --timeout SEC    per phase: connect, greeting, each reply, handshake "
	       "(30)\n"
	       "      --json           JSON Lines on stdout instead of text\n"
	       "      --log FILE, --record FILE   also write the text / JSON Lines to "
	       "FILE\n"
	       "      --keylog FILE    append TLS 1.2 secrets in NSS key log format\n"
	       "      --theme NAME, --proto P, --implicit, --explicit, --ehlo NAME,\n"
	       "      --no-explain, --records, --no-color, -h/--help, -V/--version\n"
	       "  with no -c, batch mode probes: greeting, capabilities, STARTTLS, "
	       "capabilities\n"
	       "  again, quit. Exit: 0 ok, 1 policy, 2 usage, 3 network, 4 protocol, 5 "
	       "TLS.\n"
	       "  More: man startle\n";
}
/* clang-format on */

static int
parse_version(const char *arg, const char *opt, int *out, char **cause)
{
	if (strcmp(arg, "1.2") == 0)
		*out = 12;
	else if (strcmp(arg, "1.3") == 0)
		*out = 13;
	else {
		*cause = str_printf("%s takes 1.2 or 1.3, not \"%s\"", opt, arg);
		return -1;
	}
	return 0;
}

static void
add_step(struct cli_options *o, enum cli_step_kind kind, const char *line)
{
	o->steps = xrealloc(o->steps, (o->nsteps + 1) * sizeof *o->steps);
	o->steps[o->nsteps++] = (struct cli_step){kind, line};
}

int
cli_parse(int argc, char **argv, struct cli_options *o, char **cause)
{
	int c, proto = -1, implicit = -1, modes = 0;
	const char *target = NULL;

	memset(o, 0, sizeof *o);
	o->timeout_s = DEFAULT_TIMEOUT_S;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":bc:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->mode = MODE_BATCH;
			break;
		case 'c':
			if (optarg[0] == '\0') {
				*cause = str_printf("-c needs a non-empty line to send");
				return -1;
			}
			add_step(o, STEP_LINE, optarg);
			o->ncommands++;
			break;
		case OPT_STARTTLS:
			add_step(o, STEP_STARTTLS, NULL);
			break;
		case OPT_REQUIRE_TLS:
			o->require_tls = true;
			break;
		case OPT_VERIFY:
			o->verify = true;
			break;
		case OPT_SERVERNAME:
			o->servername = optarg;
			break;
		case OPT_CAFILE:
			o->cafile = optarg;
			break;
		case OPT_TLS_MIN:
			if (parse_version(optarg, "--tls-min", &o->tls_min, cause) != 0)
				return -1;
			break;
		case OPT_TLS_MAX:
			if (parse_version(optarg, "--tls-max", &o->tls_max, cause) != 0)
				return -1;
			break;
		case OPT_TIMEOUT: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 || v > 3600) {
				*cause = str_printf("--timeout takes whole seconds from 1 "
				                    "to 3600, not \"%s\"",
				                    optarg);
				return -1;
			}
			o->timeout_s = (int)v;
			break;
		}
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_RECORD:
			o->record = optarg;
			break;
		case OPT_LOG:
			o->log = optarg;
			break;
		case OPT_KEYLOG:
			o->keylog = optarg;
			break;
		case OPT_THEME:
			o->theme = optarg;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case OPT_PROTO:
			if ((proto = proto_from_name(optarg)) < 0) {
				*cause = str_printf(
				    "--proto takes smtp, imap or pop3, not \"%s\"", optarg);
				return -1;
			}
			break;
		case OPT_IMPLICIT:
			implicit = 1;
			break;
		case OPT_EXPLICIT:
			implicit = 0;
			break;
		case OPT_EHLO:
			o->ehlo = optarg;
			break;
		case OPT_NO_EXPLAIN:
			o->no_explain = true;
			break;
		case OPT_RECORDS:
			o->records = true;
			break;
		case OPT_DEMO:
			o->demo = true;
			modes++;
			break;
		case OPT_SCENARIO:
			o->scenario = optarg;
			break;
		case OPT_LESSON:
			o->lesson = optarg;
			break;
		case OPT_COMPARE:
			o->mode = MODE_COMPARE;
			modes++;
			break;
		case OPT_REPLAY:
			o->mode = MODE_REPLAY;
			o->replay_file = optarg;
			modes++;
			break;
		case 'h':
			o->help = true;
			return 0;
		case 'V':
			o->version = true;
			return 0;
		case ':':
			*cause = str_printf("option %s needs a value", argv[optind - 1]);
			return -1;
		default:
			if (optopt != 0)
				*cause = str_printf("unknown option -%c", optopt);
			else
				*cause = str_printf("unknown option %s", argv[optind - 1]);
			return -1;
		}
	}
	if (o->tls_min && o->tls_max && o->tls_min > o->tls_max) {
		*cause = str_printf(
		    "--tls-min is higher than --tls-max: no TLS version is left");
		return -1;
	}
	if (optind < argc)
		target = argv[optind++];
	if (optind < argc) {
		*cause =
		    str_printf("unexpected argument \"%s\": give one target", argv[optind]);
		return -1;
	}
	if (o->mode == MODE_REPLAY)
		return 0;
	if (o->lesson != NULL && !o->demo) {
		o->demo = true;
		modes++;
	}
	if (modes > 1) {
		*cause = str_printf(
		    "--demo, --lesson, --compare and --replay cannot be combined");
		return -1;
	}
	if (o->demo) {
		if (target != NULL && proto_from_name(target) < 0) {
			*cause = str_printf("--demo takes smtp, imap or pop3, not \"%s\"",
			                    target);
			return -1;
		}
		if (o->lesson != NULL && o->mode == MODE_BATCH) {
			*cause =
			    str_printf("--lesson runs in the explorer: leave out --batch");
			return -1;
		}
		o->demo_proto = target;
		o->demo_implicit = implicit == 1;
		return 0;
	}
	if (o->scenario != NULL) {
		*cause = str_printf(
		    "--scenario needs --demo: scenarios run on startle's lab server");
		return -1;
	}
	if (target == NULL) {
		*cause = str_printf(
		    "no target given: name a server, e.g. smtp://mail.example.org");
		return -1;
	}
	if (o->json && o->mode != MODE_BATCH) {
		*cause =
		    str_printf("--json needs --batch (the TUI can --record JSON Lines)");
		return -1;
	}
	return target_parse(target, proto, implicit, &o->target, cause);
}

void
cli_free(struct cli_options *o)
{
	free(o->steps);
	o->steps = NULL;
	o->nsteps = 0;
}

void
cli_session_params(const struct cli_options *o, struct session_params *p)
{
	*p = (struct session_params){
	    .target = o->target,
	    .ehlo_name = o->ehlo,
	    .servername = o->servername,
	    .cafile = o->cafile,
	    .tls_min = o->tls_min,
	    .tls_max = o->tls_max,
	    .keylog = o->keylog,
	    .require_tls = o->require_tls,
	    .require_verified = o->verify,
	    .timeout_ms = o->timeout_s * 1000,
	};
}

int
cli_check_files(const struct cli_options *o, char **cause)
{
	if (o->cafile != NULL && access(o->cafile, R_OK) != 0) {
		*cause = str_printf(
		    "cannot read the CA file %s: %s; give a PEM file with --cafile",
		    o->cafile, strerror(errno));
		return -1;
	}
	return 0;
}
