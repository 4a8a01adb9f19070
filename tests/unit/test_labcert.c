/*
 * labcert: the lab's certificates as an outside tool sees them. Each kind is
 * written to a temporary directory and read back with the openssl command
 * line (subject, names, dates, verification, key match); then each is served
 * by a small wolfSSL server on one end of a socketpair and met by startle's
 * own TLS client on the other, whose verdict must say what the kind teaches.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "labcert.h"
#include "tls.h"

#define DAY 86400L
#define SLACK 300L /* seconds allowed between making a certificate and reading it */
#define HANDSHAKE_DEADLINE_MS 10000
#define OPENSSL "timeout 10 openssl"

static struct labcert *lab;
static double first_ms; /* the first CA and good pair of the process */
static char dir[64];
static char ca_path[128];

static char *
path_of(const char *name, const char *ext)
{
	static char buf[4][160];
	static unsigned next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s.%s", dir, name, ext);
	return p;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Runs a shell command, collecting stdout and stderr into out; returns
 * its exit status. */
static int
run(const char *cmd, char *out, size_t size)
{
	char full[1024];
	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	FILE *p = popen(full, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Runs openssl x509 on the file of a kind (or "ca") with the given options. */
static void
x509(const char *name, const char *opts, char *out, size_t size)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), OPENSSL " x509 -in '%s' -noout %s", path_of(name, "pem"),
	         opts);
	int status = run(cmd, out, size);
	if (status != 0)
		fail_msg("openssl x509 failed on %s: %s", name, out);
}

/* The value after "key=" on its line in openssl's output, trimmed. */
static void
field(const char *text, const char *key, char *out, size_t size)
{
	const char *p = strstr(text, key);
	if (p == NULL)
		fail_msg("no %s in: %s", key, text);
	p += strlen(key);
	size_t n = strcspn(p, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Reads notBefore and notAfter of a kind's certificate. */
static void
dates(const char *name, time_t *before, time_t *after)
{
	char out[512], text[64];
	struct tm tm;
	x509(name, "-dates", out, sizeof(out));
	time_t *dst[2] = {before, after};
	const char *keys[2] = {"notBefore=", "notAfter="};
	for (int i = 0; i < 2; i++) {
		field(out, keys[i], text, sizeof(text));
		memset(&tm, 0, sizeof(tm));
		const char *end = strptime(text, "%b %d %H:%M:%S %Y GMT", &tm);
		assert_non_null(end);
		*dst[i] = timegm(&tm);
	}
}

static bool
near(time_t t, time_t expected)
{
	return t >= expected - SLACK && t <= expected + SLACK;
}

static int
verify(const char *name, char *out, size_t size)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), OPENSSL " verify -CAfile '%s' '%s'", ca_path,
	         path_of(name, "pem"));
	return run(cmd, out, size);
}

static const struct labcert_pair *
pair_of(enum labcert_kind kind)
{
	const struct labcert_pair *p = NULL;
	char *cause = NULL;
	if (labcert_get(lab, kind, &p, &cause) != 0)
		fail_msg("labcert_get(%s): %s", labcert_kind_name(kind), cause);
	return p;
}

