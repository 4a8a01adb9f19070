# Recordings played back in batch mode (startle --replay FILE --batch):
# sessions recorded against the lab and the real Postfix print again exactly
# as they printed live, in text and JSON Lines, compare recordings with
# their comparison; what is not a recording is refused with FILE:LINE and
# exit 2; and every example session in docs/sessions/ renders with no server.

here_replay=$(dirname "${BASH_SOURCE[0]}")
SESSIONS_DIR=$(cd "$here_replay/../../docs/sessions" 2>/dev/null && pwd)

# replay_same ARGS...: runs startle --batch ARGS --record REC (the live
# session), then --replay REC --batch with the same display options, and
# fails unless the two outputs are byte for byte the same. DISPLAY holds
# the display options (e.g. --json), given to both runs.
replay_same() {
	local rec=$IT_TEST_DIR/rec.$RANDOM.jsonl live
	run_startle --batch "${DISPLAY_OPTS[@]}" "$@" --record "$rec"
	live=$IT_STDOUT
	[ -s "$rec" ] || fail "--record wrote nothing to $rec"
	run_startle --replay "$rec" --batch "${DISPLAY_OPTS[@]}"
	assert_exit 0
	if ! cmp -s "$live" "$IT_STDOUT"; then
		diff "$live" "$IT_STDOUT" | head -n 40 |
			fail "the replay of $rec (${DISPLAY_OPTS[*]}) differs from the live output" -
	fi
	[ -s "$IT_STDOUT" ] || fail "the replay printed nothing"
	REPLAY_REC=$rec
}

test_replay_batch_prints_a_lab_session_again_identically_in_text_and_json() {
	for opts in "--color=always" "--json" "--no-explain" "--records" ""; do
		read -ra DISPLAY_OPTS <<<"$opts"
		replay_same --demo smtp
	done
	DISPLAY_OPTS=()
	assert_matches '^== TLSv1\.3, '
	assert_matches '^== certificate 0: CN=mail\.startle\.test'
	# The recording itself: a header, then every event with its replay object.
	head -n 1 "$REPLAY_REC" | jq -e '.kind == "recording" and .version == 1 and
		(.sessions | length) == 1 and (.sessions[0].target | startswith("smtp://127.0.0.1:"))' \
		>/dev/null || fail "the recording's first line is not its header" - <"$REPLAY_REC"
	assert_json_lines "$REPLAY_REC"
	assert_json 'all(.[]; .replay.wall > 0)' "$REPLAY_REC"
	assert_json_has '.kind == "cert" and (.replay.cert.der | length) > 100' "$REPLAY_REC"
}

test_replay_batch_keeps_bytes_that_are_not_utf8_and_credentials_redacted() {
	local auth=(-c 'EHLO me' -c 'HELP' -c 'AUTH PLAIN AGRlbW8AZGVtbw==' -c QUIT)
	for opts in "" "--json"; do
		read -ra DISPLAY_OPTS <<<"$opts"
		replay_same --demo smtp --scenario escape "${auth[@]}"
	done
	# The greeting's bytes, invalid UTF-8 and all, are in text_base64 and
	# come back exactly: the live JSON and the replayed JSON say the same.
	tail -n +2 "$REPLAY_REC" | jq -r 'select(.dir == "server" and .text_base64 != null) |
		.text_base64' | head -n 1 | base64 -d >"$IT_TEST_DIR/greeting.bytes"
	LC_ALL=C grep -qa $'cr:\r bad-utf8:\xff\xfe bidi:\xe2\x80\xaeevil' \
		"$IT_TEST_DIR/greeting.bytes" || fail "text_base64 does not hold the greeting's bytes"
	[ "$(tr -cd '\000' <"$IT_TEST_DIR/greeting.bytes" | wc -c)" -eq 1 ] ||
		fail "text_base64 lost the greeting's NUL"
	DISPLAY_OPTS=(--redact)
	replay_same --demo smtp --scenario strip "${auth[@]}"
	assert_matches '^-> \[redacted: 27 bytes\]$'
	if grep -q 'AGRlbW8AZGVtbw' "$REPLAY_REC"; then fail "the credential is in the recording"; fi
	# A redacted recording stays redacted in a replay without --redact.
	run_startle --replay "$REPLAY_REC" --batch
	assert_exit 0
	assert_matches '^-> \[redacted: 27 bytes\]$'
}

