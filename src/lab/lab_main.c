/*
 * startle-lab: runs the lab server (or, as "startle-lab proxy", the attack
 * proxy) from the command line. It prints where it listens, the scenario and
 * how to trust its CA, logs each session, and stops cleanly on SIGINT or
 * SIGTERM (removing the temporary CA file it wrote).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conn.h"
#include "lab.h"
#include "lab_int.h"
#include "labcert.h"
#include "proto.h"
#include "proxy.h"
#include "util.h"

#define EXIT_USAGE 2

static const char lab_usage[] =
    "usage: startle-lab [--proto smtp|imap|pop3] [--implicit] [--port N] "
    "[--listen ADDR[:PORT]]\n"
    "                   [--scenario NAME] [--slow-ms MS] [--write-ca FILE]\n"
    "                   [--write-client-cert DIR] [--quiet]\n"
    "       startle-lab --list-scenarios\n"
    "       startle-lab proxy --listen HOST:PORT --upstream HOST:PORT [--proto P]\n"
    "                   --attack pass|strip|refuse|inject|blank\n"
    "       startle-lab mta-sts [--port N] [--listen ADDR[:PORT]] [--host NAME]...\n"
    "                   [--policy FILE] [--answer KIND] [--write-ca FILE] [--quiet]";

static const char lab_help[] =
    "startle-lab - startle's own mail server for learning STARTTLS, and an attack proxy\n"
    "\n"
    "  --proto P          smtp (default), imap or pop3\n"
    "  --implicit         TLS first (smtps, imaps, pop3s) instead of STARTTLS\n"
    "  --port N           port to listen on; 0 picks a free one (default: SMTP 2525,\n"
    "                     IMAP 1143, POP3 1110; implicit 1465, 1993, 1995)\n"
    "  --listen ADDR[:PORT]  address to listen on (default 127.0.0.1; [::1] for IPv6);\n"
    "                     an address that is not loopback is allowed, with a warning\n"
    "  --scenario NAME    honest (default) or a broken or hostile behaviour:\n"
    "                     startle-lab --list-scenarios shows each with its lesson\n"
    "  --slow-ms MS       delay of the slow scenario (default 2000): the greeting\n"
    "                     waits MS, then bytes trickle one every MS/40\n"
    "  --write-ca FILE    write the lab's CA certificate to FILE (default: a temporary\n"
    "                     file, removed when the lab stops)\n"
    "  --write-client-cert DIR  write a client certificate issued by the lab's CA and\n"
    "                     its key to DIR/client.pem and DIR/client.key (0600), for\n"
    "                     the client-cert scenario (startle --cert ... --key ...)\n"
    "  --quiet            no session log, only where the lab listens\n"
    "  --list-scenarios   list the scenarios and exit\n"
    "  -h, --help, -V, --version\n"
    "\n"
    "  proxy: a man in the middle between any client and a real server; the attack\n"
    "  rewrites the plaintext part (strip STARTTLS, refuse it, inject after the\n"
    "  go-ahead) and relays TLS untouched.\n"
    "\n"
    "  mta-sts: an MTA-STS policy host (RFC 8461) over HTTPS with a certificate from\n"
    "  the lab's CA, answering as --answer says: startle-lab mta-sts --help lists them.\n"
    "\n"
    "  The demo account is demo, password demo. More: man startle-lab\n";

/* Default ports: explicit, implicit. */
static const unsigned lab_default_ports[PROTO_COUNT][2] = {
    [PROTO_SMTP] = {2525, 1465},
    [PROTO_IMAP] = {1143, 1993},
    [PROTO_POP3] = {1110, 1995},
};

/* URL schemes startle understands: explicit, implicit. */
static const char *const lab_schemes[PROTO_COUNT][2] = {
    [PROTO_SMTP] = {"smtp", "smtps"},
    [PROTO_IMAP] = {"imap", "imaps"},
    [PROTO_POP3] = {"pop3", "pop3s"},
};