static double
now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static int
setup(void **state)
{
	(void)state;
	char *cause = NULL;
	signal(SIGPIPE, SIG_IGN);
	if (tls_global_init(&cause) != 0)
		return -1;
	double t0 = now_ms();
	const struct labcert_pair *good = NULL;
	lab = labcert_new(&cause);
	if (lab != NULL && labcert_get(lab, LABCERT_GOOD, &good, &cause) == 0)
		first_ms = now_ms() - t0;
	if (lab == NULL || good == NULL) {
		fprintf(stderr, "labcert_new: %s\n", cause);
		free(cause);
		return -1;
	}
	snprintf(dir, sizeof(dir), "/tmp/startle-labcert-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", dir);
	size_t len;
	const char *ca = labcert_ca_pem(lab, &len);
	write_file(ca_path, ca, len);
	for (int k = 0; k < LABCERT_COUNT; k++) {
		const struct labcert_pair *p = NULL;
		if (labcert_get(lab, (enum labcert_kind)k, &p, &cause) != 0) {
			fprintf(stderr, "labcert_get: %s\n", cause);
			free(cause);
			return -1;
		}
		write_file(path_of(labcert_kind_name((enum labcert_kind)k), "pem"),
		           p->chain_pem, p->chain_len);
		write_file(path_of(labcert_kind_name((enum labcert_kind)k), "key"),
		           p->key_pem, p->key_len);
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	labcert_free(lab);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- the table ---- */

static void
kinds_have_their_names(void **state)
{
	(void)state;
	static const char *const names[LABCERT_COUNT] = {
	    "good",       "expired",     "not-yet-valid", "wrong-host",
	    "self-signed", "weak-key",   "must-staple",   "client"};
	for (int k = 0; k < LABCERT_COUNT; k++) {
		assert_string_equal(labcert_kind_name((enum labcert_kind)k), names[k]);
		assert_true(strlen(labcert_kind_text((enum labcert_kind)k)) > 10);
	}
	assert_string_equal(labcert_kind_name(LABCERT_COUNT), "unknown");
	assert_non_null(labcert_kind_text(LABCERT_COUNT));
}

static void
every_kind_is_made_as_pem(void **state)
{
	(void)state;
	for (int k = 0; k < LABCERT_COUNT; k++) {
		const struct labcert_pair *p = pair_of((enum labcert_kind)k);
		assert_int_equal(strlen(p->chain_pem), p->chain_len);
		assert_int_equal(strlen(p->key_pem), p->key_len);
		assert_memory_equal(p->chain_pem, "-----BEGIN CERTIFICATE-----\n", 28);
		assert_non_null(strstr(p->key_pem, "PRIVATE KEY-----\n"));
	}
}

static void
a_kind_is_made_once_then_cached(void **state)
{
	(void)state;
	char *cause = NULL;
	struct labcert *lc = labcert_new(&cause);
	assert_non_null(lc);
	const struct labcert_pair *a = NULL, *b = NULL;
	assert_int_equal(labcert_get(lc, LABCERT_EXPIRED, &a, &cause), 0);
	char *first = a->chain_pem;
	assert_int_equal(labcert_get(lc, LABCERT_EXPIRED, &b, &cause), 0);
	assert_ptr_equal(a, b);
	assert_ptr_equal(b->chain_pem, first);
	labcert_free(lc);
}

static void
an_unknown_kind_is_refused_with_a_cause(void **state)
{
	(void)state;
	const struct labcert_pair *p = NULL;
	char *cause = NULL;
	assert_int_equal(labcert_get(lab, LABCERT_COUNT, &p, &cause), -1);
	assert_null(p);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "kind"));
	free(cause);
}

/* ---- the CA ---- */

static void
ca_is_an_ec_p256_root_named_startle_lab_ca(void **state)
{
	(void)state;
	char out[8192];
	x509("ca", "-text", out, sizeof(out));
	assert_non_null(strstr(out, "Subject: O = startle lab, CN = startle lab CA\n"));
	assert_non_null(strstr(out, "Issuer: O = startle lab, CN = startle lab CA\n"));
	assert_non_null(strstr(out, "NIST CURVE: P-256"));
	assert_non_null(strstr(out, "CA:TRUE"));
	assert_non_null(strstr(out, "Certificate Sign, CRL Sign"));
	assert_non_null(strstr(out, "Signature Algorithm: ecdsa-with-SHA256"));
}

static void
ca_is_valid_from_yesterday_for_thirty_days(void **state)
{
	(void)state;
	time_t before, after, now = time(NULL);
	dates("ca", &before, &after);
	assert_true(near(before, now - DAY));
	assert_int_equal(after - before, 30 * DAY);
}

static void
ca_verifies_as_its_own_root(void **state)
{
	(void)state;
	char out[1024];
	assert_int_equal(verify("ca", out, sizeof(out)), 0);
}

static void
each_lab_makes_its_own_ca(void **state)
{
	(void)state;
	char *cause = NULL;
	struct labcert *other = labcert_new(&cause);
	assert_non_null(other);
	size_t a_len, b_len;
	const char *a = labcert_ca_pem(lab, &a_len);
	const char *b = labcert_ca_pem(other, &b_len);
	assert_true(a_len != b_len || memcmp(a, b, a_len) != 0);
	labcert_free(other);
}

