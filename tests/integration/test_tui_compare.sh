# The explorer under --compare, end to end in tmux: two sessions side by side
# (explicit TLS in column a, implicit in column b) against startle's lab, the
# real Postfix of the harness, a dead port and a slow lab; lines aimed at both
# sides or one, /starttls on the explicit side only, the comparison's figures
# and its differences in words, at 160x48 and at 80x24.

here_tui_compare=$(dirname "${BASH_SOURCE[0]}")
# tui_start, tui_wait, tui_screen, tui_type, tui_keys, tui_lacks ...
. "$here_tui_compare/test_tui.sh"
# lab_start
. "$here_tui_compare/test_lab.sh"

# tui_start, keeping lib.sh's cleanup of the processes a test starts (a lab):
# tui_start's own trap on EXIT ends only the tmux server.
tui_start_cleanly() {
	tui_start "$@"
}

# The text of column a or b: its header row and its transcript, each screen
# row cut at the divider between the columns, down to the rule under them.
tui_column() {
	local field=1
	[ "$1" = b ] && field=2
	tui_screen | awk -F'│' -v f="$field" 'NR > 1 && /^─/ { exit } NR > 1 { print $f }'
}

# Waits until column a or b shows the extended regex, or fails showing it.
tui_column_wait() {
	tui_poll "column $1" "$2" "${3:-10}" tui_column "$1"
}

tui_column_lacks() {
	if tui_column "$1" | grep -qE -- "$2"; then
		tui_screen | fail "column $1 shows /$2/ but should not" -
	fi
}

# The compare demo at COLS x ROWS with more arguments; waits until both
# sides are ready (the prompt shows both phases).
tui_compare_demo() {
	local cols=$1 rows=$2
	shift 2
	TUI_COLS=$cols TUI_ROWS=$rows tui_start_cleanly --demo --compare "$@"
	tui_wait 'a\+b smtp a:plain b:tls>'
}

# Leaves with Ctrl-D and y, then checks the shell has its terminal back.
tui_compare_quit() {
	tui_keys C-d
	tui_wait 'close the sessions and quit\? \[y/N\]' 5
	tui_keys y
	tui_wait 'startle-exit=0' 10
	if [ "$(tmux -L "$IT_TMUX" display -p '#{alternate_on}')" != 0 ]; then
		tui_screen | fail "the terminal is still in the alternate screen after quitting" -
	fi
	tui_type 'echo terminal-$((40 + 2))'
	tui_wait '^terminal-42$' 5
	tui_check_sanitizers
}

# The client lines session a or b sent, from a recording, one a line.
record_client_lines() {
	jq -r --arg s "$2" 'select(.session == $s and .kind == "line" and .dir == "client") | .text' "$1"
}

test_tui_compare_shows_both_columns_headed_by_target_and_mode_at_160x48() {
	tui_compare_demo 160 48
	tui_column_wait a '^ a  smtp://127\.0\.0\.1:[0-9]+  explicit  PLAINTEXT'
	tui_column_wait b '^ b  smtps://127\.0\.0\.1:[0-9]+  implicit  ENCRYPTED'
	# Each column has its own phase gutter and trust boundary: b crossed it.
	tui_column_wait b 'TLS established · encrypted from here on'
	tui_column_wait a '<- 220 mail\.startle\.test'
	tui_column_wait b '<~ 220 mail\.startle\.test'
	tui_column_lacks a 'TLS established'
	# The comparison pane beside the details, filled as the sessions go.
	tui_wait ' comparison +a explicit +b implicit +│ side a'
	tui_wait ' exit +running +running'
	tui_compare_quit
}

test_tui_compare_sends_a_typed_line_to_both_and_each_column_shows_its_answer() {
	tui_compare_demo 160 48
	tui_type 'NOOP'
	tui_column_wait a '^▌-> NOOP'
	tui_column_wait a '^▌<- 250 2\.0\.0 Ok'
	tui_column_wait b '^▌~> NOOP'
	tui_column_wait b '^▌<~ 250 2\.0\.0 Ok'
	# The line is sent: the hints are back, with the keys of --compare.
	tui_wait 'F9 aim +F10 side'
	tui_compare_quit
}

