/*
 * mx: MX hosts, their addresses and TLSA records before the session; the
 * DANE verdict and the records to publish after it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mx_int.h"
#include "util.h"

void
mx_emit(struct transcript *t, enum event_kind kind, enum finding_id f, const char *fmt, ...)
{
	struct event ev = {.phase = PHASE_PLAIN, .dir = DIR_LOCAL, .kind = kind};
	va_list ap;

	va_start(ap, fmt);
	char *text = str_vprintf(fmt, ap);
	va_end(ap);
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	if (kind == EV_FINDING) {
		ev.finding = f;
		ev.severity = finding_severity(f);
	}
	transcript_append(t, &ev);
	free(text);
}

/* Record i of an answer in presentation form, newly allocated. */
static char *
mx_record_text(const struct dns_answer *a, size_t i)
{
	char buf[DNS_NAME_MAX + 16];

	if (a->type == DNS_MX) {
		struct dns_mx mx;
		struct dns_answer one = *a;
		one.data += i;
		one.len += i;
		one.n = 1;
		if (dns_mx_list(&one, &mx, 1) == 1)
			return str_printf("%u %s.", mx.pref, mx.host);
	} else if ((a->type == DNS_A || a->type == DNS_AAAA) &&
	           dns_address(a, i, buf, sizeof buf) == 0) {
		return xstrdup(buf);
	} else if (a->type == DNS_TLSA && a->len[i] >= 3) {
		char *s =
		    str_printf("%u %u %u ", a->data[i][0], a->data[i][1], a->data[i][2]);
		size_t off = strlen(s);
		s = xrealloc(s, off + 2 * (a->len[i] - 3) + 1);
		for (size_t k = 3; k < a->len[i]; k++, off += 2)
			snprintf(s + off, 3, "%02x", a->data[i][k]);
		s[off] = '\0';
		return s;
	} else if (a->type == DNS_TXT) {
		return dns_txt_presentation(a, i);
	}
	return xstrdup("(unreadable record)");
}

/* Writes one answer as a dns event; a bogus one also as a finding. */
static void
mx_emit_answer(struct transcript *t, const struct dns_answer *a)
{
	struct dns_event d = {.ms = a->ms, .n = a->n};
	struct event ev = {
	    .phase = PHASE_PLAIN, .dir = DIR_LOCAL, .kind = EV_DNS, .dns = &d};

	snprintf(d.name, sizeof d.name, "%s", a->name);
	snprintf(d.type, sizeof d.type, "%s", dns_type_name(a->type));
	snprintf(d.status, sizeof d.status, "%s", dns_status_name(a->status));
	snprintf(d.rcode, sizeof d.rcode, "%s", dns_rcode_name(a->rcode));
	snprintf(d.why_bogus, sizeof d.why_bogus, "%s", a->why_bogus);
	d.records = xcalloc(a->n + 1, sizeof *d.records);
	size_t cap = 256, off;
	char *text = xmalloc(cap);
	off =
	    (size_t)snprintf(text, cap, "DNS %s %s: %s, %s, %zu record%s (%.1f ms)", d.type,
	                     d.name, d.status, d.rcode, a->n, a->n == 1 ? "" : "s", a->ms);
	for (size_t i = 0; i < a->n; i++) {
		d.records[i] = mx_record_text(a, i);
		size_t need = off + strlen(d.records[i]) + 4;
		if (need > cap)
			text = xrealloc(text, cap = need * 2);
		off += (size_t)snprintf(text + off, cap - off, "%s%s", i ? "; " : ": ",
		                        d.records[i]);
	}
	ev.text = (unsigned char *)text;
	ev.len = off;
	transcript_append(t, &ev);
	for (size_t i = 0; i < a->n; i++)
		free(d.records[i]);
	free(d.records);
	free(text);
	if (a->status == DNS_BOGUS)
		mx_emit(t, EV_FINDING, FINDING_DNSSEC_BOGUS,
		        "the %s answer for %s is bogus (%s): it is not trusted", d.type,
		        d.name,
		        a->why_bogus[0] ? a->why_bogus : "DNSSEC validation failed");
}

