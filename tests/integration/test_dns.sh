# --mx against a DNSSEC-signed test zone served by nsd on loopback: MX hosts,
# DNSSEC status, DANE verdicts, --require-dane and a dead resolver; MTA-STS
# policies served over HTTPS by startle-lab mta-sts (its own CA, a free port
# given to --mta-sts-port) and TLS-RPT. Zones are signed at test time
# (signatures expire). The MX hosts point at 127.0.0.1, where the harness's
# Postfix listens on $STARTLE_SMTP_PORT, so the TLSA names are
# _$STARTLE_SMTP_PORT._tcp.HOST.

# The SHA-256 of a certificate's SubjectPublicKeyInfo (DANE x 1 1), in hex.
dns_spki_sha256() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
		sha256sum | cut -d' ' -f1
}

# Writes zone $1 (records on stdin after the SOA and NS) as $1.zone.
dns_zone() {
	{
		printf '$ORIGIN %s.\n$TTL 300\n' "$1"
		printf '@ IN SOA ns.test. admin.test. 1 3600 600 86400 300\n'
		printf '@ IN NS ns.test.\n'
		cat
	} >"$1.zone"
}

# Signs zone $1 with one ECDSA key (KSK and ZSK), valid from 2025 to 2035
# (or from $2 to $3); prints the key's base name.
dns_sign() {
	local k
	k=$(ldns-keygen -a ECDSAP256SHA256 -k "$1") || fail "ldns-keygen failed for $1"
	ldns-signzone -i "${2:-20250101000000}" -e "${3:-20351231000000}" \
		-f "$1.zone.signed" "$1.zone" "$k" ||
		fail "ldns-signzone failed for $1"
	echo "$k"
}

