# The explorer end to end: startle's TUI inside tmux against the real Postfix
# and Dovecot of the harness. Keys go in with send-keys; the screen comes back
# with capture-pane; every wait polls for text with a deadline.

tui_require() {
	command -v tmux >/dev/null 2>&1 || it_skip "tmux is not installed (make deps installs it)"
}

# Starts a shell in a fresh tmux server (120x40) and runs startle in it with
# the given arguments (and the environment words in TUI_ENV, e.g. LC_ALL=C);
# stderr goes to a file for the sanitizer check.
tui_start() {
	tui_require
	IT_TMUX="startle-it-$$-${RANDOM}"
	TUI_ERR=$IT_TEST_DIR/tui.stderr
	# lib.sh's cleanup still runs: it ends what the test started.
	trap 'tmux -L "$IT_TMUX" kill-server 2>/dev/null; it_cleanup' EXIT
	tmux -L "$IT_TMUX" -f /dev/null new-session -d -x "${TUI_COLS:-120}" -y "${TUI_ROWS:-40}" \
		"env -u NO_COLOR PS1='itshell\$ ' XDG_STATE_HOME='$IT_TEST_DIR' bash --norc --noprofile" ||
		fail "tmux could not start"
	local cmd
	# shellcheck disable=SC2086
	cmd=$(printf '%q ' env ${TUI_ENV:-} "$STARTLE" "$@")
	tui_wait 'itshell\$' 10
	tmux -L "$IT_TMUX" send-keys -l "$cmd 2>$TUI_ERR; echo startle-exit=\$?"
	tmux -L "$IT_TMUX" send-keys Enter
}

tui_screen() {
	tmux -L "$IT_TMUX" capture-pane -p "$@"
}

# tui_poll WHAT RE SECS CMD...: waits until the output of CMD matches the
# extended regex, or fails showing the screen and saying WHAT never showed it.
tui_poll() {
	local what=$1 re=$2 secs=$3 end
	shift 3
	end=$(($(date +%s%3N) + secs * 1000))
	while [ "$(date +%s%3N)" -lt "$end" ]; do
		if "$@" | grep -qE -- "$re"; then
			return 0
		fi
		sleep 0.1
	done
	{
		tui_screen
		echo "--- stderr"
		head -n 20 "$TUI_ERR" 2>/dev/null
	} | fail "$what never showed /$re/ within $secs s" -
}

# Waits until the screen matches the extended regex, or fails showing it.
tui_wait() {
	tui_poll "the screen" "$1" "${2:-10}" tui_screen
}

tui_lacks() {
	if tui_screen | grep -qE -- "$1"; then
		tui_screen | fail "the screen shows /$1/ but should not" -
	fi
}

tui_type() {
	tmux -L "$IT_TMUX" send-keys -l "$1"
	tmux -L "$IT_TMUX" send-keys Enter
}

tui_keys() {
	tmux -L "$IT_TMUX" send-keys "$@"
}

# Leaves with Ctrl-D (and y when a session is still open), then checks the
# shell got its terminal back.
tui_quit_and_check_terminal() {
	tui_keys C-d
	tui_wait 'close the session and quit\? \[y/N\]|startle-exit=' 5
	if tui_screen | grep -q 'close the session and quit'; then
		tui_keys y
	fi
	tui_wait 'startle-exit=0' 10
	if [ "$(tmux -L "$IT_TMUX" display -p '#{alternate_on}')" != 0 ]; then
		tui_screen | fail "the terminal is still in the alternate screen after quitting" -
	fi
	# Echo and line editing work again: the shell sees what is typed.
	tui_type 'echo terminal-$((40 + 2))'
	tui_wait '^terminal-42$' 5
	tui_check_sanitizers
}

tui_check_sanitizers() {
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TUI_ERR" 2>/dev/null; then
		fail "startle reported a sanitizer error" - <"$TUI_ERR"
	fi
}