test_tui_compare_starttls_upgrades_the_explicit_side_only_and_fills_the_figures() {
	local rec=$IT_TEST_DIR/compare.jsonl log=$IT_TEST_DIR/compare.log
	tui_compare_demo 160 48 --record "$rec" --log "$log"
	tui_type '/starttls'
	tui_column_wait a '^ a  smtp://[^ ]+  explicit  ENCRYPTED'
	tui_column_wait a '^▌~> EHLO startle\.invalid'
	tui_wait 'a\+b smtp a:tls b:tls>'
	# The figures: plaintext on the explicit side only, TLS on both.
	tui_wait ' plaintext +[1-9][0-9]* bytes, [1-9][0-9]* lines +0 bytes, 0 lines'
	tui_wait ' revealed +greeting, capabilities, STARTTLS'
	tui_wait ' TLS +TLSv1\.3 +TLSv1\.3'
	tui_wait ' certificate +verified, name matches +verified, name matches'
	tui_wait ' same chain +yes'
	tui_wait 'On a \(explicit\) [0-9]+ bytes in [0-9]+ lines crossed in plaintext'
	tui_column_lacks b 'STARTTLS'
	tui_compare_quit
	# The implicit side never got STARTTLS; the explicit one did.
	record_client_lines "$rec" a | grep -qx 'STARTTLS' ||
		fail "session a sent no STARTTLS" - <"$rec"
	if record_client_lines "$rec" b | grep -qi 'STARTTLS'; then
		fail "STARTTLS went to the implicit side b" - <"$rec"
	fi
	# Every event is tagged with its session, each session's numbered 1..n
	# in order; the comparison comes last.
	jq -e -s 'map(select(.kind != "compare" and .kind != "recording")) | length > 0 and
		all(.session == "a" or .session == "b") and
		(group_by(.session) | length == 2 and
		 all(. as $g | [$g[].seq] == [range(1; ($g | length) + 1)]))' "$rec" >/dev/null ||
		fail "the events of the recording are not tagged and numbered by session" - <"$rec"
	tail -n 1 "$rec" | jq -e '.kind == "compare" and .sessions.a.plaintext_bytes > 0 and
		.sessions.b.plaintext_bytes == 0 and .sessions.a.tls_version == "TLSv1.3" and
		.sessions.b.tls_version == "TLSv1.3" and .same_chain == true and
		(.differences | length) > 0' >/dev/null ||
		fail "the recording does not end with the comparison" - <"$rec"
	grep -q '^a -> STARTTLS' "$log" || fail "the log has no 'a -> STARTTLS'" - <"$log"
	grep -q '^b <~ 220 ' "$log" || fail "the log has no 'b <~ 220'" - <"$log"
	grep -q '^== comparison: explicit and implicit TLS side by side' "$log" ||
		fail "the log does not end with the comparison" - <"$log"
}

test_tui_compare_aims_a_line_at_one_side_with_f9_and_slash_a_b() {
	local rec=$IT_TEST_DIR/aim.jsonl
	tui_compare_demo 160 48 --record "$rec"
	tui_keys F9
	tui_wait 'a smtp plain>$'
	tui_wait 'lines go to a only'
	tui_type 'NOOP'
	tui_column_wait a '^▌<- 250 2\.0\.0 Ok'
	tui_type '/b RSET'
	tui_column_wait b '^▌<~ 250 2\.0\.0 Ok'
	# /b aimed one line: the prompt still aims at a; F9 twice is both again.
	tui_wait 'a smtp plain>$'
	tui_keys F9
	tui_wait 'b smtp tls>$'
	tui_keys F9
	tui_wait 'a\+b smtp a:plain b:tls>$'
	tui_type '/a /starttls'
	tui_column_wait a '^▌~> EHLO startle\.invalid'
	tui_compare_quit
	[ "$(record_client_lines "$rec" a | tr '\n' ' ')" = "NOOP EHLO startle.invalid STARTTLS EHLO startle.invalid " ] ||
		fail "side a got other lines than NOOP and the upgrade" - <"$rec"
	[ "$(record_client_lines "$rec" b | tr '\n' ' ')" = "RSET " ] ||
		fail "side b got other lines than RSET" - <"$rec"
}

