# --compare in batch and JSON: real Postfix (a STARTTLS listener against a
# wrappermode one) and real Dovecot (IMAP 143/993 and POP3 110/995 on high
# ports), and the lab's pair with a hostile explicit side.

# The compare event, the last line of a JSON run.
compare_json() {
	tail -n 1 "$IT_STDOUT"
}

# jq over the compare event: exits 0 when EXPR holds.
assert_compare() {
	compare_json | jq -e "$1" >/dev/null ||
		{ compare_json | jq . ; fail "the compare event does not satisfy: $1"; }
}

postfix_pair() {
	run_startle --batch --compare "smtp://127.0.0.1:$STARTLE_SMTP_PORT" \
		"smtps://127.0.0.1:$STARTLE_SMTPS_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test "$@"
}

test_compare_postfix_json_tags_every_event_and_ends_with_the_comparison() {
	postfix_pair --json
	assert_exit 0
	local n
	n=$(wc -l <"$IT_STDOUT")
	[ "$(head -n $((n - 1)) "$IT_STDOUT" | jq -c 'select(.session != "a" and .session != "b")' | wc -l)" -eq 0 ] ||
		fail "an event before the comparison lacks session a or b"
	# Each session numbers its own events from 1, with no gap.
	for s in a b; do
		head -n $((n - 1)) "$IT_STDOUT" | jq -s -e --arg s "$s" \
			'[.[] | select(.session == $s) | .seq] as $q | $q == [range(1; ($q | length) + 1)]' >/dev/null ||
			fail "the events of session $s are not numbered 1..n"
	done
	assert_compare '.kind == "compare" and (has("seq") | not)'
	assert_compare '.sessions.a.target == "smtp://127.0.0.1:'"$STARTLE_SMTP_PORT"'" and .sessions.a.mode == "explicit"'
	assert_compare '.sessions.b.target == "smtps://127.0.0.1:'"$STARTLE_SMTPS_PORT"'" and .sessions.b.mode == "implicit"'
	assert_compare '.sessions.a.plaintext_bytes > 100 and .sessions.a.plaintext_lines >= 4'
	assert_compare '.sessions.b.plaintext_bytes == 0 and .sessions.b.plaintext_lines == 0'
	assert_compare '.sessions.a.tls_version == "TLSv1.3" and .sessions.b.tls_version == "TLSv1.3"'
	assert_compare '(.sessions.a.cipher | startswith("TLS_")) and (.sessions.b.group | length) > 0'
	assert_compare '.sessions.a.time_to_tls_ms > 0 and .sessions.b.time_to_tls_ms > 0'
	assert_compare '.sessions.a.verified and .sessions.a.name_match and .sessions.b.verified and .sessions.b.name_match'
	assert_compare '(.sessions.a.leaf_sha256 | test("^[0-9a-f]{64}$")) and .sessions.a.leaf_sha256 == .sessions.b.leaf_sha256'
	assert_compare '.same_chain == true'
	assert_compare '.sessions.a.exit == 0 and .sessions.b.exit == 0'
	assert_compare '.sessions.a.revealed == ["greeting", "capabilities", "starttls"] and .sessions.b.revealed == []'
	assert_compare '.differences | any(test("crossed in plaintext before TLS.*nothing to read, strip or inject"))'
}

test_compare_postfix_plaintext_bytes_are_what_crossed_before_tls() {
	postfix_pair --json
	assert_exit 0
	# The plaintext lines of session a, each with its CRLF, are the bytes
	# that crossed before TLS.
	local lines bytes
	lines=$(jq -s '[.[] | select(.session == "a" and .kind == "line" and .phase == "plain") | (.text | utf8bytelength) + 2] | add' "$IT_STDOUT")
	bytes=$(compare_json | jq '.sessions.a.plaintext_bytes')
	[ "$lines" = "$bytes" ] || fail "plaintext_bytes $bytes, the plaintext lines add up to $lines"
}

test_compare_postfix_text_marks_each_line_with_its_session() {
	postfix_pair --no-explain
	assert_exit 0
	assert_lines_in_order '^a <- +220 mail\.test ESMTP' '^a -> +STARTTLS$' '^a ~> +EHLO '
	assert_matches '^b <~ +220 mail\.test ESMTP'
	assert_no_match '^b (->|<-) '
	assert_no_match '^b ~> +STARTTLS'
	assert_lines_in_order '^== comparison' '^ +plaintext +[0-9]+ bytes, [0-9]+ lines +0 bytes, 0 lines$' \
		'^ +TLS +TLSv1\.3 +TLSv1\.3$' '^ +same chain +yes$' '^== differences' '^ +- On a \(explicit\)'
}

test_compare_command_lines_go_to_both_and_starttls_only_to_the_explicit_side() {
	postfix_pair --json -c 'EHLO it.test' --starttls -c 'NOOP' -c 'QUIT'
	assert_exit 0
	assert_json_has '.session == "a" and line("plain"; "client") and .text == "EHLO it.test"'
	assert_json_has '.session == "b" and line("tls"; "client") and .text == "EHLO it.test"'
	assert_json_has '.session == "a" and line("tls"; "client") and .text == "NOOP"'
	assert_json_has '.session == "b" and line("tls"; "client") and .text == "NOOP"'
	assert_json_lacks '.session == "b" and .kind == "line" and .text == "STARTTLS"'
	assert_compare '.sessions.a.revealed == ["greeting", "capabilities", "starttls"]'
}