tui_smtp() {
	tui_start --cafile "$STARTLE_IT_CA" --servername mail.test \
		"smtp://127.0.0.1:$STARTLE_SMTP_PORT" "$@"
	tui_wait '<- 220 mail\.test'
}

test_tui_connects_shows_greeting_plaintext_and_first_hint() {
	tui_smtp
	tui_wait 'PLAINTEXT'
	# Side by side at 120 columns every tab is named, the others in short.
	tui_wait 'F2 Handshake +F3 Certs F4 Wire F5 Help F6 Ladder'
	tui_wait 'type EHLO me, then STARTTLS'
	tui_wait 'smtp plain>'
	tui_wait '# greeting: the server is ready'
	tui_quit_and_check_terminal
}

test_tui_ehlo_is_explained_and_starttls_draws_the_trust_boundary() {
	tui_smtp
	tui_type 'EHLO me'
	tui_wait '<- 250-STARTTLS'
	tui_wait '# STARTTLS: the server offers to upgrade'
	tui_type 'STARTTLS'
	tui_wait 'TLS established · encrypted from here on'
	tui_wait 'ENCRYPTED'
	tui_wait 'smtp tls>'
	tui_type 'EHLO me'
	tui_wait '~> EHLO me'
	tui_wait '<~ 250 '
	tui_wait 'cert: trusted'
	tui_quit_and_check_terminal
}

test_tui_tabs_show_handshake_certificates_wire_and_help() {
	tui_smtp
	tui_type '/starttls'
	tui_wait 'ENCRYPTED'
	tui_keys F2
	tui_wait 'Version +TLSv1\.3'
	# the records come after the decrypted handshake: a page down (the
	# details pane has the focus after the input line and the transcript)
	tui_keys Tab Tab NPage
	tui_wait 'Records on the wire'
	tui_keys Tab
	tui_keys F3
	tui_wait 'Subject +CN=mail\.test'
	# the second certificate is below the verdict, the OCSP row and the leaf
	tui_keys Tab Tab NPage
	tui_wait 'Certificate 1'
	tui_keys Tab
	tui_keys F4
	tui_wait 'exposed before encryption: [0-9]+ lines'
	tui_wait '\[TLS application_data'
	tui_keys F5
	tui_wait '/starttls'
	tui_wait '/reconnect'
	tui_quit_and_check_terminal
}

test_tui_resize_keeps_the_session_and_stacks_panes() {
	tui_smtp
	tui_type 'EHLO me'
	tui_wait '<- 250 '
	tmux -L "$IT_TMUX" resize-window -x 80 -y 30
	tui_wait 'smtp plain>'
	tui_wait 'F2 Handshake'
	# Stacked: the divider is a horizontal rule, not a column.
	tui_lacks '│ F2 Handshake'
	tmux -L "$IT_TMUX" resize-window -x 40 -y 10
	tui_wait 'startle needs at least'
	tmux -L "$IT_TMUX" resize-window -x 130 -y 40
	tui_wait '│ F2 Handshake'
	tui_wait '-> EHLO me'
	tui_quit_and_check_terminal
}

test_tui_asks_before_sending_credentials_in_plaintext() {
	tui_start "imap://$STARTLE_IMAP_HOST:$STARTLE_IMAP_PORT"
	tui_wait 'imap plain>'
	tui_type 'LOGIN test secret'
	tui_wait 'send credentials in PLAINTEXT\?'
	tui_keys n
	tui_wait 'not sent; type STARTTLS'
	tui_lacks 'LOGIN test secret'
	tui_quit_and_check_terminal
}

test_tui_imap_commands_get_tags_and_tab_completes() {
	tui_start --cafile "$STARTLE_IT_CA" --servername mail.test \
		"imap://$STARTLE_IMAP_HOST:$STARTLE_IMAP_PORT"
	tui_wait 'imap plain>'
	tmux -L "$IT_TMUX" send-keys -l 'CAPAB'
	tui_keys Tab
	tui_wait 'imap plain> CAPABILITY'
	tui_keys Enter
	tui_wait '-> a CAPABILITY'
	tui_wait '<- a OK'
	tui_quit_and_check_terminal
}