test_tui_compare_asks_before_a_credential_goes_in_plaintext_and_names_the_side() {
	tui_compare_demo 160 48
	tui_type 'EHLO me'
	tui_column_wait b '<~ 250 8BITMIME'
	tui_type 'AUTH PLAIN AGRlbW8AZGVtbw=='
	tui_wait 'a \(explicit\): send credentials in PLAINTEXT\? .*\[y/N\]'
	# The implicit side is in verified TLS: it got the line at once.
	tui_column_wait b '<~ 235 '
	tui_keys n
	tui_wait 'a: not sent; type STARTTLS'
	tui_column_lacks a 'AUTH'
	tui_compare_quit
}

test_tui_compare_details_follow_the_side_f10_picks_and_the_ladders_align() {
	tui_compare_demo 160 48
	tui_keys F2
	tui_wait '│ side a +F2 Handshake'
	tui_wait 'No TLS yet: this connection is in plaintext'
	tui_keys F10
	tui_wait '│ side b +F2 Handshake'
	tui_wait 'Version +TLSv1\.3'
	tui_wait 'details of b'
	tui_lacks 'No TLS yet'
	# The Ladder tab: both ladders side by side, aligned in time; b's
	# handshake is there while a has had only its plaintext greeting.
	tui_keys F6
	tui_wait '│ side a\+b .*F6 Ladder'
	tui_wait '│  │◀─ 220 mail\.startle\.test'
	tui_wait '│: ┆ ClientHello ┄'
	# The help screen lists the keys and commands of --compare.
	tui_keys F1
	tui_wait 'F9 +aim typed lines at both sides'
	tui_wait '/a \[LINE\]'
	tui_keys F1
	tui_compare_quit
}

test_tui_compare_at_80x24_stacks_the_comparison_on_a_tab_and_survives_resizing() {
	tui_compare_demo 80 24
	tui_column_wait a '^ a  explicit PLAINTEXT 127\.0\.0\.1:[0-9]+'
	tui_column_wait b '^ b  implicit ENCRYPTED 127\.0\.0\.1:[0-9]+'
	# The comparison is the tab the details pane starts on.
	tui_wait 'F8 Compare'
	tui_wait ' comparison +a explicit +b implicit'
	tui_type '/starttls'
	tui_wait 'a\+b smtp a:tls b:tls>'
	tui_wait ' plaintext +[1-9][0-9]* bytes, [1-9][0-9]* lines +0 bytes, 0 lines'
	tui_wait ' TLS +TLSv1\.3 +TLSv1\.3'
	tmux -L "$IT_TMUX" resize-window -x 160 -y 48
	tui_wait ' comparison +a explicit +b implicit +│'
	tui_column_wait a '^ a  smtp://127\.0\.0\.1:[0-9]+  explicit  ENCRYPTED'
	tmux -L "$IT_TMUX" resize-window -x 40 -y 10
	tui_wait 'startle needs at least'
	tmux -L "$IT_TMUX" resize-window -x 80 -y 24
	tui_column_wait b '^ b  implicit ENCRYPTED'
	tui_wait 'a\+b smtp a:tls b:tls>'
	tui_compare_quit
}

test_tui_compare_strip_on_the_explicit_side_is_said_in_words() {
	tui_compare_demo 160 48 --scenario strip
	tui_type '/starttls'
	tui_column_wait a '\[starttls-not-offered\]'
	tui_wait ' findings +starttls-not-offered starttls-refused +none'
	tui_wait 'STARTTLS was missing from the capabilities on a, which is exactly what'
	tui_wait ' TLS +- +TLSv1\.3'
	tui_column_wait a '^ a  smtp://[^ ]+  explicit  PLAINTEXT'
	tui_compare_quit
}

