/*
 * compare: the figures of two sessions and their differences in words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "util.h"

void
compare_side_init(struct compare_side *c, const char *name, const struct target *t)
{
	memset(c, 0, sizeof *c);
	c->name = name;
	c->proto = t->proto;
	c->mode = t->mode;
	c->time_to_tls_ms = -1;
	target_format(t, c->target, sizeof c->target);
}

/* True if a client line is the protocol's quit command (QUIT, LOGOUT). */
static bool
is_quit(enum proto_id proto, const struct event *ev)
{
	char word[16];

	proto_command_word(proto, ev->text, ev->len, word, sizeof word);
	return strcmp(word, proto_info(proto)->quit_command) == 0;
}

/* A line sent or received before TLS began: count it and note what it
 * revealed. */
static void
observe_plain_line(struct compare_side *c, const struct event *ev)
{
	c->plaintext_lines++;
	c->line_bytes += ev->len + 2;
	if (ev->dir == DIR_SERVER) {
		if (!c->client_spoke)
			c->reveals |= REVEAL_GREETING;
		return;
	}
	c->client_spoke = true;
	if (ev->secret)
		c->reveals |= REVEAL_CREDENTIAL;
	if (proto_is_capa(c->proto, ev->text, ev->len)) {
		c->reveals |= REVEAL_CAPS;
	} else if (proto_is_starttls(c->proto, ev->text, ev->len)) {
		c->reveals |= REVEAL_STARTTLS;
	} else if (!is_quit(c->proto, ev) || ev->secret) {
		c->typed_lines++;
		c->reveals |= REVEAL_TYPED;
	}
}

static void
add_finding(struct compare_side *c, enum finding_id id)
{
	for (size_t i = 0; i < c->nfindings; i++)
		if (c->findings[i] == id)
			return;
	if (c->nfindings < FINDING_COUNT)
		c->findings[c->nfindings++] = id;
}

static void
observe_tls(struct compare_side *c, const struct event *ev)
{
	if (ev->tls != NULL) {
		c->tls = true;
		snprintf(c->tls_version, sizeof c->tls_version, "%s", ev->tls->version);
		snprintf(c->cipher, sizeof c->cipher, "%s", ev->tls->cipher);
		snprintf(c->group, sizeof c->group, "%s", ev->tls->group);
		c->time_to_tls_ms = ev->t * 1000.0;
	}
	if (ev->verdict != NULL) {
		c->have_verdict = true;
		c->verified = ev->verdict->verified;
		c->name_match = ev->verdict->name_match;
		snprintf(c->verify_error, sizeof c->verify_error, "%s",
		         ev->verdict->verify_error);
	}
}

void
compare_observe(void *side, const struct transcript *t, const struct event *ev)
{
	struct compare_side *c = side;

	(void)t;
	switch (ev->kind) {
	case EV_LINE:
		if (ev->phase == PHASE_PLAIN && !c->tls)
			observe_plain_line(c, ev);
		break;
	case EV_PHASE:
		if (ev->phase == PHASE_HANDSHAKE)
			c->handshake_began = true;
		break;
	case EV_TLS:
		observe_tls(c, ev);
		break;
	case EV_CERT:
		if (ev->cert != NULL && c->nchain < COMPARE_CHAIN_MAX)
			snprintf(c->chain[c->nchain++], sizeof c->chain[0], "%s",
			         ev->cert->sha256);
		break;
	case EV_FINDING:
		add_finding(c, ev->finding);
		break;
	case EV_ERROR:
		if (c->error[0] == '\0') {
			size_t n = ev->len < sizeof c->error - 1 ? ev->len : sizeof c->error - 1;
			memcpy(c->error, ev->text, n);
			c->error[n] = '\0';
		}
		break;
	default:
		break;
	}
}

void
compare_set_plain_bytes(struct compare_side *c, size_t bytes)
{
	c->wire_bytes = bytes;
}

size_t
compare_plain_bytes(const struct compare_side *c)
{
	return c->wire_bytes > 0 ? c->wire_bytes : c->line_bytes;
}

void
compare_close(struct compare_side *c, int exit_code)
{
	c->closed = true;
	c->exit = exit_code;
	if (!c->tls && !c->handshake_began)
		c->reveals |= REVEAL_EVERYTHING;
}

bool
compare_handshake_failed(const struct compare_side *c)
{
	return c->handshake_began && !c->tls && c->closed;
}