/* Set by the signal handler, read by the serving loop: a handler can reach
 * nothing but file-scope state, and sig_atomic_t is what it may write. */
static volatile sig_atomic_t lab_stop;

static void
lab_on_signal(int sig)
{
	(void)sig;
	lab_stop = 1;
}

/* Prints a usage error: one sentence, then the usage. Returns the exit code. */
static int
lab_bad_usage(const char *fmt, const char *arg)
{
	fputs("startle-lab: ", stderr);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s\n", lab_usage);
	return EXIT_USAGE;
}

/* Reads a port number (0-65535). */
static int
lab_parse_port(const char *text, unsigned *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v > 65535 || text[0] == '-')
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* Splits ADDR[:PORT]: "[v6]:port", "[v6]", "host:port", "host", or a bare
 * IPv6 address (two colons or more). *host is allocated; *has_port says
 * whether a port was given. */
static int
lab_split_hostport(const char *arg, char **host, unsigned *port, bool *has_port)
{
	const char *colon;

	*has_port = false;
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (close == NULL || close == arg + 1)
			return -1;
		*host = xmemdup(arg + 1, (size_t)(close - arg - 1));
		if (close[1] == '\0')
			return 0;
		if (close[1] != ':' || lab_parse_port(close + 2, port) != 0) {
			free(*host);
			return -1;
		}
		*has_port = true;
		return 0;
	}
	colon = strchr(arg, ':');
	/* "::1:0" could be an address or an address and a port: IPv6 comes in
	 * brackets, as in URLs. */
	if (colon != NULL && strchr(colon + 1, ':') != NULL)
		return -1;
	if (colon == NULL) {
		if (arg[0] == '\0')
			return -1;
		*host = xstrdup(arg);
		return 0;
	}
	if (colon == arg || lab_parse_port(colon + 1, port) != 0)
		return -1;
	*host = xmemdup(arg, (size_t)(colon - arg));
	*has_port = true;
	return 0;
}

static void
lab_list_scenarios(void)
{
	int width = 0;

	for (int i = 0; i < LAB_SCENARIO_COUNT; i++) {
		int n = (int)strlen(lab_scenario_name(i));
		if (n > width)
			width = n;
	}
	for (int i = 0; i < LAB_SCENARIO_COUNT; i++)
		printf("%-*s  %s\n", width, lab_scenario_name(i), lab_scenario_lesson(i));
}

