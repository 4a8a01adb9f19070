# startle against its own lab server: every scenario, for each protocol (and
# TLS mode) it applies to, shows the finding it exists to teach; real clients
# (openssl s_client, swaks) work against the honest lab; the startle-lab
# command line behaves. STARTLE_LAB is set by `make integration`.

LAB_NAME=mail.startle.test

lab_need() {
	if [ -z "${STARTLE_LAB:-}" ] || [ ! -x "$STARTLE_LAB" ]; then
		it_skip "STARTLE_LAB is not an executable file (make integration sets it)"
	fi
}

# lab_start PROTO SCENARIO [startle-lab options...]
# Starts a lab on a free port (--port 0) and waits for its "listening on" line
# (no probe connection: each connection costs the lab a child). Sets LAB_PID,
# LAB_PORT, LAB_CA (written with --write-ca) and LAB_LOG (its output).
lab_start() {
	local proto=$1 scenario=$2 i
	shift 2
	lab_need
	LAB_RUN=$((${LAB_RUN:-0} + 1))
	LAB_LOG=$IT_TEST_DIR/lab.$LAB_RUN.out
	LAB_CA=$IT_TEST_DIR/lab-ca.$LAB_RUN.pem
	"$STARTLE_LAB" --proto "$proto" --scenario "$scenario" --port 0 --write-ca "$LAB_CA" \
		"$@" >"$LAB_LOG" 2>&1 </dev/null &
	LAB_PID=$!
	it_kill_at_exit "$LAB_PID"
	for ((i = 0; i < 100; i++)); do
		LAB_PORT=$(grep -m 1 -oE '^listening on 127\.0\.0\.1:[0-9]+' "$LAB_LOG" | sed 's/.*://')
		[ -n "$LAB_PORT" ] && return 0
		if ! kill -0 "$LAB_PID" 2>/dev/null; then
			fail "startle-lab --proto $proto --scenario $scenario $* exited before listening" - <"$LAB_LOG"
		fi
		sleep 0.1
	done
	fail "startle-lab --proto $proto --scenario $scenario $* did not say where it listens within 10 s" - <"$LAB_LOG"
}

# Stops the lab; a sanitizer report in its output fails the test.
lab_stop() {
	kill -TERM "$LAB_PID" 2>/dev/null
	wait "$LAB_PID" 2>/dev/null
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' \
		"$LAB_LOG"; then
		fail "startle-lab reported a sanitizer error" - <"$LAB_LOG"
	fi
}

# lab_target PROTO MODE: the startle target for the running lab (MODE
# explicit or implicit).
lab_target() {
	if [ "$2" = implicit ]; then
		echo "${1}s://127.0.0.1:$LAB_PORT"
	else
		echo "$1://127.0.0.1:$LAB_PORT"
	fi
}

# lab_probe PROTO MODE [startle options...]: startle's default probe, JSON,
# trusting the lab's CA for its host name.
lab_probe() {
	local proto=$1 mode=$2
	shift 2
	run_startle --batch --json --cafile "$LAB_CA" --servername "$LAB_NAME" \
		"$(lab_target "$proto" "$mode")" "$@"
}

# lab_scenario_run PROTO MODE SCENARIO [startle options...]: a lab for one
# probe; the lab's log is complete (its session closed) when this returns.
lab_scenario_run() {
	local proto=$1 mode=$2 scenario=$3 implicit=()
	shift 3
	[ "$mode" = implicit ] && implicit=(--implicit)
	lab_start "$proto" "$scenario" "${implicit[@]}"
	lab_probe "$proto" "$mode" "$@"
	wait_log "$LAB_LOG" 0 '#1 closed' 10
	lab_stop
}

# The client lines the lab received (without the IMAP tag), one a line.
lab_client_commands() {
	sed -n 's/^[0-9:.]* #[0-9]* C: //p' "$LAB_LOG" |
		if [ "$1" = imap ]; then sed 's/^[^ ]* //'; else cat; fi
}

# Under --require-tls nothing but the capability command and STARTTLS may
# reach the server in plaintext.
assert_lab_got_only_capa_and_starttls() {
	local proto=$1 other
	other=$(lab_client_commands "$proto" | grep -viE '^(EHLO .*|CAPABILITY|CAPA|STARTTLS|STLS)$')
	if [ -n "$other" ]; then
		{
			echo "$other"
			echo "--- lab log"
			cat "$LAB_LOG"
		} | fail "the lab received more than capability and STARTTLS commands in plaintext" -
	fi
}

assert_no_danger() {
	assert_json_lacks '.kind == "finding" and .severity == "danger"'
}

assert_verified() {
	assert_json_has '.kind == "tls" and has("verified") and .verified == true and .name_match == true'
}

assert_reached_tls() {
	assert_json_has '.kind == "tls" and (.version | type == "string")'
	assert_json_has 'line("tls"; "server")'
}

assert_never_tls() {
	assert_json_lacks '.phase == "tls"'
	assert_json_lacks '.kind == "tls" and has("version")'
}

test_lab_honest_verifies_with_no_danger_findings_for_every_protocol_and_mode() {
	local proto mode
	for proto in smtp imap pop3; do
		for mode in explicit implicit; do
			lab_scenario_run "$proto" "$mode" honest
			assert_exit 0
			assert_json_lines
			assert_no_danger
			assert_verified
			assert_reached_tls
		done
	done
}