bool
compare_same_chain(const struct compare_side *a, const struct compare_side *b)
{
	if (a->nchain == 0 || a->nchain != b->nchain)
		return false;
	for (size_t i = 0; i < a->nchain; i++)
		if (strcmp(a->chain[i], b->chain[i]) != 0)
			return false;
	return true;
}

bool
compare_line_goes_to(const struct compare_side *c, const char *line)
{
	return c->mode == TLS_MODE_EXPLICIT ||
	       !proto_typed_is_starttls(c->proto, (const unsigned char *)line, strlen(line));
}

void
compare_reveals_words(unsigned reveals, char *buf, size_t size)
{
	static const struct {
		unsigned flag;
		const char *words;
	} items[] = {
	    {REVEAL_GREETING, "greeting"},
	    {REVEAL_CAPS, "capabilities"},
	    {REVEAL_STARTTLS, "STARTTLS exchange"},
	    {REVEAL_TYPED, "typed lines"},
	    {REVEAL_CREDENTIAL, "credentials"},
	    {REVEAL_EVERYTHING, "everything (no TLS)"},
	};
	size_t used = 0;

	buf[0] = '\0';
	if (reveals & REVEAL_EVERYTHING) {
		snprintf(buf, size, "everything: never encrypted");
		return;
	}
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
		if (!(reveals & items[i].flag))
			continue;
		int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
		                 items[i].words);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(buf, size, "nothing");
}

/* The sentences being written: at most max, each allocated. */
struct diffs {
	char **out;
	size_t n, max;
};

static void
say(struct diffs *d, char *sentence)
{
	if (d->n < d->max)
		d->out[d->n++] = sentence;
	else
		free(sentence);
}

/* "a (explicit)" */
static void
label(const struct compare_side *c, char *buf, size_t size)
{
	snprintf(buf, size, "%s (%s)", c->name, tls_mode_name(c->mode));
}

static const char *
exit_words(int code)
{
	switch (code) {
	case 0:
		return "ended well";
	case 1:
		return "failed a policy";
	case 2:
		return "could not start";
	case 3:
		return "failed on the network";
	case 4:
		return "failed on the protocol";
	case 5:
		return "failed in the TLS handshake";
	default:
		return "failed";
	}
}

/* How far a side got: TLS, a failed handshake, or plaintext to the end. */
static void
diff_reached(struct diffs *d, const struct compare_side *x, const struct compare_side *y)
{
	char lx[64], ly[64];

	label(x, lx, sizeof lx);
	label(y, ly, sizeof ly);
	if (x->tls || !y->tls || !x->closed)
		return;
	if (compare_handshake_failed(x)) {
		say(d, str_printf("%s began a TLS handshake that never completed%s%s%s; "
		                  "%s reached TLS.",
		                  lx, x->error[0] ? " (" : "", x->error,
		                  x->error[0] ? ")" : "", ly));
		return;
	}
	say(d, str_printf("%s never reached TLS%s%s%s: every byte it sent and received "
	                  "crossed in plaintext, readable and alterable by anyone on "
	                  "the path; %s was encrypted.",
	                  lx, x->nfindings ? " (" : "",
	                  x->nfindings ? finding_name(x->findings[0]) : "",
	                  x->nfindings ? ")" : "", ly));
}

/* What the attacks on the STARTTLS step mean next to a side without one. */
static void
diff_attacks(struct diffs *d, const struct compare_side *x, const struct compare_side *y)
{
	static const struct {
		enum finding_id id;
		const char *words;
	} attacks[] = {
	    {FINDING_STARTTLS_NOT_OFFERED,
	     "STARTTLS was missing from the capabilities on %s, which is exactly what "
	     "an attacker who strips it produces; %s has no upgrade to strip: someone "
	     "on the path can only block its port, and that fails loudly."},
	    {FINDING_STARTTLS_REFUSED,
	     "The refusal of STARTTLS on %s travelled in plaintext, so someone on the "
	     "path could have forged it; %s has no such step to refuse."},
	    {FINDING_STARTTLS_INJECTION,
	     "On %s bytes arrived after the STARTTLS go-ahead, before TLS (response "
	     "injection): startle discarded them, a vulnerable client would read them "
	     "as replies inside TLS; %s has no plaintext phase to inject into."},
	    {FINDING_PREAUTH_PLAINTEXT,
	     "On %s the server logged the session in before any TLS (PREAUTH), which "
	     "makes STARTTLS impossible; %s was encrypted before the greeting."},
	};

	if (x->mode != TLS_MODE_EXPLICIT || y->mode != TLS_MODE_IMPLICIT)
		return;
	for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
		for (size_t k = 0; k < x->nfindings; k++)
			if (x->findings[k] == attacks[i].id)
				say(d, str_printf(attacks[i].words, x->name, y->name));
}

