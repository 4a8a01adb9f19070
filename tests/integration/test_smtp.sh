# startle against a real Postfix: explicit STARTTLS, implicit TLS, a listener
# without TLS, certificate verdicts and the policy options.

smtp_target() {
	echo "smtp://127.0.0.1:$STARTLE_SMTP_PORT"
}

# The default probe with the test CA and the certificate's name.
smtp_probe() {
	run_startle --batch "$(smtp_target)" --cafile "$STARTLE_IT_CA" --servername mail.test "$@"
}

test_smtp_default_probe_text_shows_plain_ehlo_tls_then_encrypted_ehlo() {
	smtp_probe
	assert_exit 0
	assert_lines_in_order \
		'^<- +220 mail\.test ESMTP' \
		'^-> +EHLO ' \
		'^<- +250[- ]STARTTLS' \
		'^-> +STARTTLS$' \
		'^<- +220 ' \
		'^== .*TLSv1\.3' \
		'^~> +EHLO ' \
		'^<~ +250[- ]' \
		'^~> +QUIT$'
}

test_smtp_default_probe_sends_ehlo_startle_invalid() {
	smtp_probe --json
	assert_exit 0
	assert_json_has 'line("plain"; "client") and .text == "EHLO startle.invalid"'
	assert_json_has 'line("tls"; "client") and .text == "EHLO startle.invalid"'
}

test_smtp_ehlo_option_sets_the_name_sent() {
	smtp_probe --json --ehlo client.test
	assert_exit 0
	assert_json_has 'line("plain"; "client") and .text == "EHLO client.test"'
	assert_json_has 'line("tls"; "client") and .text == "EHLO client.test"'
	assert_json_lacks 'line("plain"; "client") and .text == "EHLO startle.invalid"'
}

test_smtp_json_is_one_object_per_line_with_consecutive_seq() {
	smtp_probe --json
	assert_exit 0
	assert_json_lines
}

test_smtp_json_phases_run_plain_then_handshake_then_tls() {
	smtp_probe --json
	assert_exit 0
	assert_json 'before(.phase == "plain"; .phase == "handshake")'
	assert_json 'before(.phase == "handshake"; .phase == "tls")'
	# The phase never goes back: plaintext lines stay before the upgrade.
	assert_json '[.[] | phase_rank] as $r | all(range(1; $r | length); $r[.] >= $r[. - 1])'
	# STARTTLS is the last plaintext command and its 220 go-ahead the last
	# plaintext line read.
	assert_json '[.[] | select(line("plain"; "client"))] | last | .text == "STARTTLS"'
	assert_json '[.[] | select(line("plain"; "server"))] | last | .text | test("^220 ")'
}

test_smtp_tls_summary_reports_tls13_and_the_cipher_postfix_logged() {
	local mark cipher
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	smtp_probe --json
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"
		and (.cipher | type == "string" and startswith("TLS_"))
		and (.handshake_ms | type == "number")'
	wait_postfix_disconnect "$mark"
	cipher=$(grep -oE 'TLSv1\.3 with cipher [A-Z0-9_]+' <<<"$IT_LOG" | head -n 1 | awk '{print $4}')
	[ -n "$cipher" ] || printf '%s\n' "$IT_LOG" | fail "Postfix logged no TLSv1.3 cipher" -
	assert_json_has ".kind == \"tls\" and .cipher == \"$cipher\""
}