test_lab_honest_offers_login_only_inside_tls() {
	lab_scenario_run smtp explicit honest
	assert_json_lacks 'line("plain"; "server") and matches("^250[- ]AUTH")'
	assert_json_has 'line("tls"; "server") and matches("^250[- ]AUTH PLAIN LOGIN$")'
	lab_scenario_run imap explicit honest
	assert_json_has 'line("plain"; "server") and matches("LOGINDISABLED")'
	assert_json_has 'line("tls"; "server") and matches("^\\* CAPABILITY IMAP4rev1 AUTH=PLAIN$")'
	lab_scenario_run pop3 explicit honest
	assert_json_lacks 'line("plain"; "server") and .text == "USER"'
	assert_json_has 'line("tls"; "server") and .text == "USER"'
}

test_lab_strip_is_starttls_not_offered() {
	local proto
	for proto in smtp imap pop3; do
		lab_scenario_run "$proto" explicit strip
		assert_exit 0
		assert_json_lines
		assert_finding starttls-not-offered
		assert_never_tls
	done
}

test_lab_strip_under_require_tls_exits_1_having_sent_only_capability() {
	local proto
	for proto in smtp imap pop3; do
		lab_scenario_run "$proto" explicit strip --require-tls
		assert_exit 1
		assert_finding starttls-not-offered
		assert_lab_got_only_capa_and_starttls "$proto"
		assert_json_lacks 'line("plain"; "client") and imatches("LOGIN|AUTH|USER|PASS")'
	done
}

test_lab_refuse_is_starttls_refused() {
	local proto
	for proto in smtp imap pop3; do
		lab_scenario_run "$proto" explicit refuse
		assert_exit 0
		assert_finding starttls-refused
		assert_never_tls
	done
}

test_lab_refuse_under_require_tls_exits_1_having_sent_only_capability_and_starttls() {
	local proto
	for proto in smtp imap pop3; do
		lab_scenario_run "$proto" explicit refuse --require-tls
		assert_exit 1
		assert_finding starttls-refused
		assert_lab_got_only_capa_and_starttls "$proto"
	done
}

test_lab_inject_is_starttls_injection_and_tls_still_completes() {
	local proto injected
	for proto in smtp imap pop3; do
		case $proto in
		smtp) injected='250-INJECTED' ;;
		imap) injected='* CAPABILITY IMAP4rev1 AUTH=PLAIN' ;;
		pop3) injected='+OK injected' ;;
		esac
		lab_scenario_run "$proto" explicit inject
		assert_exit 0
		assert_finding starttls-injection
		assert_reached_tls
		assert_verified
		# The discarded bytes are shown, and nothing of them was taken as a reply.
		assert_json_has ".kind == \"note\" and .dir == \"server\" and (.text | contains(\"$injected\"))"
		assert_json_lacks "line(\"plain\"; \"server\") and (.text | contains(\"$injected\"))"
	done
}

test_lab_partial_is_starttls_injection_and_tls_still_completes() {
	local proto
	for proto in smtp imap pop3; do
		lab_scenario_run "$proto" explicit partial
		assert_exit 0
		assert_finding starttls-injection
		assert_json_has '.kind == "note" and .dir == "server" and matches("inj$")'
		assert_reached_tls
	done
}

test_lab_preauth_is_preauth_plaintext() {
	lab_scenario_run imap explicit preauth
	assert_finding preauth-plaintext
	assert_json_has 'line("plain"; "server") and matches("^\\* PREAUTH ")'
	assert_never_tls
}

test_lab_preauth_under_require_tls_exits_1_having_sent_nothing_else() {
	lab_scenario_run imap explicit preauth --require-tls
	assert_exit 1
	assert_finding preauth-plaintext
	assert_lab_got_only_capa_and_starttls imap
}

test_lab_preauth_is_refused_at_start_for_smtp_and_pop3() {
	local proto
	lab_need
	for proto in smtp pop3; do
		"$STARTLE_LAB" --proto "$proto" --scenario preauth --port 0 >"$IT_TEST_DIR/out" \
			2>"$IT_TEST_DIR/err" </dev/null
		IT_RC=$?
		IT_STDOUT=$IT_TEST_DIR/out IT_STDERR=$IT_TEST_DIR/err
		assert_exit 2
		assert_stderr_matches 'preauth.*imap'
		assert_stderr_matches '^usage:'
	done
}

test_lab_still_offered_is_starttls_still_offered() {
	local proto mode
	for proto in smtp imap pop3; do
		for mode in explicit implicit; do
			lab_scenario_run "$proto" "$mode" still-offered
			assert_exit 0
			assert_finding starttls-still-offered
		done
	done
}

test_lab_caps_change_is_caps_changed_after_tls_with_the_extra_keyword() {
	lab_scenario_run smtp explicit caps-change
	assert_exit 0
	assert_finding caps-changed-after-tls
	assert_json_has 'finding("caps-changed-after-tls") and matches("SMTPUTF8")'
	lab_scenario_run imap explicit caps-change
	assert_finding caps-changed-after-tls
	assert_json_has 'line("tls"; "server") and matches("^\\* CAPABILITY .* ID UNSELECT$")'
	lab_scenario_run pop3 explicit caps-change
	assert_finding caps-changed-after-tls
	assert_json_has 'line("tls"; "server") and .text == "IMPLEMENTATION startle-lab"'
}

test_lab_escape_is_control_chars_and_json_stays_valid() {
	local proto mode
	for proto in smtp imap pop3; do
		for mode in explicit implicit; do
			lab_scenario_run "$proto" "$mode" escape
			assert_exit 0
			assert_json_lines
			assert_finding control-chars
			assert_json_has '.kind == "line" and .dir == "server" and (.text | contains("\u001b"))'
		done
	done
}

