# Helpers for the integration tests. Each test is a bash function named
# test_* in a tests/integration/test_*.sh file; tests/integration/run runs each
# one in its own bash process, in its own directory ($IT_TEST_DIR), with this
# file sourced. A test passes when its function returns; an assertion that
# fails prints what it expected and what it saw, then exits the test with 1.
# `it_skip REASON` ends a test as skipped.
#
# Running startle:
#   run_startle ARGS...   runs $STARTLE ARGS with stdin from /dev/null and
#                         NO_COLOR=1 (unless IT_KEEP_COLOR=1), at most 30 s;
#                         sets IT_RC, IT_STDOUT, IT_STDERR (file paths) and
#                         IT_ELAPSED_MS. A sanitizer report on stderr or a
#                         timeout fails the test.
# Assertions on the last run:
#   assert_exit N                 exit status
#   assert_contains TEXT          stdout contains TEXT (fixed string)
#   assert_not_contains TEXT
#   assert_matches ERE            some stdout line matches the extended regex
#   assert_no_match ERE
#   assert_lines_in_order ERE...  lines matching each ERE appear in this order
#   assert_stderr_matches ERE     (case-insensitive)
#   assert_stdout_empty
# JSON Lines, read from stdout of the last run or from FILE (e.g. --record,
# whose header line is left out):
#   assert_json_lines [FILE]      every line is one JSON object, seq runs 1..n
#   assert_json_has FILTER [FILE] some event satisfies the jq boolean FILTER
#   assert_json_lacks FILTER [FILE]   no event satisfies FILTER
#   assert_json EXPR [FILE]       the jq boolean EXPR holds over the array of events
#   assert_finding ID [FILE] / assert_no_finding ID [FILE]
# Filters may use these jq helpers:
#   line(phase; dir)   a kind:"line" event in that phase and direction
#   matches(re)        .text matches re;  imatches(re) the same, ignoring case
#   finding(id)        a kind:"finding" event with that id
#   first_index(f)     (over the array) index of the first event satisfying f, or null
#   before(a; b)       (over the array) some event satisfies a, some satisfies b,
#                      and the first of a comes before the first of b
#   phase_rank         0 plain, 1 handshake, 2 tls
# Server logs:
#   log_mark FILE                 prints the size of FILE once it is quiet
#   wait_log FILE MARK ERE [S]    waits up to S (default 10) s for a line
#                                 written after MARK to match; sets IT_LOG to all
#                                 text written after MARK
#   assert_log_matches ERE / assert_log_no_match ERE   on IT_LOG
# openssl s_server as a server startle can talk to:
#   s_server_smtps [ARGS...]      an implicit-TLS SMTP server on a free loopback
#                                 port, with the test CA's leaf and chain, ARGS
#                                 passed on (e.g. -keylogfile F, -tls1_1); one
#                                 session. It sends the greeting; whatever the
#                                 test writes to fd $IT_S_SERVER_FD reaches the
#                                 client. Sets IT_S_SERVER_PORT.
#   s_server_answer ERE LINE      once the output of the next run_startle has a
#                                 line matching ERE, sends LINE (with CRLF)
#                                 to the client, as a server answering it
# Other:
#   free_port                     prints a loopback port nothing listens on
#   it_kill_at_exit PID           ends a background process when the test ends
# Talking to a server without startle (harness checks):
#   plain_chat HOST PORT LINE...  reads the greeting, sends each LINE with CRLF,
#                                 reads until the server closes; output in IT_CHAT
#   tls_chat HOST PORT STARTTLS_PROTO|- LINE...   the same through openssl s_client
#                                 (STARTTLS_PROTO smtp/imap/pop3, or - for implicit
#                                 TLS), verifying against the test CA and the name
#                                 $IT_TLS_NAME (default mail.test);
#                                 sets IT_RC and IT_CHAT (openssl's brief summary,
#                                 e.g. "Verification: OK", then the session)

# fail is often the last command of a pipeline ("it_show_run | fail MSG -"):
# lastpipe runs it in the test's own shell, so its exit ends the test.
shopt -s lastpipe

IT_STARTLE_TIMEOUT=${IT_STARTLE_TIMEOUT:-30}

# Every test starts without the developer's own configuration file: the
# defaults are read from an empty place a test may fill. (The runner sources
# this file too, before any test has a directory.)
if [ -n "${IT_TEST_DIR:-}" ]; then
	export XDG_CONFIG_HOME=$IT_TEST_DIR/xdg-config
fi
unset STARTLE_CONFIG
IT_CLEANUP_PIDS=()