# Builds the lab: parent test. delegating to good, ta, notlsa, implicit,
# bogus, badmx, sts (signed, with DS), expired (signatures ended in 2024)
# and insecure (unsigned, no DS); starts nsd on
# a free port and writes unbound.conf for --dns-config. Sets DNS_PORT.
dns_lab_start() {
	command -v nsd >/dev/null 2>&1 || it_skip "nsd is not installed (make deps installs it)"
	command -v ldns-signzone >/dev/null 2>&1 ||
		it_skip "ldns-signzone is not installed (make deps installs ldnsutils)"
	local p=$STARTLE_SMTP_PORT leaf ca z k ds=""
	leaf=$(dns_spki_sha256 "$STARTLE_IT_WORK/pki/leaf.pem")
	ca=$(dns_spki_sha256 "$STARTLE_IT_WORK/pki/ca.pem")
	dns_zone good.test <<-EOF
		@ IN MX 10 mx1
		@ IN MX 20 mx2
		mx1 IN A 127.0.0.1
		mx2 IN A 127.0.0.1
		_$p._tcp.mx1 IN TLSA 3 1 1 $leaf
		_$p._tcp.mx2 IN TLSA 3 1 1 $(printf '%064d' 0)
	EOF
	dns_zone ta.test <<<'@ IN MX 10 mail.test.'
	dns_zone notlsa.test <<<$'@ IN MX 10 mx\nmx IN A 127.0.0.1'
	dns_zone implicit.test <<-EOF
		@ IN A 127.0.0.1
		_$p._tcp IN TLSA 3 1 1 $leaf
	EOF
	dns_zone bogus.test <<-EOF
		@ IN MX 10 mx
		mx IN A 127.0.0.1
		_$p._tcp.mx IN TLSA 3 1 1 $leaf
	EOF
	dns_zone badmx.test <<<$'@ IN MX 10 mx\nmx IN A 127.0.0.1'
	# MTA-STS: mail.test (Postfix's certificate names it) first, then a
	# host its certificate does not name.
	dns_zone sts.test <<-EOF
		@ IN MX 10 mail.test.
		@ IN MX 20 mx2
		mx2 IN A 127.0.0.1
		_mta-sts IN TXT "v=STSv1; id=20261203T1;"
		_mta-sts IN TXT "v=spf1 -all"
		mta-sts IN A 127.0.0.1
		_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tls-reports@sts.test"
	EOF
	dns_zone expired.test <<<$'@ IN MX 10 mx\nmx IN A 127.0.0.1'
	dns_zone insecure.test <<-EOF
		@ IN MX 10 mx
		mx IN A 127.0.0.1
		_$p._tcp.mx IN TLSA 3 1 1 $leaf
	EOF
	cp insecure.test.zone insecure.test.zone.signed
	for z in good ta notlsa implicit bogus badmx sts; do
		k=$(dns_sign "$z.test")
		ds+=$(cat "$k.ds")$'\n'
	done
	k=$(dns_sign expired.test 20240101000000 20240201000000)
	ds+=$(cat "$k.ds")$'\n'
	# Edited after signing: the signatures no longer match (bogus).
	sed -i -E "/TLSA/ s/[0-9a-fA-F]{64}\$/$ca/" bogus.test.zone.signed
	sed -i 's/\(MX[[:space:]]*\)10 mx\.badmx\.test\./\120 mx.badmx.test./' badmx.test.zone.signed
	grep -q "$ca" bogus.test.zone.signed || fail "the bogus zone was not edited"
	grep -q 'MX[[:space:]]*20 mx.badmx' badmx.test.zone.signed || fail "the badmx zone was not edited"
	dns_zone test <<-EOF
		ns IN A 127.0.0.1
		mail IN A 127.0.0.1
		_$p._tcp.mail IN TLSA 2 1 1 $ca
		$(for z in good ta notlsa implicit bogus badmx sts expired insecure; do echo "$z IN NS ns.test."; done)
		$ds
	EOF
	k=$(dns_sign test)
	cp "$k.ds" test.ta
	DNS_PORT=$(free_port)
	{
		printf 'server:\n  ip-address: 127.0.0.1@%s\n  port: %s\n' "$DNS_PORT" "$DNS_PORT"
		printf '  username: ""\n  chroot: ""\n  database: ""\n  zonesdir: "%s"\n' "$PWD"
		printf '  pidfile: "%s/nsd.pid"\n  xfrdfile: "%s/xfrd.state"\n' "$PWD" "$PWD"
		printf '  zonelistfile: "%s/zone.list"\n  xfrdir: "%s"\n  logfile: "%s/nsd.log"\n' \
			"$PWD" "$PWD" "$PWD"
		printf 'remote-control:\n  control-enable: no\n'
		for z in test good.test ta.test notlsa.test implicit.test bogus.test badmx.test \
			sts.test expired.test insecure.test; do
			printf 'zone:\n  name: "%s"\n  zonefile: "%s/%s.zone.signed"\n' "$z" "$PWD" "$z"
		done
	} >nsd.conf
	nsd -d -c nsd.conf &
	it_kill_at_exit $!
	local i
	for ((i = 0; i < 100; i++)); do
		dig +short +time=1 +tries=1 @127.0.0.1 -p "$DNS_PORT" test. SOA 2>/dev/null | grep -q . &&
			break
		sleep 0.1
	done
	[ "$i" -lt 100 ] || cat nsd.log | fail "nsd did not answer on port $DNS_PORT" -
	dns_unbound_conf "127.0.0.1@$DNS_PORT" >unbound.conf
}

# An unbound.conf-style file that sends test. to the resolver at $1.
dns_unbound_conf() {
	cat <<-EOF
		server:
		  local-zone: "test." nodefault
		  trust-anchor-file: "$PWD/test.ta"
		forward-zone:
		  name: "test."
		  forward-addr: $1
	EOF
}

# startle --batch --mx against the lab, JSON Lines.
dns_mx() {
	run_startle --batch --json --mx --dns-config unbound.conf "$@"
}

# The enforce policy of sts.test that lets mail.test and *.sts.test in.
STS_POLICY=$'version: STSv1\r\nmode: enforce\r\nmx: mail.test\r\nmx: *.sts.test\r\nmax_age: 604800\r\n'