test_compare_host_pairs_submission_with_smtps_by_default() {
	# Port 587 and 465 on 127.0.0.9 are closed: both sides fail to connect,
	# and the comparison says where each pointed.
	run_startle --batch --json --timeout 5 --compare 127.0.0.9
	assert_exit 3
	assert_compare '.sessions.a.target == "submission://127.0.0.9:587" and .sessions.b.target == "smtps://127.0.0.9:465"'
	assert_compare '.sessions.a.exit == 3 and .sessions.b.exit == 3 and .sessions.a.error != null'
}

test_compare_dovecot_imap_143_against_993() {
	run_startle --batch --json --compare "imap://$STARTLE_IMAP_HOST:$STARTLE_IMAP_PORT" \
		"imaps://$STARTLE_IMAP_HOST:$STARTLE_IMAPS_PORT" --cafile "$STARTLE_IT_CA"
	assert_exit 0
	assert_json_has '.session == "a" and line("plain"; "server") and matches("^\\* OK")'
	assert_json_has '.session == "b" and line("tls"; "server") and matches("^\\* OK")'
	assert_compare '.sessions.a.plaintext_bytes > 0 and .sessions.b.plaintext_bytes == 0'
	assert_compare '.sessions.a.tls_version == "TLSv1.3" and .sessions.b.tls_version == "TLSv1.3"'
	assert_compare '.same_chain == true and .sessions.a.verified and .sessions.b.verified'
	assert_compare '.sessions.a.findings == ["logindisabled"] and .sessions.b.findings == []'
	assert_compare '.differences | any(test("Only a reported: logindisabled"))'
}

test_compare_dovecot_pop3_110_against_995_with_a_login_on_both() {
	STARTLE_PASSWORD=$STARTLE_IT_PASSWORD run_startle --batch --json --compare \
		"pop3://$STARTLE_IMAP_HOST:$STARTLE_POP3_PORT" "pop3s://$STARTLE_IMAP_HOST:$STARTLE_POP3S_PORT" \
		--cafile "$STARTLE_IT_CA" --starttls --auth "$STARTLE_IT_USER" -c STAT -c QUIT
	assert_exit 0
	for s in a b; do
		assert_json_has '.session == "'$s'" and line("tls"; "server") and matches("^\\+OK Logged in")'
		assert_json_has '.session == "'$s'" and line("tls"; "client") and .text == "STAT"'
		assert_json_has '.session == "'$s'" and line("tls"; "server") and matches("^\\+OK [0-9]+ [0-9]+")'
	done
	assert_json_lacks 'line("plain"; "client") and imatches("^(AUTH|USER|PASS) ")'
	assert_compare '(.sessions.a.revealed | index("credential")) == null'
	assert_compare '.sessions.a.exit == 0 and .sessions.b.exit == 0'
}

test_compare_lab_strip_on_the_explicit_side_is_told_in_words() {
	run_startle --batch --json --demo pop3 --compare --scenario strip
	assert_exit 0
	assert_compare '.sessions.a.findings | index("starttls-not-offered") != null'
	assert_compare '.sessions.a.tls_version == null and (.sessions.a.revealed | index("everything")) != null'
	assert_compare '.sessions.b.tls_version == "TLSv1.3" and .sessions.b.findings == []'
	assert_compare '.differences | any(test("a \\(explicit\\) never reached TLS"))'
	assert_compare '.differences | any(test("exactly what an attacker who strips it produces"))'
}

test_compare_exit_is_the_worse_of_the_two() {
	# b is a port nothing listens on: a ends well, b with a network error.
	run_startle --batch --json --compare "smtp://127.0.0.1:$STARTLE_SMTP_PORT" \
		"smtps://127.0.0.1:$STARTLE_CLOSED_PORT" --cafile "$STARTLE_IT_CA" --servername mail.test
	assert_exit 3
	assert_compare '.sessions.a.exit == 0 and .sessions.b.exit == 3'
	assert_compare '.differences | any(test("b failed on the network \\(exit 3\\)"))'
	assert_compare '.sessions.a.tls_version == "TLSv1.3"'
}

test_compare_slow_side_does_not_hold_up_the_other() {
	# The lab's slow scenario stalls the greeting for 0.5 s; a
	# Postfix pair would not. Here: Postfix on a, the slow lab on b.
	[ -x "${STARTLE_LAB:-}" ] || it_skip "STARTLE_LAB is not an executable file (make integration sets it)"
	local lab_out
	lab_out=$IT_TEST_DIR/lab.out
	"$STARTLE_LAB" --proto smtp --implicit --scenario slow --slow-ms 500 --port 0 >"$lab_out" 2>&1 </dev/null &
	it_kill_at_exit $!
	local port="" i
	for i in $(seq 1 100); do
		port=$(grep -m 1 -oE '^listening on 127\.0\.0\.1:[0-9]+' "$lab_out" | sed 's/.*://')
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { cat "$lab_out"; fail "the lab did not say its port"; }
	run_startle --batch --json --compare "smtp://127.0.0.1:$STARTLE_SMTP_PORT" \
		"smtps://127.0.0.1:$port" --cafile "$STARTLE_IT_CA" --servername mail.test
	# a finished its whole probe before b's greeting arrived.
	local a_done b_greet
	a_done=$(jq -s '[.[] | select(.session == "a" and .kind == "close")][0].t' "$IT_STDOUT")
	b_greet=$(jq -s '[.[] | select(.session == "b" and .kind == "line" and .dir == "server")][0].t' "$IT_STDOUT")
	[ "$b_greet" != null ] || fail "the slow side never greeted: the test shows nothing"
	jq -n -e --argjson a "$a_done" --argjson b "$b_greet" '$a < $b' >/dev/null ||
		fail "session a ended at $a_done s, after b's first server line at $b_greet s"
	assert_compare '.sessions.a.exit == 0'
}
