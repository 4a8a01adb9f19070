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

# The mode of FILE in octal (e.g. 600).
file_mode() {
	stat -c %a "$1"
}

test_cli_log_record_and_keylog_are_created_0600() {
	local log=$IT_TEST_DIR/session.log rec=$IT_TEST_DIR/session.jsonl keys=$IT_TEST_DIR/keys.log f
	umask 022
	cli_smtp_probe --tls-max 1.2 --log "$log" --record "$rec" --keylog "$keys"
	assert_exit 0
	for f in "$log" "$rec" "$keys"; do
		[ -s "$f" ] || fail "$f is empty or missing"
		[ "$(file_mode "$f")" = 600 ] || fail "$f has mode $(file_mode "$f"), not 600"
	done
}

test_cli_existing_log_is_narrowed_to_0600() {
	local log=$IT_TEST_DIR/session.log
	echo old >"$log"
	chmod 644 "$log"
	cli_smtp_probe --log "$log"
	assert_exit 0
	[ "$(file_mode "$log")" = 600 ] || fail "an existing log kept mode $(file_mode "$log")"
	if grep -qx old "$log"; then fail "the old contents of the log survived"; fi
}

test_cli_symlink_at_the_log_path_is_refused() {
	local target=$IT_TEST_DIR/target link=$IT_TEST_DIR/session.log opt
	for opt in --log --record --keylog; do
		echo keep >"$target"
		ln -sf "$target" "$link"
		run_startle --batch "smtp://127.0.0.1:$STARTLE_CLOSED_PORT" "$opt" "$link"
		assert_exit 2
		assert_stderr_matches 'symbolic link'
		[ "$(cat "$target")" = keep ] || fail "$opt wrote through the symlink"
	done
}

test_cli_log_write_error_is_reported_and_exits_non_zero() {
	cli_smtp_probe --log /dev/full
	assert_exit 2
	assert_stderr_matches 'writing the log to /dev/full failed: no space left'
	assert_matches '^-> +EHLO '
}

test_cli_cafile_that_is_not_pem_exits_2_before_connecting() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	run_startle --batch --cafile /etc/passwd "smtp://127.0.0.1:$STARTLE_SMTP_PORT"
	assert_exit 2
	assert_stderr_matches '/etc/passwd: holds no usable PEM certificate'
	assert_stdout_empty
	sleep 1
	if tail -c +"$((mark + 1))" "$STARTLE_IT_POSTFIX_LOG" | grep -q 'connect from'; then
		fail "Postfix saw a connection although the CA file was unusable"
	fi
	run_startle --batch --cafile /etc/passwd "smtp://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 2
}

test_cli_keylog_in_a_missing_directory_exits_2_before_connecting() {
	run_startle --batch --keylog /nonexistent/dir/f "smtp://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 2
	assert_stderr_matches 'key log file /nonexistent/dir/f: cannot be written'
	assert_stdout_empty
}

test_cli_escape_in_the_target_never_reaches_the_terminal_raw() {
	run_startle --batch "smtp://$(printf 'h\x1b]0;pwn\x07'):25"
	assert_exit 2
	if grep -q $'[\x1b\x07]' "$IT_STDERR" "$IT_STDOUT"; then
		it_show_run | cat -v | fail "a raw control byte from the target reached the terminal" -
	fi
	assert_stderr_matches 'h\\x1b\]0;pwn\\x07'
}

test_cli_fail_on_warn_exits_1_on_a_warning_and_danger_does_not() {
	run_startle --batch --demo --scenario still-offered --fail-on warn
	assert_exit 1
	# A warning's marker is "! ", a danger's "!!", an info's "i ".
	assert_matches '^!  \[starttls-still-offered\]'
	assert_matches '^\*\* --fail-on warn: finding starttls-still-offered'
	run_startle --batch --demo --scenario still-offered --fail-on danger
	assert_exit 0
	run_startle --batch --demo --scenario still-offered
	assert_exit 0
}

test_cli_fail_on_keeps_a_network_exit() {
	run_startle --batch --fail-on info "smtp://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 3
}