# sts_lab_start ANSWER [POLICY]: the DNS lab, then startle-lab mta-sts as
# mta-sts.sts.test on a free port answering ANSWER with POLICY (default
# STS_POLICY). Sets STS_PORT and writes bundle.pem: the harness's CA (for
# Postfix) and the lab's (for the policy host), one --cafile for both.
sts_lab_start() {
	[ -x "${STARTLE_LAB:-}" ] || it_skip "STARTLE_LAB is not an executable file (make integration sets it)"
	dns_lab_start
	printf '%s' "${2-$STS_POLICY}" >policy.txt
	"$STARTLE_LAB" mta-sts --port 0 --host mta-sts.sts.test --answer "$1" --policy policy.txt \
		--write-ca lab-ca.pem >sts-lab.out 2>&1 </dev/null &
	it_kill_at_exit $!
	local i
	STS_PORT=""
	for ((i = 0; i < 100; i++)); do
		STS_PORT=$(grep -m 1 -oE '^listening on 127\.0\.0\.1:[0-9]+' sts-lab.out | sed 's/.*://')
		[ -n "$STS_PORT" ] && break
		sleep 0.1
	done
	[ -n "$STS_PORT" ] || fail "startle-lab mta-sts did not say where it listens" - <sts-lab.out
	cat "$STARTLE_IT_CA" lab-ca.pem >bundle.pem
}

# startle --batch --json --mx for sts.test, trusting bundle.pem, the policy
# fetched from the lab's port.
sts_mx() {
	dns_mx --mta-sts-port "$STS_PORT" --cafile bundle.pem "$@" "smtp://sts.test:$STARTLE_SMTP_PORT"
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' sts-lab.out 2>/dev/null; then
		fail "startle-lab mta-sts reported a sanitizer error" - <sts-lab.out
	fi
}

test_dns_mx_lists_hosts_with_dnssec_status_and_tls_name_is_the_mx_host() {
	dns_lab_start
	dns_mx "smtp://good.test:$STARTLE_SMTP_PORT"
	assert_exit 0
	assert_json_lines
	assert_json_has '.kind == "dns" and .type == "MX" and .name == "good.test"
		and .status == "secure" and (.records | sort) == ["10 mx1.good.test.", "20 mx2.good.test."]'
	assert_json_has '.kind == "dns" and .type == "A" and .name == "mx1.good.test"
		and .status == "secure" and .records == ["127.0.0.1"]'
	assert_json_has '.kind == "note" and matches("^MX host 1: 10 mx1.good.test: 127.0.0.1 \\(addresses secure\\) <- connecting")'
	assert_json_has '.kind == "note" and matches("^MX host 2: 20 mx2.good.test")'
	assert_json 'before(.kind == "dns"; .kind == "connect")'
	assert_json_has '.kind == "tls" and .sni == "mx1.good.test"'
}

test_dns_secure_tlsa_3_1_1_matches_the_leaf_dane_authenticated() {
	dns_lab_start
	dns_mx "smtp://good.test:$STARTLE_SMTP_PORT" --require-dane
	assert_exit 0
	assert_json_has ".kind == \"dns\" and .type == \"TLSA\"
		and .name == \"_${STARTLE_SMTP_PORT}._tcp.mx1.good.test\" and .status == \"secure\""
	assert_finding dane-match
	assert_json_has 'finding("dane-match") and matches("DANE-authenticated: TLSA record 1 \\(3 1 1, DANE-EE\\) matches certificate 0")'
	assert_no_finding dane-mismatch
	local leaf
	leaf=$(dns_spki_sha256 "$STARTLE_IT_WORK/pki/leaf.pem")
	assert_json_has ".kind == \"note\" and (.text | startswith(\"publish: _${STARTLE_SMTP_PORT}._tcp.mx1.good.test. IN TLSA 3 1 1 $leaf\"))"
	assert_json_has ".kind == \"note\" and (.text | startswith(\"publish: _${STARTLE_SMTP_PORT}._tcp.mx1.good.test. IN TLSA 2 1 1 $(dns_spki_sha256 "$STARTLE_IT_WORK/pki/ca.pem")\"))"
}

test_dns_tlsa_mismatch_on_the_second_mx_host_fails_require_dane() {
	dns_lab_start
	dns_mx "smtp://good.test:$STARTLE_SMTP_PORT" --mx-host 2
	assert_exit 0
	assert_json_has '.kind == "tls" and .sni == "mx2.good.test"'
	assert_finding dane-mismatch
	assert_no_finding dane-match
	dns_mx "smtp://good.test:$STARTLE_SMTP_PORT" --mx-host 2 --require-dane
	assert_exit 1
	assert_json_has '.kind == "error" and matches("^--require-dane: DANE did not authenticate mx2.good.test \\(mismatch\\)")'
}