static void
serial_numbers_are_random_and_distinct(void **state)
{
	(void)state;
	char serials[LABCERT_COUNT + 1][80], out[256];
	const char *names[LABCERT_COUNT + 1];
	names[0] = "ca";
	for (int k = 0; k < LABCERT_COUNT; k++)
		names[k + 1] = labcert_kind_name((enum labcert_kind)k);
	for (int i = 0; i <= LABCERT_COUNT; i++) {
		x509(names[i], "-serial", out, sizeof(out));
		field(out, "serial=", serials[i], sizeof(serials[i]));
		assert_true(strlen(serials[i]) >= 16); /* at least 64 bits */
		for (int j = 0; j < i; j++)
			assert_string_not_equal(serials[i], serials[j]);
	}
}

/* ---- the good leaf ---- */

static void
good_leaf_names_the_lab_host_and_loopback(void **state)
{
	(void)state;
	char out[2048];
	x509("good", "-subject -ext subjectAltName", out, sizeof(out));
	assert_non_null(strstr(out, "subject=O = startle lab, CN = mail.startle.test\n"));
	assert_non_null(
	    strstr(out, "DNS:mail.startle.test, DNS:localhost, IP Address:127.0.0.1, "
	                "IP Address:0:0:0:0:0:0:0:1\n"));
}

static void
good_leaf_is_issued_by_the_lab_ca(void **state)
{
	(void)state;
	char out[1024];
	x509("good", "-issuer", out, sizeof(out));
	assert_string_equal(out, "issuer=O = startle lab, CN = startle lab CA\n");
}

static void
good_leaf_is_valid_from_yesterday_for_thirty_days(void **state)
{
	(void)state;
	time_t before, after, now = time(NULL);
	dates("good", &before, &after);
	assert_true(near(before, now - DAY));
	assert_int_equal(after - before, 30 * DAY);
}

static void
good_leaf_is_an_ec_key_for_server_signatures(void **state)
{
	(void)state;
	char out[8192];
	x509("good", "-text", out, sizeof(out));
	assert_non_null(strstr(out, "NIST CURVE: P-256"));
	assert_non_null(
	    strstr(out, "X509v3 Key Usage: critical\n                Digital Signature\n"));
	assert_non_null(strstr(out, "TLS Web Server Authentication"));
	assert_null(strstr(out, "CA:TRUE"));
}

static void
good_leaf_verifies_against_the_lab_ca(void **state)
{
	(void)state;
	char out[1024];
	assert_int_equal(verify("good", out, sizeof(out)), 0);
	assert_non_null(strstr(out, ": OK"));
}

static void
chain_is_the_leaf_then_the_ca(void **state)
{
	(void)state;
	const struct labcert_pair *p = pair_of(LABCERT_GOOD);
	size_t ca_len;
	const char *ca = labcert_ca_pem(lab, &ca_len);
	assert_true(p->chain_len > ca_len);
	assert_memory_equal(p->chain_pem + p->chain_len - ca_len, ca, ca_len);
	const char *second = strstr(p->chain_pem + 1, "-----BEGIN CERTIFICATE-----");
	assert_ptr_equal(second, p->chain_pem + p->chain_len - ca_len);
}

/* ---- the bad leaves ---- */

static void
expired_leaf_ended_yesterday_after_forty_days(void **state)
{
	(void)state;
	time_t before, after, now = time(NULL);
	dates("expired", &before, &after);
	assert_true(after < now);
	assert_true(near(after, now - DAY));
	assert_true(near(before, now - 40 * DAY));
}

static void
expired_leaf_fails_verification_as_expired(void **state)
{
	(void)state;
	char out[1024];
	assert_int_not_equal(verify("expired", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "certificate has expired"));
}

static void
not_yet_valid_leaf_starts_tomorrow(void **state)
{
	(void)state;
	time_t before, after, now = time(NULL);
	dates("not-yet-valid", &before, &after);
	assert_true(before > now);
	assert_true(near(before, now + DAY));
	assert_true(after > before);
}