int
mx_ask(struct mx_check *m, struct transcript *t, const char *name, int type,
       struct dns_answer *a)
{
	char *cause = NULL;

	if (dns_query(m->dns, name, type, a, &cause) != 0) {
		mx_emit(t, EV_ERROR, 0, "%s", cause);
		free(cause);
		return -1;
	}
	mx_emit_answer(t, a);
	return 0;
}


/* The MX hosts of the domain, or the domain itself (implicit MX). */
static int
mx_hosts(struct mx_check *m, struct transcript *t, const char *domain)
{
	struct dns_answer a;
	struct dns_mx mx[MX_HOSTS_MAX];

	if (mx_ask(m, t, domain, DNS_MX, &a) != 0)
		return -1;
	size_t n = dns_mx_list(&a, mx, MX_HOSTS_MAX);
	int rc = a.rcode;
	m->mx_status = a.status;
	dns_answer_free(&a);
	if (m->mx_status == DNS_BOGUS) {
		mx_emit(t, EV_ERROR, 0,
		        "the MX answer for %s is bogus: startle does not "
		        "connect to hosts it cannot trust",
		        domain);
		return -1;
	}
	if (rc == 3) {
		mx_emit(t, EV_ERROR, 0,
		        "%s does not exist (NXDOMAIN): no mail can go there", domain);
		return -1;
	}
	if (rc != 0) {
		mx_emit(t, EV_ERROR, 0, "the MX lookup of %s failed: %s", domain,
		        dns_rcode_name(rc));
		return -1;
	}
	if (n == 1 && mx[0].host[0] == '\0') {
		mx_emit(t, EV_ERROR, 0,
		        "%s publishes a null MX (RFC 7505): it accepts no mail", domain);
		return -1;
	}
	if (n == 0) {
		mx_emit(t, EV_NOTE, 0,
		        "%s has no MX records: the domain itself is its mail "
		        "host, with preference 0 (implicit MX, RFC 5321 §5.1)",
		        domain);
		mx[0] = (struct dns_mx){0};
		snprintf(mx[0].host, sizeof mx[0].host, "%s", domain);
		n = 1;
		m->implicit = true;
	}
	for (size_t i = 0; i < n; i++) {
		m->hosts[i] =
		    (struct mx_host){.pref = mx[i].pref, .addr_status = DNS_SECURE};
		snprintf(m->hosts[i].name, sizeof m->hosts[i].name, "%s", mx[i].host);
	}
	m->n = n;
	return 0;
}

/* The A and AAAA records of one host; bogus answers are not used. */
static void
mx_addresses(struct mx_check *m, struct transcript *t, struct mx_host *h)
{
	static const int types[] = {DNS_A, DNS_AAAA};

	for (size_t k = 0; k < 2; k++) {
		struct dns_answer a;
		if (mx_ask(m, t, h->name, types[k], &a) != 0) {
			h->addr_status = DNS_BOGUS;
			continue;
		}
		if (a.status == DNS_BOGUS)
			h->addr_status = DNS_BOGUS;
		else if (a.status == DNS_INSECURE && h->addr_status == DNS_SECURE)
			h->addr_status = DNS_INSECURE;
		for (size_t i = 0;
		     a.status != DNS_BOGUS && i < a.n && h->naddrs < MX_ADDRS_MAX; i++)
			if (dns_address(&a, i, h->addrs[h->naddrs], sizeof h->addrs[0]) ==
			    0)
				h->naddrs++;
		dns_answer_free(&a);
	}
}