test_lab_escape_in_text_mode_shows_no_raw_control_byte() {
	lab_start smtp escape
	run_startle --batch --cafile "$LAB_CA" --servername "$LAB_NAME" "$(lab_target smtp explicit)"
	lab_stop
	assert_exit 0
	assert_contains '\x1b'
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$IT_STDOUT"; then
		it_show_run | fail "startle's text output carries a raw control byte" -
	fi
}

test_lab_escape_log_shows_no_raw_control_byte() {
	lab_scenario_run pop3 explicit escape
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$LAB_LOG"; then
		fail "the lab's log carries a raw control byte" - <"$LAB_LOG"
	fi
	grep -qF '\x1b]0;' "$LAB_LOG" || fail "the lab's log does not show the escape sequence escaped" - <"$LAB_LOG"
}

test_lab_slow_still_works_within_the_timeout() {
	local proto
	for proto in smtp imap pop3; do
		lab_start "$proto" slow --slow-ms 300
		lab_probe "$proto" explicit --timeout 5
		lab_stop
		assert_exit 0
		assert_reached_tls
		assert_verified
		[ "$IT_ELAPSED_MS" -ge 300 ] || fail "the slow lab answered in $IT_ELAPSED_MS ms, before its 300 ms delay"
	done
}

test_lab_slow_greeting_beyond_the_timeout_exits_3() {
	lab_start pop3 slow --slow-ms 3000
	lab_probe pop3 explicit --timeout 1
	lab_stop
	assert_exit 3
	assert_json_lines
	assert_json_has '.kind == "error" and imatches("greeting")'
}

test_lab_garbage_handshake_exits_5() {
	local proto mode
	for proto in smtp imap pop3; do
		for mode in explicit implicit; do
			lab_scenario_run "$proto" "$mode" garbage-handshake
			assert_exit 5
			assert_json_lines
			assert_json_lacks 'line("tls"; "server")'
		done
	done
}

test_lab_close_mid_handshake_exits_5() {
	local proto mode
	for proto in smtp imap pop3; do
		for mode in explicit implicit; do
			lab_scenario_run "$proto" "$mode" close-mid-handshake
			assert_exit 5
			assert_json_lacks 'line("tls"; "server")'
		done
	done
}

# The lab cuts its first capability reply inside TLS and closes without
# close_notify: startle cannot tell a truncation from an end, and says so.
test_lab_no_close_notify_is_eof_without_close_notify() {
	local proto mode
	for proto in smtp imap pop3; do
		for mode in explicit implicit; do
			lab_scenario_run "$proto" "$mode" no-close-notify
			assert_exit 3
			assert_finding eof-without-close-notify
			assert_json_has 'finding("eof-without-close-notify") and .phase == "tls"'
			assert_json_has 'line("tls"; "server")'
		done
	done
}

test_lab_tls12_only_negotiates_tls_1_2() {
	local proto mode
	for proto in smtp imap pop3; do
		for mode in explicit implicit; do
			lab_scenario_run "$proto" "$mode" tls12-only
			assert_exit 0
			assert_json_has '.kind == "tls" and .version == "TLSv1.2"'
			assert_json_lacks '.kind == "tls" and .version == "TLSv1.3"'
		done
	done
}

test_lab_certificate_scenarios_show_their_verdicts() {
	local proto mode
	for proto in smtp imap pop3; do
		for mode in explicit implicit; do
			lab_scenario_run "$proto" "$mode" expired
			assert_exit 0
			assert_finding cert-expired
			assert_json_has '.kind == "tls" and has("verified") and .verified == false'
			lab_scenario_run "$proto" "$mode" wrong-host
			assert_exit 0
			assert_finding cert-name-mismatch
			assert_json_has '.kind == "tls" and has("name_match") and .name_match == false'
			lab_scenario_run "$proto" "$mode" self-signed
			assert_exit 0
			assert_finding cert-self-signed
		done
	done
}

test_lab_certificate_scenarios_fail_under_verify() {
	local scenario
	for scenario in expired wrong-host self-signed; do
		lab_scenario_run smtp explicit "$scenario" --verify
		assert_exit 1
	done
}

# The stapled OCSP response on the verdict event, in this build.
lab_ocsp_need() {
	"$STARTLE" -V | grep -q "stapled OCSP responses handed to startle" ||
		it_skip "this startle's wolfSSL does not hand stapled OCSP responses to it (WOLFSSL=system)"
}

test_lab_honest_staples_a_good_ocsp_response_with_its_dates() {
	local mode max
	lab_ocsp_need
	for mode in explicit implicit; do
		for max in 1.2 1.3; do
			lab_scenario_run smtp "$mode" honest --tls-max "$max"
			assert_exit 0
			assert_json_has '.kind == "tls" and .ocsp.status == "good" and .ocsp.verified == true
				and .ocsp.problem == null and .ocsp.signer == "the issuer"
				and .ocsp.responder == "CN=startle lab CA, O=startle lab"
				and (.ocsp.produced_at | fromdate) <= now
				and (.ocsp.this_update | fromdate) <= now
				and (.ocsp.next_update | fromdate) > now
				and .ocsp.revoked_at == null and .ocsp.bytes > 100'
			assert_json_has '.kind == "note" and (.text | startswith("stapled OCSP response: good, signed by the issuer, until "))'
			assert_json_lacks '.kind == "finding" and (.id | startswith("ocsp-"))'
		done
	done
}