# Processes a test starts in the background are registered here and ended
# (by pid) when the test exits, however it exits.
it_kill_at_exit() {
	IT_CLEANUP_PIDS+=("$1")
}

it_cleanup() {
	local pid
	for pid in "${IT_CLEANUP_PIDS[@]+"${IT_CLEANUP_PIDS[@]}"}"; do
		kill -TERM "$pid" 2>/dev/null
	done
}
trap it_cleanup EXIT

IT_JQ_PRELUDE='
def line(p; d): .kind == "line" and .phase == p and .dir == d;
def matches(re): (.text // "") | test(re);
def imatches(re): (.text // "") | test(re; "i");
def finding(id): .kind == "finding" and .id == id;
def first_index(f): [to_entries[] | select(.value | f) | .key] | .[0];
def before(a; b): first_index(a) as $x | first_index(b) as $y
	| $x != null and $y != null and $x < $y;
def phase_rank: {"plain": 0, "handshake": 1, "tls": 2}[.phase];
'

# Ends the test as failed with a message (and whatever context follows on stdin
# when the second argument is "-"). The runner also counts any "FAILED:" line
# in a test's output as a failure, should an exit ever be swallowed by a
# subshell.
fail() {
	echo "FAILED: $1"
	if [ "${2:-}" = - ]; then
		sed 's/^/    | /'
	fi
	exit 1
}

it_skip() {
	echo "SKIPPED: $1"
	exit 77
}

# Shows the last run's stdout and stderr (used in failure messages).
it_show_run() {
	echo "command: ${IT_CMD:-}"
	echo "exit: ${IT_RC:-}"
	echo "--- stdout (first 80 lines)"
	head -n 80 "${IT_STDOUT:-/dev/null}" 2>/dev/null
	echo "--- stderr (first 40 lines)"
	head -n 40 "${IT_STDERR:-/dev/null}" 2>/dev/null
}

# Runs startle with its standard input from IT_STDIN (a file; /dev/null when
# unset), its output in IT_STDOUT and IT_STDERR, its exit status in IT_RC.
run_startle() {
	IT_RUN=$((${IT_RUN:-0} + 1))
	IT_STDOUT=$IT_TEST_DIR/stdout.$IT_RUN
	IT_STDERR=$IT_TEST_DIR/stderr.$IT_RUN
	IT_CMD="startle $*"
	if [ -z "${STARTLE:-}" ] || [ ! -x "$STARTLE" ]; then
		fail "the startle binary is missing: STARTLE='${STARTLE:-}' is not an executable file"
	fi
	local env=(env NO_COLOR=1) t0
	if [ "${IT_KEEP_COLOR:-}" = 1 ]; then
		env=(env -u NO_COLOR)
	fi
	t0=$(date +%s%3N)
	"${env[@]}" timeout -k 5 "$IT_STARTLE_TIMEOUT" "$STARTLE" "$@" \
		<"${IT_STDIN:-/dev/null}" >"$IT_STDOUT" 2>"$IT_STDERR"
	IT_RC=$?
	IT_ELAPSED_MS=$(($(date +%s%3N) - t0))
	if [ "$IT_RC" -eq 124 ] || [ "$IT_RC" -eq 137 ]; then
		it_show_run | fail "startle did not finish within ${IT_STARTLE_TIMEOUT} s" -
	fi
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' \
		"$IT_STDERR"; then
		it_show_run | fail "startle reported a sanitizer error" -
	fi
	return 0
}

assert_exit() {
	if [ "${IT_RC:-}" != "$1" ]; then
		it_show_run | fail "expected exit status $1, got ${IT_RC:-none}" -
	fi
}

assert_contains() {
	if ! grep -qF -- "$1" "$IT_STDOUT"; then
		it_show_run | fail "stdout does not contain: $1" -
	fi
}

assert_not_contains() {
	if grep -qF -- "$1" "$IT_STDOUT"; then
		it_show_run | fail "stdout contains, but should not: $1" -
	fi
}

assert_matches() {
	if ! grep -qE -- "$1" "$IT_STDOUT"; then
		it_show_run | fail "no stdout line matches: $1" -
	fi
}

assert_no_match() {
	if grep -qE -- "$1" "$IT_STDOUT"; then
		{
			grep -nE -- "$1" "$IT_STDOUT"
			it_show_run
		} | fail "a stdout line matches, but none should: $1" -
	fi
}

assert_stdout_empty() {
	if [ -s "$IT_STDOUT" ]; then
		it_show_run | fail "stdout should be empty" -
	fi
}

assert_stderr_matches() {
	if ! grep -qiE -- "$1" "$IT_STDERR"; then
		it_show_run | fail "no stderr line matches (ignoring case): $1" -
	fi
}

# Each regex must match a line after the line the previous one matched.
assert_lines_in_order() {
	local from=0 re n
	for re in "$@"; do
		n=$(tail -n +"$((from + 1))" "$IT_STDOUT" | grep -nE -m 1 -- "$re" | cut -d: -f1)
		if [ -z "$n" ]; then
			it_show_run | fail "after line $from of stdout, no line matches: $re (expected order: $*)" -
		fi
		from=$((from + n))
	done
}

it_json_file() {
	local file=${1:-$IT_STDOUT}
	# A recording (--record) starts with its header line, kind "recording"
	# (docs/recording.md): the events are the lines after it.
	if head -n 1 "$file" 2>/dev/null | grep -q '^{"kind":"recording",'; then
		tail -n +2 "$file" >"$file.events"
		file=$file.events
	fi
	echo "$file"
}

# Every line is a JSON object with the schema's common fields, and seq counts
# 1, 2, 3, ... in order.
assert_json_lines() {
	local file n=0 line
	file=$(it_json_file "${1:-}")
	if [ ! -s "$file" ]; then
		it_show_run | fail "no JSON Lines in $file (empty or missing)" -
	fi
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		if ! jq -e 'type == "object"' <<<"$line" >/dev/null 2>&1; then
			printf '%s\n' "$line" | fail "line $n of $file is not one JSON object" -
		fi
	done <"$file"
	if ! jq -e -s '
		([.[].seq] == [range(1; length + 1)]) and
		all(.[]; (.t | type) == "number" and (.phase | IN("plain", "handshake", "tls")) and
			(.dir | IN("client", "server", "local")) and
			(.kind | IN("connect", "line", "phase", "tls", "cert", "finding", "note", "error", "close", "dns", "policy")))
		' "$file" >/dev/null 2>&1; then
		jq -c -s '.[] | {seq, t, phase, dir, kind}' "$file" 2>&1 | head -n 60 |
			fail "events in $file break the schema (seq 1..n in order; t a number; phase, dir, kind from their lists)" -
	fi
}

# Runs a jq boolean over the events of a file (slurped as an array).
it_jq_bool() {
	local file=$1 expr=$2
	jq -e -s "$IT_JQ_PRELUDE $expr" "$file" >/dev/null 2>"$IT_TEST_DIR/jq.err"
}

it_json_fail() {
	local file=$1 msg=$2
	{
		cat "$IT_TEST_DIR/jq.err" 2>/dev/null
		echo "--- events in $file"
		jq -c '{seq, phase, dir, kind, text, id, version, verified, name_match}
			| with_entries(select(.value != null))' "$file" 2>/dev/null | head -n 80 ||
			head -n 80 "$file"
		echo "--- stderr"
		head -n 20 "${IT_STDERR:-/dev/null}" 2>/dev/null
	} | fail "$msg" -
}

assert_json_has() {
	local file
	file=$(it_json_file "${2:-}")
	it_jq_bool "$file" "any(.[]; $1)" || it_json_fail "$file" "no event satisfies: $1"
}

assert_json_lacks() {
	local file
	file=$(it_json_file "${2:-}")
	it_jq_bool "$file" "any(.[]; $1) | not" || it_json_fail "$file" "an event satisfies, but none should: $1"
}

assert_json() {
	local file
	file=$(it_json_file "${2:-}")
	it_jq_bool "$file" "$1" || it_json_fail "$file" "over all events, this does not hold: $1"
}

assert_finding() {
	assert_json_has "finding(\"$1\")" "${2:-}"
}

assert_no_finding() {
	assert_json_lacks "finding(\"$1\")" "${2:-}"
}

# The size of a log once it has stopped growing for 0.1 s (at most 2 s), so
# lines a previous session logs late are not taken for this one's.
log_mark() {
	local before after i
	after=$(stat -c %s "$1" 2>/dev/null || echo 0)
	for ((i = 0; i < 20; i++)); do
		before=$after
		sleep 0.1
		after=$(stat -c %s "$1" 2>/dev/null || echo 0)
		[ "$before" = "$after" ] && break
	done
	echo "$after"
}

it_log_since() {
	tail -c +"$(($2 + 1))" "$1" 2>/dev/null
}

wait_log() {
	local file=$1 mark=$2 re=$3 secs=${4:-10} deadline
	deadline=$((SECONDS + secs))
	while :; do
		IT_LOG=$(it_log_since "$file" "$mark")
		if grep -qE -- "$re" <<<"$IT_LOG"; then
			return 0
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			printf '%s\n' "$IT_LOG" | tail -n 40 |
				fail "within $secs s no new line of $file matched: $re" -
		fi
		sleep 0.1
	done
}

assert_log_matches() {
	if ! grep -qE -- "$1" <<<"$IT_LOG"; then
		printf '%s\n' "$IT_LOG" | tail -n 40 | fail "no server log line matches: $1" -
	fi
}

assert_log_no_match() {
	if grep -qE -- "$1" <<<"$IT_LOG"; then
		grep -E -- "$1" <<<"$IT_LOG" | fail "a server log line matches, but none should: $1" -
	fi
}

# Waits for Postfix to log the end of the session that started after MARK and
# sets IT_LOG; the "disconnect from" line lists the commands the server got,
# e.g. "ehlo=2 starttls=1 quit=1 commands=4".
wait_postfix_disconnect() {
	wait_log "$STARTLE_IT_POSTFIX_LOG" "$1" 'postfix/smtpd\[[0-9]+\]: disconnect from'
}

free_port() {
	local port tries
	for ((tries = 0; tries < 50; tries++)); do
		port=$((30000 + RANDOM % 10000))
		if ! timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	fail "found no free loopback port"
}

s_server_smtps() {
	local pki=$STARTLE_IT_WORK/pki fifo=$IT_TEST_DIR/s_server.in i
	IT_S_SERVER_PORT=$(free_port)
	mkfifo "$fifo"
	openssl s_server -accept "127.0.0.1:$IT_S_SERVER_PORT" -cert "$pki/leaf.pem" \
		-key "$pki/leaf.key" -cert_chain "$pki/ca.pem" -naccept 1 -quiet "$@" \
		<"$fifo" >"$IT_TEST_DIR/s_server.log" 2>&1 &
	it_kill_at_exit $!
	exec {IT_S_SERVER_FD}>"$fifo"
	printf '220 mail.test ESMTP\r\n' >&"$IT_S_SERVER_FD"
	for i in $(seq 100); do
		ss -Hltn "sport = :$IT_S_SERVER_PORT" | grep -q . && return 0
		sleep 0.05
	done
	fail "openssl s_server did not listen on $IT_S_SERVER_PORT: $(cat "$IT_TEST_DIR/s_server.log")"
}

s_server_answer() {
	local ere=$1 line=$2 out=$IT_TEST_DIR/stdout.$((${IT_RUN:-0} + 1))
	(
		for _ in $(seq 400); do
			grep -qE -- "$ere" "$out" 2>/dev/null && break
			sleep 0.05
		done
		printf '%s\r\n' "$line" >&"$IT_S_SERVER_FD"
	) &
	it_kill_at_exit $!
}

plain_chat() {
	local host=$1 port=$2 line
	shift 2
	IT_CHAT=
	exec 3<>"/dev/tcp/$host/$port" || fail "cannot connect to $host:$port"
	IFS= read -r -t 5 line <&3 || fail "no greeting from $host:$port within 5 s"
	IT_CHAT+="$line"$'\n'
	for line in "$@"; do
		printf '%s\r\n' "$line" >&3
	done
	while IFS= read -r -t 5 line <&3; do
		IT_CHAT+="$line"$'\n'
	done
	exec 3<&-
	IT_CHAT=${IT_CHAT//$'\r'/}
}

tls_chat() {
	local host=$1 port=$2 proto=$3 starttls=() raw=$IT_TEST_DIR/chat.raw
	shift 3
	if [ "$proto" != - ]; then
		starttls=(-starttls "$proto")
	fi
	{
		sleep 0.5
		for line in "$@"; do
			printf '%s\r\n' "$line"
			sleep 0.2
		done
		sleep 0.5
	} | timeout -k 2 15 openssl s_client "${starttls[@]}" -connect "$host:$port" \
		-CAfile "$STARTLE_IT_CA" -verify_return_error \
		-servername "${IT_TLS_NAME:-mail.test}" -verify_hostname "${IT_TLS_NAME:-mail.test}" \
		-brief -ign_eof -nocommands >"$raw" 2>&1
	IT_RC=${PIPESTATUS[1]}
	IT_CHAT=$(tr -d '\0\r' <"$raw")
}

assert_chat_matches() {
	if ! grep -qE -- "$1" <<<"$IT_CHAT"; then
		printf '%s\n' "$IT_CHAT" | tail -n 60 | fail "the server's answer has no line matching: $1" -
	fi
}

assert_chat_no_match() {
	if grep -qE -- "$1" <<<"$IT_CHAT"; then
		grep -E -- "$1" <<<"$IT_CHAT" | fail "the server's answer has a line matching, but none should: $1" -
	fi
}
