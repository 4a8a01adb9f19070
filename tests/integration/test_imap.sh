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
	assert_finding caps-changed-after-tls
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
