# The explorer over a recording (startle --replay FILE), end to end in tmux
# at 80x24: it opens with no server at all, steps event by event forward and
# back, shows the recorded chain in the Certificates tab and the comparison
# of a compare recording, plays, refuses to send, and gives the terminal back.

here_tui_replay=$(dirname "${BASH_SOURCE[0]}")
# tui_start, tui_wait, tui_screen, tui_type, tui_keys, tui_lacks ...
. "$here_tui_replay/test_tui.sh"

# Records a lab session in batch mode (the lab ends with it) into REC and
# sets REC_EVENTS to its number of events.
replay_record() {
	REC=$IT_TEST_DIR/session.jsonl
	run_startle --batch "$@" --record "$REC"
	assert_exit 0
	REC_EVENTS=$(tail -n +2 "$REC" | grep -vc '^{"kind":"compare"')
}

# The explorer on REC at 80x24, at the start of the recording.
replay_tui() {
	TUI_COLS=80 TUI_ROWS=24 tui_start --replay "$REC" "$@"
	tui_wait "replay 0/$REC_EVENTS paused"
}

test_tui_replay_opens_with_no_server_and_steps_forward_and_back() {
	replay_record --demo smtp
	replay_tui
	tui_wait 'replay smtp plain>'
	tui_wait 'nothing is sent'
	tui_lacks 'connected to'
	tui_keys Right
	tui_wait "replay 1/$REC_EVENTS"
	tui_wait '== connected to smtp://127\.0\.0\.1:'
	tui_lacks '<- 220 '
	tui_keys Right
	tui_wait "replay 2/$REC_EVENTS"
	tui_wait '<- 220 mail\.startle\.test'
	tui_keys Left
	tui_wait "replay 1/$REC_EVENTS"
	tui_lacks '<- 220 '
	tui_keys End
	tui_wait "replay $REC_EVENTS/$REC_EVENTS paused"
	tui_wait 'closed the TLS session'
	tui_wait 'replay smtp closed>'
	tui_keys Home
	tui_wait "replay 0/$REC_EVENTS"
	tui_lacks 'connected to'
	tui_quit_and_check_terminal
}

test_tui_replay_certificate_tab_shows_the_recorded_chain() {
	local leaf title=no subject=no
	replay_record --demo imap
	leaf=$(tail -n +2 "$REC" | jq -r 'select(.kind == "cert" and .depth == 0) | .sha256')
	replay_tui
	tui_keys F3
	tui_wait 'No certificate yet'
	tui_keys End
	tui_wait 'Chain +trusted'
	# The leaf's fields as recorded: the details pane scrolled line by line
	# down to its hash.
	tui_keys Tab Tab
	for _ in $(seq 40); do
		tui_screen | grep -q 'Certificate 0: leaf' && title=yes
		tui_screen | grep -qE 'Subject +CN=mail\.startle\.test' && subject=yes
		tui_screen | grep -qE "SHA-256 +${leaf:0:20}" && break
		tui_keys Down
		sleep 0.05
	done
	tui_wait "SHA-256 +${leaf:0:20}" 2
	[ "$title" = yes ] || tui_screen | fail "no 'Certificate 0: leaf' on the way" -
	[ "$subject" = yes ] || tui_screen | fail "the leaf's subject never showed" -
	tui_keys Tab # the focus back on the input line, where Ctrl-D leaves
	tui_quit_and_check_terminal
}

test_tui_replay_says_plainly_that_nothing_is_sent() {
	replay_record --demo pop3
	replay_tui
	tui_type 'CAPA'
	tui_wait 'this is a replay of session\.jsonl: a line for the server needs a live'
	tui_type '/starttls'
	tui_wait 'this is a replay of session\.jsonl: /starttls needs a live session'
	tui_type '/reconnect'
	tui_wait '/reconnect needs a live session'
	tui_lacks 'replay [1-9]'
	tui_quit_and_check_terminal
}

test_tui_replay_plays_to_the_end_at_the_recorded_pace_and_faster() {
	replay_record --demo smtp
	replay_tui
	tui_keys + +
	tui_wait 'replay at 4x the recorded pace'
	tui_keys Space
	tui_wait "replay $REC_EVENTS/$REC_EVENTS paused" 10
	tui_wait 'the end of the recording'
	tui_wait 'closed the TLS session'
	tui_quit_and_check_terminal
}

test_tui_replay_of_a_comparison_shows_both_columns_and_the_comparison() {
	replay_record --demo --compare
	replay_tui
	tui_keys End
	tui_wait 'a +explicit +CLOSED, exit 0'
	tui_wait 'b +implicit +CLOSED, exit 0'
	tui_keys F8
	tui_wait 'plaintext +273 bytes|plaintext +[0-9]+ bytes, [0-9]+ lines +0 bytes'
	tui_wait 'revealed +greeting, capabilities'
	tui_quit_and_check_terminal
}

test_tui_replay_runs_a_lesson_on_the_recording() {
	replay_record --demo smtp
	TUI_COLS=80 TUI_ROWS=24 tui_start --replay "$REC" --lesson starttls
	tui_wait 'step 1 of 8'
	tui_wait '▸ The server speaks first'
	# The greeting, then the EHLO sent: the lesson's first two steps.
	for _ in 1 2 3; do tui_keys Right; done
	tui_wait '✓ The server speaks first'
	tui_wait '✓ Ask what the server offers'
	tui_wait 'step 3 of 8'
	tui_quit_and_check_terminal
}

