/*
 * mx_reason: the chain of reasoning of --mx in words, built once from the
 * check's state for every front: the MX hosts, TLSA and the DANE verdict,
 * MTA-STS (record, policy, match, verdict), TLS-RPT, and what a sending
 * server does in the end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mx_int.h"

/* Where the lines go. */
struct mx_lines {
	struct mx_reason *out;
	size_t max, n;
};

static void
mx_line(struct mx_lines *l, enum mx_section sec, enum mx_tone tone, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
mx_line(struct mx_lines *l, enum mx_section sec, enum mx_tone tone, const char *fmt, ...)
{
	va_list ap;

	if (l->n >= l->max)
		return;
	struct mx_reason *r = &l->out[l->n++];
	r->section = sec;
	r->tone = tone;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof r->text, fmt, ap);
	va_end(ap);
}

const char *
mx_section_name(enum mx_section s)
{
	static const char *const names[MX_SEC_COUNT] = {
#define MX_SECTION_NAME(sym, name) [MX_SEC_##sym] = name,
	    MX_SECTIONS(MX_SECTION_NAME)
#undef MX_SECTION_NAME
	};
	return (unsigned)s < MX_SEC_COUNT ? names[s] : "?";
}

/* The MX hosts with preference, addresses and DNSSEC status. */
static void
mx_reason_hosts(const struct mx_check *m, struct mx_lines *l)
{
	if (m->implicit)
		mx_line(l, MX_SEC_MX, MX_TONE_PLAIN,
		        "%s has no MX records: the domain itself is its mail host "
		        "(implicit MX, RFC 5321 §5.1); the answer is %s",
		        m->domain, dns_status_name(m->mx_status));
	else
		mx_line(l, MX_SEC_MX, m->mx_status == DNS_SECURE ? MX_TONE_GOOD : MX_TONE_PLAIN,
		        "%s has %zu MX host%s; the answer is %s", m->domain, m->n,
		        m->n == 1 ? "" : "s", dns_status_name(m->mx_status));
	for (size_t i = 0; i < m->n; i++) {
		const struct mx_host *h = &m->hosts[i];
		char addrs[MX_ADDRS_MAX * 66] = "";
		for (size_t k = 0; k < h->naddrs; k++)
			snprintf(addrs + strlen(addrs), sizeof addrs - strlen(addrs), "%s%s",
			         k ? ", " : "", h->addrs[k]);
		mx_line(l, MX_SEC_MX,
		        h->addr_status == DNS_BOGUS ? MX_TONE_BAD : MX_TONE_PLAIN,
		        "%zu. %u %s: %s (addresses %s)%s", i + 1, h->pref, h->name,
		        h->naddrs ? addrs : "no usable address",
		        dns_status_name(h->addr_status),
		        h == m->chosen ? " <- this connection" : "");
	}
}

/* What the TLSA answer means for DANE. */
static const char *
mx_tlsa_meaning(const struct mx_check *m)
{
	switch (m->tlsa_dns) {
	case DANE_DNS_SECURE:
		return m->tlsa.rcode == 0 && m->tlsa.n > 0
		           ? "DNSSEC-signed: a DANE sender requires TLS matching one of them"
		           : "securely denied: DANE does not apply to this host";
	case DANE_DNS_INSECURE:
		return "not DNSSEC-signed (the records, or the host's addresses): DANE "
		       "cannot apply";
	case DANE_DNS_BOGUS:
		return "bogus: a DANE sender defers delivery rather than trust it";
	default:
		return "the lookup failed: DANE cannot be checked";
	}
}

/* TLSA records of the chosen host and the DANE verdict. */
static void
mx_reason_dane(const struct mx_check *m, struct mx_lines *l)
{
	enum mx_tone tone = m->tlsa_dns == DANE_DNS_BOGUS    ? MX_TONE_BAD
	                    : m->tlsa_dns == DANE_DNS_FAILED ? MX_TONE_WARN
	                                                     : MX_TONE_PLAIN;

	mx_line(l, MX_SEC_DANE, tone, "TLSA _%u._tcp.%s: %zu record%s, %s", m->port,
	        m->chosen->name, m->have_tlsa ? m->tlsa.n : 0,
	        m->have_tlsa && m->tlsa.n == 1 ? "" : "s", mx_tlsa_meaning(m));
	for (size_t i = 0; m->have_tlsa && i < m->tlsa.n && i < 8; i++) {
		struct dane_tlsa r;
		if (dane_tlsa_parse(m->tlsa.data[i], m->tlsa.len[i], &r) != 0)
			continue;
		char hex[2 * 64 + 4] = "";
		for (size_t k = 0; k < r.len && k < 64; k++)
			snprintf(hex + 2 * k, 3, "%02x", r.data[k]);
		mx_line(l, MX_SEC_DANE, MX_TONE_PLAIN, "record %zu: %u %u %u %s%s (%s)", i + 1,
		        r.usage, r.selector, r.mtype, hex, r.len > 64 ? "..." : "",
		        dane_usage_name(r.usage));
	}
	if (!m->j.done) {
		mx_line(l, MX_SEC_DANE, MX_TONE_PLAIN,
		        "the verdict follows the TLS handshake");
		return;
	}
	enum dane_verdict v = m->j.dane.verdict;
	mx_line(l, MX_SEC_DANE,
	        v == DANE_AUTHENTICATED                      ? MX_TONE_GOOD
	        : v == DANE_MISMATCH || v == DANE_BOGUS      ? MX_TONE_BAD
	                                                     : MX_TONE_PLAIN,
	        "%s", m->j.dane.words);
}