test_tui_slash_commands_errors_and_literal_slash() {
	tui_smtp
	# An ambiguous prefix completes to the common part and lists the choices.
	tmux -L "$IT_TMUX" send-keys -l '/rec'
	tui_keys Tab
	tui_wait 'smtp plain> /reco'
	tui_wait '/reconnect +/record'
	tui_keys C-c
	tui_type '/frobnicate'
	tui_wait 'unknown command /frobnicate'
	tui_type '//NOOP'
	tui_wait '-> /NOOP'
	tui_wait '# /NOOP: a command startle does not know'
	tui_quit_and_check_terminal
}

test_tui_sigterm_restores_the_terminal() {
	tui_smtp
	pkill -TERM -f -- "--servername mail.test smtp://127.0.0.1:$STARTLE_SMTP_PORT" ||
		fail "could not signal startle"
	tui_wait 'startle-exit=' 10
	if [ "$(tmux -L "$IT_TMUX" display -p '#{alternate_on}')" != 0 ]; then
		tui_screen | fail "the terminal is still in the alternate screen after SIGTERM" -
	fi
	tui_type 'echo back-$((1 + 1))'
	tui_wait '^back-2$' 5
}

test_tui_demo_shows_the_hint_and_upgrades_verified() {
	# Tall enough that the trust boundary is still on screen once the
	# capabilities inside TLS are in (the verdict and the OCSP staple sit
	# between them).
	TUI_ROWS=50 tui_start --demo
	tui_wait 'startle lab, scenario honest, account demo/demo'
	tui_wait '<- 220 mail\.startle\.test'
	tui_type '/starttls'
	tui_wait 'TLS established · encrypted from here on'
	tui_wait 'cert: trusted'
	tui_quit_and_check_terminal
	# The lab and its CA file went with startle.
	if ls /tmp/startle-lab-ca-* >/dev/null 2>&1 && [ -n "$(find /tmp -maxdepth 1 -name 'startle-lab-ca-*' -newer "$TUI_ERR")" ]; then
		fail "the demo left its CA file behind"
	fi
}

test_tui_demo_escape_scenario_leaves_no_raw_escape_on_screen() {
	tui_start --demo --scenario escape
	tui_wait '<- 220 '
	tui_wait '\\x1b'
	tui_wait 'control-chars'
	# With colours on, capture-pane -e shows the SGR sequences startle drew;
	# the server's own OSC / clear-screen sequences must not be among them.
	local raw
	raw=$(tui_screen -e)
	if printf '%s' "$raw" | grep -q $'\e]'; then
		printf '%s\n' "$raw" | cat -v | fail "an OSC sequence from the server reached the screen" -
	fi
	if printf '%s' "$raw" | grep -q $'\e\\[2J'; then
		fail "a clear-screen sequence from the server reached the screen"
	fi
	# The lab's greeting tries to set the terminal title.
	if tmux -L "$IT_TMUX" display -p '#{pane_title}' | grep -q 'owned\|startle-lab title'; then
		fail "the server's escape sequence set the terminal title"
	fi
	tui_quit_and_check_terminal
}

test_tui_lesson_advances_when_its_step_happens() {
	tui_start --lesson starttls
	tui_wait 'F7 Lesson'
	# The greeting completes the first step by itself.
	tui_wait 'step 2 of'
	tui_wait '✓ The server speaks first'
	tui_type 'EHLO me'
	tui_wait 'step 3 of'
	tui_quit_and_check_terminal
}

