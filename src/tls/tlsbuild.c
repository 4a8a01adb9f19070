/*
 * tlsbuild: the wolfSSL build startle was compiled against and runs on. The
 * Makefile says which build it is in STARTLE_WOLFSSL_BUILD: the Debian
 * version of the source package startle built ("5.7.2-0.1+deb13u2"), or
 * "system" for Debian's libwolfssl-dev.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/version.h>

#include "tlsbuild.h"

#include <stdio.h>
#include <string.h>

#ifndef STARTLE_WOLFSSL_BUILD
#define STARTLE_WOLFSSL_BUILD "system"
#endif

const char *
tlsbuild_version(void)
{
	const char *v = wolfSSL_lib_version();
	return v != NULL ? v : "unknown";
}

bool
tlsbuild_is_own(void)
{
	return strcmp(STARTLE_WOLFSSL_BUILD, "system") != 0;
}

bool
tlsbuild_has_tls13_secrets(void)
{
#ifdef HAVE_SECRET_CALLBACK
	return true;
#else
	return false;
#endif
}

bool
tlsbuild_has_stapling(void)
{
#ifdef WOLFSSL_STAPLE_OBSERVE
	return true;
#else
	return false;
#endif
}

const char *
tlsbuild_describe(void)
{
	/* Built once: the process has one library. */
	static char text[700];
	const char *run = tlsbuild_version();
	char mismatch[96] = "", which[360];

	if (strcmp(run, LIBWOLFSSL_VERSION_STRING) != 0)
		snprintf(mismatch, sizeof mismatch,
		         " (WARNING: compiled against the headers of %s)",
		         LIBWOLFSSL_VERSION_STRING);
	if (tlsbuild_is_own())
		snprintf(which, sizeof which,
		         "startle's own build of Debian's source package %s (static; SP "
		         "math in assembly, AES-NI%s)",
		         STARTLE_WOLFSSL_BUILD,
		         tlsbuild_has_stapling() ? "; stapled OCSP responses handed to startle"
		                                 : "");
	else
		snprintf(which, sizeof which, "the system library (Debian's libwolfssl%s)",
		         tlsbuild_has_stapling()
		             ? ""
		             : "; no stapled OCSP response is asked for: this library ends "
		               "the handshake on a revoked or unverifiable one");
	snprintf(text, sizeof text, "wolfSSL %s%s: %s; %s", run, mismatch, which,
	         tlsbuild_has_tls13_secrets()
	             ? "--keylog writes TLS 1.2 and TLS 1.3 secrets"
	             : "--keylog writes TLS 1.2 secrets only: TLS 1.3 secrets need "
	               "startle's own wolfSSL build (make without WOLFSSL=system)");
	return text;
}