test_lab_honest_staple_is_read_even_when_the_chain_is_not_trusted() {
	lab_ocsp_need
	lab_start smtp honest
	run_startle --batch --json --tls-max 1.2 "$(lab_target smtp explicit)"
	lab_stop
	assert_exit 0
	assert_finding cert-untrusted
	assert_json_has '.kind == "tls" and .verified == false and .ocsp.status == "good" and .ocsp.verified == true'
}

test_lab_ocsp_revoked_is_found_and_the_exit_is_that_of_a_finding() {
	local max
	lab_ocsp_need
	for max in 1.2 1.3; do
		lab_scenario_run smtp explicit ocsp-revoked --tls-max "$max"
		assert_exit 0
		assert_finding ocsp-revoked
		assert_json_has '.kind == "finding" and .id == "ocsp-revoked" and .severity == "danger"'
		assert_json_has '.kind == "tls" and .verified == true and .ocsp.status == "revoked"
			and .ocsp.verified == true and .ocsp.reason == "keyCompromise"
			and (.ocsp.revoked_at | fromdate) < now'
	done
	lab_scenario_run smtp explicit ocsp-revoked --fail-on danger
	assert_exit 1
	assert_finding ocsp-revoked
	lab_scenario_run imap implicit ocsp-revoked --verify
	assert_exit 1
	assert_finding ocsp-revoked
}

test_lab_ocsp_revoked_holds_the_credential_back() {
	lab_ocsp_need
	lab_start imap ocsp-revoked
	run_startle --batch --json --cafile "$LAB_CA" --servername "$LAB_NAME" \
		"$(lab_target imap explicit)" --starttls -c 'LOGIN demo demo'
	lab_stop
	assert_exit 1
	assert_finding ocsp-revoked
	assert_finding credential-withheld
	assert_json_lacks '(.text // "") | test("demo demo")'
}

test_lab_must_staple_without_a_staple_is_ocsp_missing() {
	lab_ocsp_need
	lab_scenario_run smtp explicit must-staple
	assert_exit 0
	assert_finding ocsp-missing
	assert_json_has '.kind == "cert" and .depth == 0 and .must_staple == true'
	assert_json_has '.kind == "tls" and .ocsp.status == "none" and .ocsp.must_staple == true'
	lab_scenario_run smtp explicit honest
	assert_json_has '.kind == "cert" and .depth == 0 and .must_staple == false'
	assert_no_finding ocsp-missing
}

# lab_client_cert_start PROTO [startle-lab options...]: the client-cert
# scenario with a client certificate written for it; sets LAB_CLIENT_CERT and
# LAB_CLIENT_KEY.
lab_client_cert_start() {
	local proto=$1
	shift
	mkdir -p "$IT_TEST_DIR/client"
	lab_start "$proto" client-cert --write-client-cert "$IT_TEST_DIR/client" "$@"
	LAB_CLIENT_CERT=$IT_TEST_DIR/client/client.pem
	LAB_CLIENT_KEY=$IT_TEST_DIR/client/client.key
}

test_lab_writes_a_private_client_certificate_its_ca_issued() {
	lab_client_cert_start smtp
	lab_stop
	grep -qF "client certificate: $LAB_CLIENT_CERT, its key $LAB_CLIENT_KEY" "$LAB_LOG" ||
		fail "startle-lab does not say where the client certificate is" - <"$LAB_LOG"
	[ "$(stat -c %a "$LAB_CLIENT_KEY")" = 600 ] || fail "the client key is not 0600"
	[ "$(stat -c %a "$LAB_CLIENT_CERT")" = 600 ] || fail "the client certificate is not 0600"
	openssl verify -CAfile "$LAB_CA" -purpose sslclient "$LAB_CLIENT_CERT" >"$IT_TEST_DIR/verify" 2>&1 ||
		fail "openssl does not verify the client certificate against the lab CA" - <"$IT_TEST_DIR/verify"
	[ "$(openssl x509 -in "$LAB_CLIENT_CERT" -noout -pubkey | openssl sha256)" = \
		"$(openssl pkey -in "$LAB_CLIENT_KEY" -pubout | openssl sha256)" ] ||
		fail "the client key does not belong to the client certificate"
}

test_lab_client_cert_with_the_right_certificate_succeeds() {
	local max
	for max in 1.2 1.3; do
		lab_client_cert_start smtp
		lab_probe smtp explicit --tls-max "$max" --cert "$LAB_CLIENT_CERT" --key "$LAB_CLIENT_KEY"
		wait_log "$LAB_LOG" 0 '#1 closed' 10
		lab_stop
		assert_exit 0
		assert_verified
		assert_reached_tls
		assert_json_has '.kind == "tls" and has("version") and .client_cert.requested == true
			and .client_cert.sent == true and .client_cert.subject == "CN=startle lab client, O=startle lab"'
		assert_json_has '.kind == "note" and .text == "the server asked for a client certificate (CertificateRequest); startle sent CN=startle lab client, O=startle lab (--cert)"'
	done
	# The key in the certificate's file, as s_client takes it.
	lab_client_cert_start imap --implicit
	cat "$LAB_CLIENT_CERT" "$LAB_CLIENT_KEY" >"$IT_TEST_DIR/both.pem"
	lab_probe imap implicit --cert "$IT_TEST_DIR/both.pem"
	lab_stop
	assert_exit 0
	assert_json_has 'line("tls"; "server") and matches("^\\* OK")'
	assert_json_lacks '(.text // "") | test("BEGIN|PRIVATE")'
}