test_tui_ladder_draws_an_arrow_per_command() {
	tui_start --demo
	tui_wait '<- 220 '
	tui_type 'EHLO me'
	tui_wait '<- 250 '
	tui_type 'NOOP'
	tui_wait '<- 250 .*Ok'
	tui_keys F6
	tui_wait 'client +server'
	tui_wait 'EHLO me ─+▶'
	tui_wait 'NOOP ─+▶'
	tui_wait '◀─+ 250'
	tui_quit_and_check_terminal
}

test_tui_log_writes_everything_so_far_and_clear_keeps_it() {
	tui_start --demo
	tui_wait '<- 220 mail\.startle\.test'
	tui_type 'EHLO me'
	tui_wait '<- 250 '
	tui_type "/log $IT_TEST_DIR/session.log"
	tui_wait 'logging the session to'
	tui_type '/clear'
	tui_wait 'pane cleared'
	tui_lacks '<- 220 mail\.startle\.test'
	tui_type 'NOOP'
	tui_wait '-> NOOP'
	tui_quit_and_check_terminal
	grep -q '^<- 220 mail.startle.test' "$IT_TEST_DIR/session.log" ||
		fail "the log lacks the greeting sent before /log" - <"$IT_TEST_DIR/session.log"
	grep -q '^-> NOOP' "$IT_TEST_DIR/session.log" ||
		fail "the log lacks the line sent after /clear" - <"$IT_TEST_DIR/session.log"
	grep -q '^   # ' "$IT_TEST_DIR/session.log" ||
		fail "the log has no explanations" - <"$IT_TEST_DIR/session.log"
}

test_tui_runs_c_lines_and_starttls_from_the_command_line() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	tui_start --cafile "$STARTLE_IT_CA" --servername mail.test \
		"smtp://127.0.0.1:$STARTLE_SMTP_PORT" -c 'EHLO tui.test' --starttls -c 'NOOP'
	# The lines run in order without typing: the upgrade happens on its own.
	tui_wait 'ENCRYPTED'
	tui_wait 'STARTTLS done: the session is encrypted'
	tui_wait '~> NOOP'
	tui_wait '<~ 250 2\.0\.0 Ok'
	tui_wait 'smtp tls>'
	tui_quit_and_check_terminal
	wait_postfix_disconnect "$mark"
	assert_log_matches 'ehlo=3 starttls=1 noop=1'
}

test_tui_sends_a_blank_line_inside_data() {
	tui_smtp
	tui_type 'EHLO me'
	tui_type 'MAIL FROM:<a@mail.test>'
	tui_type 'RCPT TO:<root@mail.test>'
	tui_type 'DATA'
	tui_wait 'smtp data>|<- 354 '
	tui_type 'Subject: blank'
	tui_type ''
	tui_type 'body'
	tui_type '.'
	tui_wait '<- 250 2\.0\.0 Ok: queued'
	tui_quit_and_check_terminal
}

test_tui_auth_option_asks_for_the_password_without_echo() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	tui_require
	tui_start --cafile "$STARTLE_IT_CA" --servername mail.test \
		"smtp://127.0.0.1:$STARTLE_SUBMIT_PORT" --starttls --auth "$STARTLE_IT_USER"
	tui_wait "password for $STARTLE_IT_USER:"
	tmux -L "$IT_TMUX" send-keys -l "$STARTLE_IT_PASSWORD"
	sleep 0.2
	tui_lacks "$STARTLE_IT_PASSWORD"
	tui_keys Enter
	tui_wait '<~ 235 2\.7\.0 Authentication successful'
	tui_quit_and_check_terminal
	wait_postfix_disconnect "$mark"
	assert_log_matches 'starttls=1 auth=1'
}

