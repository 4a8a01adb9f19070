/* details: the DNS/Policy tab (--mx): the chain of reasoning core builds
 * for every front, a section at a time. */
#include <stdlib.h>
#include <string.h>

#include "details.h"
#include "details_int.h"
#include "mx.h"
#include "util.h"

/* The theme element of a line's tone. */
static enum theme_element
details_dns_elem(enum mx_tone tone)
{
	switch (tone) {
	case MX_TONE_GOOD:
		return TE_GOOD;
	case MX_TONE_WARN:
		return TE_FINDING_WARN;
	case MX_TONE_BAD:
		return TE_BAD;
	default:
		return TE_DEFAULT;
	}
}

/* The heading of each section. */
static const char *const details_dns_titles[MX_SEC_COUNT] = {
    [MX_SEC_MX] = "MX hosts (preference, addresses, DNSSEC)",
    [MX_SEC_DANE] = "DANE (TLSA records, RFC 7672)",
    [MX_SEC_MTA_STS] = "MTA-STS (RFC 8461)",
    [MX_SEC_TLS_RPT] = "TLS reporting (RFC 8460)",
    [MX_SEC_SENDER] = "What a sending server does",
};

void
details_dns(const struct mx_check *m, int width, struct slines *out)
{
	struct mx_reason *r = xcalloc(MX_REASONS_MAX, sizeof *r);
	size_t n = mx_check_reasoning(m, r, MX_REASONS_MAX);
	const struct mx_host *hosts;
	size_t nhosts = mx_check_hosts(m, &hosts);
	struct dpane p;
	int sec = -1;

	dpane_init(&p, out, width);
	const char *domain = mx_check_domain(m);
	sline_add(&p.cur, TE_TITLE, "Mail domain ");
	sline_add_own(&p.cur, TE_TITLE, TE_ESCAPED, (const unsigned char *)domain,
	              strlen(domain));
	sline_add(&p.cur, TE_TITLE, ", as a sending server checks it");
	dpane_flush(&p);
	for (size_t i = 0; i < n; i++) {
		if ((int)r[i].section != sec) {
			sec = (int)r[i].section;
			dpane_title(&p, details_dns_titles[sec]);
		}
		dpane_text_own(&p, details_dns_elem(r[i].tone), r[i].text);
	}
	free(r);
	dpane_blank(&p);
	if (nhosts > 1)
		dpane_text(&p, TE_HINT,
		           "/mx N connects to MX host N instead (the DNS answers, the "
		           "policy and the verdicts follow it); /reconnect tries the same "
		           "host again");
	else
		dpane_text(&p, TE_HINT, "/reconnect tries the host again");
	dpane_done(&p);
}