test_smtp_certificate_events_describe_leaf_and_ca() {
	local leaf_sha
	smtp_probe --json
	assert_exit 0
	assert_json_has '.kind == "cert" and .depth == 0 and (.subject | contains("mail.test"))
		and (.issuer | contains("startle test CA"))
		and any(.san[]; contains("mail.test")) and any(.san[]; contains("127.0.0.2"))
		and .key == "EC P-256"'
	assert_json_has '.kind == "cert" and .depth == 1 and (.subject | contains("startle test CA"))'
	leaf_sha=$(openssl x509 -in "$STARTLE_IT_WORK/pki/leaf.pem" -noout -fingerprint -sha256 |
		sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
	assert_json_has ".kind == \"cert\" and .depth == 0
		and ((.sha256 | ascii_downcase | gsub(\":\"; \"\")) == \"$leaf_sha\")"
}

test_smtp_verdict_trusts_chain_from_cafile_and_matches_servername() {
	smtp_probe --json
	assert_exit 0
	assert_json_has '.kind == "tls" and has("verified") and .verified == true
		and .name_match == true and .verify_error == null'
	assert_no_finding cert-untrusted
	assert_no_finding cert-name-mismatch
	# The verdict follows the last certificate of the chain.
	assert_json '(first_index(.kind == "tls" and has("verified")) - 1) as $i
		| .[$i].kind == "cert"'
}

test_smtp_postfix_staples_no_ocsp_response_and_startle_says_so() {
	smtp_probe --json
	assert_exit 0
	if "$STARTLE" -V | grep -q "stapled OCSP responses handed to startle"; then
		assert_json_has '.kind == "tls" and .ocsp.status == "none" and .ocsp.verified == false
			and .ocsp.produced_at == null and .ocsp.bytes == null and .ocsp.must_staple == false'
		assert_json_has '.kind == "note" and .text == "no stapled OCSP response: startle asked for one (status_request), the server sent none"'
	else
		assert_json_has '.kind == "tls" and .ocsp.status == "not-requested"'
	fi
	assert_json_lacks '.kind == "finding" and (.id | startswith("ocsp-"))'
}

test_smtp_ip_target_without_servername_matches_ip_san_and_sends_no_sni() {
	run_startle --batch --json "$(smtp_target)" --cafile "$STARTLE_IT_CA"
	assert_exit 0
	assert_json_has '.kind == "tls" and has("verified") and .verified == true and .name_match == true'
	assert_json_lacks '.kind == "tls" and has("version") and (.sni // "") != ""'
	assert_no_finding cert-name-mismatch
}

test_smtp_without_cafile_chain_is_untrusted() {
	run_startle --batch --json "$(smtp_target)" --servername mail.test
	assert_exit 0
	assert_json_has '.kind == "tls" and has("verified") and .verified == false
		and (.verify_error | type == "string")'
	assert_finding cert-untrusted
}

test_smtp_wrong_servername_is_a_name_mismatch() {
	run_startle --batch --json "$(smtp_target)" --cafile "$STARTLE_IT_CA" --servername wrong.test
	assert_exit 0
	assert_json_has '.kind == "tls" and has("name_match") and .name_match == false'
	assert_json_has '.kind == "tls" and .sni == "wrong.test"'
	assert_finding cert-name-mismatch
	assert_no_finding cert-untrusted
}

test_smtp_findings_show_in_text_with_their_id() {
	run_startle --batch "$(smtp_target)" --cafile "$STARTLE_IT_CA" --servername wrong.test
	assert_exit 0
	assert_matches '^!! .*\[cert-name-mismatch\]'
}

test_smtp_verify_option_passes_a_trusted_matching_chain() {
	smtp_probe --json --verify
	assert_exit 0
	assert_json_has '.kind == "tls" and has("verified") and .verified == true and .name_match == true'
}

test_smtp_verify_option_fails_an_untrusted_chain() {
	run_startle --batch --json "$(smtp_target)" --servername mail.test --verify
	assert_exit 1
	assert_json_has '.kind == "tls" and has("verified") and .verified == false'
}

test_smtp_verify_option_fails_a_name_mismatch() {
	run_startle --batch --json "$(smtp_target)" --cafile "$STARTLE_IT_CA" --servername wrong.test --verify
	assert_exit 1
	assert_json_has '.kind == "tls" and has("name_match") and .name_match == false'
}

test_smtp_capabilities_are_requeried_inside_tls() {
	smtp_probe --json
	assert_exit 0
	assert_json_has 'line("tls"; "client") and imatches("^EHLO ")'
	assert_json_has 'line("tls"; "server") and matches("^250 ")'
	assert_json 'before(.kind == "tls" and has("version"); line("tls"; "client") and imatches("^EHLO "))'
}

test_smtp_postfix_offers_starttls_before_tls_and_not_after() {
	smtp_probe --json
	assert_exit 0
	assert_json_has 'line("plain"; "server") and matches("^250[- ]STARTTLS$")'
	assert_json_lacks 'line("tls"; "server") and matches("^250[- ]STARTTLS")'
	assert_no_finding starttls-still-offered
	assert_no_finding starttls-not-offered
}

test_smtp_postfix_receives_ehlo_starttls_ehlo_quit_from_the_probe() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	smtp_probe
	assert_exit 0
	wait_postfix_disconnect "$mark"
	assert_log_matches 'TLS connection established from [^ ]*\[127\.0\.0\.1\]: TLSv1\.3 with cipher'
	assert_log_matches 'disconnect from [^ ]+ ehlo=2 starttls=1 quit=1 commands=4$'
}

test_smtp_explicit_commands_run_in_order_across_the_upgrade() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	run_startle --batch --json "$(smtp_target)" --cafile "$STARTLE_IT_CA" --servername mail.test \
		-c 'EHLO me' -c STARTTLS -c 'EHLO me' -c QUIT
	assert_exit 0
	assert_json '[.[] | select(.kind == "line" and .dir == "client") | [.phase, .text]]
		== [["plain", "EHLO me"], ["plain", "STARTTLS"], ["tls", "EHLO me"], ["tls", "QUIT"]]'
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"'
	assert_json_has 'line("tls"; "server") and matches("^221 ")'
	wait_postfix_disconnect "$mark"
	assert_log_matches 'TLS connection established from [^ ]*\[127\.0\.0\.1\]'
	assert_log_matches 'disconnect from [^ ]+ ehlo=2 starttls=1 quit=1 commands=4$'
}

test_smtp_starttls_option_upgrades_at_its_place_in_the_command_list() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	run_startle --batch --json "$(smtp_target)" --cafile "$STARTLE_IT_CA" --servername mail.test \
		--starttls -c 'NOOP' -c QUIT
	assert_exit 0
	assert_json_has 'line("tls"; "client") and .text == "NOOP"'
	assert_json_lacks 'line("plain"; "client") and .text == "NOOP"'
	wait_postfix_disconnect "$mark"
	assert_log_matches 'disconnect from [^ ]+ ehlo=2 starttls=1 noop=1 quit=1 commands=5$'
}

test_smtps_implicit_tls_sends_nothing_in_plaintext() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	run_startle --batch --json "smtps://127.0.0.1:$STARTLE_SMTPS_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test
	assert_exit 0
	assert_json_lacks '.phase == "plain" and .dir == "client"'
	assert_json_lacks 'line("plain"; "server")'
	assert_json_has 'line("tls"; "server") and matches("^220 mail\\.test ESMTP")'
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"'
	assert_json 'before(.kind == "tls" and has("version"); .kind == "line")'
	wait_postfix_disconnect "$mark"
	assert_log_matches 'TLS connection established from [^ ]*\[127\.0\.0\.1\]: TLSv1\.3'
	assert_log_no_match 'starttls='
}