test_tui_auth_command_asks_user_then_hidden_password_and_consent_in_plaintext() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	tui_start --cafile "$STARTLE_IT_CA" --servername mail.test \
		"smtp://127.0.0.1:$STARTLE_SUBMIT_PORT"
	tui_wait 'smtp plain>'
	tui_type 'EHLO me'
	tui_wait '<- 250.AUTH PLAIN LOGIN'
	tui_type '/auth login'
	tui_wait 'user for LOGIN:'
	tui_type "$STARTLE_IT_USER"
	tui_wait 'password \(not shown\):'
	tmux -L "$IT_TMUX" send-keys -l "$STARTLE_IT_PASSWORD"
	tui_wait 'password \(not shown\): \*{6}'
	tui_lacks "$STARTLE_IT_PASSWORD"
	tui_keys Enter
	# In plaintext the exchange waits for consent.
	tui_wait 'send credentials in PLAINTEXT\?'
	tui_keys y
	tui_wait '<- 334 UGFzc3dvcmQ6'
	tui_wait '<- 235 2\.7\.0 Authentication successful'
	tui_quit_and_check_terminal
	wait_postfix_disconnect "$mark"
	assert_log_matches 'auth=1'
	# Neither the user's answers nor the password reach the history file.
	if grep -q "$STARTLE_IT_PASSWORD" "$IT_TEST_DIR/startle/history" 2>/dev/null; then
		fail "the password is in the history file" - <"$IT_TEST_DIR/startle/history"
	fi
}

test_tui_dumb_and_unknown_terminals_say_to_use_batch_with_exit_2() {
	local term
	tui_require
	TUI_ERR=$IT_TEST_DIR/tui.stderr
	for term in dumb no-such-terminal-type; do
		IT_TMUX="startle-it-$$-${RANDOM}"
		# lib.sh's cleanup still runs: it ends what the test started.
	trap 'tmux -L "$IT_TMUX" kill-server 2>/dev/null; it_cleanup' EXIT
		tmux -L "$IT_TMUX" -f /dev/null new-session -d -x 80 -y 24 \
			"env PS1='itshell\$ ' bash --norc --noprofile" || fail "tmux could not start"
		tui_wait 'itshell\$' 10
		tmux -L "$IT_TMUX" send-keys -l \
			"TERM=$term $(printf '%q' "$STARTLE") --demo 2>$TUI_ERR; echo startle-exit=\$?"
		tmux -L "$IT_TMUX" send-keys Enter
		tui_wait 'startle-exit=2' 10
		grep -q -- '--batch' "$TUI_ERR" || fail "TERM=$term: no word of --batch" - <"$TUI_ERR"
		grep -q "TERM=$term" "$TUI_ERR" || fail "TERM=$term: the message does not name it" - <"$TUI_ERR"
		tmux -L "$IT_TMUX" kill-server 2>/dev/null
	done
}

test_tui_under_lang_c_draws_ascii_stand_ins_and_no_bytes_beyond_ascii() {
	TUI_ENV="LANG=C LC_ALL=C" TUI_COLS=80 TUI_ROWS=24 tui_start --demo
	tui_wait 'smtp plain>'
	tui_type '/starttls'
	tui_wait 'ENCRYPTED'
	tui_keys F6
	tui_wait '=+ TLS established \. encrypted =+'
	tui_wait 'EHLO startle\.invalid =+>\|'
	# The gutter is one column, a bar; nothing of a UTF-8 sequence shows.
	tui_wait '^\|<~ 250'
	if tui_screen | LC_ALL=C grep -q $'[\x80-\xff]'; then
		tui_screen | fail "bytes beyond ASCII reached the screen under LANG=C" -
	fi
	tui_lacks '~V~L|~U~P'
	tui_quit_and_check_terminal
}