/* The patterns of the policy, joined. */
static void
mx_patterns(const struct mtasts_policy *p, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->nmx; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? ", " : "",
		         p->mx[i]);
	if (p->nmx_total > p->nmx)
		snprintf(buf + strlen(buf), size - strlen(buf), " and %zu more",
		         p->nmx_total - p->nmx);
}

void
mx_sts_verdict_words(const struct mx_check *m, char *buf, size_t size)
{
	const struct mx_sts *s = &m->sts;
	const char *host = m->chosen->name, *mode = mtasts_mode_name(s->policy.mode);
	char why[1024];

	switch (s->state) {
	case MX_STS_ABSENT:
		snprintf(buf, size, "%s publishes no MTA-STS policy", m->domain);
		return;
	case MX_STS_FAILED:
		snprintf(buf, size, "the MTA-STS lookup failed (%s): a sender cannot tell "
		                    "whether a policy exists", s->why);
		return;
	case MX_STS_INVALID:
		snprintf(buf, size, "MTA-STS is unusable (%s): a sender with no cached "
		                    "policy acts as if there were none", s->why);
		return;
	case MX_STS_NONE:
		snprintf(buf, size, "the MTA-STS policy is in mode none: senders act as if "
		                    "there were none");
		return;
	default:
		break;
	}
	if (s->match < 0)
		snprintf(why, sizeof why, "%s matches none of the policy's mx patterns", host);
	else if (!m->j.done)
		snprintf(why, sizeof why, "%s matches %s; the certificate is checked after "
		                          "the handshake", host, s->policy.mx[s->match]);
	else if (m->j.sts == MX_STS_PASS)
		snprintf(why, sizeof why, "%s matches %s and its certificate verifies and "
		                          "names it", host, s->policy.mx[s->match]);
	else
		snprintf(why, sizeof why, "%s matches %s but %s", host, s->policy.mx[s->match],
		         m->j.tls_why);
	if (s->state == MX_STS_TESTING)
		snprintf(buf, size, "MTA-STS (testing): %s; senders deliver either way and "
		                    "report failures (TLS-RPT)", why);
	else if (!m->j.done && s->match >= 0)
		snprintf(buf, size, "MTA-STS (enforce): %s", why);
	else if (m->j.sts == MX_STS_PASS)
		snprintf(buf, size, "MTA-STS (%s): %s: an enforcing sender delivers to it",
		         mode, why);
	else
		snprintf(buf, size, "MTA-STS (%s): %s: an enforcing sender does not deliver "
		                    "to %s (it tries an MX host that passes, else keeps the "
		                    "mail queued)", mode, why, host);
}

/* The record, the fetch, the policy, the match and the verdict. */
static void
mx_reason_sts(const struct mx_check *m, struct mx_lines *l)
{
	const struct mx_sts *s = &m->sts;
	char words[MX_REASON_MAX], pats[MX_REASON_MAX];

	if (s->txt[0])
		mx_line(l, MX_SEC_MTA_STS, MX_TONE_PLAIN, "TXT _mta-sts.%s: %s", m->domain,
		        s->txt);
	if (s->url[0] && s->fetched)
		mx_line(l, MX_SEC_MTA_STS, s->http_status == 200 ? MX_TONE_PLAIN : MX_TONE_BAD,
		        "policy %s: %s; HTTP %d %s, %zu bytes", s->url, s->tls, s->http_status,
		        s->content_type, s->bytes);
	if (s->state >= MX_STS_NONE) {
		mx_patterns(&s->policy, pats, sizeof pats);
		mx_line(l, MX_SEC_MTA_STS,
		        s->state == MX_STS_ENFORCE ? MX_TONE_GOOD
		        : s->state == MX_STS_TESTING ? MX_TONE_WARN
		                                     : MX_TONE_PLAIN,
		        "policy: mode %s, max_age %lu s, mx %s", mtasts_mode_name(s->policy.mode),
		        s->policy.max_age, pats[0] ? pats : "(none)");
	}
	for (size_t i = 0; s->have_policy && i < s->policy.nnotes; i++)
		mx_line(l, MX_SEC_MTA_STS, MX_TONE_WARN, "%s", s->policy.notes[i]);
	mx_sts_verdict_words(m, words, sizeof words);
	enum mx_tone tone = MX_TONE_PLAIN;
	if (s->state == MX_STS_TESTING)
		tone = MX_TONE_WARN;
	else if (s->state == MX_STS_ENFORCE)
		tone = s->match < 0 || (m->j.done && m->j.sts != MX_STS_PASS) ? MX_TONE_BAD
		       : m->j.done                                           ? MX_TONE_GOOD
		                                                              : MX_TONE_PLAIN;
	else if (s->state == MX_STS_INVALID || s->state == MX_STS_FAILED)
		tone = MX_TONE_WARN;
	mx_line(l, MX_SEC_MTA_STS, tone, "%s", words);
}

