# Memory stays bounded in bytes whatever a server sends, and nothing the user
# asked to keep is lost: the lab's flood scenario answers the first command
# inside TLS with lines that never end.

# A build with AddressSanitizer keeps its own shadow memory and quarantine:
# its peak says nothing about startle's bound.
memory_need_plain_build() {
	if nm -C "$STARTLE" 2>/dev/null | grep -q '__asan_init'; then
		it_skip "a sanitizer build: its peak memory is the sanitizer's, not startle's"
	fi
	[ -x /usr/bin/time ] || it_skip "/usr/bin/time is not installed (make deps installs time)"
}

# flood SECONDS ARGS...: runs startle against the flood until SIGINT after
# SECONDS; sets IT_STDOUT, IT_PEAK_KIB.
flood() {
	local seconds=$1
	shift
	IT_STDOUT=$IT_TEST_DIR/out.txt
	/usr/bin/time -f '%M' -o "$IT_TEST_DIR/peak" timeout -s INT "$seconds" \
		"$STARTLE" --batch --demo imap --scenario flood --starttls -c NOOP "$@" \
		>"$IT_STDOUT" 2>"$IT_TEST_DIR/err" </dev/null
	IT_PEAK_KIB=$(tail -n 1 "$IT_TEST_DIR/peak")
}

test_memory_batch_stays_under_64_mib_in_a_flood_and_the_record_keeps_every_line() {
	memory_need_plain_build
	flood 3 --record "$IT_TEST_DIR/rec.jsonl" --no-explain
	local lines last
	lines=$(grep -c '"text":"\* OK flood line' "$IT_TEST_DIR/rec.jsonl")
	last=$(grep -o '"text":"\* OK flood line [0-9]*' "$IT_TEST_DIR/rec.jsonl" | tail -n 1 | grep -oE '[0-9]+$')
	[ "$lines" -ge 100000 ] || fail "only $lines flood lines arrived in 3 s: the test says nothing"
	[ "$IT_PEAK_KIB" -le 65536 ] || fail "peak memory $IT_PEAK_KIB KiB over $lines flood lines"
	# Every line the server sent is in the recording, in order, numbered 0..n-1.
	[ "$((10#$last + 1))" -eq "$lines" ] || fail "the recording holds $lines flood lines, the last numbered $last"
	awk -F'"seq":' 'NR > 1 { split($2, a, ","); if (a[1] != NR - 1) { print "seq " a[1] " on line " NR; exit 1 } }' \
		"$IT_TEST_DIR/rec.jsonl" || fail "the recording's seq has a gap"
	# The interruption is said, and standard output got every line too.
	assert_matches '^\*\* Interrupt: startle stopped here; everything before this line was written out$'
	[ "$(grep -c '^<~ \* OK flood line' "$IT_STDOUT")" -eq "$lines" ] ||
		fail "standard output does not hold the $lines flood lines"
}

test_memory_batch_with_memory_0_keeps_everything_and_grows() {
	memory_need_plain_build
	flood 3 --memory 0 --no-explain
	local lines
	lines=$(grep -c '^<~ \* OK flood line' "$IT_STDOUT")
	[ "$lines" -ge 100000 ] || fail "only $lines flood lines arrived in 3 s"
	# About 100 bytes a line and the event around it: far over the bound.
	[ "$IT_PEAK_KIB" -gt 65536 ] || fail "--memory 0 kept $lines lines in $IT_PEAK_KIB KiB: is the budget still on?"
}

test_memory_option_is_checked() {
	run_startle --batch --memory lots --demo
	assert_exit 2
	assert_stderr_matches '--memory takes mebibytes from 1 to 65536 \(0: keep everything\), not "lots"'
}

test_memory_explorer_stays_under_64_mib_in_a_flood_and_marks_what_it_dropped() {
	memory_need_plain_build
	. "$(dirname "$IT_LIB")/test_tui.sh"
	TUI_COLS=120 TUI_ROWS=40 tui_start --demo imap --scenario flood --starttls -c NOOP \
		--record "$IT_TEST_DIR/rec.jsonl" --no-explain
	tui_wait 'flood line' 15
	local shell pid peak i
	shell=$(tmux -L "$IT_TMUX" display -p '#{pane_pid}')
	pid=$(pgrep -P "$shell" -x startle | head -n 1)
	[ -n "$pid" ] || tui_screen | fail "no startle process under the test's shell" -
	# Let the flood run; read the peak while the explorer is alive.
	for ((i = 0; i < 40; i++)); do
		peak=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		sleep 0.1
	done
	[ -n "$peak" ] || fail "could not read the explorer's peak memory"
	local lines
	lines=$(grep -c '"text":"\* OK flood line' "$IT_TEST_DIR/rec.jsonl")
	[ "$lines" -ge 20000 ] || fail "only $lines flood lines reached the explorer"
	[ "$peak" -le 65536 ] || fail "the explorer peaked at $peak KiB over $lines flood lines"
	# The top of the transcript: the plaintext phase is kept, then one marker
	# says what was dropped and where the full copy is.
	tui_keys Tab
	tui_keys Home
	tui_wait '\* OK \[CAPABILITY' 10
	# the marker follows the handshake and its decrypted messages: a page on
	tui_keys NPage
	tui_wait 'events \([0-9]+ bytes\) not kept in memory' 10
	tui_wait 'rec\.jsonl' 10
	tui_wait '\(--record\)' 10
	tui_keys BTab
	tui_quit_and_check_terminal
}
