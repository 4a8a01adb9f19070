# --mx against a DNSSEC-signed test zone served by nsd on loopback: MX hosts,
# DNSSEC status, DANE verdicts, --require-dane and a dead resolver. Zones are
# signed at test time (signatures expire). The MX hosts point at 127.0.0.1,
# where the harness's Postfix listens on $STARTLE_SMTP_PORT, so the TLSA
# names are _$STARTLE_SMTP_PORT._tcp.HOST.

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
# bogus, badmx, expired (signed, with DS; expired's signatures ended in 2024)
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
	dns_zone expired.test <<<$'@ IN MX 10 mx\nmx IN A 127.0.0.1'
	dns_zone insecure.test <<-EOF
		@ IN MX 10 mx
		mx IN A 127.0.0.1
		_$p._tcp.mx IN TLSA 3 1 1 $leaf
	EOF
	cp insecure.test.zone insecure.test.zone.signed
	for z in good ta notlsa implicit bogus badmx; do
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
		$(for z in good ta notlsa implicit bogus badmx expired insecure; do echo "$z IN NS ns.test."; done)
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
			expired.test insecure.test; do
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
