/*
 * dns: libunbound with a deadline of our own. Queries run asynchronously on
 * libunbound's thread; we poll its descriptor until the answer or the
 * deadline, then cancel, so a dead resolver costs the timeout, not the
 * 17-84 s libunbound would wait by itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <unbound.h>

#include "dns.h"
#include "util.h"

struct dns {
	struct ub_ctx *ctx;
	int timeout_ms;
};

/* One query in flight: where its callback puts the answer. */
struct dns_pending {
	bool done;
	int err;
	struct ub_result *result;
};

int
dns_check_config(const char *path, char **cause)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		util_file_error(
		    cause, path, 0,
		    "cannot be read (%s): --dns-config takes an unbound.conf-style "
		    "file",
		    strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

/* The system's defaults: resolv.conf and the root trust anchor. */
static int
dns_defaults(struct ub_ctx *ctx, char **cause)
{
	int rc = ub_ctx_resolvconf(ctx, NULL);

	if (rc != 0) {
		*cause = str_printf("/etc/resolv.conf cannot be used (%s): give a resolver "
		                    "with --dns-config FILE",
		                    ub_strerror(rc));
		return -1;
	}
	return 0;
}

/* Adds the root trust anchor when dns-root-data provides it (libunbound
 * accepts a missing file and fails every query later, so look first). */
static int
dns_root_anchor(struct ub_ctx *ctx, bool required, char **cause)
{
	if (access(DNS_ROOT_KEY, R_OK) != 0) {
		if (!required)
			return 0;
		*cause = str_printf("the root trust anchor %s cannot be read (%s): install "
		                    "dns-root-data, or name anchors with --dns-config FILE",
		                    DNS_ROOT_KEY, strerror(errno));
		return -1;
	}
	int rc = ub_ctx_add_ta_file(ctx, DNS_ROOT_KEY);
	if (rc != 0) {
		*cause = str_printf("the root trust anchor %s cannot be used: %s",
		                    DNS_ROOT_KEY, ub_strerror(rc));
		return -1;
	}
	return 0;
}

struct dns *
dns_new(const char *config_file, int timeout_ms, char **cause)
{
	struct ub_ctx *ctx;
	int rc = 0;

	if (config_file != NULL && dns_check_config(config_file, cause) != 0)
		return NULL;
	if ((ctx = ub_ctx_create()) == NULL) {
		*cause =
		    str_printf("the DNS resolver library could not start (libunbound)");
		return NULL;
	}
	/* A resolver that never answers is given up on after a short while
	 * (the default lets one query take 17-84 s). */
	ub_ctx_set_option(ctx, "infra-cache-max-rtt:", "1000");
	if (config_file != NULL) {
		if ((rc = ub_ctx_config(ctx, config_file)) != 0) {
			util_file_error(cause, config_file, 0,
			                "is not a usable unbound.conf-style file: %s",
			                ub_strerror(rc));
			ub_ctx_delete(ctx);
			return NULL;
		}
	} else if (dns_defaults(ctx, cause) != 0) {
		ub_ctx_delete(ctx);
		return NULL;
	}
	if (dns_root_anchor(ctx, config_file == NULL, cause) != 0 ||
	    (rc = ub_ctx_async(ctx, 1)) != 0) {
		if (*cause == NULL)
			*cause = str_printf("libunbound: %s", ub_strerror(rc));
		ub_ctx_delete(ctx);
		return NULL;
	}
	struct dns *d = xcalloc(1, sizeof *d);
	d->ctx = ctx;
	d->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
	return d;
}

void
dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	ub_ctx_delete(d->ctx);
	free(d);
}

static void
dns_on_result(void *arg, int err, struct ub_result *result)
{
	struct dns_pending *p = arg;

	p->done = true;
	p->err = err;
	p->result = result;
}

/* Copies a libunbound result into an answer. */
static void
dns_fill(struct dns_answer *a, const struct ub_result *r)
{
	a->rcode = r->rcode;
	a->status = r->bogus ? DNS_BOGUS : r->secure ? DNS_SECURE : DNS_INSECURE;
	if (r->bogus && r->why_bogus != NULL)
		snprintf(a->why_bogus, sizeof a->why_bogus, "%s", r->why_bogus);
	for (size_t i = 0; r->havedata && r->data != NULL && r->data[i] != NULL; i++)
		a->n++;
	a->data = xcalloc(a->n + 1, sizeof *a->data);
	a->len = xcalloc(a->n + 1, sizeof *a->len);
	for (size_t i = 0; i < a->n; i++) {
		a->len[i] = r->len[i] > 0 ? (size_t)r->len[i] : 0;
		a->data[i] = xmemdup(r->data[i], a->len[i]);
	}
}

/* Waits for the pending query until the deadline; false on timeout. */
static bool
dns_wait(struct dns *d, struct dns_pending *p, double deadline, char **cause)
{
	while (!p->done) {
		double left = deadline - util_now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = {.fd = ub_fd(d->ctx), .events = POLLIN};
		int r = poll(&pfd, 1, (int)left + 1);
		if (r < 0 && errno != EINTR) {
			*cause = str_printf("waiting for the DNS resolver failed: %s",
			                    strerror(errno));
			return false;
		}
		if (r > 0 && ub_process(d->ctx) != 0) {
			*cause = str_printf("the DNS resolver library failed");
			return false;
		}
	}
	return true;
}