static void
mx_reason_rpt(const struct mx_check *m, struct mx_lines *l)
{
	const struct mx_rpt *r = &m->rpt;
	char list[MX_REASON_MAX] = "";

	switch (r->state) {
	case MX_RPT_PRESENT:
		for (size_t i = 0; i < r->record.nrua; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
			         i ? ", " : "", r->record.rua[i]);
		mx_line(l, MX_SEC_TLS_RPT, MX_TONE_PLAIN, "TXT _smtp._tls.%s: %s", m->domain,
		        r->txt);
		mx_line(l, MX_SEC_TLS_RPT, MX_TONE_GOOD,
		        "senders report TLS failures (RFC 8460) to %s", list);
		break;
	case MX_RPT_ABSENT:
		mx_line(l, MX_SEC_TLS_RPT, MX_TONE_PLAIN,
		        "no _smtp._tls.%s record: senders report no TLS failures to the "
		        "domain",
		        m->domain);
		break;
	default:
		mx_line(l, MX_SEC_TLS_RPT, MX_TONE_WARN, "TLS-RPT: %s", r->why);
		break;
	}
}

/* What a sending server does, and what stripping STARTTLS would gain. */
static void
mx_reason_sender(const struct mx_check *m, struct mx_lines *l)
{
	const char *host = m->chosen->name;
	enum dane_verdict v = m->j.dane.verdict;
	bool dane = m->tlsa_dns == DANE_DNS_SECURE && m->have_tlsa && m->tlsa.n > 0;
	bool sts = m->sts.state == MX_STS_ENFORCE && m->sts.match >= 0;

	if (!m->j.done)
		mx_line(l, MX_SEC_SENDER, MX_TONE_PLAIN, "the verdicts follow the TLS handshake");
	else if (v == DANE_AUTHENTICATED)
		mx_line(l, MX_SEC_SENDER, MX_TONE_GOOD,
		        "a DANE sender delivers to %s: a TLSA record authenticates it", host);
	else if (v == DANE_MISMATCH || v == DANE_BOGUS)
		mx_line(l, MX_SEC_SENDER, MX_TONE_BAD,
		        "a DANE sender does not deliver to %s, whatever MTA-STS says (RFC "
		        "8461 §2: MTA-STS never overrides a failing DANE check)",
		        host);
	else
		mx_line(l, MX_SEC_SENDER, MX_TONE_PLAIN,
		        "DANE does not protect %s: senders turn to MTA-STS", host);
	if (m->j.done && m->sts.state == MX_STS_ENFORCE)
		mx_line(l, MX_SEC_SENDER,
		        m->j.sts == MX_STS_PASS ? MX_TONE_GOOD : MX_TONE_BAD,
		        "an MTA-STS sender %s %s", m->j.sts == MX_STS_PASS ? "delivers to"
		                                                          : "refuses",
		        host);
	if (dane || sts)
		mx_line(l, MX_SEC_SENDER, MX_TONE_GOOD,
		        "stripping STARTTLS gains an attacker nothing here: a sender applying "
		        "%s refuses to send to %s in plaintext",
		        dane && sts ? "DANE or MTA-STS" : dane ? "DANE" : "MTA-STS", host);
	else
		mx_line(l, MX_SEC_SENDER, MX_TONE_WARN,
		        "nothing tells senders that %s must use TLS: opportunistic TLS falls "
		        "back to plaintext when someone on the path strips STARTTLS",
		        host);
}

size_t
mx_check_reasoning(const struct mx_check *m, struct mx_reason *out, size_t max)
{
	struct mx_lines l = {.out = out, .max = max};

	mx_reason_hosts(m, &l);
	mx_reason_dane(m, &l);
	mx_reason_sts(m, &l);
	mx_reason_rpt(m, &l);
	mx_reason_sender(m, &l);
	return l.n;
}