/* One line per host: preference, name, addresses, DNSSEC status. */
static void
mx_list_hosts(const struct mx_check *m, struct transcript *t)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct mx_host *h = &m->hosts[i];
		char addrs[MX_ADDRS_MAX * 66] = "";
		for (size_t k = 0; k < h->naddrs; k++)
			snprintf(addrs + strlen(addrs), sizeof addrs - strlen(addrs),
			         "%s%s", k ? ", " : "", h->addrs[k]);
		mx_emit(t, EV_NOTE, 0, "MX host %zu: %u %s: %s (addresses %s)%s", i + 1,
		        h->pref, h->name, h->naddrs ? addrs : "none usable",
		        dns_status_name(h->addr_status),
		        h == m->chosen ? " <- connecting" : "");
	}
}

/* The TLSA records of _PORT._tcp.HOST and what DANE can make of them. */
static void
mx_tlsa(struct mx_check *m, struct transcript *t)
{
	char *name = str_printf("_%u._tcp.%s", m->port, m->chosen->name);

	if (m->have_tlsa)
		dns_answer_free(&m->tlsa);
	m->have_tlsa = false;
	m->tlsa_dns = DANE_DNS_FAILED;
	if (mx_ask(m, t, name, DNS_TLSA, &m->tlsa) == 0) {
		m->have_tlsa = true;
		if (m->tlsa.status == DNS_BOGUS)
			m->tlsa_dns = DANE_DNS_BOGUS;
		else if (m->tlsa.rcode != 0 && m->tlsa.rcode != 3)
			m->tlsa_dns = DANE_DNS_FAILED;
		else if (m->tlsa.status == DNS_INSECURE ||
		         m->chosen->addr_status != DNS_SECURE)
			m->tlsa_dns = DANE_DNS_INSECURE; /* RFC 7672 §2.2.2 */
		else
			m->tlsa_dns = DANE_DNS_SECURE;
	}
	free(name);
}

/* Points the session at the chosen host: its first address, its name as
 * the TLS server name unless the user named another. */
static void
mx_point(struct mx_check *m, struct session_params *p)
{
	bool ours = p->servername == NULL;

	for (size_t i = 0; i < m->n && !ours; i++)
		ours = p->servername == m->hosts[i].name;
	snprintf(p->target.host, sizeof p->target.host, "%s", m->chosen->addrs[0]);
	p->target.host_is_ip = true;
	if (ours)
		p->servername = m->chosen->name;
}

struct mx_check *
mx_check_begin(const struct mx_options *o, struct session_params *p, struct transcript *t,
               int *exit_code)
{
	char *cause = NULL;
	struct mx_check *m = xcalloc(1, sizeof *m);

	*exit_code = 3;
	m->o = *o;
	m->port = p->target.port;
	snprintf(m->domain, sizeof m->domain, "%s", p->target.host);
	m->dns = dns_new(o->dns_config, o->timeout_ms, &cause);
	if (m->dns == NULL) {
		mx_emit(t, EV_ERROR, 0, "%s", cause);
		free(cause);
		*exit_code = 2;
		mx_check_free(m);
		return NULL;
	}
	if (mx_hosts(m, t, m->domain) != 0) {
		mx_check_free(m);
		return NULL;
	}
	for (size_t i = 0; i < m->n; i++)
		mx_addresses(m, t, &m->hosts[i]);
	size_t want = o->host > 0 ? o->host - 1 : 0;
	if (want >= m->n || m->hosts[want].naddrs == 0) {
		mx_list_hosts(m, t);
		mx_emit(t, EV_ERROR, 0, "%s",
		        want >= m->n ? "--mx-host names a host the domain does not have"
		                     : "the chosen MX host has no usable address");
		mx_check_free(m);
		return NULL;
	}
	m->chosen = &m->hosts[want];
	mx_list_hosts(m, t);
	mx_tlsa(m, t);
	mx_sts_lookup(m, t);
	mx_sts_match(m, t);
	mx_rpt_lookup(m, t);
	mx_point(m, p);
	mx_check_rearm(m, t);
	return m;
}