test_lab_client_cert_without_a_certificate_fails_the_handshake_saying_why() {
	local max
	for max in 1.2 1.3; do
		lab_client_cert_start smtp
		lab_probe smtp explicit --tls-max "$max"
		lab_stop
		assert_exit 5
		assert_json_has '.kind == "error" and (.text | test("the server asked for a client certificate \\(CertificateRequest\\) and startle sent none: give one with --cert FILE --key FILE"))'
	done
	lab_client_cert_start pop3 --implicit
	lab_probe pop3 implicit
	lab_stop
	assert_exit 5
	assert_json_has '.kind == "error" and (.text | test("certificate_required \\(116\\)"))'
}

test_lab_honest_does_not_ask_for_a_client_certificate() {
	lab_client_cert_start smtp
	lab_stop
	lab_scenario_run smtp explicit honest --cert "$LAB_CLIENT_CERT" --key "$LAB_CLIENT_KEY"
	assert_exit 0
	assert_json_has '.kind == "tls" and has("version") and .client_cert.requested == false and .client_cert.sent == false'
	assert_json_has '.kind == "note" and (.text | startswith("the server did not ask for a client certificate"))'
}

test_lab_client_cert_with_a_wrong_key_is_a_usage_error_before_connecting() {
	lab_client_cert_start smtp
	openssl ecparam -name prime256v1 -genkey -noout -out "$IT_TEST_DIR/other.key" 2>/dev/null
	lab_probe smtp explicit --cert "$LAB_CLIENT_CERT" --key "$IT_TEST_DIR/other.key"
	assert_exit 2
	assert_stderr_matches "other\.key: is not the key of the certificate in .*client\.pem: give --key the key that belongs to --cert"
	assert_stdout_empty
	lab_probe smtp explicit --cert "$IT_TEST_DIR/missing.pem" --key "$LAB_CLIENT_KEY"
	assert_exit 2
	assert_stderr_matches "the certificate file .*missing\.pem: cannot be read"
	lab_stop
	# Nothing reached the lab: both were refused before connecting.
	! grep -q "#1 " "$LAB_LOG" || fail "startle connected although its files were wrong" - <"$LAB_LOG"
}

# openssl s_client, a client startle did not write, against the honest lab.
lab_openssl() {
	local mode=$1 proto=$2 line starttls=()
	shift 2
	[ "$mode" = explicit ] && starttls=(-starttls "$proto")
	{
		sleep 0.5
		for line in "$@"; do
			printf '%s\r\n' "$line"
			sleep 0.2
		done
		sleep 0.5
	} | timeout -k 2 15 openssl s_client "${starttls[@]}" -connect "127.0.0.1:$LAB_PORT" \
		-CAfile "$LAB_CA" -verify_return_error -servername "$LAB_NAME" \
		-verify_hostname "$LAB_NAME" -brief -ign_eof >"$IT_TEST_DIR/chat.raw" 2>&1
	IT_RC=${PIPESTATUS[1]}
	IT_CHAT=$(tr -d '\0\r' <"$IT_TEST_DIR/chat.raw")
}

test_lab_openssl_s_client_starttls_verifies_and_sees_the_tls_capabilities() {
	lab_start smtp honest
	lab_openssl explicit smtp "EHLO client.test" "QUIT"
	assert_chat_matches '^Verification: OK'
	assert_chat_matches '^250-AUTH PLAIN LOGIN'
	assert_chat_matches '^221 '
	lab_stop
	lab_start imap honest
	lab_openssl explicit imap "a CAPABILITY" "b LOGOUT"
	assert_chat_matches '^Verification: OK'
	assert_chat_matches '^\* CAPABILITY IMAP4rev1 AUTH=PLAIN$'
	lab_stop
	lab_start pop3 honest
	lab_openssl explicit pop3 "CAPA" "QUIT"
	assert_chat_matches '^Verification: OK'
	assert_chat_matches '^SASL PLAIN$'
	assert_chat_no_match '^STLS$'
	lab_stop
}

test_lab_openssl_s_client_implicit_verifies_and_sees_the_greeting() {
	local proto greeting
	for proto in smtp imap pop3; do
		case $proto in
		smtp) greeting='^220 mail\.startle\.test ESMTP' ;;
		imap) greeting='^\* OK \[CAPABILITY IMAP4rev1 AUTH=PLAIN\]' ;;
		pop3) greeting='^\+OK startle-lab POP3 ready' ;;
		esac
		lab_start "$proto" honest --implicit
		case $proto in
		smtp) lab_openssl implicit "$proto" "QUIT" ;;
		imap) lab_openssl implicit "$proto" "a LOGOUT" ;;
		pop3) lab_openssl implicit "$proto" "QUIT" ;;
		esac
		assert_chat_matches '^Verification: OK'
		assert_chat_matches "$greeting"
		lab_stop
	done
}