/* What crossed in plaintext before TLS, and what that lets an attacker do. */
static void
diff_plaintext(struct diffs *d, const struct compare_side *x, const struct compare_side *y)
{
	char lx[64], ly[64], what[160];
	size_t bx = compare_plain_bytes(x), by = compare_plain_bytes(y);

	label(x, lx, sizeof lx);
	label(y, ly, sizeof ly);
	if (bx == 0 || !x->tls)
		return;
	compare_reveals_words(x->reveals, what, sizeof what);
	if (by == 0) {
		say(d, str_printf(
		           "On %s %zu bytes in %zu lines crossed in plaintext before TLS "
		           "(%s): anyone on the path could read them, strip STARTTLS from "
		           "the capabilities or inject replies before the upgrade; on %s "
		           "TLS began with the first byte, so there was nothing to read, "
		           "strip or inject.",
		           lx, bx, x->plaintext_lines, what, ly));
	} else if (bx > by) {
		say(d, str_printf("%s showed more in plaintext before TLS than %s: %zu "
		                  "bytes against %zu (%s).",
		                  lx, ly, bx, by, what));
	}
	if (x->reveals & REVEAL_CREDENTIAL)
		say(d, str_printf("%s sent a credential before TLS: anyone on the path "
		                  "has it.",
		                  lx));
	else if (x->typed_lines > 0 && !(y->reveals & REVEAL_TYPED))
		say(d, str_printf("%s sent %zu typed line%s before TLS, readable and "
		                  "alterable on the path; %s sent none.",
		                  lx, x->typed_lines, x->typed_lines == 1 ? "" : "s", ly));
}

/* Findings one side reported and the other did not. */
static void
diff_findings(struct diffs *d, const struct compare_side *x, const struct compare_side *y)
{
	char ids[512];
	size_t used = 0;

	ids[0] = '\0';
	for (size_t i = 0; i < x->nfindings; i++) {
		bool shared = false;
		for (size_t k = 0; k < y->nfindings; k++)
			shared |= y->findings[k] == x->findings[i];
		if (shared)
			continue;
		int n = snprintf(ids + used, sizeof ids - used, "%s%s (%s)", used ? "; " : "",
		                 finding_name(x->findings[i]),
		                 finding_summary(x->findings[i]));
		if (n < 0 || (size_t)n >= sizeof ids - used)
			break;
		used += (size_t)n;
	}
	if (used > 0)
		say(d, str_printf("Only %s reported: %s.", x->name, ids));
}

/* TLS parameters, timing, verdict and chain, once both reached TLS. */
static void
diff_tls(struct diffs *d, const struct compare_side *a, const struct compare_side *b)
{
	if (!a->tls || !b->tls)
		return;
	if (strcmp(a->tls_version, b->tls_version) != 0 ||
	    strcmp(a->cipher, b->cipher) != 0 || strcmp(a->group, b->group) != 0)
		say(d, str_printf("The TLS differs: a negotiated %s %s %s, b %s %s %s.",
		                  a->tls_version, a->cipher, a->group, b->tls_version,
		                  b->cipher, b->group));
	if (a->mode != b->mode) {
		const struct compare_side *ex = a->mode == TLS_MODE_EXPLICIT ? a : b;
		const struct compare_side *im = ex == a ? b : a;
		say(d, str_printf("TLS began %.1f ms after connecting on %s (explicit) and "
		                  "%.1f ms on %s (implicit)%s.",
		                  ex->time_to_tls_ms, ex->name, im->time_to_tls_ms, im->name,
		                  ex->time_to_tls_ms > im->time_to_tls_ms
		                      ? ": the plaintext round trips before STARTTLS cost "
		                        "time as well as exposure"
		                      : ""));
	}
	if (a->have_verdict && b->have_verdict && a->verified != b->verified) {
		const struct compare_side *bad = a->verified ? b : a;
		say(d, str_printf("The certificate of %s did not verify (%s) while the "
		                  "other's did: a man in the middle could impersonate %s.",
		                  bad->name, bad->verify_error[0] ? bad->verify_error : "?",
		                  bad->name));
	}
	if (a->nchain > 0 && b->nchain > 0 && !compare_same_chain(a, b))
		say(d, str_printf("The two presented different certificate chains (leaf "
		                  "SHA-256 %.16s... against %.16s...).",
		                  a->chain[0], b->chain[0]));
}