int
mx_check_choose(struct mx_check *m, unsigned n, struct session_params *p,
                struct transcript *t, char **cause)
{
	if (n == 0 || n > m->n) {
		*cause = str_printf("%s has %zu MX host%s: choose 1 to %zu", m->domain, m->n,
		                    m->n == 1 ? "" : "s", m->n);
		return -1;
	}
	if (m->hosts[n - 1].naddrs == 0) {
		*cause = str_printf("MX host %u (%s) has no usable address", n,
		                    m->hosts[n - 1].name);
		return -1;
	}
	m->chosen = &m->hosts[n - 1];
	mx_list_hosts(m, t);
	mx_tlsa(m, t);
	mx_sts_match(m, t);
	mx_point(m, p);
	mx_check_rearm(m, t);
	return 0;
}

void
mx_check_rearm(struct mx_check *m, const struct transcript *t)
{
	m->since = transcript_count(t);
	memset(&m->j, 0, sizeof m->j);
}

/* The chain the server presented on this connection and its TLS verdict,
 * from the transcript's events (chain entries point into t). */
static size_t
mx_chain(struct mx_check *m, const struct transcript *t, struct cert_info *chain,
         size_t max)
{
	size_t n = 0;

	for (size_t i = m->since; i < transcript_count(t); i++) {
		const struct event *ev = transcript_get(t, i);
		if (ev != NULL && ev->kind == EV_TLS && ev->verdict != NULL) {
			m->j.tls = true;
			m->j.verified = ev->verdict->verified;
			snprintf(m->j.tls_why, sizeof m->j.tls_why, "%s",
			         ev->verdict->verify_error);
		}
		if (ev == NULL || ev->kind != EV_CERT || ev->cert == NULL)
			continue;
		if (ev->cert->depth == 0)
			n = 0;
		if (n < max)
			chain[n++] = *ev->cert;
	}
	m->j.name_ok = n > 0 && cert_name_matches(&chain[0], m->chosen->name, false);
	if (!m->j.tls)
		snprintf(m->j.tls_why, sizeof m->j.tls_why, "the session never reached TLS");
	else if (!m->j.verified && m->j.tls_why[0] == '\0')
		snprintf(m->j.tls_why, sizeof m->j.tls_why, "the chain does not verify");
	else if (m->j.verified && !m->j.name_ok)
		snprintf(m->j.tls_why, sizeof m->j.tls_why,
		         "the certificate does not name %s", m->chosen->name);
	return n;
}

/* The TLSA records to publish for the chain presented: 3 1 1 for the
 * leaf, 2 1 1 for the CA that issued it. */
static void
mx_publish(const struct mx_check *m, struct transcript *t, const struct cert_info *chain,
           size_t n)
{
	char rec[200];

	for (size_t d = 0; d < n && d < 2; d++) {
		if (dane_publish(&chain[d], d == 0 ? DANE_EE : DANE_TA, rec, sizeof rec) !=
		    0)
			continue;
		mx_emit(t, EV_NOTE, 0, "publish: _%u._tcp.%s. IN TLSA %s (%s: %s)", m->port,
		        m->chosen->name, rec,
		        d == 0 ? "DANE-EE, this server's key"
		               : "DANE-TA, the issuing CA's key",
		        chain[d].subject ? chain[d].subject : "?");
	}
}

/* The finding that goes with a verdict. */
static enum finding_id
mx_verdict_finding(enum dane_verdict v)
{
	switch (v) {
	case DANE_AUTHENTICATED:
		return FINDING_DANE_MATCH;
	case DANE_MISMATCH:
		return FINDING_DANE_MISMATCH;
	case DANE_NO_TLSA:
		return FINDING_DANE_NO_TLSA;
	case DANE_BOGUS:
		return FINDING_DNSSEC_BOGUS;
	default:
		return FINDING_DANE_INSECURE;
	}
}

/* The DANE verdict for the chain, as a finding (a note when there is
 * nothing to find), then the records to publish. */
