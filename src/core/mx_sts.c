/*
 * mx_sts: MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for --mx: the records,
 * the policy fetched over HTTPS by startle's own TLS, whether the chosen MX
 * host matches it, and the verdict once the certificate is known.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "https.h"
#include "mx_int.h"
#include "util.h"

#define MX_TXT_RECORDS 8
#define MX_TXT_BYTES 1024
#define MX_FETCH_TIMEOUT_MS 10000

/* The records of a TXT answer, each its strings joined (cut at
 * MX_TXT_BYTES - 1). */
struct mx_txts {
	char text[MX_TXT_RECORDS][MX_TXT_BYTES];
	const char *recs[MX_TXT_RECORDS];
	size_t lens[MX_TXT_RECORDS];
	size_t n;
};

static void
mx_txts(const struct dns_answer *a, struct mx_txts *out)
{
	out->n = 0;
	for (size_t i = 0; i < a->n && out->n < MX_TXT_RECORDS; i++) {
		long l = dns_txt(a, i, out->text[out->n], MX_TXT_BYTES);
		if (l < 0)
			continue;
		out->recs[out->n] = out->text[out->n];
		out->lens[out->n] = (size_t)l < MX_TXT_BYTES ? (size_t)l : MX_TXT_BYTES - 1;
		out->n++;
	}
}

/* The first record that begins with tag, in presentation form, into buf. */
static void
mx_txt_shown(const struct dns_answer *a, const struct mx_txts *x, const char *tag,
             char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < x->n; i++) {
		if (strncmp(x->recs[i], tag, strlen(tag)) != 0)
			continue;
		char *s = dns_txt_presentation(a, i);
		snprintf(buf, size, "%s", s);
		free(s);
		return;
	}
}

/* Looks a TXT name up; returns the answer's state (0 usable, -1 failed
 * with why, a bogus answer being a failure). */
static int
mx_txt_lookup(struct mx_check *m, struct transcript *t, const char *name,
              struct dns_answer *a, char *why, size_t why_size)
{
	if (mx_ask(m, t, name, DNS_TXT, a) != 0) {
		snprintf(why, why_size, "the TXT lookup of %s got no answer", name);
		return -1;
	}
	if (a->status == DNS_BOGUS || (a->rcode != 0 && a->rcode != 3)) {
		snprintf(why, why_size, "the TXT answer for %s is %s", name,
		         a->status == DNS_BOGUS ? "bogus (DNSSEC)" : dns_rcode_name(a->rcode));
		dns_answer_free(a);
		return -1;
	}
	return 0;
}

/* Writes the MTA-STS state as a "policy" event. */
static void
mx_sts_event(const struct mx_check *m, struct transcript *t)
{
	static const char *const states[] = {"absent", "failed",  "invalid",
	                                     "none",   "testing", "enforce"};
	const struct mx_sts *s = &m->sts;
	char *mx[MTASTS_MX_MAX];
	struct policy_event pe = {.http_status = s->http_status, .bytes = s->bytes,
	                          .ms = s->ms, .mx = mx};
	struct event ev = {.phase = PHASE_PLAIN, .dir = DIR_LOCAL, .kind = EV_POLICY,
	                   .policy = &pe};
	bool valid = s->state >= MX_STS_NONE;

	snprintf(pe.policy, sizeof pe.policy, "mta-sts");
	snprintf(pe.domain, sizeof pe.domain, "%s", m->domain);
	snprintf(pe.status, sizeof pe.status, "%s", states[s->state]);
	snprintf(pe.id, sizeof pe.id, "%s", s->record.id);
	snprintf(pe.url, sizeof pe.url, "%s", s->url);
	snprintf(pe.content_type, sizeof pe.content_type, "%s", s->content_type);
	snprintf(pe.why, sizeof pe.why, "%s", s->why);
	if (valid) {
		snprintf(pe.mode, sizeof pe.mode, "%s", mtasts_mode_name(s->policy.mode));
		pe.max_age = s->policy.max_age;
		for (size_t i = 0; i < s->policy.nmx; i++)
			mx[pe.nmx++] = (char *)s->policy.mx[i];
	}
	char *text;
	if (valid)
		text = str_printf("MTA-STS policy of %s: mode %s, max_age %lu, %zu mx "
		                  "pattern%s (id %s)",
		                  m->domain, pe.mode, pe.max_age, s->policy.nmx_total,
		                  s->policy.nmx_total == 1 ? "" : "s", pe.id);
	else
		text = str_printf("MTA-STS policy of %s: %s%s%s", m->domain, pe.status,
		                  s->why[0] ? ": " : "", s->why);
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	transcript_append(t, &ev);
	free(text);
}