test_cli_redact_hides_the_credential_everywhere() {
	local log=$IT_TEST_DIR/session.log rec=$IT_TEST_DIR/session.jsonl f
	local auth=(-c 'EHLO a' -c 'AUTH PLAIN AGRlbW8AZGVtbw==')
	run_startle --batch --demo --scenario strip --redact --log "$log" --record "$rec" "${auth[@]}"
	assert_exit 0
	assert_matches '^-> \[redacted: 27 bytes\]$'
	assert_matches '^<- 235 '
	for f in "$IT_STDOUT" "$log" "$rec"; do
		if grep -q 'AGRlbW8AZGVtbw' "$f"; then fail "the credential is in $f"; fi
	done
	assert_json_has '.redacted == true and .text == "[redacted: 27 bytes]"' "$rec"
	run_startle --batch --json --demo --scenario strip --redact "${auth[@]}"
	assert_exit 0
	assert_not_contains 'AGRlbW8AZGVtbw'
	assert_json_has 'line("plain"; "client") and .redacted == true'
	run_startle --batch --demo --scenario strip "${auth[@]}"
	assert_contains 'AUTH PLAIN AGRlbW8AZGVtbw=='
}

test_cli_imap_flags_keep_one_backslash() {
	run_startle --batch --demo imap --starttls -c 'LOGIN demo demo' -c 'SELECT INBOX'
	assert_exit 0
	assert_matches '^<~ \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)$'
	run_startle --batch --json --demo imap --starttls -c 'LOGIN demo demo' -c 'SELECT INBOX'
	assert_json_has '.text == "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)"'
}

test_cli_escape_in_a_demo_scenario_never_reaches_the_terminal_raw() {
	run_startle --batch --demo --scenario "$(printf 'x\x1b[2J')"
	assert_exit 2
	if grep -q $'\x1b' "$IT_STDERR" "$IT_STDOUT"; then
		it_show_run | cat -v | fail "a raw ESC from --scenario reached the terminal" -
	fi
	assert_stderr_matches 'unknown scenario "x\\x1b\[2J"'
}

# make install puts the programs, the man pages, the themes and lessons the
# installed binary finds, and the docs the man page points to; uninstall
# takes every file back out.
test_cli_make_install_and_uninstall_under_destdir() {
	local root dest
	root=$(cd "$(dirname "$IT_LIB")/../.." && pwd)
	dest=$IT_TEST_DIR/dest
	make -C "$root" --no-print-directory install PREFIX=/usr/local DESTDIR="$dest" \
		>"$IT_TEST_DIR/install.log" 2>&1 || fail "make install failed" - <"$IT_TEST_DIR/install.log"
	for f in bin/startle bin/startle-lab share/man/man1/startle.1 share/startle/themes/dark.theme \
		share/startle/lessons/starttls.lesson share/doc/startle/themes.md \
		share/doc/startle/architecture.md share/doc/startle/README.md; do
		[ -f "$dest/usr/local/$f" ] || fail "make install did not install $f" - <"$IT_TEST_DIR/install.log"
	done
	make -C "$root" --no-print-directory uninstall PREFIX=/usr/local DESTDIR="$dest" \
		>>"$IT_TEST_DIR/install.log" 2>&1
	[ -z "$(find "$dest" -type f)" ] || find "$dest" -type f | fail "uninstall left files" -
}

test_cli_color_always_colours_a_pipe_and_never_does_not() {
	# run_startle sets NO_COLOR=1 and writes to a file: only always colours.
	run_startle --demo --batch --color=always
	assert_exit 0
	grep -q $'\x1b\\[' "$IT_STDOUT" || it_show_run | fail "--color=always wrote no colour" -
	run_startle --demo --batch --color=never
	assert_exit 0
	if grep -q $'\x1b' "$IT_STDOUT"; then
		it_show_run | fail "--color=never wrote an escape" -
	fi
	run_startle --demo --batch --color=sometimes
	assert_exit 2
	assert_stderr_matches '--color takes auto, always or never'
}

# The configuration file: $XDG_CONFIG_HOME/startle/config holds defaults.

# Writes its arguments, one a line, as the configuration file under
# $IT_TEST_DIR/xdg and points XDG_CONFIG_HOME there.
cli_config() {
	mkdir -p "$IT_TEST_DIR/xdg/startle"
	printf '%s\n' "$@" >"$IT_TEST_DIR/xdg/startle/config"
	export XDG_CONFIG_HOME=$IT_TEST_DIR/xdg
	unset STARTLE_CONFIG
}

