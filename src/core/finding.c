#include <string.h>

#include "finding.h"

static const struct {
	const char *name;
	enum severity severity;
	const char *summary;
} findings[FINDING_COUNT] = {
#define FINDING_ROW(sym, id, sev, sum) [FINDING_##sym] = {id, sev, sum},
    FINDINGS(FINDING_ROW)
#undef FINDING_ROW
};

const char *
finding_name(enum finding_id f)
{
	return findings[f].name;
}

enum severity
finding_severity(enum finding_id f)
{
	return findings[f].severity;
}

const char *
finding_summary(enum finding_id f)
{
	return findings[f].summary;
}

int
finding_from_name(const char *name)
{
	for (int i = 0; i < FINDING_COUNT; i++)
		if (strcmp(findings[i].name, name) == 0)
			return i;
	return -1;
}

const char *
severity_name(enum severity s)
{
	static const char *const names[] = {"info", "warn", "danger"};
	return names[s];
}
