/*
 * transcript: the append-only, numbered list of events of one session. Every
 * front reads it; only the session writes it. Line bytes are stored raw with
 * their length; fronts escape them when they show them (escape.h).
 *
 * Listeners are called synchronously on every append, in order of
 * registration; they must not append themselves.
 */
#ifndef STARTLE_TRANSCRIPT_H
#define STARTLE_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "cert.h"
#include "finding.h"
#include "tls.h"

enum phase { PHASE_PLAIN, PHASE_HANDSHAKE, PHASE_TLS };
enum dir { DIR_CLIENT, DIR_SERVER, DIR_LOCAL };

#define EVENT_KINDS(X)                                                                     \
	X(CONNECT, "connect")                                                              \
	X(LINE, "line")                                                                    \
	X(PHASE, "phase")                                                                  \
	X(TLS, "tls")                                                                      \
	X(CERT, "cert")                                                                    \
	X(FINDING, "finding")                                                              \
	X(NOTE, "note")                                                                    \
	X(ERROR, "error")                                                                  \
	X(CLOSE, "close")                                                                  \
	X(DNS, "dns")                                                                      \
	X(POLICY, "policy")

enum event_kind {
#define EVENT_KIND_ENUM(sym, name) EV_##sym,
	EVENT_KINDS(EVENT_KIND_ENUM)
#undef EVENT_KIND_ENUM
	    EV_COUNT
};

/* EV_DNS: one DNS answer as the fronts show it (every field is text). */
struct dns_event {
	char name[256];      /* the name asked for */
	char type[8];        /* "MX", "A", "AAAA", "TLSA" */
	char status[12];     /* "secure", "insecure", "bogus" (never trusted) */
	char rcode[12];      /* "NOERROR", "NXDOMAIN", "SERVFAIL", ... */
	char why_bogus[256]; /* the validator's reason, "" unless bogus */
	double ms;           /* how long the query took */
	size_t n;
	char **records; /* each record in presentation form ("10 mx1.example.org") */
};

/* EV_POLICY: what a mail domain publishes for senders, as the fronts show
 * it: its MTA-STS policy (RFC 8461) or its TLS-RPT record (RFC 8460). Text
 * fields are "" when they do not apply; strings that came from the network
 * were checked against the RFCs' grammar (patterns, ids, addresses) or are
 * escaped when shown (content_type, why). */
struct policy_event {
	char policy[12];  /* "mta-sts" or "tls-rpt" */
	char domain[256]; /* the mail domain */
	char status[12];  /* mta-sts: absent, invalid, failed (the lookup), none,
	                   * testing, enforce; tls-rpt: absent, invalid, present,
	                   * failed */
	char id[40];      /* the id of the _mta-sts TXT record */
	char url[400];    /* where the policy was fetched from */
	int http_status;  /* 0: no HTTP answer */
	char content_type[128];
	size_t bytes;  /* the body's length */
	double ms;     /* the fetch, connect to last byte */
	char mode[12]; /* of a valid policy: enforce, testing, none */
	unsigned long max_age;
	size_t nmx;
	char **mx; /* the policy's mx patterns */
	size_t nrua;
	char **rua;      /* TLS-RPT report addresses */
	char why[400];   /* why it is invalid or failed, "" otherwise */
};

struct event {
	unsigned long seq; /* 1..n */
	double t;          /* seconds since the session started */
	double wall;       /* the same moment as wall-clock seconds since 1970 (UTC) */
	enum phase phase;
	enum dir dir;
	enum event_kind kind;
	unsigned char *text; /* raw bytes, NUL-terminated for convenience */
	size_t len;
	char *explain;                /* teaching text, or NULL */
	unsigned line_flags;          /* proto_line flags for server lines */
	bool plain_text; /* the text is escape_is_plain (escape.h): writers copy it */
	bool secret; /* a client line carrying a credential: an authentication
	              * command, an answer to the server's authentication prompt,
	              * a literal inside LOGIN/AUTHENTICATE. --redact hides it and
	              * any decoding of it; history never keeps it. */
	enum finding_id finding;      /* EV_FINDING */
	enum severity severity;       /* EV_FINDING */
	struct tls_summary *tls;      /* EV_TLS summary, or NULL */
	struct cert_verdict *verdict; /* EV_TLS verdict, or NULL */
	struct cert_info *cert;       /* EV_CERT */
	struct tls_record *record;    /* EV_NOTE of a wire record, or NULL */
	struct tls_message *message;  /* EV_NOTE of a TLS 1.3 handshake message
	                               * startle decrypted, or NULL */
	struct dns_event *dns;        /* EV_DNS */
	struct policy_event *policy;  /* EV_POLICY */
};

struct transcript;

typedef void (*transcript_listener)(void *arg, const struct transcript *t,
                                    const struct event *ev);

struct transcript *transcript_new(void);
void transcript_free(struct transcript *t);

/* Registers a listener; returns 0 or -1. */
int transcript_listen(struct transcript *t, transcript_listener fn, void *arg);

/* Appends an event, filling seq and t; copies text (len bytes), explain and
 * the structured parts it points to. Returns the stored event. Aborts on out
 * of memory (fatal). */
const struct event *transcript_append(struct transcript *t, const struct event *ev);

/* The same for an event of a recording (replay.h): its t and wall clock
 * are kept as recorded; seq is still the next number. */
const struct event *transcript_append_recorded(struct transcript *t,
                                               const struct event *ev);

size_t transcript_count(const struct transcript *t);

/* Memory in bytes, not events. With a budget, the bulk of a long session --
 * lines and wire records inside TLS, and plaintext lines past the first
 * TRANSCRIPT_PLAIN_KEEP bytes -- is kept up to budget bytes; older bulk is
 * dropped from memory (listeners saw every event when it was appended, so
 * --record and --log have it all). Phases, TLS, certificates, findings,
 * errors and notes are always kept, and so is the newest event. Each run of
 * dropped events reads as one marker, a note that says how many events and
 * bytes are gone and, when copy_note is given, where the full copy is
 * ("out.jsonl (--record)"). budget 0: no limit (the default). */
#define TRANSCRIPT_PLAIN_KEEP (4u * 1024 * 1024)
#define TRANSCRIPT_DEFAULT_BUDGET (16u * 1024 * 1024)
void transcript_set_budget(struct transcript *t, size_t budget, const char *copy_note);

/* True if event i was dropped; *first and *last (may be NULL) are then the
 * indexes of its run, whose events transcript_get all returns as the same
 * marker. */
bool transcript_elided(const struct transcript *t, size_t i, size_t *first, size_t *last);

/* The index after i, stepping over the rest of i's run when i was dropped:
 * a walk from 0 with it meets each marker once. */
size_t transcript_next(const struct transcript *t, size_t i);

/* Bytes of bulk events kept in memory now. */
size_t transcript_kept_bytes(const struct transcript *t);

/* The event with index i (0-based, seq - 1). */
const struct event *transcript_get(const struct transcript *t, size_t i);

/* Seconds since transcript_new, monotonic. */
double transcript_now(const struct transcript *t);

/* True for the note of bytes a server sent between the STARTTLS go-ahead and
 * the handshake (discarded, shown as injected): a server note that is
 * neither a wire record nor a decrypted handshake message. */
bool transcript_is_injected(const struct event *ev);

/* Frees what an event owns besides its text and itself: explain and the
 * structured parts (tls, verdict, cert, record, message, dns, policy). */
void event_free_parts(struct event *ev);

const char *phase_name(enum phase p);
const char *dir_name(enum dir d);
const char *event_kind_name(enum event_kind k);

#endif
