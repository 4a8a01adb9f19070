/*
 * keylog: NSS key log lines for one client session. TLS 1.3 secrets come
 * from wolfSSL's secret callback while the handshake runs (builds without
 * HAVE_SECRET_CALLBACK have none: the session's summary then says so); TLS
 * 1.2's master secret is read from the session once the handshake is done.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "keylog.h"

#include "tlsbuild.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define KEYLOG_RANDOM 32 /* the client random of TLS 1.2 and 1.3 */
#define KEYLOG_SECRET_MAX 64

struct keylog {
	FILE *f;
	unsigned tls13_lines;            /* TLS 1.3 lines written for this session */
	unsigned client_gen, server_gen; /* application traffic secrets seen */
	bool failed;                     /* a write failed */
};

struct keylog *
keylog_open(const char *path, char **cause)
{
	char *why = NULL;
	FILE *f = util_open_private(path, true, &why);

	if (f == NULL) {
		*cause = str_printf("the key log file %s", why);
		free(why);
		return NULL;
	}
	struct keylog *kl = xcalloc(1, sizeof(*kl));
	kl->f = f;
	return kl;
}

/* Writes "LABEL <random> <secret>\n" in lower-case hex and flushes, so a
 * capture can be decrypted while the session still runs. */
static void
keylog_write(struct keylog *kl, const char *label, const unsigned char *random,
             size_t random_len, const unsigned char *secret, size_t secret_len)
{
	fputs(label, kl->f);
	fputc(' ', kl->f);
	for (size_t i = 0; i < random_len; i++)
		fprintf(kl->f, "%02x", random[i]);
	fputc(' ', kl->f);
	for (size_t i = 0; i < secret_len; i++)
		fprintf(kl->f, "%02x", secret[i]);
	fputc('\n', kl->f);
	if (fflush(kl->f) != 0 || ferror(kl->f))
		kl->failed = true;
}

#ifdef HAVE_SECRET_CALLBACK
/* wolfSSL's TLS 1.3 secrets and their key log labels; the application
 * traffic secrets are numbered, as each key update makes a new one. */
static const struct {
	int id;
	const char *label;
	bool numbered;
} keylog_labels[] = {
    {CLIENT_EARLY_TRAFFIC_SECRET, "CLIENT_EARLY_TRAFFIC_SECRET", false},
    {CLIENT_HANDSHAKE_TRAFFIC_SECRET, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", false},
    {SERVER_HANDSHAKE_TRAFFIC_SECRET, "SERVER_HANDSHAKE_TRAFFIC_SECRET", false},
    {CLIENT_TRAFFIC_SECRET, "CLIENT_TRAFFIC_SECRET", true},
    {SERVER_TRAFFIC_SECRET, "SERVER_TRAFFIC_SECRET", true},
    {EARLY_EXPORTER_SECRET, "EARLY_EXPORTER_SECRET", false},
    {EXPORTER_SECRET, "EXPORTER_SECRET", false},
};

void
keylog_tls13_secret(struct keylog *kl, struct WOLFSSL *ssl, int id,
                    const unsigned char *secret, size_t size)
{
	unsigned char random[KEYLOG_RANDOM];
	char label[48];

	if (kl == NULL || secret == NULL || size == 0 || size > KEYLOG_SECRET_MAX ||
	    wolfSSL_get_client_random(ssl, random, sizeof random) != sizeof random)
		return;
	for (size_t i = 0; i < sizeof keylog_labels / sizeof keylog_labels[0]; i++) {
		if (keylog_labels[i].id != id)
			continue;
		if (keylog_labels[i].numbered)
			snprintf(label, sizeof label, "%s_%u", keylog_labels[i].label,
			         id == CLIENT_TRAFFIC_SECRET ? kl->client_gen++
			                                     : kl->server_gen++);
		else
			snprintf(label, sizeof label, "%s", keylog_labels[i].label);
		keylog_write(kl, label, random, sizeof random, secret, size);
		kl->tls13_lines++;
	}
}
#else
void
keylog_tls13_secret(struct keylog *kl, struct WOLFSSL *ssl, int id,
                    const unsigned char *secret, size_t size)
{
	(void)kl;
	(void)ssl;
	(void)id;
	(void)secret;
	(void)size;
}
#endif

void
keylog_attach(struct keylog *kl, struct WOLFSSL *ssl)
{
	/* The client random outlives the handshake only if asked: TLS 1.2's line
	 * is written after it (keylog_finish frees them). */
	if (kl != NULL)
		wolfSSL_KeepArrays(ssl);
}

/* TLS 1.2: the client random and the master secret, as one CLIENT_RANDOM
 * line. False when the library has no master secret to give. */
static bool
keylog_tls12(struct keylog *kl, WOLFSSL *ssl)
{
	unsigned char random[KEYLOG_RANDOM], master[48];
	WOLFSSL_SESSION *sess = wolfSSL_get_session(ssl);

	if (sess == NULL ||
	    wolfSSL_get_client_random(ssl, random, sizeof random) != sizeof random ||
	    wolfSSL_SESSION_get_master_key(sess, master, sizeof master) != sizeof master)
		return false;
	keylog_write(kl, "CLIENT_RANDOM", random, sizeof random, master, sizeof master);
	return true;
}

char *
keylog_finish(struct keylog *kl, struct WOLFSSL *ssl)
{
	if (kl == NULL)
		return NULL;
	int version = wolfSSL_version(ssl);
	bool tls12_ok = version != TLS1_2_VERSION || keylog_tls12(kl, ssl);

	wolfSSL_FreeArrays(ssl);
	if (!tls12_ok)
		return str_printf("--keylog: nothing was written for this TLS 1.2 session: "
		                  "the TLS library gave no master secret");
	if (version == TLS1_3_VERSION && !tlsbuild_has_tls13_secrets())
		return str_printf(
		    "--keylog: nothing was written for this TLS 1.3 session: the "
		    "system's wolfSSL %s does not hand out TLS 1.3 secrets; startle's "
		    "own wolfSSL build does (make without WOLFSSL=system; startle -V "
		    "names the build), or limit the session to TLS 1.2 with --tls-max 1.2",
		    tlsbuild_version());
	if (version == TLS1_3_VERSION && kl->tls13_lines == 0)
		return str_printf("--keylog: nothing was written for this TLS 1.3 session: "
		                  "the TLS library handed out no secrets");
	if (kl->failed)
		return str_printf("--keylog: writing the key log failed: the file may "
		                  "be incomplete (is the disk full?)");
	return NULL;
}

void
keylog_close(struct keylog *kl)
{
	if (kl == NULL)
		return;
	fclose(kl->f);
	free(kl);
}
