# startle through startle-lab's attack proxy, in front of the real Postfix and
# Dovecot: each attack shows up in startle's findings, and with the proxy
# passing bytes through, TLS still verifies end to end.

# Starts `startle-lab proxy` on a free loopback port in front of UPSTREAM
# (host:port) with PROTO and ATTACK. Sets PROXY_PORT and PROXY_LOG (its stdout
# and stderr). The proxy is bounded in time and ended when the test ends. A
# port taken between the choice and the bind (by some client's ephemeral
# port) is replaced by another.
proxy_start() {
	local upstream=$1 proto=$2 attack=$3 tries
	if [ -z "${STARTLE_LAB:-}" ] || [ ! -x "$STARTLE_LAB" ]; then
		it_skip "STARTLE_LAB='${STARTLE_LAB:-}' is not an executable file: startle-lab is not built"
	fi
	PROXY_LOG=$IT_TEST_DIR/proxy.log
	for ((tries = 0; tries < 5; tries++)); do
		PROXY_PORT=$(free_port)
		timeout -k 2 80 "$STARTLE_LAB" proxy --listen "127.0.0.1:$PROXY_PORT" \
			--upstream "$upstream" --proto "$proto" --attack "$attack" \
			</dev/null >"$PROXY_LOG" 2>&1 &
		PROXY_PID=$!
		it_kill_at_exit "$PROXY_PID"
		if proxy_wait_listening; then
			return 0
		fi
		grep -q 'Address already in use' "$PROXY_LOG" ||
			fail "startle-lab proxy exited before listening" - <"$PROXY_LOG"
	done
	fail "startle-lab proxy found no free port in 5 tries" - <"$PROXY_LOG"
}