test_dns_dane_ta_matches_the_ca_when_the_leaf_names_the_mx_host() {
	dns_lab_start
	dns_mx "smtp://ta.test:$STARTLE_SMTP_PORT" --require-dane
	assert_exit 0
	assert_json_has 'finding("dane-match") and matches("\\(2 1 1, DANE-TA\\) matches certificate 1")'
}

test_dns_no_tlsa_is_reported_and_fails_require_dane() {
	dns_lab_start
	dns_mx "smtp://notlsa.test:$STARTLE_SMTP_PORT"
	assert_exit 0
	assert_finding dane-no-tlsa
	assert_json_has '.kind == "dns" and .type == "TLSA" and .status == "secure" and .records == []'
	dns_mx "smtp://notlsa.test:$STARTLE_SMTP_PORT" --require-dane
	assert_exit 1
}

test_dns_unsigned_zone_is_insecure_and_dane_does_not_apply() {
	dns_lab_start
	dns_mx "smtp://insecure.test:$STARTLE_SMTP_PORT" --require-dane
	assert_exit 1
	assert_json_has '.kind == "dns" and .type == "MX" and .status == "insecure"'
	assert_json_has '.kind == "dns" and .type == "TLSA" and .status == "insecure"'
	assert_finding dane-insecure
	assert_no_finding dane-match
}

test_dns_bogus_tlsa_is_a_finding_and_never_trusted() {
	dns_lab_start
	dns_mx "smtp://bogus.test:$STARTLE_SMTP_PORT" --require-dane
	assert_exit 1
	assert_json_has '.kind == "dns" and .type == "MX" and .status == "secure"'
	assert_json_has '.kind == "dns" and .type == "TLSA" and .status == "bogus"
		and (.why_bogus | type == "string" and length > 0)'
	assert_finding dnssec-bogus
	assert_no_finding dane-match
}

test_dns_bogus_mx_answer_is_not_used_and_exits_3() {
	dns_lab_start
	dns_mx "smtp://badmx.test:$STARTLE_SMTP_PORT"
	assert_exit 3
	assert_finding dnssec-bogus
	assert_json_lacks '.kind == "connect"'
	assert_json_has '.kind == "error" and matches("bogus")'
}

test_dns_expired_signatures_are_bogus_and_not_used() {
	dns_lab_start
	dns_mx "smtp://expired.test:$STARTLE_SMTP_PORT"
	assert_exit 3
	assert_json_has '.kind == "dns" and .type == "MX" and .status == "bogus"
		and (.why_bogus | test("expired"))'
	assert_finding dnssec-bogus
	assert_json_lacks '.kind == "connect"'
}

test_dns_implicit_mx_uses_the_domain_itself() {
	dns_lab_start
	dns_mx "smtp://implicit.test:$STARTLE_SMTP_PORT" --require-dane
	assert_exit 0
	assert_json_has '.kind == "note" and matches("implicit MX, RFC 5321")'
	assert_json_has '.kind == "note" and matches("^MX host 1: 0 implicit.test: 127.0.0.1")'
	assert_finding dane-match
}

test_dns_text_output_lists_dns_answers_and_the_verdict() {
	dns_lab_start
	run_startle --batch --mx --dns-config unbound.conf "good.test:$STARTLE_SMTP_PORT"
	assert_exit 0
	assert_lines_in_order \
		'^== DNS MX good\.test: secure, NOERROR, 2 records \([0-9.]+ ms\): [12]0 mx[12]\.good\.test\.; [12]0 mx[12]\.good\.test\.$' \
		'^== MX host 1: 10 mx1\.good\.test' \
		'^== DNS TLSA _[0-9]+\._tcp\.mx1\.good\.test: secure' \
		'^<- +220 ' \
		'^i +\[dane-match\] DANE: DANE-authenticated: TLSA record 1 \(3 1 1, DANE-EE\)' \
		'^== publish: _[0-9]+\._tcp\.mx1\.good\.test\. IN TLSA 3 1 1 [0-9a-f]{64}'
}