test_lab_swaks_delivers_a_message_with_auth_inside_tls() {
	command -v swaks >/dev/null 2>&1 || it_skip "swaks is not installed"
	lab_start smtp honest
	timeout -k 2 30 swaks --tls -s 127.0.0.1 -p "$LAB_PORT" --tls-ca-path "$LAB_CA" \
		--tls-verify --tls-sni "$LAB_NAME" -a PLAIN -au demo -ap demo \
		--from sender@client.test --to demo@"$LAB_NAME" >"$IT_TEST_DIR/swaks.out" 2>&1
	IT_RC=$?
	IT_CHAT=$(tr -d '\r' <"$IT_TEST_DIR/swaks.out")
	[ "$IT_RC" -eq 0 ] || fail "swaks exited $IT_RC" - <"$IT_TEST_DIR/swaks.out"
	assert_chat_matches '^ ~> AUTH PLAIN '
	assert_chat_matches '^<~  235 2\.7\.0 '
	assert_chat_matches '^<~  250 2\.0\.0 Ok: queued'
	wait_log "$LAB_LOG" 0 '#1 closed'
	# The credentials reached the lab only after the handshake.
	assert_log_matches 'tls: TLSv1\.[23] '
	if ! awk '/ tls: TLSv1/ { tls = 1 } / C: AUTH / { exit !tls }' "$LAB_LOG"; then
		fail "the lab got AUTH before TLS" - <"$LAB_LOG"
	fi
	lab_stop
}

test_lab_list_scenarios_names_every_scenario_with_its_lesson() {
	local name
	lab_need
	"$STARTLE_LAB" --list-scenarios >"$IT_TEST_DIR/list" 2>&1 || fail "--list-scenarios failed" - <"$IT_TEST_DIR/list"
	for name in honest strip refuse inject partial preauth still-offered caps-change escape \
		slow flood garbage-handshake close-mid-handshake no-close-notify tls12-only expired \
		wrong-host self-signed ocsp-revoked must-staple client-cert; do
		grep -qE "^$name +[a-zA-Z]" "$IT_TEST_DIR/list" ||
			fail "--list-scenarios does not list $name with a lesson" - <"$IT_TEST_DIR/list"
	done
	[ "$(wc -l <"$IT_TEST_DIR/list")" -eq 21 ] || fail "--list-scenarios should print 21 lines" - <"$IT_TEST_DIR/list"
}

test_lab_bad_usage_is_one_sentence_and_the_usage_with_exit_2() {
	local args
	lab_need
	for args in "--scenario nope" "--proto gopher" "--port 70000" "--listen 0.0.0.0:2525" \
		"--implicit --scenario strip" "extra"; do
		# shellcheck disable=SC2086
		"$STARTLE_LAB" $args >"$IT_TEST_DIR/out" 2>"$IT_TEST_DIR/err" </dev/null
		IT_RC=$?
		IT_STDOUT=$IT_TEST_DIR/out IT_STDERR=$IT_TEST_DIR/err IT_CMD="startle-lab $args"
		if [ "$args" = "--listen 0.0.0.0:2525" ]; then
			# A wildcard is refused when the lab starts.
			assert_exit 1
			assert_stderr_matches 'every address'
		else
			assert_exit 2
			assert_stderr_matches '^usage: startle-lab'
			assert_stderr_matches '^startle-lab: '
		fi
	done
}

test_lab_prints_how_to_trust_its_temporary_ca_and_removes_it_on_sigterm() {
	local ca
	lab_need
	"$STARTLE_LAB" --proto imap --port 0 >"$IT_TEST_DIR/out" 2>&1 </dev/null &
	LAB_PID=$!
	it_kill_at_exit "$LAB_PID"
	wait_log "$IT_TEST_DIR/out" 0 '^listening on 127\.0\.0\.1:[0-9]+' 10
	assert_log_matches '^demo account: user demo, password demo'
	assert_log_matches '^try: startle --cafile [^ ]+ imap://127\.0\.0\.1:[0-9]+'
	ca=$(grep -m 1 -oE 'startle --cafile [^ ]+' "$IT_TEST_DIR/out" | awk '{print $3}')
	[ -s "$ca" ] || fail "the CA file $ca named in the output does not exist" - <"$IT_TEST_DIR/out"
	openssl x509 -in "$ca" -noout >/dev/null 2>&1 || fail "$ca is not a PEM certificate"
	kill -TERM "$LAB_PID"
	wait "$LAB_PID"
	IT_RC=$?
	[ "$IT_RC" -eq 0 ] || fail "startle-lab exited $IT_RC on SIGTERM, not 0" - <"$IT_TEST_DIR/out"
	[ ! -e "$ca" ] || fail "the temporary CA file $ca is still there after SIGTERM"
}

test_lab_sigint_stops_serving_and_exits_0() {
	lab_start pop3 honest
	kill -INT "$LAB_PID"
	wait "$LAB_PID"
	IT_RC=$?
	[ "$IT_RC" -eq 0 ] || fail "startle-lab exited $IT_RC on SIGINT, not 0" - <"$LAB_LOG"
	if timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$LAB_PORT" 2>/dev/null; then
		fail "the lab still accepts connections after SIGINT"
	fi
	# --write-ca names a file the user keeps.
	[ -s "$LAB_CA" ] || fail "the CA written with --write-ca was removed"
}

test_lab_ipv6_loopback_listen() {
	local port
	lab_need
	if ! grep -qE '^0{31}1 ' /proc/net/if_inet6 2>/dev/null; then
		it_skip "no IPv6 loopback (::1) on this machine"
	fi
	LAB_LOG=$IT_TEST_DIR/out6
	"$STARTLE_LAB" --proto smtp --listen '[::1]:0' --write-ca "$IT_TEST_DIR/ca6.pem" \
		>"$LAB_LOG" 2>&1 </dev/null &
	LAB_PID=$!
	it_kill_at_exit "$LAB_PID"
	wait_log "$LAB_LOG" 0 '^listening on \[::1\]:[0-9]+' 10
	port=$(grep -m 1 -oE '^listening on \[::1\]:[0-9]+' "$LAB_LOG" | sed 's/.*://')
	run_startle --batch --json --cafile "$IT_TEST_DIR/ca6.pem" "smtp://[::1]:$port"
	assert_exit 0
	assert_json_has '.kind == "tls" and has("verified") and .verified == true and .name_match == true'
	lab_stop
}

