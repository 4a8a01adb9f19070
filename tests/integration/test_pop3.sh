# startle against a real Dovecot POP3 on 127.0.0.2: STLS, CAPA before and
# after the upgrade, implicit TLS on POP3S, a login inside TLS.

pop3_target() {
	echo "pop3://$STARTLE_IMAP_HOST:$STARTLE_POP3_PORT"
}

pop3_probe() {
	run_startle --batch "$(pop3_target)" --cafile "$STARTLE_IT_CA" "$@"
}

test_pop3_default_probe_text_shows_the_upgrade() {
	pop3_probe
	assert_exit 0
	assert_lines_in_order \
		'^<- +\+OK ' \
		'^-> +CAPA$' \
		'^<- +STLS$' \
		'^-> +STLS$' \
		'^<- +\+OK' \
		'^== .*TLSv1\.3' \
		'^~> +CAPA$' \
		'^<~ +USER$' \
		'^~> +QUIT$'
}

test_pop3_stls_go_ahead_starts_tls13_with_a_verified_chain() {
	pop3_probe --json
	assert_exit 0
	assert_json '[.[] | select(line("plain"; "client"))] | last | .text == "STLS"'
	assert_json '[.[] | select(line("plain"; "server"))] | last | .text | startswith("+OK")'
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"'
	assert_json_has '.kind == "tls" and has("verified") and .verified == true and .name_match == true'
}

test_pop3_capa_is_requeried_inside_tls() {
	pop3_probe --json
	assert_exit 0
	assert_json_has 'line("plain"; "server") and .text == "STLS"'
	assert_json_has 'line("tls"; "client") and .text == "CAPA"'
	assert_json_has 'line("tls"; "server") and .text == "USER"'
	assert_json_lacks 'line("plain"; "server") and .text == "USER"'
	assert_json_lacks 'line("tls"; "server") and .text == "STLS"'
	assert_no_finding caps-changed-after-tls
	assert_json_has '.kind == "note" and matches("differ as expected.*added: USER, SASL PLAIN LOGIN; removed: STLS, SASL")'
	assert_no_finding starttls-still-offered
}

test_pop3_dovecot_sees_the_session_end_inside_tls() {
	local mark
	mark=$(log_mark "$STARTLE_IT_DOVECOT_LOG")
	pop3_probe
	assert_exit 0
	wait_log "$STARTLE_IT_DOVECOT_LOG" "$mark" 'pop3-login: .*Disconnected'
	assert_log_matches 'pop3-login: .*Disconnected: Aborted login by logging out .*lip=127\.0\.0\.2, TLS, session='
}

test_pop3s_implicit_tls_sends_nothing_in_plaintext() {
	run_startle --batch --json "pop3s://$STARTLE_IMAP_HOST:$STARTLE_POP3S_PORT" --cafile "$STARTLE_IT_CA"
	assert_exit 0
	assert_json_lacks '.phase == "plain" and .dir == "client"'
	assert_json_lacks 'line("plain"; "server")'
	assert_json_has 'line("tls"; "server") and matches("^\\+OK ")'
	assert_json_has 'line("tls"; "client") and .text == "CAPA"'
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"'
}

test_pop3_login_after_stls_is_accepted() {
	local mark
	mark=$(log_mark "$STARTLE_IT_DOVECOT_LOG")
	pop3_probe --json --starttls -c "USER $STARTLE_IT_USER" -c "PASS $STARTLE_IT_PASSWORD" -c STAT -c QUIT
	assert_exit 0
	assert_json_has 'line("tls"; "client") and .text == "PASS '"$STARTLE_IT_PASSWORD"'"'
	assert_json_has 'line("tls"; "server") and matches("^\\+OK Logged in")'
	# STAT answers with the count and size of the maildrop (the IMAP tests
	# may have appended to it).
	assert_json_has 'line("tls"; "server") and matches("^\\+OK [0-9]+ [0-9]+$")'
	assert_no_finding plaintext-auth
	wait_log "$STARTLE_IT_DOVECOT_LOG" "$mark" 'pop3-login: .*Login: user=<test>'
	assert_log_matches 'pop3-login: .*Login: user=<test>, method=PLAIN, .*TLS'
}

test_pop3_user_in_plaintext_is_reported() {
	pop3_probe --json -c "USER $STARTLE_IT_USER" -c QUIT
	assert_exit 0
	assert_finding plaintext-auth
	assert_json_has 'line("plain"; "server") and matches("^-ERR ")'
}

# SASL over POP3 (RFC 5034): the base64 answer to Dovecot's "+ " is sent as
# is, never upper-cased, and the session goes on with the next command.
test_pop3_auth_plain_answer_then_stat() {
	local ir
	ir=$(printf '\0%s\0%s' "$STARTLE_IT_USER" "$STARTLE_IT_PASSWORD" | base64)
	pop3_probe --json --starttls -c 'AUTH PLAIN' -c "$ir" -c STAT -c QUIT
	assert_exit 0
	assert_json_has 'line("tls"; "server") and matches("^\\+ ?$")'
	assert_json_has "line(\"tls\"; \"client\") and .text == \"$ir\""
	assert_json_has 'line("tls"; "server") and matches("^\\+OK [0-9]+ [0-9]+")'
	assert_json_lacks '.explain != null and (.explain | test("AHRL|AHRl"))'
}

# A greeting that is not POP3 fails at once (exit 4), not after --timeout.
test_pop3_http_on_the_port_fails_at_once() {
	local port
	port=$(free_port)
	python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); print("ready", flush=True)
c, _ = s.accept(); c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"); time.sleep(3)
' "$port" >"$IT_TEST_DIR/http.out" 2>&1 &
	it_kill_at_exit $!
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q ready "$IT_TEST_DIR/http.out" && break
		sleep 0.1
	done
	run_startle --batch --timeout 10 "pop3://127.0.0.1:$port"
	assert_exit 4
	assert_contains 'HTTP'
	if [ "$IT_ELAPSED_MS" -gt 2500 ]; then
		fail "startle took ${IT_ELAPSED_MS} ms: it should not wait for --timeout"
	fi
}