test_tui_compare_a_dead_side_fails_in_its_column_while_the_other_goes_on() {
	local dead
	dead=$(free_port)
	TUI_COLS=160 TUI_ROWS=48 tui_start_cleanly --cafile "$STARTLE_IT_CA" --servername mail.test \
		--compare "smtp://127.0.0.1:$STARTLE_SMTP_PORT" "smtps://127.0.0.1:$dead"
	tui_column_wait b '^ b  smtps://127\.0\.0\.1:[0-9]+  implicit  CLOSED, exit 3'
	tui_column_wait a '<- 220 mail\.test'
	tui_type 'NOOP'
	tui_column_wait a '<- 250 2\.0\.0 Ok'
	tui_wait ' exit +running +3 \(failed on the network\)'
	tui_wait 'a\+b smtp a:plain b:closed>'
	tui_compare_quit
}

test_tui_compare_a_slow_side_never_holds_up_the_other() {
	lab_start smtp slow --implicit --slow-ms 8000
	TUI_COLS=160 TUI_ROWS=48 tui_start_cleanly --cafile "$STARTLE_IT_CA" --servername mail.test \
		--compare "smtp://127.0.0.1:$STARTLE_SMTP_PORT" "smtps://127.0.0.1:$LAB_PORT"
	tui_column_wait a '<- 220 mail\.test'
	tui_type 'NOOP'
	# a answers while b still waits for its greeting, with the line queued.
	tui_column_wait a '<- 250 2\.0\.0 Ok' 4
	tui_column_wait b 'waiting for the greeting [0-9.]+ s \(1 queued\)' 1
	tui_compare_quit
}

test_tui_single_session_help_leaves_out_the_compare_keys() {
	tui_start_cleanly --demo
	tui_wait 'smtp plain>'
	tui_keys F1
	tui_wait '/starttls'
	tui_lacks '/a \[LINE\]'
	tui_lacks 'F9 '
	tui_keys F1
	tui_quit_and_check_terminal
}

test_tui_compare_lesson_runs_side_by_side_and_each_side_completes_its_steps() {
	local dir=$IT_TEST_DIR/lessons
	mkdir -p "$dir"
	cat >"$dir/sides.lesson" <<'LESSON'
title: Side by side
proto: smtp
compare: yes

step: The implicit side is encrypted first
side: b
wait: phase tls
Watch column b: TLS begins before any line.

step: Upgrade the explicit side
wait: phase tls
Type:
    /starttls
LESSON
	TUI_ENV="STARTLE_LESSONS=$dir" TUI_COLS=160 TUI_ROWS=48 tui_start_cleanly --lesson sides
	# b reached TLS on its own: its step counted, a's is next.
	tui_wait 'step 2 of 2'
	tui_wait '✓ The implicit side is encrypted first'
	tui_column_wait a '^ a  smtp://[^ ]+  explicit  PLAINTEXT'
	tui_type '/starttls'
	tui_wait 'lesson complete: Side by side'
	tui_compare_quit
}

test_tui_compare_the_implicit_lesson_runs_both_modes_and_advances() {
	TUI_COLS=160 TUI_ROWS=48 tui_start_cleanly --lesson implicit --no-explain
	tui_column_wait a '^ a  imap://[^ ]+  explicit'
	tui_column_wait b '^ b  imaps://[^ ]+  implicit'
	tui_wait 'step 2 of 6'
	tui_type 'CAPABILITY'
	tui_wait 'step 3 of 6'
	tui_column_wait a 'LOGINDISABLED'
	tui_type 'STARTTLS'
	tui_wait 'step 4 of 6'
	tui_column_wait a '^ a  imap://[^ ]+  explicit  ENCRYPTED'
	# STARTTLS went to a only: b never saw it.
	tui_column_lacks b 'STARTTLS$'
	tui_type '/next'
	tui_wait 'step 5 of 6'
	tui_type 'LOGIN demo demo'
	tui_wait 'step 6 of 6'
	tui_compare_quit
}