/* Writes the CA PEM to a file the user named. */
static int
lab_write_ca_file(const struct labcert *lc, const char *path)
{
	size_t len;
	const char *pem = labcert_ca_pem(lc, &len);
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(pem, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr,
		        "startle-lab: cannot write the CA certificate to %s: %s; choose a "
		        "writable path\n",
		        path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Where a client connects: "127.0.0.1:2525" or "[::1]:2525". */
static void
lab_where(const char *address, unsigned port, char *out, size_t size)
{
	snprintf(out, size, strchr(address, ':') ? "[%s]:%u" : "%s:%u", address, port);
}

/* The banner of the policy host: what it serves and how to fetch it. */
static void
lab_policy_banner(const struct lab *lab, const char *ca_path, bool temporary)
{
	const struct lab_policy *p = lab->cfg.policy;
	char where[96];

	lab_where(lab->address, lab_port(lab), where, sizeof where);
	printf("startle-lab %s: MTA-STS policy host %s, answer %s: %s\n", STARTLE_VERSION,
	       p->hosts[0], lab_policy_answer_name(p->answer),
	       lab_policy_answer_text(p->answer));
	printf("CA certificate: %s (%s)\n", ca_path,
	       temporary ? "a temporary file, removed when the lab stops" : "as asked");
	printf("try: curl --cacert %s --resolve %s:%u:%s https://%s:%u%s\n", ca_path,
	       p->hosts[0], lab_port(lab), lab->address, p->hosts[0], lab_port(lab),
	       "/.well-known/mta-sts.txt");
	printf("  or: startle --mx --mta-sts-port %u --cafile %s --dns-config FILE DOMAIN\n"
	       "      (FILE resolves mta-sts.DOMAIN to %s: see man startle-lab)\n",
	       lab_port(lab), ca_path, lab->address);
	printf("listening on %s (Ctrl-C stops)\n", where);
	fflush(stdout);
}

/* Says where the lab listens, how to trust it and, when written, where the
 * client certificate is. */
static void
lab_banner(const struct lab *lab, const char *ca_path, bool temporary,
           const char *client_cert, const char *client_key)
{
	const struct lab_config *cfg = &lab->cfg;
	const struct proto_info *pi = proto_info(cfg->proto);
	char where[96];

	if (cfg->policy != NULL) {
		lab_policy_banner(lab, ca_path, temporary);
		return;
	}
	lab_where(lab->address, lab_port(lab), where, sizeof where);
	printf("startle-lab %s: %s with %s, scenario %s: %s\n", STARTLE_VERSION,
	       pi->display, cfg->implicit ? "implicit TLS" : pi->starttls_command,
	       lab_scenario_name(cfg->scenario), lab_scenario_lesson(cfg->scenario));
	printf("demo account: user %s, password %s\n", LAB_USER, LAB_PASS);
	printf("CA certificate: %s (%s)\n", ca_path,
	       temporary ? "a temporary file, removed when the lab stops" : "as asked");
	printf("try: startle --cafile %s %s://%s\n", ca_path,
	       lab_schemes[cfg->proto][cfg->implicit], where);
	printf("  or: openssl s_client%s%s -CAfile %s -servername %s -connect %s\n",
	       cfg->implicit ? "" : " -starttls ", cfg->implicit ? "" : pi->name, ca_path,
	       LAB_HOST, where);
	if (client_cert != NULL) {
		printf("client certificate: %s, its key %s (issued by this lab's CA: good "
		       "for this lab only)\n",
		       client_cert, client_key);
		printf("try: startle --cafile %s --cert %s --key %s %s://%s\n", ca_path,
		       client_cert, client_key, lab_schemes[cfg->proto][cfg->implicit], where);
	} else if (lab->b->client_cert) {
		printf("this scenario requires a client certificate issued by the lab CA: "
		       "--write-client-cert DIR writes one\n");
	}
	printf("listening on %s (Ctrl-C stops)\n", where);
	fflush(stdout);
}


enum {
	OPT_PROTO = 256,
	OPT_IMPLICIT,
	OPT_PORT,
	OPT_LISTEN,
	OPT_SCENARIO,
	OPT_SLOW_MS,
	OPT_WRITE_CA,
	OPT_WRITE_CLIENT_CERT,
	OPT_QUIET,
	OPT_LIST,
	OPT_UPSTREAM,
	OPT_ATTACK,
	OPT_HOST,
	OPT_POLICY,
	OPT_ANSWER,
};

static const struct option lab_options[] = {
    {"proto", required_argument, NULL, OPT_PROTO},
    {"implicit", no_argument, NULL, OPT_IMPLICIT},
    {"port", required_argument, NULL, OPT_PORT},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"scenario", required_argument, NULL, OPT_SCENARIO},
    {"slow-ms", required_argument, NULL, OPT_SLOW_MS},
    {"write-ca", required_argument, NULL, OPT_WRITE_CA},
    {"write-client-cert", required_argument, NULL, OPT_WRITE_CLIENT_CERT},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"list-scenarios", no_argument, NULL, OPT_LIST},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Serves until SIGINT or SIGTERM. Returns the exit status. */
static int
lab_run(struct lab_config *cfg, const char *write_ca, const char *write_client)
{
	struct sigaction sa = {.sa_handler = lab_on_signal};
	char *cause = NULL, *ca_path = NULL, *client_cert = NULL, *client_key = NULL;
	struct lab *lab;
	int rc = 0;

	conn_ignore_sigpipe();
	/* Before the temporary CA exists, so a signal cannot leave it behind. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	lab = lab_new(cfg, &cause);
	if (lab == NULL) {
		fprintf(stderr, "startle-lab: %s\n", cause);
		free(cause);
		return 1;
	}
	if (write_ca != NULL) {
		if (lab_write_ca_file(lab_certs(lab), write_ca) != 0) {
			lab_free(lab);
			return 1;
		}
		ca_path = xstrdup(write_ca);
	} else if ((ca_path = labcert_write_ca(lab_certs(lab), &cause)) == NULL) {
		fprintf(stderr, "startle-lab: %s\n", cause);
		free(cause);
		lab_free(lab);
		return 1;
	}
	if (write_client != NULL &&
	    lab_write_client_cert(lab, write_client, &client_cert, &client_key, &cause) != 0) {
		fprintf(stderr, "startle-lab: %s\n", cause);
		free(cause);
		if (write_ca == NULL)
			unlink(ca_path);
		free(ca_path);
		lab_free(lab);
		return 1;
	}
	lab_banner(lab, ca_path, write_ca == NULL, client_cert, client_key);
	free(client_cert);
	free(client_key);
	lab_serve(lab, &lab_stop);
	if (cfg->log != NULL)
		fprintf(cfg->log, "startle-lab: stopping\n");
	if (write_ca == NULL && unlink(ca_path) != 0 && errno != ENOENT)
		rc = 1;
	free(ca_path);
	lab_free(lab);
	return rc;
}

/* Returned by an option step when parsing goes on. */
#define LAB_GO_ON (-1)

/* What the lab's command line asked for. */
struct lab_args {
	struct lab_config cfg;
	const char *write_ca;
	const char *write_client; /* --write-client-cert DIR, or NULL */
	char *listen_host;
	unsigned port, listen_port;
	bool has_port, listen_has_port;
};

/* Reads the lab options that take a value. Returns LAB_GO_ON or the exit
 * status of a usage error. */
static int
lab_value_option(struct lab_args *a, int opt, const char *arg)
{
	int v;
	char *end;
	long ms;

	switch (opt) {
	case OPT_PROTO:
		if ((v = proto_from_name(arg)) < 0)
			return lab_bad_usage(
			    "unknown protocol \"%s\": choose smtp, imap or pop3", arg);
		a->cfg.proto = (enum proto_id)v;
		return LAB_GO_ON;
	case OPT_PORT:
		if (lab_parse_port(arg, &a->port) != 0)
			return lab_bad_usage(
			    "--port takes a number from 0 to 65535, not \"%s\"", arg);
		a->has_port = true;
		return LAB_GO_ON;
	case OPT_LISTEN:
		free(a->listen_host);
		a->listen_host = NULL;
		if (lab_split_hostport(arg, &a->listen_host, &a->listen_port,
		                       &a->listen_has_port) != 0)
			return lab_bad_usage("--listen takes ADDR or ADDR:PORT (IPv6 as "
			                     "[::1]:PORT), not \"%s\"",
			                     arg);
		return LAB_GO_ON;
	case OPT_SCENARIO:
		if ((v = lab_scenario_from_name(arg)) < 0)
			return lab_bad_usage("unknown scenario \"%s\": startle-lab "
			                     "--list-scenarios shows them all",
			                     arg);
		a->cfg.scenario = (enum lab_scenario)v;
		return LAB_GO_ON;
	case OPT_SLOW_MS:
		ms = strtol(arg, &end, 10);
		if (end == arg || *end != '\0' || ms < 1 || ms > 600000)
			return lab_bad_usage(
			    "--slow-ms takes milliseconds from 1 to 600000, not \"%s\"",
			    arg);
		a->cfg.slow_ms = (int)ms;
		return LAB_GO_ON;
	case OPT_WRITE_CA:
		a->write_ca = arg;
		return LAB_GO_ON;
	case OPT_WRITE_CLIENT_CERT:
		a->write_client = arg;
		return LAB_GO_ON;
	}
	fprintf(stderr, "%s\n", lab_usage);
	return EXIT_USAGE;
}

/* Reads one lab option. Returns LAB_GO_ON, or the exit status when the
 * option ends the run (help, version, the scenario list, a usage error). */
static int
lab_option(struct lab_args *a, int opt, const char *arg)
{
	switch (opt) {
	case OPT_IMPLICIT:
		a->cfg.implicit = true;
		return LAB_GO_ON;
	case OPT_QUIET:
		a->cfg.log = NULL;
		return LAB_GO_ON;
	case OPT_LIST:
		lab_list_scenarios();
		return 0;
	case 'h':
		fputs(lab_help, stdout);
		printf("\n%s\n", lab_usage);
		return 0;
	case 'V':
		printf("startle-lab %s\n", STARTLE_VERSION);
		return 0;
	}
	return lab_value_option(a, opt, arg);
}

/* Checks the options together and settles the port. Returns LAB_GO_ON or
 * the exit status of a usage error. */
static int
lab_settle(struct lab_args *a)
{
	char *cause = NULL;

	if (a->has_port && a->listen_has_port && a->port != a->listen_port)
		return lab_bad_usage("%s",
		                     "the port is given twice (--port and --listen "
		                     "ADDR:PORT) with different values: give it once");
	if (lab_check_config(&a->cfg, &cause) != 0) {
		int rc = lab_bad_usage("%s", cause);
		free(cause);
		return rc;
	}
	a->cfg.listen = a->listen_host;
	a->cfg.port = a->has_port ? a->port
	              : a->listen_has_port
	                  ? a->listen_port
	                  : lab_default_ports[a->cfg.proto][a->cfg.implicit];
	return LAB_GO_ON;
}

/* startle-lab [options]: reads the options, then serves. */
static int
lab_main(int argc, char **argv)
{
	struct lab_args a = {
	    .cfg = {.proto = PROTO_SMTP, .scenario = LAB_HONEST, .log = stdout}};
	int opt, rc = LAB_GO_ON;

	while (rc == LAB_GO_ON &&
	       (opt = getopt_long(argc, argv, "hV", lab_options, NULL)) != -1)
		rc = lab_option(&a, opt, optarg);
	if (rc == LAB_GO_ON && optind < argc)
		rc = lab_bad_usage("unexpected argument \"%s\": the lab takes options only",
		                   argv[optind]);
	if (rc == LAB_GO_ON)
		rc = lab_settle(&a);
	if (rc == LAB_GO_ON) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		rc = lab_run(&a.cfg, a.write_ca, a.write_client);
	}
	free(a.listen_host);
	return rc;
}

static const struct option proxy_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"upstream", required_argument, NULL, OPT_UPSTREAM},
    {"proto", required_argument, NULL, OPT_PROTO},
    {"attack", required_argument, NULL, OPT_ATTACK},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The protocol a well-known upstream port implies, or -1. */
