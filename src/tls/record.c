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