static void
not_yet_valid_leaf_fails_verification_as_not_yet_valid(void **state)
{
	(void)state;
	char out[1024];
	assert_int_not_equal(verify("not-yet-valid", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "certificate is not yet valid"));
}

static void
wrong_host_leaf_names_only_wrong_example(void **state)
{
	(void)state;
	char out[2048];
	x509("wrong-host", "-subject -issuer -ext subjectAltName", out, sizeof(out));
	assert_non_null(strstr(out, "subject=O = startle lab, CN = wrong.example\n"));
	assert_non_null(strstr(out, "issuer=O = startle lab, CN = startle lab CA\n"));
	assert_non_null(strstr(out, "    DNS:wrong.example\n"));
	assert_null(strstr(out, "startle.test"));
	assert_null(strstr(out, "IP Address"));
}

static void
wrong_host_leaf_still_verifies_against_the_lab_ca(void **state)
{
	(void)state;
	char out[1024];
	assert_int_equal(verify("wrong-host", out, sizeof(out)), 0);
}

static void
self_signed_leaf_is_its_own_issuer_with_the_good_names(void **state)
{
	(void)state;
	char out[2048];
	x509("self-signed", "-subject -issuer -ext subjectAltName", out, sizeof(out));
	assert_non_null(strstr(out, "subject=O = startle lab, CN = mail.startle.test\n"));
	assert_non_null(strstr(out, "issuer=O = startle lab, CN = mail.startle.test\n"));
	assert_non_null(
	    strstr(out, "DNS:mail.startle.test, DNS:localhost, IP Address:127.0.0.1, "
	                "IP Address:0:0:0:0:0:0:0:1\n"));
}

static void
self_signed_leaf_is_signed_by_its_own_key(void **state)
{
	(void)state;
	char cmd[512], out[1024];
	snprintf(cmd, sizeof(cmd), OPENSSL " verify -CAfile '%s' '%s'",
	         path_of("self-signed", "pem"), path_of("self-signed", "pem"));
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
}

static void
self_signed_leaf_fails_verification_against_the_lab_ca(void **state)
{
	(void)state;
	char out[1024];
	assert_int_not_equal(verify("self-signed", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "self-signed certificate"));
}

static void
self_signed_chain_is_only_the_leaf(void **state)
{
	(void)state;
	const struct labcert_pair *p = pair_of(LABCERT_SELF_SIGNED);
	const char *first = strstr(p->chain_pem, "-----BEGIN CERTIFICATE-----");
	assert_ptr_equal(first, p->chain_pem);
	assert_null(strstr(first + 1, "-----BEGIN CERTIFICATE-----"));
}

static void
weak_key_leaf_is_a_1024_bit_rsa_key_issued_by_the_ca(void **state)
{
	(void)state;
	char out[8192];
	x509("weak-key", "-text", out, sizeof(out));
	assert_non_null(strstr(out, "Public Key Algorithm: rsaEncryption"));
	assert_non_null(strstr(out, "Public-Key: (1024 bit)"));
	assert_non_null(strstr(out, "Issuer: O = startle lab, CN = startle lab CA\n"));
	assert_non_null(strstr(out, "Subject: O = startle lab, CN = mail.startle.test\n"));
	char verdict[1024];
	assert_int_equal(verify("weak-key", verdict, sizeof(verdict)), 0);
}

static void
every_key_matches_its_certificate(void **state)
{
	(void)state;
	for (int k = 0; k < LABCERT_COUNT; k++) {
		const char *name = labcert_kind_name((enum labcert_kind)k);
		char cmd[512], from_cert[1024], from_key[1024];
		snprintf(cmd, sizeof(cmd), OPENSSL " x509 -in '%s' -noout -pubkey",
		         path_of(name, "pem"));
		assert_int_equal(run(cmd, from_cert, sizeof(from_cert)), 0);
		snprintf(cmd, sizeof(cmd), OPENSSL " pkey -in '%s' -pubout",
		         path_of(name, "key"));
		assert_int_equal(run(cmd, from_key, sizeof(from_key)), 0);
		assert_non_null(strstr(from_cert, "-----BEGIN PUBLIC KEY-----"));
		assert_string_equal(from_cert, from_key);
	}
}

