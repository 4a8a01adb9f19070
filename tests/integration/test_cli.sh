# The command line contract: exit codes, usage errors, output files.

cli_smtp_probe() {
	run_startle --batch "smtp://127.0.0.1:$STARTLE_SMTP_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test "$@"
}

test_cli_connection_refused_exits_3() {
	run_startle --batch "smtp://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 3
	if ! cat "$IT_STDOUT" "$IT_STDERR" | grep -qi 'refused'; then
		it_show_run | fail "neither stdout nor stderr says the connection was refused" -
	fi
}

test_cli_connection_refused_in_json_is_an_error_event() {
	run_startle --batch --json "smtp://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 3
	assert_json_lines
	assert_json_has '.kind == "error"'
	assert_json_lacks '.kind == "line"'
}

test_cli_unknown_scheme_is_a_usage_error() {
	run_startle --batch "gopher://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 2
	assert_stderr_matches 'usage'
	assert_stdout_empty
}

test_cli_missing_target_is_a_usage_error() {
	run_startle --batch
	assert_exit 2
	assert_stderr_matches 'usage'
	assert_stdout_empty
}

test_cli_bad_ports_are_usage_errors() {
	local port
	for port in 0 65536 99999 abc 25x; do
		run_startle --batch "smtp://127.0.0.1:$port"
		assert_exit 2
		assert_stderr_matches 'usage'
	done
}

test_cli_unknown_option_is_a_usage_error() {
	run_startle --batch --no-such-option "smtp://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 2
	assert_stderr_matches 'usage'
}

test_cli_tls_min_above_tls_max_is_a_usage_error() {
	run_startle --batch --tls-min 1.3 --tls-max 1.2 "smtp://127.0.0.1:$STARTLE_SMTP_PORT"
	assert_exit 2
	assert_stderr_matches 'usage'
	assert_stdout_empty
}

test_cli_unsupported_tls_version_is_a_usage_error() {
	run_startle --batch --tls-min 1.1 "smtp://127.0.0.1:$STARTLE_SMTP_PORT"
	assert_exit 2
	assert_stderr_matches 'usage'
}

test_cli_help_and_version_exit_0() {
	run_startle --help
	assert_exit 0
	assert_contains '--batch'
	assert_contains '--require-tls'
	run_startle -V
	assert_exit 0
	assert_matches '^startle [0-9]+\.[0-9]+\.[0-9]+'
}

test_cli_implicit_tls_against_a_plaintext_server_exits_5() {
	run_startle --batch "smtps://127.0.0.1:$STARTLE_SMTP_NOTLS_PORT" --cafile "$STARTLE_IT_CA"
	assert_exit 5
}

test_cli_silent_server_times_out_with_exit_3() {
	local port pid
	port=$(free_port)
	[ -n "$port" ] || fail "no free port for the silent server"
	# A TLS server waits for a ClientHello, so an SMTP client waiting for the
	# greeting hears nothing.
	openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$STARTLE_IT_WORK/pki/leaf.pem" \
		-key "$STARTLE_IT_WORK/pki/leaf.key" </dev/null >/dev/null 2>&1 &
	pid=$!
	it_kill_at_exit "$pid"
	local i
	for ((i = 0; i < 50; i++)); do
		timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null && break
		sleep 0.1
	done
	run_startle --batch --timeout 2 "smtp://127.0.0.1:$port"
	assert_exit 3
	if [ "$IT_ELAPSED_MS" -lt 1500 ] || [ "$IT_ELAPSED_MS" -gt 15000 ]; then
		it_show_run | fail "a 2 s timeout took ${IT_ELAPSED_MS} ms" -
	fi
}

test_cli_log_file_gets_the_annotated_text() {
	local log=$IT_TEST_DIR/session.log
	cli_smtp_probe --json --log "$log"
	assert_exit 0
	assert_json_lines
	[ -s "$log" ] || fail "--log wrote nothing to $log"
	IT_STDOUT=$log assert_lines_in_order '^-> +EHLO ' '^-> +STARTTLS$' '^== .*TLSv1\.3' '^~> +EHLO '
}

test_cli_record_file_gets_json_lines() {
	local rec=$IT_TEST_DIR/session.jsonl
	cli_smtp_probe --record "$rec"
	assert_exit 0
	assert_matches '^~> +EHLO '
	assert_json_lines "$rec"
	assert_json_has '.kind == "tls" and .version == "TLSv1.3"' "$rec"
	assert_json_has '.kind == "cert" and .depth == 0' "$rec"
	assert_json_has 'line("tls"; "client") and imatches("^EHLO ")' "$rec"
}

test_cli_keylog_writes_nss_lines_for_tls12() {
	local keylog=$IT_TEST_DIR/keys.log
	cli_smtp_probe --tls-max 1.2 --keylog "$keylog"
	assert_exit 0
	if ! grep -qE '^CLIENT_RANDOM [0-9a-fA-F]{64} [0-9a-fA-F]{96}$' "$keylog" 2>/dev/null; then
		head -n 20 "$keylog" 2>/dev/null | fail "--keylog wrote no CLIENT_RANDOM line for a TLS 1.2 session" -
	fi
}

test_cli_text_to_a_file_has_no_colour_codes() {
	IT_KEEP_COLOR=1 cli_smtp_probe
	assert_exit 0
	assert_matches '^-> +EHLO '
	if grep -q $'\x1b' "$IT_STDOUT"; then
		it_show_run | cat -v | fail "escape sequences in text written to a file" -
	fi
}