static int
proxy_proto_for_port(unsigned port)
{
	static const struct {
		unsigned port;
		enum proto_id proto;
	} ports[] = {
	    {25, PROTO_SMTP}, {587, PROTO_SMTP}, {143, PROTO_IMAP}, {110, PROTO_POP3}};

	for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
		if (ports[i].port == port)
			return (int)ports[i].proto;
	return -1;
}

/* What the proxy's command line asked for. */
struct proxy_args {
	struct proxy_config cfg;
	char *listen_host, *up_host;
	int proto; /* -1 until named */
};

/* Reads HOST:PORT for --listen or --upstream into *host and *port. */
static int
proxy_hostport(const char *option, const char *arg, char **host, unsigned *port)
{
	bool has_port = false;

	free(*host);
	*host = NULL;
	if (lab_split_hostport(arg, host, port, &has_port) != 0 || !has_port)
		return lab_bad_usage(option, arg);
	return LAB_GO_ON;
}

/* Reads one proxy option. Returns LAB_GO_ON, or the exit status when the
 * option ends the run (help, a usage error). */
static int
proxy_option(struct proxy_args *a, int opt, const char *arg)
{
	int v;

	switch (opt) {
	case OPT_LISTEN:
		return proxy_hostport("proxy --listen takes HOST:PORT, not \"%s\"", arg,
		                      &a->listen_host, &a->cfg.listen_port);
	case OPT_UPSTREAM:
		return proxy_hostport("proxy --upstream takes HOST:PORT, not \"%s\"", arg,
		                      &a->up_host, &a->cfg.upstream_port);
	case OPT_PROTO:
		if ((a->proto = proto_from_name(arg)) < 0)
			return lab_bad_usage(
			    "unknown protocol \"%s\": choose smtp, imap or pop3", arg);
		return LAB_GO_ON;
	case OPT_ATTACK:
		if ((v = proxy_attack_from_name(arg)) < 0)
			return lab_bad_usage(
			    "unknown attack \"%s\": choose pass, strip, refuse or inject",
			    arg);
		a->cfg.attack = (enum proxy_attack)v;
		return LAB_GO_ON;
	case OPT_QUIET:
		a->cfg.log = NULL;
		return LAB_GO_ON;
	case 'h':
		printf("startle-lab proxy: a man in the middle for teaching\n\n");
		for (int i = 0; i < PROXY_ATTACK_COUNT; i++)
			printf("  --attack %-7s %s\n", proxy_attack_name(i),
			       proxy_attack_text(i));
		printf("\n%s\n", lab_usage);
		return 0;
	}
	fprintf(stderr, "%s\n", lab_usage);
	return EXIT_USAGE;
}