test_smtps_implicit_text_has_only_encrypted_lines() {
	run_startle --batch "smtps://127.0.0.1:$STARTLE_SMTPS_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test
	assert_exit 0
	assert_no_match '^(->|<-) '
	assert_lines_in_order '^== .*TLSv1\.3' '^<~ +220 mail\.test ESMTP' '^~> +EHLO '
}

test_smtp_tls_max_12_negotiates_tls12() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	smtp_probe --json --tls-max 1.2
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.2" and (.cipher | startswith("TLS_"))'
	assert_json_lacks '.kind == "tls" and .version == "TLSv1.3"'
	wait_postfix_disconnect "$mark"
	assert_log_matches 'TLS connection established from [^ ]*\[127\.0\.0\.1\]: TLSv1\.2 with cipher'
}

# Decision: under --require-tls the plaintext may carry the capability
# command, STARTTLS and, to close politely, QUIT; nothing else.
test_smtp_require_tls_fails_when_starttls_is_not_offered() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	run_startle --batch --json --require-tls "smtp://127.0.0.1:$STARTLE_SMTP_NOTLS_PORT" \
		--cafile "$STARTLE_IT_CA" --servername mail.test
	assert_exit 1
	assert_finding starttls-not-offered
	assert_json 'all(.[] | select(.kind == "line" and .dir == "client"); imatches("^(EHLO|QUIT)( |$)"))'
	assert_json_lacks '.phase == "tls"'
	wait_postfix_disconnect "$mark"
	assert_log_matches 'disconnect from [^ ]+ ehlo=1( quit=1)? commands=[12]$'
}