test_dns_dead_resolver_fails_within_the_dns_deadline() {
	dns_lab_start
	dns_unbound_conf "127.0.0.1@$(free_port)" >dead.conf
	run_startle --batch --mx --dns-config dead.conf "smtp://good.test:$STARTLE_SMTP_PORT"
	assert_exit 3
	# libunbound gives up on a silent server (SERVFAIL) or our deadline
	# ends the query: either way, within the bound.
	assert_matches '^\*\* (the DNS resolver did not answer good\.test MX within 5\.0 s|the MX lookup of good\.test failed: SERVFAIL)'
	[ "$IT_ELAPSED_MS" -lt 8000 ] || fail "a dead resolver took ${IT_ELAPSED_MS} ms (bound: 5 s)"
	run_startle --batch --mx --timeout 1 --dns-config dead.conf "smtp://good.test:$STARTLE_SMTP_PORT"
	assert_exit 3
	[ "$IT_ELAPSED_MS" -lt 3000 ] || fail "--timeout 1: a dead resolver took ${IT_ELAPSED_MS} ms"
}

test_dns_missing_dns_config_is_a_usage_error() {
	run_startle --batch --mx --dns-config "$IT_TEST_DIR/none.conf" good.test
	assert_exit 2
	assert_stderr_matches 'none\.conf.*cannot be read'
}

test_dns_unusable_dns_config_is_a_usage_error_before_connecting() {
	printf 'server:\n  no-such-option: 1\n' >bad.conf
	run_startle --batch --json --mx --dns-config bad.conf "smtp://good.test:$STARTLE_SMTP_PORT"
	assert_exit 2
	assert_json_has '.kind == "error" and matches("bad\\.conf: is not a usable unbound\\.conf-style file")'
	assert_json_lacks '.kind == "connect"'
}