/* Checks that both ends are named and settles the protocol. Returns
 * LAB_GO_ON or the exit status of a usage error. */
static int
proxy_settle(struct proxy_args *a)
{
	if (a->listen_host == NULL || a->up_host == NULL)
		return lab_bad_usage("%s",
		                     "the proxy needs --listen HOST:PORT and --upstream "
		                     "HOST:PORT");
	if (a->proto < 0 && (a->proto = proxy_proto_for_port(a->cfg.upstream_port)) < 0)
		return lab_bad_usage("%s", "the upstream port does not tell the protocol: "
		                           "name it with --proto smtp|imap|pop3");
	a->cfg.proto = (enum proto_id)a->proto;
	a->cfg.listen_host = a->listen_host;
	a->cfg.upstream_host = a->up_host;
	return LAB_GO_ON;
}

/* startle-lab proxy [options]: reads the options, then relays. */
static int
proxy_main(int argc, char **argv)
{
	struct proxy_args a = {.cfg = {.attack = PROXY_PASS, .log = stdout}, .proto = -1};
	char *cause = NULL;
	int opt, rc = LAB_GO_ON;

	while (rc == LAB_GO_ON &&
	       (opt = getopt_long(argc, argv, "h", proxy_options, NULL)) != -1)
		rc = proxy_option(&a, opt, optarg);
	if (rc == LAB_GO_ON && optind < argc)
		rc = lab_bad_usage(
		    "unexpected argument \"%s\": the proxy takes options only",
		    argv[optind]);
	if (rc == LAB_GO_ON)
		rc = proxy_settle(&a);
	if (rc == LAB_GO_ON) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		conn_ignore_sigpipe();
		rc = 0;
		if (proxy_run(&a.cfg, &cause) != 0) {
			fprintf(stderr, "startle-lab proxy: %s\n", cause);
			free(cause);
			rc = 1;
		}
	}
	free(a.listen_host);
	free(a.up_host);
	return rc;
}

