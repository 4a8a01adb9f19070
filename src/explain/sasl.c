/*
 * SASL in explanations: the server's base64 prompts decoded where that is
 * safe (only printable text is shown: "334 VXNlcm5hbWU6" is "Username:"),
 * and the client's own answers and literal bytes described without ever
 * being decoded or quoted, because they are credentials.
 *
 * The decoder is a small bounded one here rather than wolfCrypt's
 * Base64_Decode: explain/ stays pure and free of wolfSSL (only tls/ and the
 * lab may use it), and a prompt needs a few dozen bytes at most.
 */
#include <stdint.h>
#include <string.h>

#include "explain.h"
#include "kb.h"

/* Longest prompt decoded; a longer one is described by its size only. */
#define SASL_PROMPT_MAX 96

/* The value of a base64 digit, or -1. */
static int
sasl_b64_value(unsigned char c)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *at = c != 0 ? strchr(digits, c) : NULL;

	return at != NULL ? (int)(at - digits) : -1;
}

/* Decodes strict base64 (padding optional) into out; returns the decoded
 * length, or -1 if (p, n) is not base64 or decodes to more than outsz. */
static long
sasl_b64_decode(const unsigned char *p, size_t n, unsigned char *out, size_t outsz)
{
	uint32_t acc = 0;
	size_t bits = 0, o = 0;

	while (n > 0 && p[n - 1] == '=')
		n--;
	for (size_t i = 0; i < n; i++) {
		int v = sasl_b64_value(p[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outsz)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (long)o;
}

void
kb_sasl_prompt(struct kb_buf *b, const unsigned char *p, size_t n)
{
	unsigned char out[SASL_PROMPT_MAX];
	long len;
	bool text = true;

	if (n == 0)
		return;
	len = sasl_b64_decode(p, n, out, sizeof out);
	if (len < 0)
		return;
	for (long i = 0; i < len && text; i++)
		text = out[i] >= 0x20 && out[i] < 0x7f;
	if (len > 0 && text) {
		kb_buf_add(b, "; the prompt decodes to \"");
		kb_buf_bytes(b, out, (size_t)len, SASL_PROMPT_MAX);
		kb_buf_add(b, "\"");
	} else if (len > 0) {
		kb_buf_addf(b, "; a binary challenge of %ld bytes", len);
	}
}

char *
explain_client_part(enum proto_id id, const struct proto_client *c, size_t len)
{
	struct kb_buf b;

	kb_buf_init(&b);
	switch (c->next) {
	case PROTO_NEXT_ANSWER:
		if (c->auth)
			kb_buf_add(&b, "your answer to the server's authentication prompt "
			               "(SASL data, a credential: not a command, never "
			               "decoded here; RFC 4422 §3)");
		else
			kb_buf_addf(&b,
			            "your answer to the server's continuation request, not "
			            "a command (%s)",
			            id == PROTO_IMAP ? "RFC 9051 §7.5" : "RFC 4422 §3");
		break;
	case PROTO_NEXT_LITERAL:
		kb_buf_addf(&b,
		            "%zu byte%s of the literal announced by the %s command (%s"
		            "not a command; RFC 9051 §4.3)",
		            len, len == 1 ? "" : "s", c->word[0] ? c->word : "last",
		            c->auth ? "a credential, " : "");
		break;
	case PROTO_NEXT_REST:
		kb_buf_addf(&b,
		            "the rest of the %s command after its literal (RFC 9051 §4.3)",
		            c->word[0] ? c->word : "last");
		break;
	case PROTO_NEXT_COMMAND:
	case PROTO_NEXT_DATA:
		return NULL;
	}
	return kb_buf_dup(&b);
}