# Waits until the proxy listens on PROXY_PORT (at most 10 s); returns 1 if it
# exited first.
proxy_wait_listening() {
	local deadline=$((SECONDS + 10)) probe_after=$((SECONDS + 3))
	# The log announces the port; should it stay silent, a connection tells.
	until grep -q "listening on 127\.0\.0\.1:$PROXY_PORT" "$PROXY_LOG" 2>/dev/null ||
		{ [ "$SECONDS" -ge "$probe_after" ] &&
			timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$PROXY_PORT" 2>/dev/null; }; do
		if ! kill -0 "$PROXY_PID" 2>/dev/null; then
			wait "$PROXY_PID" 2>/dev/null
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			fail "startle-lab proxy did not listen on 127.0.0.1:$PROXY_PORT within 10 s" - <"$PROXY_LOG"
		fi
		sleep 0.1
	done
}

# Waits (at most 10 s) until the proxy has logged the end of every connection
# it accepted, so their summaries are complete.
proxy_wait_closed() {
	local deadline=$((SECONDS + 10)) opened closed
	while :; do
		opened=$(grep -cE '^proxy\[[0-9]+\]: == client .* connected$' "$PROXY_LOG")
		closed=$(grep -cE '^proxy\[[0-9]+\]: == connection closed$' "$PROXY_LOG")
		[ "$opened" -ge 1 ] && [ "$closed" -ge "$opened" ] && break
		if [ "$SECONDS" -ge "$deadline" ]; then
			fail "the proxy did not log the end of the connection within 10 s" - <"$PROXY_LOG"
		fi
		sleep 0.1
	done
}

assert_proxy_log_matches() {
	if ! grep -qE -- "$1" "$PROXY_LOG"; then
		tail -n 60 "$PROXY_LOG" | fail "no proxy log line matches: $1" -
	fi
}

assert_proxy_log_no_match() {
	if grep -qE -- "$1" "$PROXY_LOG"; then
		grep -E -- "$1" "$PROXY_LOG" | fail "a proxy log line matches, but none should: $1" -
	fi
}

proxy_smtp() {
	proxy_start "127.0.0.1:$STARTLE_SMTP_PORT" smtp "$1"
}

test_proxy_strip_hides_starttls_from_startle_smtp() {
	proxy_smtp strip
	run_startle --batch --json "smtp://127.0.0.1:$PROXY_PORT"
	assert_exit 0
	assert_json_lines
	assert_finding starttls-not-offered
	assert_json_has 'line("plain"; "server") and matches("^250 ")'
	assert_json_lacks 'line("plain"; "server") and matches("^250[- ]STARTTLS")'
	# startle tries STARTTLS anyway; the proxy answers it as unknown.
	assert_json_has 'line("plain"; "server") and matches("^502 5\\.5\\.1 ")'
	assert_json_lacks '.phase == "tls"'
	proxy_wait_closed
	assert_proxy_log_matches '^proxy\[[0-9]+\]: <- 250[- ]STARTTLS$'
	assert_proxy_log_matches '!! strip: dropped this line'
}

test_proxy_strip_makes_require_tls_fail_before_postfix_sees_starttls() {
	local mark
	proxy_smtp strip
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	run_startle --batch --json --require-tls "smtp://127.0.0.1:$PROXY_PORT"
	assert_exit 1
	assert_finding starttls-not-offered
	assert_json_lacks '.phase == "tls"'
	wait_postfix_disconnect "$mark"
	assert_log_no_match 'disconnect from .*starttls='
}

test_proxy_pass_lets_tls_verify_end_to_end() {
	proxy_smtp pass
	run_startle --batch --json "smtp://127.0.0.1:$PROXY_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"'
	assert_json_has '.kind == "tls" and has("verified") and .verified == true and .name_match == true'
	assert_json_has 'line("tls"; "server") and matches("^250 ")'
	assert_no_finding starttls-not-offered
	assert_no_finding starttls-injection
}

test_proxy_pass_sees_plaintext_but_only_record_headers_after_the_upgrade() {
	proxy_smtp pass
	run_startle --batch --json "smtp://127.0.0.1:$PROXY_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test
	assert_exit 0
	# startle sends EHLO twice; the proxy can read only the plaintext one.
	assert_json '[.[] | select(.kind == "line" and .dir == "client" and imatches("^EHLO "))]
		| length == 2'
	proxy_wait_closed
	if [ "$(grep -cE '^proxy\[[0-9]+\]: -> EHLO ' "$PROXY_LOG")" != 1 ]; then
		tail -n 60 "$PROXY_LOG" | fail "the proxy should have read exactly one EHLO (the plaintext one)" -
	fi
	assert_proxy_log_matches '-> STARTTLS$'
	assert_proxy_log_matches 'relays TLS bytes it cannot read'
	assert_proxy_log_matches '~> TLS record: handshake ClientHello'
	assert_proxy_log_matches '<~ TLS record: handshake ServerHello'
	assert_proxy_log_matches '<~ TLS record: application_data'
	assert_proxy_log_matches 'client->server after the go-ahead: [0-9]+ bytes relayed unread, [0-9]+ TLS records'
	assert_proxy_log_no_match '<- 221 '
}

test_proxy_refuse_gives_starttls_refused_and_postfix_never_sees_starttls() {
	local mark
	proxy_smtp refuse
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	run_startle --batch --json "smtp://127.0.0.1:$PROXY_PORT"
	assert_exit 0
	assert_finding starttls-refused
	assert_no_finding starttls-not-offered
	assert_json_has 'line("plain"; "server") and matches("^250[- ]STARTTLS$")'
	assert_json_has 'line("plain"; "server") and matches("^454 4\\.7\\.0 ")'
	assert_json_lacks '.phase == "tls"'
	wait_postfix_disconnect "$mark"
	assert_log_no_match 'disconnect from .*starttls='
}

test_proxy_inject_is_reported_while_the_handshake_still_succeeds() {
	proxy_smtp inject
	run_startle --batch --json "smtp://127.0.0.1:$PROXY_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test
	assert_exit 0
	assert_finding starttls-injection
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"'
	assert_json_has '.kind == "tls" and has("verified") and .verified == true'
	# The forged lines are discarded, not taken for the server's capabilities.
	assert_json_lacks '.kind == "line" and matches("INJECTED")'
	proxy_wait_closed
	assert_proxy_log_matches '!! inject: appended'
}

test_proxy_strip_hides_starttls_from_startle_imap() {
	proxy_start "$STARTLE_IMAP_HOST:$STARTLE_IMAP_PORT" imap strip
	run_startle --batch --json "imap://127.0.0.1:$PROXY_PORT"
	assert_exit 0
	assert_finding starttls-not-offered
	assert_json_has 'line("plain"; "server") and matches("^\\* OK \\[CAPABILITY ")'
	assert_json_lacks 'line("plain"; "server") and matches("CAPABILITY .*STARTTLS")'
	assert_json_lacks '.phase == "tls"'
	proxy_wait_closed
	assert_proxy_log_matches '!! strip: removed the STARTTLS atom'
}

test_proxy_strip_hides_stls_from_startle_pop3() {
	proxy_start "$STARTLE_IMAP_HOST:$STARTLE_POP3_PORT" pop3 strip
	run_startle --batch --json "pop3://127.0.0.1:$PROXY_PORT"
	assert_exit 0
	assert_finding starttls-not-offered
	assert_json_has 'line("plain"; "server") and matches("^SASL|^TOP|^UIDL|^USER")'
	assert_json_lacks 'line("plain"; "server") and matches("^STLS")'
	assert_json_lacks '.phase == "tls"'
}

test_proxy_blank_makes_postfix_reject_starttls_and_startle_suspect_a_downgrade() {
	local mark
	proxy_smtp blank
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	run_startle --batch --json "smtp://127.0.0.1:$PROXY_PORT"
	assert_exit 0
	assert_finding starttls-refused
	assert_finding downgrade-suspected
	# Postfix offered STARTTLS and did not recognise what reached it.
	assert_json_has 'line("plain"; "server") and matches("^250[- ]STARTTLS$")'
	assert_json_has 'line("plain"; "server") and matches("^50[02] ")'
	assert_json_lacks '.phase == "tls"'
	proxy_wait_closed
	assert_proxy_log_matches '!! blank: forwarded STARTTLS as XXXXXXXX'
	wait_postfix_disconnect "$mark"
	assert_log_no_match 'disconnect from .*starttls=1'
}

test_proxy_blank_in_front_of_dovecot_gives_bad_and_a_suspected_downgrade() {
	proxy_start "$STARTLE_IMAP_HOST:$STARTLE_IMAP_PORT" imap blank
	run_startle --batch --json "imap://127.0.0.1:$PROXY_PORT"
	assert_exit 0
	assert_finding downgrade-suspected
	assert_json_has 'line("plain"; "server") and matches("^[a-z]+ BAD ")'
	assert_json_lacks '.phase == "tls"'
}

test_proxy_refuse_is_not_taken_for_a_rewritten_command() {
	proxy_smtp refuse
	run_startle --batch --json "smtp://127.0.0.1:$PROXY_PORT"
	assert_finding starttls-refused
	assert_no_finding downgrade-suspected
}
