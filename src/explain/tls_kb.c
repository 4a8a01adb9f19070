/*
 * tls_kb: what each TLS 1.3 handshake message proves, for the messages
 * startle decrypts from its own copy of the encrypted handshake. Keyed by the
 * message's name (record.h spells them), one table per sender.
 */
#include <stdbool.h>
#include <stddef.h>

#include "explain.h"
#include "kb.h"

static const struct kb_entry tls_server_messages[] = {
    {"EncryptedExtensions",
     "answers to the client's extensions, hidden from eavesdroppers (RFC 8446 §4.3.1)"},
    {"CertificateRequest",
     "the server asks the client for a certificate (RFC 8446 §4.3.2)"},
    {"Certificate",
     "the server's chain, leaf first: a copy anyone could send (RFC 8446 §4.4.2)"},
    {"CertificateVerify", "signs the handshake so far: proves the server holds the leaf's "
                          "key (RFC 8446 §4.4.3)"},
    {"Finished",
     "a MAC over the handshake: nothing was changed, both hold the keys (RFC 8446 §4.4.4)"},
    {"NewSessionTicket",
     "a ticket to resume later, skipping the certificate (RFC 8446 §4.6.1)"},
    {"KeyUpdate", "the server switches to fresh traffic keys (RFC 8446 §4.6.3)"},
};
KB_TABLE(kb_tls_server_messages, "TLS 1.3 messages from the server", tls_server_messages);

static const struct kb_entry tls_client_messages[] = {
    {"Certificate",
     "the client's chain, as the server asked (empty: it has none) (RFC 8446 §4.4.2)"},
    {"CertificateVerify",
     "signs the handshake: proves the client holds its key (RFC 8446 §4.4.3)"},
    {"Finished",
     "the client's MAC over the handshake: it saw the same messages (RFC 8446 §4.4.4)"},
    {"EndOfEarlyData", "the end of the client's early (0-RTT) data (RFC 8446 §4.5)"},
    {"KeyUpdate", "the client switches to fresh traffic keys (RFC 8446 §4.6.3)"},
};
KB_TABLE(kb_tls_client_messages, "TLS 1.3 messages from the client", tls_client_messages);

const char *
explain_tls_message(const char *name, bool from_server)
{
	if (name == NULL)
		return NULL;
	return kb_text(
	    kb_find(from_server ? &kb_tls_server_messages : &kb_tls_client_messages, name));
}