static void
mx_dane_judge(struct mx_check *m, struct transcript *t, const struct cert_info *chain,
              size_t n)
{
	struct dane_tlsa recs[32];
	struct dane_result *res = &m->j.dane;
	size_t nrec = 0;

	for (size_t i = 0; m->have_tlsa && m->tlsa.rcode == 0 && i < m->tlsa.n && nrec < 32;
	     i++)
		if (dane_tlsa_parse(m->tlsa.data[i], m->tlsa.len[i], &recs[nrec]) == 0)
			nrec++;
	if (n == 0 && m->tlsa_dns == DANE_DNS_SECURE && nrec > 0) {
		*res = (struct dane_result){.verdict = DANE_MISMATCH, .record = -1, .depth = -1};
		snprintf(res->words, sizeof res->words,
		         "TLSA published but the server presented no certificate (no TLS): "
		         "a DANE sender must not deliver to this host");
	} else {
		dane_check(recs, nrec, m->tlsa_dns, chain, n, m->chosen->name, res);
	}
	m->j.dane_noted = res->verdict == DANE_FAILED ||
	                  (res->verdict == DANE_BOGUS && m->tlsa.status == DNS_BOGUS);
	if (m->j.dane_noted)
		mx_emit(t, EV_NOTE, 0, "DANE: %s", res->words);
	else
		mx_emit(t, EV_FINDING, mx_verdict_finding(res->verdict), "DANE: %s",
		        res->words);
	mx_publish(m, t, chain, n);
}

/* The reasoning as notes, under a heading. */
static void
mx_emit_reasoning(const struct mx_check *m, struct transcript *t)
{
	struct mx_reason *r = xcalloc(MX_REASONS_MAX, sizeof *r);
	size_t n = mx_check_reasoning(m, r, MX_REASONS_MAX);

	mx_emit(t, EV_NOTE, 0, "how a sending server reasons about %s:", m->domain);
	for (size_t i = 0; i < n; i++)
		mx_emit(t, EV_NOTE, 0, "  %s: %s", mx_section_name(r[i].section), r[i].text);
	free(r);
}

void
mx_check_judge(struct mx_check *m, struct transcript *t)
{
	struct cert_info chain[CERT_CHAIN_MAX];

	if (m->j.done)
		return;
	size_t n = mx_chain(m, t, chain, CERT_CHAIN_MAX);
	m->j.done = true;
	mx_dane_judge(m, t, chain, n);
	mx_sts_judge(m, t);
	mx_emit_reasoning(m, t);
}

bool
mx_check_judged(const struct mx_check *m)
{
	return m->j.done;
}

int
mx_check_end(struct mx_check *m, struct transcript *t, int rc)
{
	mx_check_judge(m, t);
	if (rc != 0)
		return rc;
	if (m->o.require_dane && m->j.dane.verdict != DANE_AUTHENTICATED) {
		mx_emit(t, EV_ERROR, 0, "--require-dane: DANE did not authenticate %s (%s)",
		        m->chosen->name, dane_verdict_name(m->j.dane.verdict));
		return 1;
	}
	if (m->o.require_mta_sts && m->j.sts != MX_STS_PASS) {
		char words[MX_REASON_MAX];
		mx_sts_verdict_words(m, words, sizeof words);
		mx_emit(t, EV_ERROR, 0, "--require-mta-sts: %s", words);
		return 1;
	}
	return rc;
}

void
mx_check_free(struct mx_check *m)
{
	if (m == NULL)
		return;
	if (m->have_tlsa)
		dns_answer_free(&m->tlsa);
	dns_free(m->dns);
	free(m);
}

size_t
mx_check_hosts(const struct mx_check *m, const struct mx_host **hosts)
{
	*hosts = m->hosts;
	return m->n;
}

size_t
mx_check_chosen(const struct mx_check *m)
{
	return (size_t)(m->chosen - m->hosts);
}

const char *
mx_check_domain(const struct mx_check *m)
{
	return m->domain;
}