test_lab_proxy_strip_in_front_of_the_honest_lab_is_starttls_not_offered() {
	local pport i
	lab_start smtp honest
	pport=$(free_port)
	"$STARTLE_LAB" proxy --listen "127.0.0.1:$pport" --upstream "127.0.0.1:$LAB_PORT" \
		--proto smtp --attack strip >"$IT_TEST_DIR/proxy.out" 2>&1 </dev/null &
	local proxy_pid=$!
	it_kill_at_exit "$proxy_pid"
	wait_log "$IT_TEST_DIR/proxy.out" 0 "listening on 127\\.0\\.0\\.1:$pport" 10
	run_startle --batch --json --cafile "$LAB_CA" --servername "$LAB_NAME" "smtp://127.0.0.1:$pport"
	assert_finding starttls-not-offered
	assert_never_tls
	kill -TERM "$proxy_pid"
	wait "$proxy_pid"
	i=$?
	[ "$i" -eq 0 ] || fail "the proxy exited $i on SIGTERM" - <"$IT_TEST_DIR/proxy.out"
	lab_stop
}

test_lab_proxy_bad_usage_exits_2() {
	lab_need
	"$STARTLE_LAB" proxy --listen 127.0.0.1:1 --attack nope >"$IT_TEST_DIR/out" \
		2>"$IT_TEST_DIR/err" </dev/null
	IT_RC=$?
	IT_STDOUT=$IT_TEST_DIR/out IT_STDERR=$IT_TEST_DIR/err IT_CMD="startle-lab proxy ..."
	assert_exit 2
	assert_stderr_matches 'attack'
	assert_stderr_matches '^usage: startle-lab'
}

test_lab_ipv6_listens_in_brackets_and_an_unbracketed_one_is_refused() {
	local out rc=0
	lab_need
	out=$("$STARTLE_LAB" --listen ::1:0 2>&1 </dev/null) || rc=$?
	[ "$rc" -eq 2 ] || fail "--listen ::1:0 exited $rc: $out"
	[[ $out == *'IPv6 as [::1]:PORT'* ]] || fail "the message does not show the bracket form: $out"
	[[ $out != *'::0.1.0.0'* ]] || fail "::1:0 was read as an address: $out"
	if ! timeout 3 "$STARTLE_LAB" --listen '[::1]:0' --quiet >"$IT_TEST_DIR/v6" 2>&1 </dev/null; then
		:
	fi
	grep -qE '^listening on \[::1\]:[0-9]+' "$IT_TEST_DIR/v6" ||
		fail "[::1]:0 did not listen on ::1" - <"$IT_TEST_DIR/v6"
}

test_demo_with_a_scenario_that_does_not_fit_is_a_usage_error() {
	run_startle --demo smtp --scenario preauth --batch
	assert_exit 2
	assert_stderr_matches 'preauth scenario does not apply to SMTP'
	run_startle --demo pop3 --scenario strip --implicit --batch
	assert_exit 2
	assert_stderr_matches 'implicit TLS does not have'
}

# The repro of IMAP continuations: after AUTHENTICATE PLAIN and its base64
# answer, the next command carries its own tag and is answered OK.
test_lab_imap_authenticate_then_select_keeps_tags() {
	run_startle --demo imap --batch --json --starttls -c 'AUTHENTICATE PLAIN' \
		-c 'AGRlbW8AZGVtbw==' -c 'SELECT INBOX'
	assert_exit 0
	assert_json_has 'line("tls"; "client") and .text == "AGRlbW8AZGVtbw=="'
	assert_json_has 'line("tls"; "client") and matches("^[a-z]+ SELECT INBOX$")'
	assert_json_has 'line("tls"; "server") and matches("^[a-z]+ OK \\[READ-WRITE\\]")'
	assert_json_lacks '.explain != null and (.explain | test("AGRl|AGRL"))'
}

# A requested upgrade that the server refuses stops the script: the AUTH
# after it never leaves, and the exit is 1.
test_lab_strip_with_starttls_stops_before_the_credential() {
	local proto cred
	for proto in smtp imap pop3; do
		case $proto in
		smtp) cred='AUTH PLAIN AGRlbW8AZGVtbw==' ;;
		imap) cred='LOGIN demo demo' ;;
		pop3) cred='USER demo' ;;
		esac
		lab_start "$proto" strip
		run_startle --batch --json --cafile "$LAB_CA" --servername "$LAB_NAME" \
			"$(lab_target "$proto" explicit)" --starttls -c "$cred"
		lab_stop
		assert_exit 1
		assert_json_lacks '.kind == "line" and .dir == "client" and (.text | test("demo|AGRl"))'
		assert_json_has '.kind == "error" and (.text | test("upgrade to TLS did not happen"))'
	done
}

# A credential into TLS whose certificate failed verification is held back
# in batch: finding credential-withheld, exit 1, the credential never shown.
test_lab_self_signed_holds_the_credential_back() {
	lab_start imap self-signed
	run_startle --batch --json --cafile "$LAB_CA" --servername "$LAB_NAME" \
		"$(lab_target imap explicit)" --starttls -c 'LOGIN demo demo' -c 'SELECT INBOX'
	lab_stop
	assert_exit 1
	assert_finding credential-withheld
	assert_json_lacks '.kind == "line" and .dir == "client" and (.text | test("LOGIN|SELECT"))'
	assert_json_lacks '(.text // "") | test("demo demo")'
}