# The titles of the steps of lesson NAME that wait for the reader (/next).
lesson_read_steps() {
	awk '/^step:/ { sub(/^step: */, ""); t = $0 } /^wait: *read *$/ { print t }' \
		"$here_tui_replay/../../docs/lessons/$1.lesson"
}

# Prints "moved on" once the lesson's current step is no longer TITLE.
step_moved_on() {
	tui_screen | grep -qF "▸ $1" || echo "moved on"
}

# replay_lesson_completes SESSION LESSON: the lesson runs on the example
# recording docs/sessions/SESSION.jsonl to its end, stepping one event at a
# time and typing /next only where a step asks to be read.
replay_lesson_completes() {
	local file=$here_tui_replay/../../docs/sessions/$1.jsonl lesson=$2 reads cur pos=0
	reads=$(lesson_read_steps "$lesson")
	[ -n "$reads" ] || fail "lesson $lesson has no read step: the test reads its file wrong"
	TUI_COLS=120 TUI_ROWS=48 tui_start --replay "$file" --lesson "$lesson"
	tui_wait 'step 1 of [0-9]+'
	while ! tui_screen | grep -q 'Lesson complete'; do
		cur=$(tui_screen | sed -nE 's/^(.*│)?▸ //p' | sed 's/ *$//')
		if [ -n "$cur" ] && grep -qxF -- "$cur" <<<"$reads"; then
			tui_type '/next'
			tui_poll "the lesson's step \"$cur\"" '^moved on$' 5 step_moved_on "$cur"
			continue
		fi
		if tui_screen | grep -qE 'replay ([0-9]+)/\1 '; then
			tui_screen | fail "the recording ended before lesson $lesson did" -
		fi
		tui_keys Right
		pos=$((pos + 1))
		tui_wait "replay $pos/" 5
	done
	tui_quit_and_check_terminal
}

test_tui_replay_lesson_starttls_completes_on_its_example_session() {
	replay_lesson_completes smtp-starttls starttls
}

test_tui_replay_lesson_stripping_completes_on_its_example_session() {
	replay_lesson_completes smtp-stripping stripping
}

test_tui_replay_lesson_injection_completes_on_its_example_session() {
	replay_lesson_completes smtp-injection injection
}

test_tui_replay_lesson_certificates_completes_on_its_example_session() {
	replay_lesson_completes imap-starttls certificates
}

test_tui_replay_lesson_implicit_completes_on_its_comparison() {
	replay_lesson_completes imap-compare implicit
}

# The details pane of the screen: what follows the last column divider on
# each row that has one (the transcript sits left of it).
replay_details() {
	tui_screen | awk -F'│' 'NF > 1 { print $NF }'
}

# What only each tab's pane shows (tab key, extended regex), so that a
# capture is of that tab and not of the one before.
declare -A replay_tab_marker=(
	[F2]='Version +TLSv1\.3'
	[F3]='Subject +CN=mail\.test'
	[F4]='exposed before encryption: [0-9]+ lines'
	[F6]='client +server'
)

# replay_capture_tab TAB FILE: switches to TAB, waits for its marker in the
# details pane, then writes the pane to FILE once two captures agree (the
# whole pane drawn, not the first rows of it).
replay_capture_tab() {
	local tab=$1 file=$2 prev=
	tui_keys "$tab"
	tui_poll "the $tab tab's /${replay_tab_marker[$tab]}/" "${replay_tab_marker[$tab]}" 10 replay_details
	for _ in $(seq 20); do
		replay_details >"$file"
		[ "$(cat "$file")" = "$prev" ] && return 0
		prev=$(cat "$file")
		sleep 0.1
	done
	fail "the $tab tab never stopped changing" - <"$file"
}

test_tui_replay_of_a_postfix_session_shows_every_tab_as_it_was_live() {
	local rec=$IT_TEST_DIR/postfix.jsonl tab n
	tui_smtp --record "$rec"
	tui_type '/starttls'
	tui_wait 'smtp tls>'
	tui_type 'QUIT'
	tui_wait 'smtp closed>'
	for tab in F2 F3 F4 F6; do
		replay_capture_tab "$tab" "$IT_TEST_DIR/live.$tab"
	done
	tui_quit_and_check_terminal
	tmux -L "$IT_TMUX" kill-server 2>/dev/null
	n=$(tail -n +2 "$rec" | grep -c .)
	tui_start --replay "$rec"
	tui_wait "replay 0/$n paused"
	tui_keys End
	tui_wait "replay $n/$n paused"
	for tab in F2 F3 F4 F6; do
		replay_capture_tab "$tab" "$IT_TEST_DIR/replay.$tab"
		diff "$IT_TEST_DIR/live.$tab" "$IT_TEST_DIR/replay.$tab" >"$IT_TEST_DIR/diff.$tab" ||
			fail "the replayed $tab tab differs from the live one" - <"$IT_TEST_DIR/diff.$tab"
	done
	tui_quit_and_check_terminal
}