test_smtp_require_tls_never_sends_a_queued_command_in_plaintext() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	run_startle --batch --json --require-tls "smtp://127.0.0.1:$STARTLE_SMTP_NOTLS_PORT" \
		-c 'MAIL FROM:<alice@mail.test>' -c 'RCPT TO:<bob@mail.test>' -c QUIT
	assert_exit 1
	assert_json_lacks '.kind == "line" and .dir == "client" and imatches("^(MAIL|RCPT)")'
	wait_postfix_disconnect "$mark"
	assert_log_no_match 'disconnect from .*(mail|rcpt)='
}

test_smtp_require_tls_passes_when_the_upgrade_works() {
	smtp_probe --json --require-tls
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"'
	assert_no_finding starttls-not-offered
}

test_smtp_without_require_tls_missing_starttls_is_reported_not_fatal() {
	run_startle --batch --json "smtp://127.0.0.1:$STARTLE_SMTP_NOTLS_PORT"
	assert_exit 0
	assert_finding starttls-not-offered
	assert_json_lacks '.phase == "tls"'
}

# Postfix with SMTP AUTH through Dovecot's SASL socket (the harness's AUTH port).
submit_run() {
	run_startle --batch "smtp://127.0.0.1:$STARTLE_SUBMIT_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test "$@"
}

# AUTH PLAIN's initial response for the harness's account.
submit_plain_ir() {
	printf '\0%s\0%s' "$STARTLE_IT_USER" "$STARTLE_IT_PASSWORD" | base64 -w0
}

test_smtp_auth_plain_inside_tls_is_accepted_by_postfix_through_dovecot() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	submit_run --json --starttls -c "AUTH PLAIN $(submit_plain_ir)" -c QUIT
	assert_exit 0
	assert_json_has 'line("tls"; "server") and matches("^250[- ]AUTH PLAIN LOGIN")'
	assert_json_has 'line("tls"; "server") and matches("^235 2\\.7\\.0 ")'
	assert_no_finding plaintext-auth
	wait_postfix_disconnect "$mark"
	# Postfix counts one successful AUTH (a failed one logs auth=0/1).
	assert_log_matches 'starttls=1 auth=1 quit=1'
}

test_smtp_auth_in_plaintext_goes_out_with_plaintext_auth_in_batch() {
	submit_run --json -c 'EHLO me' -c "AUTH PLAIN $(submit_plain_ir)" -c QUIT
	assert_exit 0
	assert_json_has 'line("plain"; "server") and matches("^250[- ]AUTH PLAIN LOGIN")'
	assert_json_has 'line("plain"; "server") and matches("^235 ")'
	assert_finding plaintext-auth
}

test_smtp_lines_piped_on_standard_input_are_sent_like_c_lines() {
	local mark
	printf 'EHLO piped.test\n/starttls\nNOOP\nQUIT\n' >"$IT_TEST_DIR/in"
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	IT_STDIN=$IT_TEST_DIR/in smtp_probe --json
	assert_exit 0
	assert_json_has 'line("plain"; "client") and matches("^EHLO piped\\.test$")'
	assert_json_has 'line("tls"; "client") and matches("^NOOP$")'
	assert_json_has 'line("tls"; "server") and matches("^250 2\\.0\\.0 Ok")'
	wait_postfix_disconnect "$mark"
	# The upgrade dance adds its own EHLO before and after STARTTLS.
	assert_log_matches 'ehlo=3 starttls=1 noop=1 quit=1'
}