#define POLICY_PORT 8443
#define POLICY_HOST "mta-sts.startle.test"
#define POLICY_FILE_MAX (1024 * 1024)

static const char policy_default[] = "version: STSv1\r\n"
                                     "mode: enforce\r\n"
                                     "mx: " LABCERT_HOST "\r\n"
                                     "max_age: 86400\r\n";

static const struct option policy_options[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"host", required_argument, NULL, OPT_HOST},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"answer", required_argument, NULL, OPT_ANSWER},
    {"write-ca", required_argument, NULL, OPT_WRITE_CA},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* What the policy host's command line asked for. */
struct policy_args {
	struct lab_args lab;
	struct lab_policy policy;
	const char *hosts[LABCERT_NAMES_MAX];
	char *text; /* the policy file read */
};

static void
policy_help(void)
{
	printf("startle-lab mta-sts: an MTA-STS policy host over HTTPS, for teaching and "
	       "tests\n\n"
	       "  --port N (default %d), --listen ADDR[:PORT], --host NAME (repeatable, "
	       "default\n"
	       "  %s: the names on the certificate), --policy FILE (default: enforce,\n"
	       "  mx %s), --write-ca FILE, --quiet, and --answer:\n",
	       POLICY_PORT, POLICY_HOST, LABCERT_HOST);
	for (int i = 0; i < LAB_POLICY_COUNT; i++)
		printf("    %-10s %s\n", lab_policy_answer_name(i), lab_policy_answer_text(i));
	printf("\n%s\n", lab_usage);
}