static void
keys_are_pem_of_their_type(void **state)
{
	(void)state;
	for (int k = 0; k < LABCERT_COUNT; k++) {
		const struct labcert_pair *p = pair_of((enum labcert_kind)k);
		const char *head = k == LABCERT_WEAK_KEY
		                       ? "-----BEGIN RSA PRIVATE KEY-----\n"
		                       : "-----BEGIN EC PRIVATE KEY-----\n";
		assert_memory_equal(p->key_pem, head, strlen(head));
	}
}

/* ---- the CA file ---- */

static void
write_ca_makes_a_private_file_holding_the_ca(void **state)
{
	(void)state;
	char *cause = NULL;
	char *path = labcert_write_ca(lab, &cause);
	assert_non_null(path);
	const char *base = strrchr(path, '/') + 1;
	assert_memory_equal(base, "startle-lab-ca-", 15);
	assert_string_equal(base + strlen(base) - 4, ".pem");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	size_t len;
	const char *ca = labcert_ca_pem(lab, &len);
	assert_int_equal((size_t)st.st_size, len);
	char buf[4096];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), len);
	fclose(f);
	assert_memory_equal(buf, ca, len);
	unlink(path);
	free(path);
}

static void
write_ca_uses_tmpdir(void **state)
{
	(void)state;
	char *cause = NULL;
	char *old = getenv("TMPDIR") != NULL ? strdup(getenv("TMPDIR")) : NULL;
	setenv("TMPDIR", dir, 1);
	char *path = labcert_write_ca(lab, &cause);
	if (old != NULL)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	assert_non_null(path);
	assert_memory_equal(path, dir, strlen(dir));
	assert_int_equal(path[strlen(dir)], '/');
	assert_int_equal(access(path, R_OK), 0);
	unlink(path);
	free(path);
}

static void
write_ca_into_a_missing_directory_fails_with_a_cause(void **state)
{
	(void)state;
	char *cause = NULL, missing[160];
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	char *old = getenv("TMPDIR") != NULL ? strdup(getenv("TMPDIR")) : NULL;
	setenv("TMPDIR", missing, 1);
	char *path = labcert_write_ca(lab, &cause);
	if (old != NULL)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	assert_null(path);
	assert_non_null(cause);
	assert_non_null(strstr(cause, missing));
	free(cause);
}

/* ---- cost ---- */

static bool
instrumented(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return true;
#else
	const char *preload = getenv("LD_PRELOAD");
	return preload != NULL && strstr(preload, "vgpreload") != NULL;
#endif
}

static void
ca_and_good_pair_take_under_50_ms(void **state)
{
	(void)state;
	if (instrumented())
		skip();
	double best = 1e9;
	for (int i = 0; i < 3; i++) {
		char *cause = NULL;
		const struct labcert_pair *p = NULL;
		double t0 = now_ms();
		struct labcert *lc = labcert_new(&cause);
		assert_non_null(lc);
		assert_int_equal(labcert_get(lc, LABCERT_GOOD, &p, &cause), 0);
		double ms = now_ms() - t0;
		labcert_free(lc);
		if (ms < best)
			best = ms;
	}
	print_message("CA + good pair: %.2f ms the first time, %.2f ms at best\n", first_ms,
	              best);
	assert_true(first_ms < 50.0);
	assert_true(best < 50.0);
}

/* ---- a real handshake against a lab pair ---- */

struct server {
	int cfd, sfd;
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
	bool accepted;
};

static void
server_start(struct server *s, enum labcert_kind kind)
{
	const struct labcert_pair *p = pair_of(kind);
	int sv[2];
	memset(s, 0, sizeof(*s));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK),
		                 0);
	s->cfd = sv[0];
	s->sfd = sv[1];
	s->ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
	assert_non_null(s->ctx);
	assert_int_equal(wolfSSL_CTX_use_certificate_chain_buffer_format(
	                     s->ctx, (const unsigned char *)p->chain_pem,
	                     (long)p->chain_len, WOLFSSL_FILETYPE_PEM),
	                 WOLFSSL_SUCCESS);
	assert_int_equal(
	    wolfSSL_CTX_use_PrivateKey_buffer(s->ctx, (const unsigned char *)p->key_pem,
	                                      (long)p->key_len, WOLFSSL_FILETYPE_PEM),
	    WOLFSSL_SUCCESS);
	s->ssl = wolfSSL_new(s->ctx);
	assert_non_null(s->ssl);
	assert_int_equal(wolfSSL_set_fd(s->ssl, s->sfd), WOLFSSL_SUCCESS);
}