test_smtp_script_file_lines_go_between_c_lines_and_blank_lines_are_sent() {
	printf 'MAIL FROM:<a@mail.test>\nRCPT TO:<root@mail.test>\nDATA\nSubject: scripted\n\nbody\n.\n' \
		>"$IT_TEST_DIR/mail.script"
	smtp_probe --json -c 'EHLO me' --starttls -c 'EHLO me' --script "$IT_TEST_DIR/mail.script" -c QUIT
	assert_exit 0
	# The blank line between header and body went out, and Postfix took the mail.
	assert_json_has 'line("tls"; "client") and .text == ""'
	assert_json_has 'line("tls"; "server") and matches("^250 2\\.0\\.0 Ok: queued")'
	assert_json_has 'line("tls"; "client") and matches("^QUIT$")'
}

test_smtp_a_script_with_an_unknown_slash_command_exits_2_before_connecting() {
	local mark
	printf 'EHLO me\n/frobnicate\n' >"$IT_TEST_DIR/bad.script"
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	smtp_probe --script "$IT_TEST_DIR/bad.script"
	assert_exit 2
	assert_stderr_matches 'bad\.script:2: "/frobnicate" is not a script command'
	sleep 0.3
	IT_LOG=$(it_log_since "$STARTLE_IT_POSTFIX_LOG" "$mark")
	assert_log_no_match 'connect from'
}

test_smtp_auth_option_logs_in_with_plain_and_with_login() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	STARTLE_PASSWORD=$STARTLE_IT_PASSWORD submit_run --json --starttls --auth "$STARTLE_IT_USER" -c QUIT
	assert_exit 0
	assert_json_has 'line("tls"; "client") and .text == "AUTH PLAIN"'
	assert_json_has 'line("tls"; "server") and matches("^235 ")'
	wait_postfix_disconnect "$mark"
	assert_log_matches 'starttls=1 auth=1 quit=1'

	STARTLE_PASSWORD=$STARTLE_IT_PASSWORD submit_run --json --starttls --auth "$STARTLE_IT_USER" \
		--auth-mech login -c QUIT
	assert_exit 0
	assert_json_has 'line("tls"; "client") and .text == "AUTH LOGIN"'
	assert_json_has 'line("tls"; "server") and matches("^334 UGFzc3dvcmQ6")'
	assert_json_has 'line("tls"; "server") and matches("^235 ")'
}

test_smtp_auth_with_a_wrong_password_is_refused_by_postfix() {
	STARTLE_PASSWORD=wrong submit_run --json --starttls --auth "$STARTLE_IT_USER" -c QUIT
	assert_json_has 'line("tls"; "server") and matches("^535 ")'
}

test_smtp_auth_without_password_or_terminal_exits_2_before_connecting() {
	local mark out rc=0
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	# setsid: no controlling terminal, so there is nobody to ask.
	out=$(env -u STARTLE_PASSWORD setsid -w timeout 10 "$STARTLE" --batch \
		"smtp://127.0.0.1:$STARTLE_SUBMIT_PORT" --auth someone </dev/null 2>&1) || rc=$?
	[ "$rc" -eq 2 ] || fail "expected exit 2, got $rc: $out"
	[[ $out == *"no terminal to ask for the password on"*"STARTLE_PASSWORD"* ]] ||
		fail "the message does not say what to do: $out"
	sleep 0.3
	IT_LOG=$(it_log_since "$STARTLE_IT_POSTFIX_LOG" "$mark")
	assert_log_no_match 'connect from'
}

test_smtp_connect_event_says_when_in_wall_clock_utc() {
	local before after when secs
	before=$(date -u +%s)
	smtp_probe --json
	after=$(date -u +%s)
	assert_exit 0
	when=$(jq -r 'select(.kind == "connect") | .time' "$IT_STDOUT")
	[[ $when =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]] ||
		fail "the connect event's time is not ISO 8601 UTC: '$when'"
	secs=$(date -u -d "$when" +%s)
	[ "$secs" -ge "$before" ] && [ "$secs" -le "$after" ] ||
		fail "the connect time $when is not between the start and the end of the run"
	smtp_probe
	assert_lines_in_order '^== connected to .*, at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
}