size_t
compare_differences(const struct compare_side *a, const struct compare_side *b,
                    char **out, size_t max)
{
	struct diffs d = {.out = out, .max = max};

	diff_reached(&d, a, b);
	diff_reached(&d, b, a);
	diff_attacks(&d, a, b);
	diff_attacks(&d, b, a);
	diff_plaintext(&d, a, b);
	diff_plaintext(&d, b, a);
	diff_tls(&d, a, b);
	diff_findings(&d, a, b);
	diff_findings(&d, b, a);
	if (a->closed && b->closed && a->exit != b->exit)
		say(&d, str_printf("a %s (exit %d); b %s (exit %d).", exit_words(a->exit),
		                   a->exit, exit_words(b->exit), b->exit));
	if (d.n == 0)
		say(&d, xstrdup("No difference that matters to someone on the path."));
	return d.n;
}

void
compare_free_differences(char **d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i]);
}

/* The value of one side for each row. */
static void
side_values(const struct compare_side *c, char v[COMPARE_ROWS][100])
{
	int i = 0;

	snprintf(v[i++], 100, "%.99s", c->target);
	snprintf(v[i++], 100, "%s", tls_mode_name(c->mode));
	snprintf(v[i++], 100, "%zu bytes, %zu lines", compare_plain_bytes(c),
	         c->plaintext_lines);
	compare_reveals_words(c->reveals, v[i++], 100);
	if (c->tls)
		snprintf(v[i++], 100, "%.1f ms", c->time_to_tls_ms);
	else
		snprintf(v[i++], 100, "%s",
		         compare_handshake_failed(c) ? "handshake failed"
		         : c->closed                 ? "never"
		                                     : "not yet");
	snprintf(v[i++], 100, "%s", c->tls ? c->tls_version : "-");
	snprintf(v[i++], 100, "%s", c->tls ? c->cipher : "-");
	snprintf(v[i++], 100, "%s", c->tls && c->group[0] ? c->group : "-");
	if (!c->have_verdict)
		snprintf(v[i++], 100, "-");
	else
		snprintf(v[i++], 100, "%s, name %s",
		         c->verified ? "verified" : "NOT verified",
		         c->name_match ? "matches" : "does NOT match");
	snprintf(v[i++], 100, "%.16s%s", c->nchain ? c->chain[0] : "-",
	         c->nchain ? "..." : "");
	size_t used = 0;
	v[i][0] = '\0';
	for (size_t k = 0; k < c->nfindings && used < 99; k++) {
		int n = snprintf(v[i] + used, 100 - used, "%s%s", k ? " " : "",
		                 finding_name(c->findings[k]));
		used = n < 0 ? 99 : used + (size_t)n;
	}
	if (c->nfindings == 0)
		snprintf(v[i], 100, "none");
	i++;
	if (c->closed)
		snprintf(v[i++], 100, "%d (%s)", c->exit, exit_words(c->exit));
	else
		snprintf(v[i++], 100, "running");
}

size_t
compare_rows(const struct compare_side *a, const struct compare_side *b,
             struct compare_row rows[COMPARE_ROWS])
{
	static const char *const labels[COMPARE_ROWS] = {
	    "target",   "mode",        "plaintext", "revealed", "time to TLS", "TLS",
	    "cipher",   "group",       "certificate", "leaf SHA-256", "findings", "exit",
	};
	char va[COMPARE_ROWS][100], vb[COMPARE_ROWS][100];

	side_values(a, va);
	side_values(b, vb);
	for (size_t i = 0; i < COMPARE_ROWS; i++) {
		rows[i].label = labels[i];
		memcpy(rows[i].a, va[i], sizeof rows[i].a);
		memcpy(rows[i].b, vb[i], sizeof rows[i].b);
	}
	return COMPARE_ROWS;
}
