/*
 * clientcert: the files of --cert and --key, checked before connecting.
 * Each problem is one sentence naming the file and what to do; the lab's
 * client certificate with its key passes, in one file or two, as SEC1 or
 * PKCS#8; another key, even of the same kind, is refused on both builds.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clientcert.h"
#include "labcert.h"
#include "tls.h"
#include "testutil.h"

static struct labcert *lab;
static char dir[64];

static char *
path(const char *name)
{
	static char buf[4][160];
	static unsigned next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

static void
write_file(const char *name, const char *a, size_t alen, const char *b, size_t blen)
{
	FILE *f = fopen(path(name), "w");
	assert_non_null(f);
	assert_int_equal(fwrite(a, 1, alen, f), alen);
	if (b != NULL)
		assert_int_equal(fwrite(b, 1, blen, f), blen);
	assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
	const struct labcert_pair *client, *good;
	char *cause = NULL, cmd[512];
	(void)state;
	assert_int_equal(tls_global_init(&cause), 0);
	lab = labcert_new(&cause);
	assert_non_null(lab);
	assert_int_equal(labcert_get(lab, LABCERT_CLIENT, &client, &cause), 0);
	assert_int_equal(labcert_get(lab, LABCERT_GOOD, &good, &cause), 0);
	snprintf(dir, sizeof dir, "/tmp/startle-clientcert-XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file("client.pem", client->chain_pem, client->chain_len, NULL, 0);
	write_file("client.key", client->key_pem, client->key_len, NULL, 0);
	write_file("both.pem", client->chain_pem, client->chain_len, client->key_pem,
	           client->key_len);
	write_file("other.key", good->key_pem, good->key_len, NULL, 0);
	write_file("text.pem", "not a certificate\n", 18, NULL, 0);
	snprintf(cmd, sizeof cmd,
	         "cd '%s' && openssl pkey -in client.key -out pkcs8.key && "
	         "openssl pkey -in client.key -aes128 -passout pass:x -out enc.key",
	         dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	labcert_free(lab);
	testutil_remove_tree(dir);
	return 0;
}

/* The sentence clientcert_check gives, or NULL when the files pass. */
static char *
check(const char *cert, const char *key)
{
	char *cause = NULL;
	int rc = clientcert_check(path(cert), key != NULL ? path(key) : NULL, &cause);
	assert_int_equal(rc, cause == NULL ? 0 : -1);
	return cause;
}

static void
expect(char *cause, const char *needle)
{
	assert_non_null(cause);
	if (strstr(cause, needle) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", cause, needle);
	free(cause);
}

static void
the_lab_client_certificate_and_its_key_pass(void **state)
{
	(void)state;
	assert_null(check("client.pem", "client.key"));
	assert_null(check("client.pem", "pkcs8.key"));
	assert_null(check("both.pem", NULL));
	assert_null(check("both.pem", "client.key"));
}

static void
another_key_is_refused_naming_both_files(void **state)
{
	(void)state;
	char *cause = check("client.pem", "other.key");
	assert_non_null(strstr(cause, "other.key: is not the key of the certificate in "));
	expect(cause, "client.pem: give --key the key that belongs to --cert");
}

static void
an_encrypted_key_is_refused_with_how_to_decrypt_it(void **state)
{
	(void)state;
	expect(check("client.pem", "enc.key"), "enc.key: is encrypted with a passphrase");
}

static void
a_certificate_without_its_key_asks_for_key(void **state)
{
	(void)state;
	expect(check("client.pem", NULL), "client.pem: holds no private key, and no --key "
	                                  "was given");
}

static void
missing_files_and_files_of_the_wrong_kind_are_named(void **state)
{
	(void)state;
	char *cause = check("missing.pem", "client.key");
	assert_non_null(strstr(cause, "the certificate file "));
	expect(cause, "missing.pem: cannot be read");
	cause = check("client.pem", "missing.key");
	assert_non_null(strstr(cause, "the key file "));
	expect(cause, "missing.key: cannot be read");
	expect(check("text.pem", "client.key"), "text.pem: holds no certificate");
	expect(check("client.pem", "text.pem"), "text.pem: holds no private key the TLS");
	expect(check(".", "client.key"), "is not a regular file");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_lab_client_certificate_and_its_key_pass),
	    cmocka_unit_test(another_key_is_refused_naming_both_files),
	    cmocka_unit_test(an_encrypted_key_is_refused_with_how_to_decrypt_it),
	    cmocka_unit_test(a_certificate_without_its_key_asks_for_key),
	    cmocka_unit_test(missing_files_and_files_of_the_wrong_kind_are_named),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
