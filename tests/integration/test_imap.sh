# startle against a real Dovecot IMAP on 127.0.0.2, where Dovecot treats the
# client as insecure: LOGINDISABLED before TLS, AUTH=PLAIN only after it.

imap_target() {
	echo "imap://$STARTLE_IMAP_HOST:$STARTLE_IMAP_PORT"
}

imap_probe() {
	run_startle --batch "$(imap_target)" --cafile "$STARTLE_IT_CA" "$@"
}

test_imap_default_probe_text_shows_the_upgrade() {
	imap_probe
	assert_exit 0
	assert_lines_in_order \
		'^<- +\* OK \[CAPABILITY .*STARTTLS.*LOGINDISABLED' \
		'^-> +[^ ]+ CAPABILITY$' \
		'^-> +[^ ]+ STARTTLS$' \
		'^<- +[^ ]+ OK ' \
		'^== .*TLSv1\.3' \
		'^~> +[^ ]+ CAPABILITY$' \
		'^<~ +\* CAPABILITY .*AUTH=PLAIN' \
		'^~> +[^ ]+ LOGOUT$'
}

test_imap_greeting_with_logindisabled_is_a_finding() {
	imap_probe --json
	assert_exit 0
	assert_json_has 'line("plain"; "server") and matches("^\\* OK \\[CAPABILITY .*LOGINDISABLED")'
	assert_finding logindisabled
}

test_imap_capability_is_requeried_inside_tls_and_offers_auth_plain() {
	imap_probe --json
	assert_exit 0
	assert_json_has 'line("tls"; "client") and imatches("^[^ ]+ CAPABILITY$")'
	assert_json_has 'line("tls"; "server") and matches("^\\* CAPABILITY .*AUTH=PLAIN")'
	assert_json_lacks 'line("plain"; "server") and matches("AUTH=PLAIN")'
	assert_json_lacks 'line("tls"; "server") and matches("LOGINDISABLED")'
	# Login offered only inside TLS is what a careful server does: a note, no finding.
	assert_no_finding caps-changed-after-tls
	assert_json_has '.kind == "note" and matches("differ as expected.*added:.*AUTH=PLAIN")'
	assert_no_finding starttls-still-offered
}

test_imap_commands_get_tags_and_starttls_waits_for_our_tagged_ok() {
	imap_probe --json
	assert_exit 0
	# The tagged OK of our own STARTTLS is the last plaintext line read.
	assert_json '([.[] | select(line("plain"; "client") and imatches("^[^ ]+ STARTTLS$"))]
		| last | .text | split(" ")[0]) as $tag
		| ([.[] | select(line("plain"; "server"))] | last | .text | startswith($tag + " OK"))'
}

test_imap_starttls_verdict_matches_the_ip_san() {
	imap_probe --json
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"'
	assert_json_has '.kind == "tls" and has("verified") and .verified == true and .name_match == true'
}

test_imap_dovecot_staples_no_ocsp_response() {
	imap_probe --json
	assert_exit 0
	if "$STARTLE" -V | grep -q "stapled OCSP responses handed to startle"; then
		assert_json_has '.kind == "tls" and .ocsp.status == "none"'
	else
		assert_json_has '.kind == "tls" and .ocsp.status == "not-requested"'
	fi
	assert_json_lacks '.kind == "finding" and (.id | startswith("ocsp-"))'
}

test_imap_dovecot_sees_the_session_end_inside_tls() {
	local mark
	mark=$(log_mark "$STARTLE_IT_DOVECOT_LOG")
	imap_probe
	assert_exit 0
	wait_log "$STARTLE_IT_DOVECOT_LOG" "$mark" 'imap-login: .*Disconnected'
	assert_log_matches 'imap-login: .*Disconnected: Aborted login by logging out .*lip=127\.0\.0\.2, TLS, session='
}

test_imaps_implicit_tls_sends_nothing_in_plaintext() {
	run_startle --batch --json "imaps://$STARTLE_IMAP_HOST:$STARTLE_IMAPS_PORT" --cafile "$STARTLE_IT_CA"
	assert_exit 0
	assert_json_lacks '.phase == "plain" and .dir == "client"'
	assert_json_lacks 'line("plain"; "server")'
	assert_json_has 'line("tls"; "server") and matches("^\\* OK ")'
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"'
	assert_json_has '.kind == "tls" and has("verified") and .verified == true'
	assert_no_finding logindisabled
}

test_imap_login_after_starttls_is_accepted() {
	local mark
	mark=$(log_mark "$STARTLE_IT_DOVECOT_LOG")
	imap_probe --json --starttls -c "LOGIN $STARTLE_IT_USER $STARTLE_IT_PASSWORD" -c LOGOUT
	assert_exit 0
	assert_json_has 'line("tls"; "client") and imatches("^[^ ]+ LOGIN ")'
	assert_json_has 'line("tls"; "server") and matches("^[^ *]+ OK .*Logged in")'
	assert_json_lacks 'line("plain"; "client") and imatches("LOGIN")'
	assert_no_finding plaintext-auth
	wait_log "$STARTLE_IT_DOVECOT_LOG" "$mark" 'imap-login: .*Login: user=<test>'
	assert_log_matches 'imap-login: .*Login: user=<test>, method=PLAIN, .*TLS'
}

