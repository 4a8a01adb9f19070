/*
 * record: follows the TLS record layer of one direction and names what it
 * sees, as an eavesdropper would label what crosses the wire.
 */
#include "record.h"

#include <stddef.h>
#include <string.h>

static const char *const record_type_names[256] = {
    [RECORD_CHANGE_CIPHER_SPEC] = "change_cipher_spec",
    [RECORD_ALERT] = "alert",
    [RECORD_HANDSHAKE] = "handshake",
    [RECORD_APPLICATION_DATA] = "application_data",
    [RECORD_HEARTBEAT] = "heartbeat",
};

static const char *const record_handshake_names[256] = {
    [0] = "HelloRequest",        [1] = "ClientHello",      [2] = "ServerHello",
    [3] = "HelloVerifyRequest",  [4] = "NewSessionTicket", [5] = "EndOfEarlyData",
    [8] = "EncryptedExtensions", [11] = "Certificate",     [12] = "ServerKeyExchange",
    [13] = "CertificateRequest", [14] = "ServerHelloDone", [15] = "CertificateVerify",
    [16] = "ClientKeyExchange",  [20] = "Finished",        [21] = "CertificateURL",
    [22] = "CertificateStatus",  [24] = "KeyUpdate",       [254] = "MessageHash",
};

/* Alert descriptions by number (RFC 8446 §6, RFC 5246 §7.2). */
static const char *const record_alert_names[256] = {
    [0] = "close_notify",
    [10] = "unexpected_message",
    [20] = "bad_record_mac",
    [21] = "decryption_failed",
    [22] = "record_overflow",
    [30] = "decompression_failure",
    [40] = "handshake_failure",
    [41] = "no_certificate",
    [42] = "bad_certificate",
    [43] = "unsupported_certificate",
    [44] = "certificate_revoked",
    [45] = "certificate_expired",
    [46] = "certificate_unknown",
    [47] = "illegal_parameter",
    [48] = "unknown_ca",
    [49] = "access_denied",
    [50] = "decode_error",
    [51] = "decrypt_error",
    [60] = "export_restriction",
    [70] = "protocol_version",
    [71] = "insufficient_security",
    [80] = "internal_error",
    [86] = "inappropriate_fallback",
    [90] = "user_canceled",
    [100] = "no_renegotiation",
    [109] = "missing_extension",
    [110] = "unsupported_extension",
    [111] = "certificate_unobtainable",
    [112] = "unrecognized_name",
    [113] = "bad_certificate_status_response",
    [114] = "bad_certificate_hash_value",
    [115] = "unknown_psk_identity",
    [116] = "certificate_required",
    [120] = "no_application_protocol",
};

/* Named groups (RFC 8446 §4.2.7, RFC 7919, RFC 8422), spelled as the TLS
 * library names the negotiated group. */
static const struct {
	unsigned code;
	const char *name;
} record_groups[] = {
    {23, "SECP256R1"},
    {24, "SECP384R1"},
    {25, "SECP521R1"},
    {26, "BRAINPOOLP256R1"},
    {27, "BRAINPOOLP384R1"},
    {28, "BRAINPOOLP512R1"},
    {29, "X25519"},
    {30, "X448"},
    {31, "BRAINPOOLP256R1TLS13"},
    {32, "BRAINPOOLP384R1TLS13"},
    {33, "BRAINPOOLP512R1TLS13"},
    {256, "FFDHE_2048"},
    {257, "FFDHE_3072"},
    {258, "FFDHE_4096"},
    {259, "FFDHE_6144"},
    {260, "FFDHE_8192"},
    {0x11eb, "SECP256R1MLKEM768"},
    {0x11ec, "X25519MLKEM768"},
    {0x11ed, "SECP384R1MLKEM1024"},
    {0x6399, "X25519KYBER768DRAFT00"},
};

/* Signature schemes (RFC 8446 §4.2.3; TLS 1.2's hash and signature pairs of
 * RFC 5246 §7.4.1.4.1 share the numbers). */
static const struct {
	unsigned code;
	const char *name;
} record_sigschemes[] = {
    {0x0101, "rsa_pkcs1_md5"},
    {0x0201, "rsa_pkcs1_sha1"},
    {0x0202, "dsa_sha1"},
    {0x0203, "ecdsa_sha1"},
    {0x0301, "rsa_pkcs1_sha224"},
    {0x0303, "ecdsa_sha224"},
    {0x0401, "rsa_pkcs1_sha256"},
    {0x0402, "dsa_sha256"},
    {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0501, "rsa_pkcs1_sha384"},
    {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0601, "rsa_pkcs1_sha512"},
    {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0804, "rsa_pss_rsae_sha256"},
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080a, "rsa_pss_pss_sha384"},
    {0x080b, "rsa_pss_pss_sha512"},
    {0x081a, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081b, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081c, "ecdsa_brainpoolP512r1tls13_sha512"},
};

const char *
record_group_name(unsigned code)
{
	for (size_t i = 0; i < sizeof record_groups / sizeof record_groups[0]; i++)
		if (record_groups[i].code == code)
			return record_groups[i].name;
	return NULL;
}

