/*
 * tlsbuild: which wolfSSL startle runs on. `make` links startle's own build
 * (Debian's trixie source package, 5.7.2, built by .ci/wolfssl with SP math
 * in assembly, AES-NI and the TLS 1.3 secret callback); `make WOLFSSL=system`
 * links Debian's libwolfssl-dev, which lacks the secret callback. What a
 * build cannot do is said in words, never left to be noticed.
 */
#ifndef STARTLE_TLSBUILD_H
#define STARTLE_TLSBUILD_H

#include <stdbool.h>

/* One line for `startle -V`: the version of the library running now, which
 * build it is and what it can do. Static storage. */
const char *tlsbuild_describe(void);

/* The version of the library running now ("5.7.2"). */
const char *tlsbuild_version(void);

/* True when this is startle's own wolfSSL build, false for the system's. */
bool tlsbuild_is_own(void);

/* True when the library hands out TLS 1.3 secrets (HAVE_SECRET_CALLBACK), so
 * --keylog can write them. */
bool tlsbuild_has_tls13_secrets(void);

/* True when the library hands startle the OCSP response a server staples,
 * whatever it says (WOLFSSL_STAPLE_OBSERVE: startle's patch in its own
 * build), so startle asks for one (status_request) and shows it. */
bool tlsbuild_has_stapling(void);

#endif