static void
server_stop(struct server *s)
{
	wolfSSL_free(s->ssl);
	wolfSSL_CTX_free(s->ctx);
	close(s->sfd);
	close(s->cfd);
}

/* Serves a kind to startle's client, checking the name given, and returns
 * the client's verdict after a finished handshake. */
static void
handshake(enum labcert_kind kind, const char *name, bool is_ip, struct cert_verdict *v)
{
	char *cause = NULL;
	struct server s;
	server_start(&s, kind);
	char *ca = labcert_write_ca(lab, &cause);
	assert_non_null(ca);
	struct tls_config cfg = {.cafile = ca,
	                         .verify_name = name,
	                         .verify_name_is_ip = is_ip,
	                         .sni = is_ip ? NULL : name};
	struct tls_conn *tc = tls_new(s.cfd, &cfg, NULL, &cause);
	assert_non_null(tc);
	double t0 = now_ms();
	bool client_done = false;
	while (!client_done || !s.accepted) {
		if (!client_done) {
			int r = tls_handshake(tc, &cause);
			if (r == TLS_ERROR)
				fail_msg("handshake with %s failed: %s",
				         labcert_kind_name(kind), cause);
			client_done = r == TLS_OK;
		}
		if (!s.accepted) {
			int r = wolfSSL_accept(s.ssl);
			int err = wolfSSL_get_error(s.ssl, r);
			if (r == WOLFSSL_SUCCESS)
				s.accepted = true;
			else if (err != WOLFSSL_ERROR_WANT_READ &&
			         err != WOLFSSL_ERROR_WANT_WRITE)
				fail_msg("the server's side failed with %s: %d",
				         labcert_kind_name(kind), err);
		}
		assert_true(now_ms() - t0 < HANDSHAKE_DEADLINE_MS);
		struct pollfd pfd[2] = {{.fd = s.cfd, .events = POLLIN},
		                        {.fd = s.sfd, .events = POLLIN}};
		if (!client_done || !s.accepted)
			(void)poll(pfd, 2, 20);
	}
	tls_get_verdict(tc, v);
	tls_free(tc);
	server_stop(&s);
	unlink(ca);
	free(ca);
}

static void
handshake_with_good_pair_is_verified_for_the_lab_host(void **state)
{
	(void)state;
	struct cert_verdict v;
	handshake(LABCERT_GOOD, LABCERT_HOST, false, &v);
	assert_true(v.verified);
	assert_true(v.name_match);
	assert_false(v.expired || v.not_yet_valid || v.self_signed || v.untrusted ||
	             v.weak_key);
}

static void
handshake_with_good_pair_matches_localhost_and_loopback_addresses(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool is_ip;
	} names[] = {{"localhost", false}, {"127.0.0.1", true}, {"::1", true}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct cert_verdict v;
		handshake(LABCERT_GOOD, names[i].name, names[i].is_ip, &v);
		assert_true(v.verified);
		assert_true(v.name_match);
	}
}

static void
handshake_with_expired_pair_reports_expiry(void **state)
{
	(void)state;
	struct cert_verdict v;
	handshake(LABCERT_EXPIRED, LABCERT_HOST, false, &v);
	assert_false(v.verified);
	assert_true(v.expired);
	assert_true(v.name_match);
}

static void
handshake_with_not_yet_valid_pair_reports_it(void **state)
{
	(void)state;
	struct cert_verdict v;
	handshake(LABCERT_NOT_YET_VALID, LABCERT_HOST, false, &v);
	assert_false(v.verified);
	assert_true(v.not_yet_valid);
	assert_false(v.expired);
}