# Starts a TLS server that an SMTP client hears nothing from; prints its port.
cli_silent_server() {
	local port pid i
	port=$(free_port)
	[ -n "$port" ] || fail "no free port for the silent server"
	openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$STARTLE_IT_WORK/pki/leaf.pem" \
		-key "$STARTLE_IT_WORK/pki/leaf.key" </dev/null >/dev/null 2>&1 &
	pid=$!
	it_kill_at_exit "$pid"
	for ((i = 0; i < 50; i++)); do
		timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null && break
		sleep 0.1
	done
	echo "$port"
}

test_cli_config_timeout_makes_a_silent_server_time_out_fast() {
	local port
	port=$(cli_silent_server)
	cli_config '# wait less' 'timeout = 1'
	run_startle --batch "smtp://127.0.0.1:$port"
	assert_exit 3
	if [ "$IT_ELAPSED_MS" -lt 700 ] || [ "$IT_ELAPSED_MS" -gt 4000 ]; then
		it_show_run | fail "timeout 1 in the file took ${IT_ELAPSED_MS} ms" -
	fi
}

test_cli_config_the_command_line_timeout_wins() {
	local port
	port=$(cli_silent_server)
	cli_config 'timeout 1'
	run_startle --batch --timeout 3 "smtp://127.0.0.1:$port"
	assert_exit 3
	if [ "$IT_ELAPSED_MS" -lt 2500 ]; then
		it_show_run | fail "--timeout 3 over the file's timeout 1 took ${IT_ELAPSED_MS} ms" -
	fi
}

test_cli_config_a_bad_line_exits_2_naming_file_and_line() {
	cli_config 'theme dark' '' 'timeout soon'
	run_startle --batch "smtp://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 2
	assert_stdout_empty
	assert_stderr_matches "xdg/startle/config:3: --timeout takes whole seconds"
	assert_stderr_matches 'run with --no-config'
	cli_config 'timeout 5' 'colour never'
	run_startle --batch "smtp://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 2
	assert_stderr_matches 'config:2: unknown setting "colour"'
}

test_cli_config_refuses_insecure_and_keylog() {
	cli_config 'insecure'
	run_startle --batch "smtp://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 2
	assert_stderr_matches 'config:1: insecure cannot be set here'
	cli_config "keylog $IT_TEST_DIR/keys"
	run_startle --batch "smtp://127.0.0.1:$STARTLE_CLOSED_PORT"
	assert_exit 2
	assert_stderr_matches 'config:1: keylog cannot be set here'
	[ ! -e "$IT_TEST_DIR/keys" ] || fail "a refused keylog line created the file"
}

test_cli_config_no_config_ignores_the_file() {
	cli_config 'timeout soon'
	run_startle --no-config --demo --batch
	assert_exit 0
	assert_contains 'STARTTLS'
}

test_cli_config_settings_reach_the_output() {
	local with without
	cli_config 'no-explain'
	run_startle --demo --batch --no-config
	assert_exit 0
	without=$(wc -l <"$IT_STDOUT")
	run_startle --demo --batch
	assert_exit 0
	with=$(wc -l <"$IT_STDOUT")
	[ "$with" -lt "$without" ] ||
		it_show_run | fail "no-explain in the file left $with lines (without it: $without)" -
	run_startle --demo --batch --no-explain --no-config
	assert_exit 0
	[ "$(wc -l <"$IT_STDOUT")" -eq "$with" ] ||
		it_show_run | fail "no-explain from the file differs from --no-explain" -
}

test_cli_config_a_named_file_must_exist_and_a_missing_default_is_fine() {
	export XDG_CONFIG_HOME=$IT_TEST_DIR/empty
	unset STARTLE_CONFIG
	run_startle --demo --batch
	assert_exit 0
	run_startle --config "$IT_TEST_DIR/nowhere" --demo --batch
	assert_exit 2
	assert_stderr_matches 'nowhere: cannot be read'
	printf 'timeout soon\n' >"$IT_TEST_DIR/other"
	STARTLE_CONFIG=$IT_TEST_DIR/other run_startle --demo --batch
	assert_exit 2
	assert_stderr_matches 'other:1: --timeout'
}