test_dns_mta_sts_enforce_policy_matches_the_mx_host_and_its_certificate() {
	sts_lab_start policy
	sts_mx --require-mta-sts
	assert_exit 0
	assert_json_lines
	assert_json_has '.kind == "dns" and .type == "TXT" and .name == "_mta-sts.sts.test"
		and .status == "secure" and (.records | index("\"v=STSv1; id=20261203T1;\"") != null)'
	assert_json_has ".kind == \"policy\" and .policy == \"mta-sts\" and .domain == \"sts.test\"
		and .status == \"enforce\" and .id == \"20261203T1\" and .http_status == 200
		and .url == \"https://mta-sts.sts.test:$STS_PORT/.well-known/mta-sts.txt\"
		and .mode == \"enforce\" and .max_age == 604800 and .mx == [\"mail.test\", \"*.sts.test\"]
		and (.content_type | startswith(\"text/plain\")) and .bytes == ${#STS_POLICY}"
	assert_json_has '.kind == "note" and matches("^MTA-STS: mail.test matches the policy.s mx pattern mail.test$")'
	assert_finding mta-sts-match
	assert_no_finding mta-sts-mismatch
	assert_json_has 'finding("mta-sts-match") and matches("MTA-STS \\(enforce\\): mail.test matches mail.test and its certificate verifies and names it: an enforcing sender delivers to it")'
	assert_json 'before(.kind == "policy"; .kind == "connect")'
}

test_dns_mta_sts_enforce_policy_without_the_mx_host_is_a_mismatch() {
	sts_lab_start policy $'version: STSv1\nmode: enforce\nmx: mx.elsewhere.test\nmax_age: 86400\n'
	sts_mx
	assert_exit 0
	assert_json_has '.kind == "policy" and .status == "enforce" and .mx == ["mx.elsewhere.test"]'
	assert_json_has '.kind == "note" and matches("^MTA-STS: mail.test matches none of the policy.s 1 mx pattern$")'
	assert_finding mta-sts-mismatch
	assert_no_finding mta-sts-match
	assert_json_has 'finding("mta-sts-mismatch") and .severity == "danger"
		and matches("mail.test matches none of the policy.s mx patterns: an enforcing sender does not deliver to mail.test")'
	sts_mx --require-mta-sts
	assert_exit 1
	assert_json_has '.kind == "error" and matches("^--require-mta-sts: MTA-STS \\(enforce\\): mail.test matches none")'
}

test_dns_mta_sts_certificate_not_naming_the_mx_host_is_a_mismatch() {
	sts_lab_start policy
	sts_mx --mx-host 2 --require-mta-sts
	assert_exit 1
	assert_json_has '.kind == "note" and matches("^MTA-STS: mx2.sts.test matches the policy.s mx pattern \\*.sts.test$")'
	assert_json_has 'finding("mta-sts-mismatch") and matches("mx2.sts.test matches \\*.sts.test but the certificate does not name mx2.sts.test")'
}

test_dns_mta_sts_testing_mode_reports_and_delivers() {
	sts_lab_start policy $'version: STSv1\nmode: testing\nmx: other.test\nmax_age: 86400\n'
	sts_mx
	assert_exit 0
	assert_json_has '.kind == "policy" and .status == "testing" and .mode == "testing"'
	assert_json_has 'finding("mta-sts-testing") and .severity == "warn"
		and matches("MTA-STS \\(testing\\): mail.test matches none of the policy.s mx patterns; senders deliver either way and report failures \\(TLS-RPT\\)")'
	assert_no_finding mta-sts-mismatch
	sts_mx --require-mta-sts
	assert_exit 1
}

test_dns_mta_sts_mode_none_withdraws_the_policy() {
	sts_lab_start policy $'version: STSv1\nmode: none\nmax_age: 86400\n'
	sts_mx
	assert_exit 0
	assert_json_has '.kind == "policy" and .status == "none" and .mode == "none" and .mx == []'
	assert_finding mta-sts-none
	assert_no_finding mta-sts-match
}

test_dns_mta_sts_enforce_policy_without_mx_is_invalid() {
	sts_lab_start policy $'version: STSv1\nmode: enforce\nmax_age: 86400\n'
	sts_mx --require-mta-sts
	assert_exit 1
	assert_json_has '.kind == "policy" and .status == "invalid" and .mode == null and .http_status == 200
		and .why == "the policy is invalid: mode enforce but no mx line: no MX host could match"'
	assert_finding mta-sts-invalid
	assert_no_finding mta-sts-match
	assert_no_finding mta-sts-mismatch
}

test_dns_mta_sts_record_without_a_policy_is_invalid() {
	sts_lab_start not-found
	sts_mx
	assert_exit 0
	assert_json_has '.kind == "policy" and .status == "invalid" and .http_status == 404
		and (.why | test("^HTTP 404: only 200 gives a policy"))'
	assert_finding mta-sts-invalid
	# No server at all on the policy port: the fetch fails, in words.
	STS_PORT=$(free_port)
	sts_mx
	assert_exit 0
	assert_json_has '.kind == "policy" and .status == "invalid" and .http_status == null
		and (.why | test("^the policy could not be fetched: .*127\\.0\\.0\\.1"))'
	assert_finding mta-sts-invalid
}

test_dns_mta_sts_redirect_is_refused() {
	sts_lab_start redirect
	sts_mx
	assert_exit 0
	assert_json_has '.kind == "policy" and .status == "invalid" and .http_status == 301
		and .why == "HTTP 301 redirect to https://mta-sts.sts.test/moved/mta-sts.txt refused: RFC 8461 §3.3 forbids following redirects"'
	assert_finding mta-sts-invalid
	# The lab saw one request: the redirect was not followed.
	[ "$(grep -c 'C: GET ' sts-lab.out)" = 1 ] || fail "the policy host saw $(grep -c 'C: GET ' sts-lab.out) requests" - <sts-lab.out
}

test_dns_mta_sts_wrong_content_type_is_refused() {
	sts_lab_start wrong-type
	sts_mx
	assert_exit 0
	assert_json_has '.kind == "policy" and .status == "invalid" and .http_status == 200
		and .content_type == "text/html" and (.why | test("served as \"text/html\", not text/plain"))'
	assert_finding mta-sts-invalid
}

test_dns_mta_sts_oversize_policy_is_refused() {
	sts_lab_start oversize
	sts_mx
	assert_exit 0
	assert_json_has '.kind == "policy" and .status == "invalid" and .http_status == 200
		and .why == "the policy is longer than 64 KiB: senders stop reading it"'
	assert_finding mta-sts-invalid
}

test_dns_mta_sts_chunked_policy_is_read() {
	sts_lab_start chunked
	sts_mx --require-mta-sts
	assert_exit 0
	assert_json_has ".kind == \"policy\" and .status == \"enforce\" and .bytes == ${#STS_POLICY}"
	assert_finding mta-sts-match
}

test_dns_mta_sts_policy_host_certificate_must_verify() {
	sts_lab_start policy
	# Only the harness's CA: the lab's policy host is not trusted.
	dns_mx --mta-sts-port "$STS_PORT" --cafile "$STARTLE_IT_CA" "smtp://sts.test:$STARTLE_SMTP_PORT"
	assert_exit 0
	assert_json_has '.kind == "policy" and .status == "invalid" and .http_status == null
		and (.why | test("the certificate of mta-sts.sts.test does not verify"))'
	assert_finding mta-sts-invalid
	# Nothing was asked of a host that was not trusted.
	! grep -q 'C: GET ' sts-lab.out || fail "startle sent a request to an untrusted host" - <sts-lab.out
}

test_dns_mta_sts_stalled_policy_host_fails_within_the_deadline() {
	sts_lab_start stall
	sts_mx --timeout 1
	assert_exit 0
	assert_json_has '.kind == "policy" and .status == "invalid"
		and (.why | test("no answer to the request within 1.0 s"))'
	[ "$IT_ELAPSED_MS" -lt 4000 ] || fail "a stalled policy host took ${IT_ELAPSED_MS} ms (bound: 1 s)"
}

test_dns_tls_rpt_record_is_shown() {
	sts_lab_start policy
	sts_mx
	assert_exit 0
	assert_json_has '.kind == "dns" and .type == "TXT" and .name == "_smtp._tls.sts.test"
		and .records == ["\"v=TLSRPTv1; rua=mailto:tls-reports@sts.test\""]'
	assert_json_has '.kind == "policy" and .policy == "tls-rpt" and .status == "present"
		and .rua == ["mailto:tls-reports@sts.test"]'
	assert_json_has '.kind == "note" and matches("^  TLS-RPT: senders report TLS failures \\(RFC 8460\\) to mailto:tls-reports@sts.test$")'
	# good.test publishes neither.
	dns_mx "smtp://good.test:$STARTLE_SMTP_PORT"
	assert_json_has '.kind == "policy" and .policy == "tls-rpt" and .status == "absent" and .rua == []'
}

test_dns_no_mta_sts_record_means_no_policy_and_fails_require_mta_sts() {
	dns_lab_start
	dns_mx "smtp://good.test:$STARTLE_SMTP_PORT" --require-mta-sts
	assert_exit 1
	assert_json_has '.kind == "dns" and .type == "TXT" and .name == "_mta-sts.good.test" and .rcode == "NXDOMAIN"'
	assert_json_has '.kind == "policy" and .policy == "mta-sts" and .status == "absent" and .url == null'
	assert_json_has '.kind == "error" and matches("^--require-mta-sts: good.test publishes no MTA-STS policy$")'
	assert_no_finding mta-sts-invalid
}

test_dns_mta_sts_text_output_gives_the_reasoning() {
	sts_lab_start policy
	run_startle --batch --mx --dns-config unbound.conf --mta-sts-port "$STS_PORT" \
		--cafile bundle.pem "sts.test:$STARTLE_SMTP_PORT"
	assert_exit 0
	assert_lines_in_order \
		'^== DNS TXT _mta-sts\.sts\.test: secure, NOERROR, 2 records' \
		'^== MTA-STS: GET https://mta-sts\.sts\.test:[0-9]+/\.well-known/mta-sts\.txt at 127\.0\.0\.1: TLSv1\.[23], certificate verified for mta-sts\.sts\.test; HTTP 200 text/plain; charset=utf-8, [0-9]+ bytes' \
		'^== MTA-STS policy of sts\.test: mode enforce, max_age 604800, 2 mx patterns \(id 20261203T1\)$' \
		'^== MTA-STS: mail\.test matches the policy.s mx pattern mail\.test$' \
		'^== TLS-RPT of sts\.test: reports go to mailto:tls-reports@sts\.test$' \
		'^<- +220 ' \
		'^i +\[mta-sts-match\] MTA-STS \(enforce\): ' \
		'^== how a sending server reasons about sts\.test:$' \
		'^==   MX: 1\. 10 mail\.test: 127\.0\.0\.1 \(addresses secure\) <- this connection$' \
		'^==   DANE: DANE-authenticated' \
		'^==   MTA-STS: policy: mode enforce, max_age 604800 s, mx mail\.test, \*\.sts\.test$' \
		'^==   TLS-RPT: ' \
		'^==   sender: a DANE sender delivers to mail\.test' \
		'^==   sender: an MTA-STS sender delivers to mail\.test$' \
		'^==   sender: stripping STARTTLS gains an attacker nothing here: a sender applying DANE or MTA-STS refuses'
}
