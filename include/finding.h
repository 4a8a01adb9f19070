/*
 * finding: the stable ids of security-relevant observations, their severity
 * and a one-line summary. The ids are a contract (scripts match on them); add
 * rows, never rename one.
 */
#ifndef STARTLE_FINDING_H
#define STARTLE_FINDING_H

enum severity { SEV_INFO, SEV_WARN, SEV_DANGER };

#define FINDINGS(X)                                                                        \
	X(STARTTLS_NOT_OFFERED, "starttls-not-offered", SEV_DANGER,                        \
	  "the server did not offer STARTTLS: the session cannot be encrypted")            \
	X(STARTTLS_REFUSED, "starttls-refused", SEV_DANGER,                                \
	  "the server refused STARTTLS: the session stays in plaintext")                   \
	X(STARTTLS_INJECTION, "starttls-injection", SEV_DANGER,                            \
	  "bytes arrived after the STARTTLS go-ahead, before TLS: discarded")              \
	X(STARTTLS_STILL_OFFERED, "starttls-still-offered", SEV_WARN,                      \
	  "STARTTLS is still offered inside TLS")                                          \
	X(CAPS_CHANGED_AFTER_TLS, "caps-changed-after-tls", SEV_INFO,                      \
	  "the capabilities changed across the upgrade")                                   \
	X(PLAINTEXT_AUTH, "plaintext-auth", SEV_DANGER,                                    \
	  "credentials were sent in plaintext")                                            \
	X(LOGINDISABLED, "logindisabled", SEV_INFO,                                        \
	  "the server refuses LOGIN until TLS is active")                                  \
	X(PREAUTH_PLAINTEXT, "preauth-plaintext", SEV_DANGER,                              \
	  "IMAP PREAUTH on a plaintext connection: STARTTLS is no longer possible")        \
	X(CERT_UNTRUSTED, "cert-untrusted", SEV_DANGER,                                    \
	  "the certificate chain does not lead to a trusted root")                         \
	X(CERT_SELF_SIGNED, "cert-self-signed", SEV_DANGER,                                \
	  "the server certificate is self-signed")                                         \
	X(CERT_EXPIRED, "cert-expired", SEV_DANGER,                                        \
	  "a certificate in the chain has expired")                                        \
	X(CERT_NOT_YET_VALID, "cert-not-yet-valid", SEV_DANGER,                            \
	  "a certificate in the chain is not valid yet")                                   \
	X(CERT_NAME_MISMATCH, "cert-name-mismatch", SEV_DANGER,                            \
	  "the certificate does not name the server")                                      \
	X(CERT_WEAK_KEY, "cert-weak-key", SEV_WARN, "a certificate has a weak key")        \
	X(CERT_WEAK_SIGNATURE, "cert-weak-signature", SEV_WARN,                            \
	  "a certificate is signed with a weak algorithm")                                 \
	X(TLS_OLD_VERSION, "tls-old-version", SEV_WARN,                                    \
	  "an old TLS version was negotiated")                                             \
	X(EOF_WITHOUT_CLOSE_NOTIFY, "eof-without-close-notify", SEV_WARN,                  \
	  "the connection closed without a TLS close_notify")                              \
	X(CONTROL_CHARS, "control-chars", SEV_WARN,                                        \
	  "the server sent control characters or invalid UTF-8")                           \
	X(LINE_TOO_LONG, "line-too-long", SEV_WARN,                                        \
	  "a line is longer than the protocol allows")                                     \
	X(PROTOCOL_VIOLATION, "protocol-violation", SEV_WARN,                              \
	  "the server broke the protocol's rules")                                         \
	X(UNSOLICITED_TAG, "unsolicited-tag", SEV_WARN,                                    \
	  "the server answered a tag the client never sent")                               \
	X(DOWNGRADE_SUSPECTED, "downgrade-suspected", SEV_DANGER,                          \
	  "the session looks downgraded by someone in the middle")                         \
	X(CREDENTIAL_WITHHELD, "credential-withheld", SEV_DANGER,                          \
	  "a credential was held back: the certificate failed verification")                \
	X(DNSSEC_BOGUS, "dnssec-bogus", SEV_DANGER,                                        \
	  "a DNS answer failed DNSSEC validation: it is not trusted")                      \
	X(DANE_MATCH, "dane-match", SEV_INFO,                                              \
	  "a TLSA record authenticates the server's chain (DANE)")                        \
	X(DANE_MISMATCH, "dane-mismatch", SEV_DANGER,                                      \
	  "TLSA records are published but none matches the chain presented")               \
	X(DANE_NO_TLSA, "dane-no-tlsa", SEV_INFO,                                          \
	  "the MX host publishes no TLSA records: DANE does not protect it")               \
	X(DANE_INSECURE, "dane-insecure", SEV_INFO,                                        \
	  "the DNS answers are not DNSSEC-signed: DANE cannot apply")                      \
	X(CERT_NAME_LEGACY, "cert-name-legacy", SEV_WARN,                                  \
	  "the certificate names the server only by a rule RFC 9525 dropped")              \
	X(OCSP_REVOKED, "ocsp-revoked", SEV_DANGER,                                        \
	  "the stapled OCSP response says the certificate is revoked")                     \
	X(OCSP_UNKNOWN, "ocsp-unknown", SEV_WARN,                                          \
	  "the stapled OCSP response says the responder does not know the certificate")   \
	X(OCSP_INVALID, "ocsp-invalid", SEV_WARN,                                          \
	  "the stapled OCSP response cannot be trusted: unreadable, unsigned by the "      \
	  "issuer, for another certificate or out of date")                                \
	X(OCSP_MISSING, "ocsp-missing", SEV_DANGER,                                        \
	  "the certificate demands a stapled OCSP response (Must-Staple) and none came")     \
	X(MTA_STS_MATCH, "mta-sts-match", SEV_INFO,                                        \
	  "an enforced MTA-STS policy accepts the MX host and its certificate")            \
	X(MTA_STS_MISMATCH, "mta-sts-mismatch", SEV_DANGER,                                \
	  "an enforced MTA-STS policy rejects the MX host or its certificate")             \
	X(MTA_STS_TESTING, "mta-sts-testing", SEV_WARN,                                    \
	  "the MTA-STS policy is in testing mode: failures are reported, not enforced")    \
	X(MTA_STS_NONE, "mta-sts-none", SEV_INFO,                                          \
	  "the MTA-STS policy is in mode none: it is withdrawn")                           \
	X(MTA_STS_INVALID, "mta-sts-invalid", SEV_WARN,                                    \
	  "an MTA-STS record is published but no usable policy: senders ignore it")

enum finding_id {
#define FINDING_ENUM(sym, id, sev, summary) FINDING_##sym,
	FINDINGS(FINDING_ENUM)
#undef FINDING_ENUM
	    FINDING_COUNT
};

const char *finding_name(enum finding_id f);
enum severity finding_severity(enum finding_id f);
const char *finding_summary(enum finding_id f);

/* Looks an id up by its name; -1 if unknown. */
int finding_from_name(const char *name);

const char *severity_name(enum severity s);

#endif