const char *
record_signature_scheme_name(unsigned code, bool tls13)
{
	/* TLS 1.2 does not bind ECDSA to a curve: the same numbers name the hash */
	static const struct {
		unsigned code;
		const char *name;
	} tls12_ecdsa[] = {
	    {0x0403, "ecdsa_sha256"}, {0x0503, "ecdsa_sha384"}, {0x0603, "ecdsa_sha512"}};

	for (size_t i = 0; i < sizeof tls12_ecdsa / sizeof tls12_ecdsa[0] && !tls13; i++)
		if (tls12_ecdsa[i].code == code)
			return tls12_ecdsa[i].name;
	for (size_t i = 0; i < sizeof record_sigschemes / sizeof record_sigschemes[0]; i++)
		if (record_sigschemes[i].code == code)
			return record_sigschemes[i].name;
	return NULL;
}

const char *
record_type_name(unsigned char type)
{
	return record_type_names[type] != NULL ? record_type_names[type] : "unknown";
}

const char *
record_handshake_name(unsigned char type)
{
	return record_handshake_names[type];
}

const char *
record_alert_name(unsigned char desc)
{
	return record_alert_names[desc];
}

void
record_scan_init(struct record_scanner *sc,
                 void (*on_record)(void *arg, const struct record *rec), void *arg)
{
	memset(sc, 0, sizeof(*sc));
	sc->on_record = on_record;
	sc->arg = arg;
}

/* Hands the current record to the callback, once. */
static void
record_report(struct record_scanner *sc)
{
	struct record *r = &sc->rec;

	sc->reported = true;
	if (r->type == RECORD_HANDSHAKE && r->readable && r->head_len > 0)
		r->hs_type = r->head[0];
	if (sc->on_record != NULL)
		sc->on_record(sc->arg, r);
}

/* Keeps bytes that are not TLS for a preview, as far as there is room. */
static void
record_keep_bad(struct record_scanner *sc, const unsigned char *p, size_t n)
{
	size_t room = RECORD_BAD_MAX - sc->bad_len;
	size_t take = n < room ? n : room;

	memcpy(sc->bad + sc->bad_len, p, take);
	sc->bad_len += take;
}

/* Starts a record once its header is in, or marks the stream broken when
 * the header is not one of TLS. */
static void
record_header(struct record_scanner *sc)
{
	const unsigned char *h = sc->hdr;
	size_t length = (size_t)h[3] << 8 | h[4];

	sc->hdr_len = 0;
	if (h[0] < RECORD_TYPE_FIRST || h[0] >= RECORD_TYPE_FIRST + RECORD_TYPE_COUNT ||
	    h[1] != 3 || length > RECORD_BODY_MAX) {
		sc->broken = true;
		record_keep_bad(sc, h, RECORD_HEADER_LEN);
		return;
	}
	memset(&sc->rec, 0, sizeof(sc->rec));
	sc->rec.type = h[0];
	sc->rec.version = (unsigned)h[1] << 8 | h[2];
	sc->rec.length = length;
	if (h[0] == RECORD_CHANGE_CIPHER_SPEC)
		sc->ccs_seen = true;
	sc->rec.readable = !sc->ccs_seen || sc->plain_after_ccs;
	sc->records++;
	sc->by_type[h[0] - RECORD_TYPE_FIRST]++;
	sc->body_left = length;
	sc->reported = false;
	if (length == 0) {
		record_report(sc);
		if (sc->on_body != NULL)
			sc->on_body(sc->arg, &sc->rec, h, 0, true);
	}
}

/* Takes body bytes of the current record; returns how many were used. */
static size_t
record_body(struct record_scanner *sc, const unsigned char *p, size_t n)
{
	struct record *r = &sc->rec;
	size_t take = n < sc->body_left ? n : sc->body_left;
	size_t room = RECORD_HEAD_MAX - r->head_len;
	size_t copy = take < room ? take : room;

	memcpy(r->head + r->head_len, p, copy);
	r->head_len += copy;
	sc->body_left -= take;
	if (!sc->reported && (r->head_len == RECORD_HEAD_MAX || sc->body_left == 0))
		record_report(sc);
	if (sc->on_body != NULL)
		sc->on_body(sc->arg, r, p, take, sc->body_left == 0);
	return take;
}

void
record_scan_feed(struct record_scanner *sc, const unsigned char *p, size_t n)
{
	sc->bytes += n;
	while (n > 0) {
		if (sc->broken) {
			record_keep_bad(sc, p, n);
			return;
		}
		if (sc->body_left > 0) {
			size_t used = record_body(sc, p, n);
			p += used;
			n -= used;
			continue;
		}
		sc->hdr[sc->hdr_len++] = *p++;
		n--;
		if (sc->hdr_len == RECORD_HEADER_LEN)
			record_header(sc);
	}
}

void
record_scan_finish(struct record_scanner *sc)
{
	if (!sc->broken && sc->body_left > 0 && !sc->reported)
		record_report(sc);
}