static void
handshake_with_wrong_host_pair_verifies_but_misses_the_name(void **state)
{
	(void)state;
	struct cert_verdict v;
	handshake(LABCERT_WRONG_HOST, LABCERT_HOST, false, &v);
	assert_true(v.verified);
	assert_false(v.name_match);
}

static void
handshake_with_self_signed_pair_reports_self_signed(void **state)
{
	(void)state;
	struct cert_verdict v;
	handshake(LABCERT_SELF_SIGNED, LABCERT_HOST, false, &v);
	assert_false(v.verified);
	assert_true(v.self_signed);
	assert_true(v.name_match);
}

static void
handshake_with_weak_key_pair_reports_the_weak_key(void **state)
{
	(void)state;
	struct cert_verdict v;
	handshake(LABCERT_WEAK_KEY, LABCERT_HOST, false, &v);
	assert_true(v.weak_key);
	assert_true(v.name_match);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kinds_have_their_names),
	    cmocka_unit_test(every_kind_is_made_as_pem),
	    cmocka_unit_test(a_kind_is_made_once_then_cached),
	    cmocka_unit_test(an_unknown_kind_is_refused_with_a_cause),
	    cmocka_unit_test(ca_is_an_ec_p256_root_named_startle_lab_ca),
	    cmocka_unit_test(ca_is_valid_from_yesterday_for_thirty_days),
	    cmocka_unit_test(ca_verifies_as_its_own_root),
	    cmocka_unit_test(each_lab_makes_its_own_ca),
	    cmocka_unit_test(serial_numbers_are_random_and_distinct),
	    cmocka_unit_test(good_leaf_names_the_lab_host_and_loopback),
	    cmocka_unit_test(good_leaf_is_issued_by_the_lab_ca),
	    cmocka_unit_test(good_leaf_is_valid_from_yesterday_for_thirty_days),
	    cmocka_unit_test(good_leaf_is_an_ec_key_for_server_signatures),
	    cmocka_unit_test(good_leaf_verifies_against_the_lab_ca),
	    cmocka_unit_test(chain_is_the_leaf_then_the_ca),
	    cmocka_unit_test(expired_leaf_ended_yesterday_after_forty_days),
	    cmocka_unit_test(expired_leaf_fails_verification_as_expired),
	    cmocka_unit_test(not_yet_valid_leaf_starts_tomorrow),
	    cmocka_unit_test(not_yet_valid_leaf_fails_verification_as_not_yet_valid),
	    cmocka_unit_test(wrong_host_leaf_names_only_wrong_example),
	    cmocka_unit_test(wrong_host_leaf_still_verifies_against_the_lab_ca),
	    cmocka_unit_test(self_signed_leaf_is_its_own_issuer_with_the_good_names),
	    cmocka_unit_test(self_signed_leaf_is_signed_by_its_own_key),
	    cmocka_unit_test(self_signed_leaf_fails_verification_against_the_lab_ca),
	    cmocka_unit_test(self_signed_chain_is_only_the_leaf),
	    cmocka_unit_test(weak_key_leaf_is_a_1024_bit_rsa_key_issued_by_the_ca),
	    cmocka_unit_test(every_key_matches_its_certificate),
	    cmocka_unit_test(keys_are_pem_of_their_type),
	    cmocka_unit_test(write_ca_makes_a_private_file_holding_the_ca),
	    cmocka_unit_test(write_ca_uses_tmpdir),
	    cmocka_unit_test(write_ca_into_a_missing_directory_fails_with_a_cause),
	    cmocka_unit_test(ca_and_good_pair_take_under_50_ms),
	    cmocka_unit_test(handshake_with_good_pair_is_verified_for_the_lab_host),
	    cmocka_unit_test(
	        handshake_with_good_pair_matches_localhost_and_loopback_addresses),
	    cmocka_unit_test(handshake_with_expired_pair_reports_expiry),
	    cmocka_unit_test(handshake_with_not_yet_valid_pair_reports_it),
	    cmocka_unit_test(handshake_with_wrong_host_pair_verifies_but_misses_the_name),
	    cmocka_unit_test(handshake_with_self_signed_pair_reports_self_signed),
	    cmocka_unit_test(handshake_with_weak_key_pair_reports_the_weak_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
