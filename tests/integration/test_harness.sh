# The harness itself: the servers answer as the startle tests assume, checked
# with bash and openssl s_client only, so a failure here points at the harness
# and not at startle.

test_harness_postfix_starttls_verifies_against_test_ca() {
	tls_chat 127.0.0.1 "$STARTLE_SMTP_PORT" smtp "EHLO harness" QUIT
	[ "$IT_RC" -eq 0 ] || printf '%s\n' "$IT_CHAT" | tail -n 40 | fail "openssl s_client -starttls smtp exited $IT_RC" -
	assert_chat_matches '^Verification: OK'
	assert_chat_matches '^Protocol version: TLSv1\.3'
	assert_chat_matches '^250[ -]'
}

test_harness_leaf_does_not_name_wrong_test() {
	IT_TLS_NAME=wrong.test tls_chat 127.0.0.1 "$STARTLE_SMTP_PORT" smtp QUIT
	if [ "$IT_RC" -eq 0 ]; then
		printf '%s\n' "$IT_CHAT" | fail "openssl accepted the leaf for wrong.test" -
	fi
	assert_chat_matches 'hostname mismatch'
}

test_harness_postfix_offers_starttls_before_tls() {
	plain_chat 127.0.0.1 "$STARTLE_SMTP_PORT" "EHLO harness" QUIT
	assert_chat_matches '^220 mail\.test ESMTP'
	assert_chat_matches '^250[ -]STARTTLS$'
}

test_harness_postfix_no_tls_port_does_not_offer_starttls() {
	plain_chat 127.0.0.1 "$STARTLE_SMTP_NOTLS_PORT" "EHLO harness" QUIT
	assert_chat_matches '^250[ -]'
	assert_chat_no_match 'STARTTLS'
}

test_harness_postfix_implicit_port_greets_inside_tls() {
	tls_chat 127.0.0.1 "$STARTLE_SMTPS_PORT" - QUIT
	[ "$IT_RC" -eq 0 ] || printf '%s\n' "$IT_CHAT" | tail -n 40 | fail "openssl s_client exited $IT_RC" -
	assert_chat_matches '^Verification: OK'
	assert_chat_matches '^220 mail\.test ESMTP'
}

test_harness_postfix_logs_tls_sessions() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	tls_chat 127.0.0.1 "$STARTLE_SMTP_PORT" smtp "EHLO harness" QUIT
	wait_postfix_disconnect "$mark"
	assert_log_matches 'TLS connection established from [^ ]*\[127\.0\.0\.1\]: TLSv1\.3'
	assert_log_matches 'disconnect from .* ehlo=2 starttls=1 quit=1 commands=4$'
}

test_harness_dovecot_imap_greeting_has_logindisabled() {
	plain_chat "$STARTLE_IMAP_HOST" "$STARTLE_IMAP_PORT" "h1 CAPABILITY" "h2 LOGOUT"
	assert_chat_matches '^\* OK \[CAPABILITY [^]]*STARTTLS'
	assert_chat_matches '^\* OK \[CAPABILITY [^]]*LOGINDISABLED'
	assert_chat_no_match 'AUTH=PLAIN'
}

test_harness_dovecot_imap_starttls_offers_auth_plain_inside_tls() {
	tls_chat "$STARTLE_IMAP_HOST" "$STARTLE_IMAP_PORT" imap "h1 CAPABILITY" "h2 LOGOUT"
	assert_chat_matches '^Verification: OK'
	assert_chat_matches '^\* CAPABILITY .*AUTH=PLAIN'
	assert_chat_matches '^h2 OK'
}

test_harness_dovecot_imaps_login_works() {
	tls_chat "$STARTLE_IMAP_HOST" "$STARTLE_IMAPS_PORT" - \
		"h1 LOGIN $STARTLE_IT_USER $STARTLE_IT_PASSWORD" "h2 SELECT INBOX" "h3 LOGOUT"
	assert_chat_matches '^Verification: OK'
	assert_chat_matches '^h1 OK .*Logged in'
	assert_chat_matches '^h2 OK'
}

test_harness_dovecot_pop3_capa_lists_stls() {
	plain_chat "$STARTLE_IMAP_HOST" "$STARTLE_POP3_PORT" CAPA QUIT
	assert_chat_matches '^\+OK'
	assert_chat_matches '^STLS$'
}

test_harness_dovecot_pop3_stls_and_pop3s_verify() {
	tls_chat "$STARTLE_IMAP_HOST" "$STARTLE_POP3_PORT" pop3 CAPA QUIT
	assert_chat_matches '^Verification: OK'
	assert_chat_matches '^USER$'
	tls_chat "$STARTLE_IMAP_HOST" "$STARTLE_POP3S_PORT" - \
		"USER $STARTLE_IT_USER" "PASS $STARTLE_IT_PASSWORD" QUIT
	assert_chat_matches '^Verification: OK'
	assert_chat_matches '^\+OK Logged in'
}

test_harness_closed_port_refuses_connections() {
	if timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$STARTLE_CLOSED_PORT" 2>/dev/null; then
		fail "something listens on 127.0.0.1:$STARTLE_CLOSED_PORT, the port meant to be closed"
	fi
}