/* The policy host's first usable address (A first, then AAAA). */
static int
mx_sts_address(struct mx_check *m, struct transcript *t, char *addr, size_t size)
{
	static const int types[] = {DNS_A, DNS_AAAA};

	for (size_t k = 0; k < 2; k++) {
		struct dns_answer a;
		if (mx_ask(m, t, m->sts.host, types[k], &a) != 0)
			continue;
		int ok = a.status != DNS_BOGUS && a.n > 0 && dns_address(&a, 0, addr, size) == 0;
		dns_answer_free(&a);
		if (ok)
			return 0;
	}
	snprintf(m->sts.why, sizeof m->sts.why, "the policy host %s has no usable address",
	         m->sts.host);
	return -1;
}

/* What the fetch's TLS was, in words. */
static void
mx_sts_tls_words(struct mx_sts *s, const struct https_result *r)
{
	if (!r->tls)
		return;
	snprintf(s->tls, sizeof s->tls, "%s, certificate %s for %s", r->summary.version,
	         r->verdict.verified && r->verdict.name_match ? "verified" : "NOT valid",
	         s->host);
}

/* Judges an HTTP response by RFC 8461 §3.3 and parses the policy. */
static void
mx_sts_response(struct mx_sts *s, const struct http_response *h)
{
	char *ct = escape_bytes((const unsigned char *)h->content_type,
	                        strlen(h->content_type), ESCAPE_TEXT);

	s->fetched = true;
	s->http_status = h->status;
	snprintf(s->content_type, sizeof s->content_type, "%s", ct ? ct : "");
	free(ct);
	s->bytes = h->body_len;
	s->state = MX_STS_INVALID;
	if (h->status >= 300 && h->status < 400) {
		char *loc = escape_bytes((const unsigned char *)h->location,
		                         strlen(h->location), ESCAPE_TEXT);
		snprintf(s->why, sizeof s->why,
		         "HTTP %d redirect%s%s refused: RFC 8461 §3.3 forbids following "
		         "redirects",
		         h->status, loc && loc[0] ? " to " : "", loc ? loc : "");
		free(loc);
	} else if (h->status != 200) {
		snprintf(s->why, sizeof s->why,
		         "HTTP %d: only 200 gives a policy (RFC 8461 §3.3)", h->status);
	} else if (!mtasts_is_text_plain(h->content_type)) {
		snprintf(s->why, sizeof s->why,
		         "the policy is served as \"%s\", not text/plain (RFC 8461 §3.3)",
		         s->content_type[0] ? s->content_type : "(no Content-Type)");
	} else if (h->oversize) {
		snprintf(s->why, sizeof s->why,
		         "the policy is longer than %d KiB: senders stop reading it",
		         MTASTS_MAX_BODY / 1024);
	} else {
		mtasts_policy_parse(h->body, h->body_len, &s->policy);
		s->have_policy = true;
		if (!s->policy.valid)
			snprintf(s->why, sizeof s->why, "the policy is invalid: %s",
			         s->policy.why);
		else
			s->state = s->policy.mode == MTASTS_MODE_ENFORCE   ? MX_STS_ENFORCE
			           : s->policy.mode == MTASTS_MODE_TESTING ? MX_STS_TESTING
			                                                   : MX_STS_NONE;
	}
}