test_imap_login_in_plaintext_is_reported_and_refused() {
	local mark
	mark=$(log_mark "$STARTLE_IT_DOVECOT_LOG")
	imap_probe --json -c "LOGIN $STARTLE_IT_USER $STARTLE_IT_PASSWORD" -c LOGOUT
	assert_exit 0
	assert_finding plaintext-auth
	assert_json_has 'line("plain"; "server") and matches("^[^ *]+ NO \\[PRIVACYREQUIRED\\]")'
	wait_log "$STARTLE_IT_DOVECOT_LOG" "$mark" 'imap-login: .*Disconnected'
	assert_log_no_match 'Login: user=<test>'
}

# Whether startle upgrades first or stops, the credentials must never travel
# in plaintext and Dovecot must never see a plaintext login attempt.
test_imap_require_tls_keeps_credentials_out_of_plaintext() {
	local mark
	mark=$(log_mark "$STARTLE_IT_DOVECOT_LOG")
	imap_probe --json --require-tls -c "LOGIN $STARTLE_IT_USER $STARTLE_IT_PASSWORD" -c LOGOUT
	case $IT_RC in
	0 | 1) ;;
	*) assert_exit "0 or 1" ;;
	esac
	assert_json_lacks 'line("plain"; "client") and imatches("LOGIN")'
	assert_no_finding plaintext-auth
	wait_log "$STARTLE_IT_DOVECOT_LOG" "$mark" 'imap-login: .*(Disconnected|Login:)'
	assert_log_no_match 'plaintext'
}

# Continuations against Dovecot: every command after an IDLE, an AUTHENTICATE
# or an APPEND must carry its own tag and get a tagged OK, never a BAD.
imap_no_bad() {
	assert_json_lacks '.kind == "line" and .dir == "server" and matches("^[^ ]+ BAD ")'
}

imap_plain_ir() {
	printf '\0%s\0%s' "$STARTLE_IT_USER" "$STARTLE_IT_PASSWORD" | base64
}

test_imap_idle_and_done_keep_tags_right() {
	imap_probe --json --starttls -c "LOGIN $STARTLE_IT_USER $STARTLE_IT_PASSWORD" \
		-c 'SELECT INBOX' -c IDLE -c DONE -c NOOP -c LOGOUT
	assert_exit 0
	assert_json_has 'line("tls"; "server") and matches("^\\+ idling")'
	assert_json_has 'line("tls"; "client") and .text == "DONE"'
	assert_json_has 'line("tls"; "client") and matches("^[a-z]+ NOOP$")'
	assert_json_has 'line("tls"; "server") and matches("^[a-z]+ OK NOOP")'
	imap_no_bad
}

test_imap_authenticate_plain_one_round_then_select() {
	imap_probe --json --starttls -c 'AUTHENTICATE PLAIN' -c "$(imap_plain_ir)" \
		-c 'SELECT INBOX' -c LOGOUT
	assert_exit 0
	assert_json_has 'line("tls"; "server") and matches("^\\+ ?$")'
	assert_json_has 'line("tls"; "server") and matches("^[a-z]+ OK .*Logged in")'
	assert_json_has 'line("tls"; "server") and matches("^[a-z]+ OK \\[READ-WRITE\\]")'
	assert_json_lacks '.explain != null and (.explain | test("AGRl|AHRL"; "i"))'
	imap_no_bad
}

test_imap_authenticate_with_sasl_ir_then_select() {
	imap_probe --json --starttls -c "AUTHENTICATE PLAIN $(imap_plain_ir)" \
		-c 'SELECT INBOX' -c LOGOUT
	assert_exit 0
	assert_json_has 'line("tls"; "server") and matches("^[a-z]+ OK .*Logged in")'
	assert_json_has 'line("tls"; "server") and matches("^[a-z]+ OK \\[READ-WRITE\\]")'
	imap_no_bad
}

test_imap_login_with_a_literal_user_name() {
	imap_probe --json --starttls -c "LOGIN {${#STARTLE_IT_USER}}" -c "$STARTLE_IT_USER" \
		-c " $STARTLE_IT_PASSWORD" -c NOOP -c LOGOUT
	assert_exit 0
	assert_json_has 'line("tls"; "server") and matches("^\\+ ")'
	assert_json_has 'line("tls"; "server") and matches("^[a-z]+ OK .*Logged in")'
	assert_json_has 'line("tls"; "server") and matches("^[a-z]+ OK NOOP")'
	imap_no_bad
}

# APPEND needs an empty line (the rest of the command after its literal):
# skipped while this build's -c refuses one.
imap_append_case() {
	local lit=$1
	run_startle --batch imap://127.0.0.1:1 -c '' --timeout 1
	if [ "$IT_RC" = 2 ]; then
		it_skip "-c '' (an empty line) is not accepted by this build's command line"
	fi
	imap_probe --json --starttls -c "LOGIN $STARTLE_IT_USER $STARTLE_IT_PASSWORD" \
		-c "APPEND INBOX {$lit}" -c 'Subject: startle' -c '' -c 'hello' -c '' \
		-c 'SELECT INBOX' -c LOGOUT
	assert_exit 0
	assert_json_has 'line("tls"; "server") and matches("^[a-z]+ OK .*Append completed")'
	assert_json_has 'line("tls"; "server") and matches("^\\* [0-9]+ EXISTS")'
	imap_no_bad
}

test_imap_append_with_a_synchronising_literal() {
	imap_append_case 27
	assert_json_has 'line("tls"; "server") and matches("^\\+ ")'
}

test_imap_append_with_a_non_synchronising_literal() {
	imap_append_case 27+
	assert_json_lacks 'line("tls"; "server") and matches("^\\+ ")'
}