test_replay_batch_prints_a_compare_recording_with_its_comparison() {
	for opts in "" "--json"; do
		read -ra DISPLAY_OPTS <<<"$opts"
		replay_same --demo --compare
	done
	tail -n 1 "$IT_STDOUT" | jq -e '.kind == "compare" and .same_chain == true and
		.sessions.a.plaintext_bytes > 0 and .sessions.b.plaintext_bytes == 0' >/dev/null ||
		fail "the replay does not end with the recorded comparison" - <"$IT_STDOUT"
	DISPLAY_OPTS=()
	replay_same --demo --compare imap
	assert_matches '^== comparison: explicit and implicit TLS side by side$'
	assert_matches '^a <- \* OK '
	assert_matches '^b <~ \* OK '
}

test_replay_batch_prints_a_postfix_session_again_identically() {
	DISPLAY_OPTS=(--json)
	replay_same --cafile "$STARTLE_IT_CA" --servername mail.test \
		"smtp://127.0.0.1:$STARTLE_SMTP_PORT"
	assert_json_has '.kind == "tls" and .verified == true'
	DISPLAY_OPTS=()
	replay_same --cafile "$STARTLE_IT_CA" --servername mail.test \
		"smtp://127.0.0.1:$STARTLE_SMTP_PORT"
	# Re-recording a replay gives the same events (the header's time aside).
	run_startle --replay "$REPLAY_REC" --batch --record "$IT_TEST_DIR/again.jsonl"
	assert_exit 0
	cmp -s <(tail -n +2 "$REPLAY_REC") <(tail -n +2 "$IT_TEST_DIR/again.jsonl") ||
		fail "recording a replay changed the events"
}

test_replay_refuses_what_is_not_a_recording_with_file_line_and_exit_2() {
	local rec=$IT_TEST_DIR/good.jsonl bad=$IT_TEST_DIR/bad.jsonl
	run_startle --batch --demo --record "$rec"
	run_startle --batch --demo --json
	cp "$IT_STDOUT" "$bad"
	run_startle --replay "$bad" --batch
	assert_exit 2
	assert_stderr_matches "bad\.jsonl:1: no recording header: this is startle's --json output"
	assert_stdout_empty
	head -c "$(($(stat -c %s "$rec") - 40))" "$rec" >"$bad"
	run_startle --replay "$bad" --batch
	assert_exit 2
	assert_stderr_matches "bad\.jsonl:[0-9]+: the file ends in the middle of this line: the recording was cut short"
	assert_stdout_empty
	sed '1s/"version":1/"version":7/' "$rec" >"$bad"
	run_startle --replay "$bad" --batch
	assert_exit 2
	assert_stderr_matches 'bad\.jsonl:1: recording format version 7: this startle reads version 1'
	sed '3s/"phase":"plain"/"phase":[1,2/' "$rec" >"$bad"
	run_startle --replay "$bad" --batch
	assert_exit 2
	assert_stderr_matches 'bad\.jsonl:3: not JSON \(at byte [0-9]+: '
	head -c 4096 /dev/urandom >"$bad"
	run_startle --replay "$bad" --batch
	assert_exit 2
	assert_stderr_matches 'bad\.jsonl:1: '
	run_startle --replay "$IT_TEST_DIR/missing.jsonl" --batch
	assert_exit 2
	assert_stderr_matches 'missing\.jsonl: cannot be read'
	run_startle --replay "$rec" --batch "smtp://127.0.0.1:25"
	assert_exit 2
	assert_stderr_matches 'connects nowhere: leave out a target'
}

test_replay_example_sessions_render_with_no_server() {
	local f n events
	[ -n "$SESSIONS_DIR" ] || fail "docs/sessions is missing"
	n=0
	for f in "$SESSIONS_DIR"/*.jsonl; do
		[ -e "$f" ] || fail "docs/sessions holds no recording"
		n=$((n + 1))
		run_startle --replay "$f" --batch --json
		assert_exit 0
		# Every event of the recording is printed again, and the comparison.
		events=$(tail -n +2 "$f" | wc -l)
		[ "$(wc -l <"$IT_STDOUT")" -eq "$events" ] ||
			fail "$f: $events lines recorded, $(wc -l <"$IT_STDOUT") replayed"
		run_startle --replay "$f" --batch
		assert_exit 0
		assert_matches '^(a |b )?== connected to (smtp|smtps|imap|imaps|pop3|pop3s)://'
	done
	[ "$n" -ge 5 ] || fail "docs/sessions holds $n recordings, expected at least 5"
}