/* Fetches the policy from the policy host and judges it. */
static void
mx_sts_fetch(struct mx_check *m, struct transcript *t)
{
	struct mx_sts *s = &m->sts;
	unsigned port = m->o.mta_sts_port ? m->o.mta_sts_port : MTASTS_PORT;
	char addr[64];
	struct https_result r;
	char *cause = NULL;

	snprintf(s->host, sizeof s->host, "mta-sts.%s", m->domain);
	if (port == MTASTS_PORT)
		snprintf(s->url, sizeof s->url, "https://%s%s", s->host, MTASTS_PATH);
	else
		snprintf(s->url, sizeof s->url, "https://%s:%u%s", s->host, port, MTASTS_PATH);
	s->state = MX_STS_INVALID;
	if (mx_sts_address(m, t, addr, sizeof addr) != 0)
		return;
	struct https_request rq = {
	    .address = addr, .port = port, .host = s->host, .path = MTASTS_PATH,
	    .cafile = m->o.cafile, .max_body = MTASTS_MAX_BODY,
	    .timeout_ms = m->o.fetch_timeout_ms > 0 ? m->o.fetch_timeout_ms
	                                            : MX_FETCH_TIMEOUT_MS};
	int rc = https_get(&rq, &r, &cause);
	s->ms = r.ms;
	mx_sts_tls_words(s, &r);
	if (rc != 0) {
		snprintf(s->why, sizeof s->why, "the policy could not be fetched: %s", cause);
		mx_emit(t, EV_NOTE, 0, "MTA-STS: GET %s at %s failed: %s", s->url, addr,
		        cause);
		free(cause);
		return;
	}
	mx_sts_response(s, &r.http);
	mx_emit(t, EV_NOTE, 0, "MTA-STS: GET %s at %s: %s; HTTP %d%s%s, %zu bytes (%.1f ms)",
	        s->url, addr, s->tls, s->http_status, s->content_type[0] ? " " : "",
	        s->content_type, s->bytes, s->ms);
	https_result_free(&r);
}

void
mx_sts_lookup(struct mx_check *m, struct transcript *t)
{
	struct mx_sts *s = &m->sts;
	struct dns_answer a;
	struct mx_txts x;
	char *name = str_printf("_mta-sts.%s", m->domain);

	s->match = -1;
	if (mx_txt_lookup(m, t, name, &a, s->why, sizeof s->why) != 0) {
		s->state = MX_STS_FAILED;
		free(name);
		mx_sts_event(m, t);
		return;
	}
	free(name);
	mx_txts(&a, &x);
	mtasts_txt_parse(x.recs, x.lens, x.n, &s->record);
	mx_txt_shown(&a, &x, "v=STSv1", s->txt, sizeof s->txt);
	dns_answer_free(&a);
	if (s->record.status == MTASTS_TXT_NONE) {
		s->state = MX_STS_ABSENT;
		s->why[0] = '\0';
	} else if (s->record.status != MTASTS_TXT_OK) {
		s->state = MX_STS_INVALID;
		snprintf(s->why, sizeof s->why, "the _mta-sts record: %s", s->record.why);
	} else {
		mx_sts_fetch(m, t);
	}
	for (size_t i = 0; s->have_policy && i < s->policy.nnotes; i++)
		mx_emit(t, EV_NOTE, 0, "MTA-STS policy: %s", s->policy.notes[i]);
	mx_sts_event(m, t);
	if (s->state == MX_STS_INVALID)
		mx_emit(t, EV_FINDING, FINDING_MTA_STS_INVALID,
		        "MTA-STS: %s publishes a policy record but no usable policy (%s): "
		        "senders act as if it had none",
		        m->domain, s->why);
	else if (s->state == MX_STS_NONE)
		mx_emit(t, EV_FINDING, FINDING_MTA_STS_NONE,
		        "MTA-STS: %s's policy is in mode none: senders act as if it had "
		        "none",
		        m->domain);
}

