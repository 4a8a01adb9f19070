/*
 * record: names of TLS record content types and handshake message types, as
 * an eavesdropper would label what crosses the wire.
 */
#include "tls.h"

#include <stddef.h>

static const char *const record_type_names[256] = {
    [20] = "change_cipher_spec", [21] = "alert",     [22] = "handshake",
    [23] = "application_data",   [24] = "heartbeat",
};

static const char *const record_handshake_names[256] = {
    [0] = "HelloRequest",        [1] = "ClientHello",      [2] = "ServerHello",
    [3] = "HelloVerifyRequest",  [4] = "NewSessionTicket", [5] = "EndOfEarlyData",
    [8] = "EncryptedExtensions", [11] = "Certificate",     [12] = "ServerKeyExchange",
    [13] = "CertificateRequest", [14] = "ServerHelloDone", [15] = "CertificateVerify",
    [16] = "ClientKeyExchange",  [20] = "Finished",        [21] = "CertificateURL",
    [22] = "CertificateStatus",  [24] = "KeyUpdate",       [254] = "MessageHash",
};

const char *
tls_record_type_name(unsigned char type)
{
	return record_type_names[type] != NULL ? record_type_names[type] : "unknown";
}

const char *
tls_handshake_type_name(unsigned char type)
{
	return record_handshake_names[type];
}