int
dns_query(struct dns *d, const char *name, int type, struct dns_answer *a, char **cause)
{
	struct dns_pending p = {0};
	double start = util_now_ms();
	int id = 0;

	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", name);
	a->type = type;
	int rc = ub_resolve_async(d->ctx, name, type, 1, &p, dns_on_result, &id);
	if (rc != 0) {
		*cause = str_printf("the DNS query %s %s could not start: %s", name,
		                    dns_type_name(type), ub_strerror(rc));
		return -1;
	}
	if (!dns_wait(d, &p, start + d->timeout_ms, cause)) {
		ub_cancel(d->ctx, id);
		if (*cause == NULL)
			*cause =
			    str_printf("the DNS resolver did not answer %s %s within "
			               "%.1f s: check the resolver (/etc/resolv.conf, or "
			               "--dns-config)",
			               name, dns_type_name(type), d->timeout_ms / 1000.0);
		return -1;
	}
	a->ms = util_now_ms() - start;
	if (p.err != 0 || p.result == NULL) {
		*cause = str_printf("the DNS query %s %s failed: %s", name,
		                    dns_type_name(type), ub_strerror(p.err));
		ub_resolve_free(p.result);
		return -1;
	}
	dns_fill(a, p.result);
	ub_resolve_free(p.result);
	return 0;
}

void
dns_answer_free(struct dns_answer *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->data[i]);
	free(a->data);
	free(a->len);
	a->data = NULL;
	a->len = NULL;
	a->n = 0;
}

/* Reads an uncompressed wire-format name at p (len bytes) as text without
 * the final dot ("" for the root). Returns 0, or -1 if malformed. */
static int
dns_wire_name(const unsigned char *p, size_t len, char *out, size_t size)
{
	size_t i = 0, o = 0;

	out[0] = '\0';
	while (i < len && p[i] != 0) {
		size_t l = p[i++];
		if (l > 63 || i + l > len || o + l + 2 > size)
			return -1;
		if (o > 0)
			out[o++] = '.';
		memcpy(out + o, p + i, l);
		o += l;
		i += l;
	}
	if (i >= len)
		return -1;
	out[o] = '\0';
	return 0;
}

size_t
dns_mx_list(const struct dns_answer *a, struct dns_mx *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n && n < max; i++) {
		if (a->len[i] < 3)
			continue;
		struct dns_mx mx = {.pref = (unsigned)(a->data[i][0] << 8 | a->data[i][1])};
		if (dns_wire_name(a->data[i] + 2, a->len[i] - 2, mx.host, sizeof mx.host) !=
		    0)
			continue;
		size_t at = n;
		while (at > 0 && out[at - 1].pref > mx.pref) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = mx;
		n++;
	}
	return n;
}

long
dns_txt(const struct dns_answer *a, size_t i, char *buf, size_t size)
{
	size_t off = 0, out = 0;

	if (i >= a->n || a->type != DNS_TXT || size == 0)
		return -1;
	const unsigned char *p = a->data[i];
	while (off < a->len[i]) {
		size_t l = p[off++];
		if (off + l > a->len[i])
			return -1;
		for (size_t k = 0; k < l; k++, out++)
			if (out + 1 < size)
				buf[out] = (char)p[off + k];
		off += l;
	}
	buf[out + 1 < size ? out : size - 1] = '\0';
	return (long)out;
}

char *
dns_txt_presentation(const struct dns_answer *a, size_t i)
{
	if (i >= a->n || a->type != DNS_TXT)
		return xstrdup("(unreadable record)");
	const unsigned char *p = a->data[i];
	size_t len = a->len[i], off = 0, o = 0;
	/* Worst case: every byte as \DDD, plus quotes and spaces per string. */
	char *s = xmalloc(4 * len + 3 * (len + 1) + 1);
	while (off < len) {
		size_t l = p[off++];
		if (off + l > len) {
			free(s);
			return xstrdup("(unreadable record)");
		}
		if (o > 0)
			s[o++] = ' ';
		s[o++] = '"';
		for (size_t k = 0; k < l; k++) {
			unsigned char c = p[off + k];
			if (c == '"' || c == '\\') {
				s[o++] = '\\';
				s[o++] = (char)c;
			} else if (c < 0x20 || c > 0x7e) {
				o += (size_t)sprintf(s + o, "\\%03u", c);
			} else {
				s[o++] = (char)c;
			}
		}
		s[o++] = '"';
		off += l;
	}
	s[o] = '\0';
	return s;
}

int
dns_address(const struct dns_answer *a, size_t i, char *buf, size_t size)
{
	if (i >= a->n)
		return -1;
	if (a->type == DNS_A && a->len[i] == 4)
		return inet_ntop(AF_INET, a->data[i], buf, (socklen_t)size) ? 0 : -1;
	if (a->type == DNS_AAAA && a->len[i] == 16)
		return inet_ntop(AF_INET6, a->data[i], buf, (socklen_t)size) ? 0 : -1;
	return -1;
}

const char *
dns_status_name(enum dns_status s)
{
	static const char *const names[] = {"secure", "insecure", "bogus"};

	return names[s];
}

const char *
dns_type_name(int type)
{
	switch (type) {
	case DNS_A:
		return "A";
	case DNS_MX:
		return "MX";
	case DNS_TXT:
		return "TXT";
	case DNS_AAAA:
		return "AAAA";
	case DNS_TLSA:
		return "TLSA";
	default:
		return "?";
	}
}

const char *
dns_rcode_name(int rcode)
{
	static const char *const names[] = {"NOERROR",  "FORMERR", "SERVFAIL",
	                                    "NXDOMAIN", "NOTIMP",  "REFUSED"};

	return rcode >= 0 && rcode < 6 ? names[rcode] : "rcode?";
}