void
mx_sts_match(struct mx_check *m, struct transcript *t)
{
	struct mx_sts *s = &m->sts;

	if (s->state != MX_STS_ENFORCE && s->state != MX_STS_TESTING)
		return;
	s->match = mtasts_policy_match(&s->policy, m->chosen->name);
	if (s->match >= 0)
		mx_emit(t, EV_NOTE, 0, "MTA-STS: %s matches the policy's mx pattern %s",
		        m->chosen->name, s->policy.mx[s->match]);
	else
		mx_emit(t, EV_NOTE, 0, "MTA-STS: %s matches none of the policy's %zu mx "
		                       "pattern%s",
		        m->chosen->name, s->policy.nmx_total,
		        s->policy.nmx_total == 1 ? "" : "s");
}

void
mx_sts_judge(struct mx_check *m, struct transcript *t)
{
	enum mx_sts_state st = m->sts.state;
	char words[MX_REASON_MAX];

	if (st != MX_STS_ENFORCE && st != MX_STS_TESTING) {
		m->j.sts = MX_STS_NA;
		return;
	}
	bool pass = m->sts.match >= 0 && m->j.tls && m->j.verified && m->j.name_ok;
	m->j.sts = pass ? MX_STS_PASS : MX_STS_FAIL;
	mx_sts_verdict_words(m, words, sizeof words);
	enum finding_id f = st == MX_STS_TESTING ? FINDING_MTA_STS_TESTING
	                    : pass               ? FINDING_MTA_STS_MATCH
	                                         : FINDING_MTA_STS_MISMATCH;
	mx_emit(t, EV_FINDING, f, "%s", words);
}

/* Writes the TLS-RPT state as a "policy" event. */
static void
mx_rpt_event(const struct mx_check *m, struct transcript *t)
{
	static const char *const states[] = {"absent", "failed", "invalid", "present"};
	const struct mx_rpt *r = &m->rpt;
	char *rua[MTASTS_RUA_MAX];
	struct policy_event pe = {.rua = rua};
	struct event ev = {.phase = PHASE_PLAIN, .dir = DIR_LOCAL, .kind = EV_POLICY,
	                   .policy = &pe};
	char list[MTASTS_RUA_MAX * (MTASTS_NAME_MAX + 2)] = "";

	snprintf(pe.policy, sizeof pe.policy, "tls-rpt");
	snprintf(pe.domain, sizeof pe.domain, "%s", m->domain);
	snprintf(pe.status, sizeof pe.status, "%s", states[r->state]);
	snprintf(pe.why, sizeof pe.why, "%s", r->why);
	for (size_t i = 0; r->state == MX_RPT_PRESENT && i < r->record.nrua; i++) {
		rua[pe.nrua++] = (char *)r->record.rua[i];
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
		         i ? ", " : "", r->record.rua[i]);
	}
	char *text = r->state == MX_RPT_PRESENT
	                 ? str_printf("TLS-RPT of %s: reports go to %s", m->domain, list)
	                 : str_printf("TLS-RPT of %s: %s%s%s", m->domain, pe.status,
	                              r->why[0] ? ": " : "", r->why);
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	transcript_append(t, &ev);
	free(text);
}

void
mx_rpt_lookup(struct mx_check *m, struct transcript *t)
{
	struct mx_rpt *r = &m->rpt;
	struct dns_answer a;
	struct mx_txts x;
	char *name = str_printf("_smtp._tls.%s", m->domain);

	if (mx_txt_lookup(m, t, name, &a, r->why, sizeof r->why) != 0) {
		r->state = MX_RPT_FAILED;
	} else {
		mx_txts(&a, &x);
		mtasts_tlsrpt_parse(x.recs, x.lens, x.n, &r->record);
		mx_txt_shown(&a, &x, "v=TLSRPTv1", r->txt, sizeof r->txt);
		dns_answer_free(&a);
		r->state = r->record.status == MTASTS_TXT_OK     ? MX_RPT_PRESENT
		           : r->record.status == MTASTS_TXT_NONE ? MX_RPT_ABSENT
		                                                 : MX_RPT_INVALID;
		if (r->state == MX_RPT_INVALID)
			snprintf(r->why, sizeof r->why, "%s", r->record.why);
	}
	free(name);
	mx_rpt_event(m, t);
}