# Bytes injected after the go-ahead fail --require-tls; the handshake that
# follows is still shown.
test_lab_inject_fails_require_tls() {
	lab_start smtp inject
	run_startle --batch --json --cafile "$LAB_CA" --servername "$LAB_NAME" \
		"$(lab_target smtp explicit)" --require-tls
	lab_stop
	assert_exit 1
	assert_finding starttls-injection
	assert_json_has '.kind == "phase" and .phase == "tls"'
}

# A TLS session that ends without close_notify after a quit command that got
# no reply is reported; after the quit's reply the same end is not.
test_lab_no_close_notify_after_an_unanswered_quit_is_reported() {
	run_startle --demo smtp --scenario no-close-notify --batch --json \
		-c 'EHLO x' -c STARTTLS -c QUIT
	assert_json_has 'line("tls"; "client") and .text == "QUIT"'
	assert_finding eof-without-close-notify
	run_startle --demo imap --scenario no-close-notify --batch --json -c STARTTLS -c LOGOUT
	assert_json_has 'line("tls"; "server") and matches("^[a-z]+ OK Logout")'
	assert_no_finding eof-without-close-notify
}

# A change of capabilities across the upgrade cites the protocol's own RFC.
test_lab_imap_caps_change_cites_the_imap_rfc() {
	run_startle --demo imap --scenario caps-change --batch --json
	assert_exit 0
	assert_json_has 'finding("caps-changed-after-tls") and (.text | test("RFC 9051"))'
	assert_json_lacks 'finding("caps-changed-after-tls") and (.text | test("RFC 3207"))'
}

test_lab_tls12_finished_records_are_called_encrypted_not_hellorequest() {
	run_startle --demo --scenario tls12-only --batch --json
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.2"'
	assert_json_has '.record.type == "handshake" and .record.dir == "out" and (.text | test("\\(encrypted\\)$"))'
	assert_json_lacks '.text != null and (.text | test("HelloRequest"))'
}

# startle-lab mta-sts [options...] on a free port; sets LAB_PID, LAB_PORT,
# LAB_CA and LAB_LOG as lab_start does.
lab_mta_sts_start() {
	local i
	lab_need
	LAB_LOG=$IT_TEST_DIR/lab-sts.out
	LAB_CA=$IT_TEST_DIR/lab-sts-ca.pem
	"$STARTLE_LAB" mta-sts --port 0 --write-ca "$LAB_CA" "$@" >"$LAB_LOG" 2>&1 </dev/null &
	LAB_PID=$!
	it_kill_at_exit "$LAB_PID"
	for ((i = 0; i < 100; i++)); do
		LAB_PORT=$(grep -m 1 -oE '^listening on 127\.0\.0\.1:[0-9]+' "$LAB_LOG" | sed 's/.*://')
		[ -n "$LAB_PORT" ] && return 0
		sleep 0.1
	done
	fail "startle-lab mta-sts did not say where it listens" - <"$LAB_LOG"
}

test_lab_mta_sts_serves_the_policy_curl_accepts_with_the_lab_ca() {
	command -v curl >/dev/null 2>&1 || it_skip "curl is not installed"
	lab_mta_sts_start --host mta-sts.lab.test --host mta-sts.other.test
	local url="https://mta-sts.lab.test:$LAB_PORT/.well-known/mta-sts.txt" body
	body=$(curl -sS --max-time 5 --cacert "$LAB_CA" -D headers.txt \
		--resolve "mta-sts.lab.test:$LAB_PORT:127.0.0.1" "$url") ||
		fail "curl could not fetch the policy with the lab's CA" - <"$LAB_LOG"
	[ "$body" = $'version: STSv1\r\nmode: enforce\r\nmx: mail.startle.test\r\nmax_age: 86400\r' ] ||
		fail "the default policy is not what was served: $body"
	grep -qi '^content-type: text/plain' headers.txt || fail "not text/plain" - <headers.txt
	# The second name is on the certificate too; another path is not found.
	[ "$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' --cacert "$LAB_CA" \
		--resolve "mta-sts.other.test:$LAB_PORT:127.0.0.1" \
		"https://mta-sts.other.test:$LAB_PORT/other")" = 404 ] ||
		fail "another path was not answered 404" - <"$LAB_LOG"
	grep -q 'answer policy' "$LAB_LOG" || fail "the log does not name the answer" - <"$LAB_LOG"
	lab_stop
}

test_lab_mta_sts_bad_usage_exits_2() {
	lab_need
	"$STARTLE_LAB" mta-sts --answer bogus >out.txt 2>err.txt
	[ $? = 2 ] || fail "an unknown answer did not exit 2" - <err.txt
	grep -q 'unknown answer "bogus": startle-lab mta-sts --help lists them' err.txt ||
		fail "the error does not say what to do" - <err.txt
	"$STARTLE_LAB" mta-sts --policy "$IT_TEST_DIR/none.txt" >out.txt 2>err.txt
	[ $? = 2 ] || fail "a missing policy file did not exit 2" - <err.txt
	"$STARTLE_LAB" mta-sts --help >out.txt 2>err.txt || fail "--help failed" - <err.txt
	grep -qE '^ +stall +the request is read and never answered' out.txt ||
		fail "--help does not list the answers" - <out.txt
}