test_tui_redact_hides_the_credential_on_screen_and_in_files() {
	local log=$IT_TEST_DIR/session.log hist=$IT_TEST_DIR/startle/history f
	tui_start --demo --scenario strip --redact --log "$log"
	tui_wait '<- 220 mail\.startle\.test'
	tui_type 'EHLO me'
	tui_wait '<- 250 '
	tui_type 'AUTH PLAIN AGRlbW8AZGVtbw=='
	tui_wait 'PLAINTEXT\?'
	tui_keys y
	tui_wait '-> \[redacted: 27 bytes\]'
	tui_wait '<- 235 '
	tui_lacks 'AGRlbW8AZGVtbw'
	tui_type "/record $IT_TEST_DIR/session.jsonl"
	tui_wait 'recording the session to'
	tui_quit_and_check_terminal
	for f in "$log" "$IT_TEST_DIR/session.jsonl" "$hist"; do
		[ -f "$f" ] || fail "$f was not written"
		[ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f"), not 600"
		if grep -q 'AGRlbW8AZGVtbw' "$f"; then fail "the credential is in $f"; fi
	done
	grep -q '^-> \[redacted: 27 bytes\]' "$log" || fail "the log lacks the marker" - <"$log"
}

test_tui_log_write_error_is_said_and_exits_2() {
	tui_start --demo --log /dev/full
	tui_wait '<- 220 mail\.startle\.test'
	tui_keys C-d
	tui_wait 'close the session and quit\? \[y/N\]|startle-exit=' 5
	if tui_screen | grep -q 'close the session and quit'; then
		tui_keys y
	fi
	tui_wait 'startle-exit=2' 10
	grep -q 'writing the log or recording failed' "$TUI_ERR" ||
		fail "stderr does not report the failed write" - <"$TUI_ERR"
}

test_tui_one_yes_covers_an_authentication_exchange_and_no_answer_reaches_history() {
	tui_start --demo smtp --scenario strip
	tui_wait 'smtp plain>'
	tui_type 'EHLO me'
	tui_wait '<- 250'
	tui_type 'AUTH LOGIN'
	tui_wait 'send credentials in PLAINTEXT\?'
	tui_keys y
	tui_wait '<- 334 VXNlcm5hbWU6'
	# The answers belong to the exchange the yes was for: no second question.
	tui_type 'ZGVtbw=='
	tui_wait '<- 334 UGFzc3dvcmQ6'
	tui_lacks 'send credentials in PLAINTEXT\?'
	tui_type 'ZGVtbw=='
	tui_wait '<- 235 '
	tui_type 'NOOP'
	tui_wait '<- 250 '
	tui_quit_and_check_terminal
	local hist=$IT_TEST_DIR/startle/history
	[ -f "$hist" ] || fail "no history file was written"
	grep -q '^NOOP$' "$hist" || fail "the history lacks NOOP" - <"$hist"
	if grep -qE 'ZGVtbw==|AUTH LOGIN' "$hist"; then
		fail "a credential line is in the history file" - <"$hist"
	fi
}

test_tui_asks_with_the_verdict_before_a_credential_goes_into_unverified_tls() {
	tui_start --demo smtp --scenario self-signed
	tui_wait 'smtp plain>'
	tui_type '/starttls'
	tui_wait 'smtp tls>'
	tui_type 'AUTH PLAIN AGRlbW8AZGVtbw=='
	tui_wait 'send credentials into TLS that is NOT verified \(.*self-signed'
	tui_keys n
	tui_wait 'not sent: the certificate is not trusted'
	tui_lacks '~> AUTH PLAIN'
	tui_type 'AUTH PLAIN AGRlbW8AZGVtbw=='
	tui_wait 'NOT verified'
	tui_keys y
	tui_wait '<~ 235 '
	tui_quit_and_check_terminal
}

test_tui_after_a_refused_upgrade_asks_before_going_on_in_plaintext() {
	tui_start --demo smtp --scenario refuse
	tui_wait 'smtp plain>'
	tui_type '/starttls'
	tui_wait 'starttls-refused'
	tui_type 'NOOP'
	tui_wait 'the upgrade failed \(.*\): go on in PLAINTEXT'
	tui_keys y
	tui_wait '-> NOOP'
	tui_wait '<- 250 '
	# Once said, the rest of the plaintext session goes without asking.
	tui_type 'NOOP'
	tui_lacks 'go on in PLAINTEXT'
	tui_quit_and_check_terminal
}

# The Text row of the selected event's details (after Enter on it).
tui_selected_text() {
	tui_screen | grep -oE 'Text +250[- ][A-Za-z0-9.]+' | head -n 1
}

test_tui_slash_searches_the_transcript_and_n_and_shift_n_move_between_matches() {
	tui_smtp
	tui_type 'EHLO me'
	tui_wait '<- 250-STARTTLS'
	tui_keys Tab
	tui_keys /
	tui_wait 'search /'
	tui_type 'pipelining'
	tui_wait 'found /pipelining'
	tui_keys Enter
	tui_wait 'Text +250-PIPELINING'
	tui_keys /
	tui_type 'no such word'
	tui_wait 'pattern not found: no such word'
	tui_keys /
	tui_type '250-'
	tui_wait 'found /250-'
	local first next end
	first=$(tui_selected_text)
	[ -n "$first" ] || tui_screen | fail "no selected event after the search" -
	tui_keys n
	end=$(($(date +%s) + 5))
	while next=$(tui_selected_text) && [ "$next" = "$first" ] && [ "$(date +%s)" -lt "$end" ]; do
		sleep 0.1
	done
	[ "$next" != "$first" ] || tui_screen | fail "n did not move to the next match" -
	tui_keys N
	tui_wait "$first"
	# On the input line / still starts a slash command (Esc closes the
	# details, then goes back to the input line).
	tui_keys Escape
	sleep 0.3
	tui_keys Escape
	sleep 0.3
	tui_type '/nosuchcommand'
	tui_wait 'unknown command'
	tui_quit_and_check_terminal
}

test_tui_tab_completes_theme_names_and_the_list_goes_when_the_line_changes() {
	tui_smtp
	tmux -L "$IT_TMUX" send-keys -l '/theme d'
	tui_keys Tab
	tui_wait 'dark  default'
	# A key that changes the line takes the list away.
	tmux -L "$IT_TMUX" send-keys -l 'a'
	tui_wait 'smtp plain> /theme da$'
	tui_wait ' F1 help +F2-F6 tabs'
	tui_lacks 'dark  default'
	tui_keys Tab
	tui_wait 'smtp plain> /theme dark$'
	# Enter takes a list away too.
	tui_keys C-u
	tmux -L "$IT_TMUX" send-keys -l '/theme d'
	tui_keys Tab
	tui_wait 'dark  default'
	tmux -L "$IT_TMUX" send-keys -l 'ark'
	tui_keys Enter
	tui_lacks 'dark  default'
	tui_quit_and_check_terminal
}

test_tui_tab_completes_log_paths_with_directories_ending_in_a_slash() {
	mkdir -p "$IT_TEST_DIR/logsdir"
	: >"$IT_TEST_DIR/logsdir/old.log"
	tui_smtp
	tmux -L "$IT_TMUX" send-keys -l "/log $IT_TEST_DIR/logsd"
	tui_keys Tab
	# (the line is longer than the screen: it scrolls to keep the cursor)
	tui_wait "/logsdir/\$"
	# No space after a directory: the next Tab goes on inside it.
	tui_keys Tab
	tui_wait "/logsdir/old\\.log\$"
	tui_keys C-c
	tui_quit_and_check_terminal
}

test_tui_lesson_started_late_counts_the_steps_already_done_and_names_the_scenario() {
	tui_start --demo
	tui_wait '<- 220 mail\.startle\.test'
	tui_type 'EHLO me'
	tui_wait '<- 250 '
	tui_type '/lesson starttls'
	# The greeting and EHLO happened before the lesson: both steps count.
	tui_wait '2 steps already done'
	tui_wait 'step 3 of'
	# A lesson for another scenario of the lab says how to run it.
	tui_type '/lesson stripping'
	tui_wait 'this lesson runs on the smtp strip scenario: leave and start startle --lesson stripping'
	tui_quit_and_check_terminal
}