/* Reads one option of the policy host. */
static int
policy_option(struct policy_args *a, int opt, const char *arg)
{
	char *cause = NULL;
	int v;

	switch (opt) {
	case OPT_HOST:
		if (a->policy.nhosts >= LABCERT_NAMES_MAX || arg[0] == '\0' ||
		    strlen(arg) > 200)
			return lab_bad_usage("--host takes a host name (at most 8 of them), "
			                     "not \"%s\"",
			                     arg);
		a->hosts[a->policy.nhosts++] = arg;
		return LAB_GO_ON;
	case OPT_POLICY:
		free(a->text);
		a->text = NULL;
		if (util_read_text_file(arg, POLICY_FILE_MAX, "policy", false, &a->text,
		                        &a->policy.len, &cause) != 0) {
			fprintf(stderr, "startle-lab: %s\n", cause);
			free(cause);
			return EXIT_USAGE;
		}
		a->policy.body = a->text;
		return LAB_GO_ON;
	case OPT_ANSWER:
		if ((v = lab_policy_answer_from_name(arg)) < 0)
			return lab_bad_usage("unknown answer \"%s\": startle-lab mta-sts "
			                     "--help lists them",
			                     arg);
		a->policy.answer = (enum lab_policy_answer)v;
		return LAB_GO_ON;
	case 'h':
		policy_help();
		return 0;
	}
	return lab_option(&a->lab, opt, arg);
}

/* startle-lab mta-sts [options]: reads the options, then serves the policy. */
static int
policy_main(int argc, char **argv)
{
	struct policy_args a = {.lab = {.cfg = {.proto = PROTO_SMTP, .log = stdout}}};
	int opt, rc = LAB_GO_ON;

	a.policy.body = policy_default;
	a.policy.len = sizeof policy_default - 1;
	while (rc == LAB_GO_ON &&
	       (opt = getopt_long(argc, argv, "h", policy_options, NULL)) != -1)
		rc = policy_option(&a, opt, optarg);
	if (rc == LAB_GO_ON && optind < argc)
		rc = lab_bad_usage("unexpected argument \"%s\": mta-sts takes options only",
		                   argv[optind]);
	if (a.policy.nhosts == 0)
		a.hosts[a.policy.nhosts++] = POLICY_HOST;
	a.policy.hosts = a.hosts;
	a.lab.cfg.policy = &a.policy;
	if (rc == LAB_GO_ON && !a.lab.has_port && !a.lab.listen_has_port) {
		a.lab.port = POLICY_PORT;
		a.lab.has_port = true;
	}
	if (rc == LAB_GO_ON)
		rc = lab_settle(&a.lab);
	if (rc == LAB_GO_ON) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		rc = lab_run(&a.lab.cfg, a.lab.write_ca, NULL);
	}
	free(a.lab.listen_host);
	free(a.text);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "proxy") == 0)
		return proxy_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "mta-sts") == 0)
		return policy_main(argc - 1, argv + 1);
	return lab_main(argc, argv);
}
