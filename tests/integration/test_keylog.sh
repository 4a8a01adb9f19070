# --keylog and SSLKEYLOGFILE: the secrets startle writes must be the ones of
# the session on the wire. With tshark, a capture of a session with the real
# Postfix and Dovecot is decrypted with startle's key log (and, as a control,
# stays opaque without it). Without tshark, openssl s_server keeps its own key
# log of the same session and the two must agree line for line.

KEYLOG_TLS13_LABELS=(CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET
	CLIENT_TRAFFIC_SECRET_0 SERVER_TRAFFIC_SECRET_0 EXPORTER_SECRET)

# Skips the test when the startle under test cannot hand out TLS 1.3 secrets
# (built with WOLFSSL=system): its unit tests cover what it says instead.
keylog_need_tls13_secrets() {
	"$STARTLE" -V | grep -q 'TLS 1.3 secrets$' ||
		it_skip "this startle links a wolfSSL without TLS 1.3 secrets ($("$STARTLE" -V | tail -n 1))"
}

# Asserts FILE holds exactly one line for each TLS 1.3 label, all with the
# same client random and a 32-byte secret, and nothing else; prints the
# client random.
keylog_assert_tls13() {
	local file=$1 label random=
	[ -s "$file" ] || fail "the key log $file is empty"
	[ "$(wc -l <"$file")" -eq 5 ] ||
		fail "the key log has $(wc -l <"$file") lines, not 5: $(cat "$file")"
	for label in "${KEYLOG_TLS13_LABELS[@]}"; do
		[ "$(grep -cE "^$label [0-9a-f]{64} [0-9a-f]{64}$" "$file")" -eq 1 ] ||
			fail "the key log has no single well-formed $label line: $(cat "$file")"
	done
	random=$(awk '{print $2}' "$file" | sort -u)
	[ "$(wc -l <<<"$random")" -eq 1 ] || fail "the key log's lines name different client randoms"
	echo "$random"
}

# Starts tshark capturing loopback TCP on PORT into FILE; waits until it
# captures. Skips the test when tshark is missing or cannot capture here.
keylog_capture_start() {
	local port=$1 file=$2 i
	command -v tshark >/dev/null 2>&1 || it_skip "tshark is not installed (make deps installs it)"
	tshark -q -i lo -f "tcp port $port" -w "$file" >"$IT_TEST_DIR/tshark.log" 2>&1 &
	KEYLOG_TSHARK=$!
	it_kill_at_exit "$KEYLOG_TSHARK"
	for i in $(seq 100); do
		grep -q 'Capturing on' "$IT_TEST_DIR/tshark.log" && return 0
		kill -0 "$KEYLOG_TSHARK" 2>/dev/null || break
		sleep 0.1
	done
	it_skip "tshark cannot capture on loopback here: $(head -c 300 "$IT_TEST_DIR/tshark.log")"
}

# Stops the capture once the session's last packets are in.
keylog_capture_stop() {
	sleep 0.3
	kill -INT "$KEYLOG_TSHARK" 2>/dev/null
	wait "$KEYLOG_TSHARK" 2>/dev/null
}

# tshark reading FILE with the TCP port PORT dissected as PROTO, with the
# key log KEYS ("" for none); prints FIELDS of the frames matching FILTER.
keylog_read() {
	local file=$1 port=$2 proto=$3 keys=$4 filter=$5
	shift 5
	local fields=() f
	for f in "$@"; do
		fields+=(-e "$f")
	done
	tshark -r "$file" -d "tcp.port==$port,$proto" ${keys:+-o "tls.keylog_file:$keys"} \
		-Y "$filter" -T fields "${fields[@]}" 2>/dev/null
}

test_keylog_tls13_session_with_postfix_decrypts_with_tshark() {
	keylog_need_tls13_secrets
	local keys=$IT_TEST_DIR/keys.log cap=$IT_TEST_DIR/smtp.pcapng random hello inner
	keylog_capture_start "$STARTLE_SMTP_PORT" "$cap"
	run_startle --batch "smtp://127.0.0.1:$STARTLE_SMTP_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test --keylog "$keys"
	keylog_capture_stop
	assert_exit 0
	assert_matches '^== TLSv1\.3'
	assert_no_match 'keylog'
	random=$(keylog_assert_tls13 "$keys")
	hello=$(keylog_read "$cap" "$STARTLE_SMTP_PORT" smtp "" 'tls.handshake.type == 1' \
		tls.handshake.random)
	grep -qx "$random" <<<"$hello" || fail "the key log names client random $random; the ClientHellos on the wire carried: ${hello:-none}"
	# Without the key log tshark sees one EHLO (the plaintext one) and none of
	# the encrypted handshake; with it, the EHLO inside TLS and the
	# EncryptedExtensions, Certificate, CertificateVerify and Finished too.
	inner=$(keylog_read "$cap" "$STARTLE_SMTP_PORT" smtp "" 'smtp.req.command == "EHLO"' \
		frame.number | wc -l)
	[ "$inner" -eq 1 ] || fail "without the key log tshark saw $inner EHLO commands, not 1"
	inner=$(keylog_read "$cap" "$STARTLE_SMTP_PORT" smtp "$keys" \
		'smtp.req.command == "EHLO"' frame.number | wc -l)
	[ "$inner" -eq 2 ] || fail "with startle's key log tshark decrypted $inner EHLO commands, not 2 (the plaintext one and the one inside TLS)"
	keylog_read "$cap" "$STARTLE_SMTP_PORT" smtp "$keys" 'tls.handshake.type == 15' \
		tls.handshake.type | grep -q 15 ||
		fail "with startle's key log tshark did not decrypt the server's CertificateVerify"
}

test_keylog_tls12_session_with_postfix_decrypts_with_tshark() {
	local keys=$IT_TEST_DIR/keys.log cap=$IT_TEST_DIR/smtp12.pcapng hello inner
	keylog_capture_start "$STARTLE_SMTP_PORT" "$cap"
	run_startle --batch "smtp://127.0.0.1:$STARTLE_SMTP_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test --tls-max 1.2 --keylog "$keys"
	keylog_capture_stop
	assert_exit 0
	assert_matches '^== TLSv1\.2'
	[ "$(grep -cE '^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$' "$keys")" -eq 1 ] &&
		[ "$(wc -l <"$keys")" -eq 1 ] ||
		fail "a TLS 1.2 key log is one CLIENT_RANDOM line; it holds: $(cat "$keys")"
	hello=$(keylog_read "$cap" "$STARTLE_SMTP_PORT" smtp "" 'tls.handshake.type == 1' \
		tls.handshake.random)
	grep -qx "$(awk '{print $2}' "$keys")" <<<"$hello" ||
		fail "the CLIENT_RANDOM line does not name the ClientHello's random: ${hello:-none}"
	inner=$(keylog_read "$cap" "$STARTLE_SMTP_PORT" smtp "$keys" \
		'smtp.req.command == "EHLO"' frame.number | wc -l)
	[ "$inner" -eq 2 ] || fail "with startle's key log tshark decrypted $inner EHLO commands, not 2"
}

test_keylog_imaps_session_with_dovecot_decrypts_with_tshark() {
	keylog_need_tls13_secrets
	local keys=$IT_TEST_DIR/keys.log cap=$IT_TEST_DIR/imaps.pcapng seen
	keylog_capture_start "$STARTLE_IMAPS_PORT" "$cap"
	run_startle --batch "imaps://$STARTLE_IMAP_HOST:$STARTLE_IMAPS_PORT" \
		--cafile "$STARTLE_IT_CA" --servername mail.test --keylog "$keys"
	keylog_capture_stop
	assert_exit 0
	keylog_assert_tls13 "$keys" >/dev/null
	seen=$(keylog_read "$cap" "$STARTLE_IMAPS_PORT" tls "" imap frame.number | wc -l)
	[ "$seen" -eq 0 ] || fail "without a key log tshark read $seen IMAP frames of implicit TLS"
	seen=$(tshark -r "$cap" -d "tcp.port==$STARTLE_IMAPS_PORT,tls" \
		-d "tls.port==$STARTLE_IMAPS_PORT,imap" -o "tls.keylog_file:$keys" \
		-Y 'imap.request' -T fields -e imap.request 2>/dev/null)
	grep -qi 'CAPABILITY' <<<"$seen" ||
		fail "with startle's key log tshark decrypted no IMAP CAPABILITY command: '$seen'"
}

test_keylog_sslkeylogfile_secrets_match_the_servers_own_key_log() {
	keylog_need_tls13_secrets
	local keys=$IT_TEST_DIR/client.keys server=$IT_TEST_DIR/server.keys
	s_server_smtps -keylogfile "$server"
	s_server_answer '^~> QUIT' '221 2.0.0 Bye'
	SSLKEYLOGFILE=$keys run_startle --batch "smtps://127.0.0.1:$IT_S_SERVER_PORT" \
		--cafile "$STARTLE_IT_CA" --servername mail.test -c QUIT
	assert_exit 0
	assert_lines_in_order '^<~ 220 mail\.test' '^~> QUIT' '^<~ 221 '
	keylog_assert_tls13 "$keys" >/dev/null
	[ "$(stat -c %a "$keys")" = 600 ] || fail "the key log is mode $(stat -c %a "$keys"), not 600"
	if ! diff <(sort "$keys") <(grep -v '^#' "$server" | sort) >"$IT_TEST_DIR/diff"; then
		fail "startle's key log differs from openssl s_server's for the same session: $(cat "$IT_TEST_DIR/diff")"
	fi
}

test_keylog_tls13_without_secrets_in_the_library_says_so() {
	"$STARTLE" -V | grep -q 'TLS 1.3 secrets$' &&
		it_skip "this startle writes TLS 1.3 secrets (the tests above check them)"
	local keys=$IT_TEST_DIR/keys.log
	run_startle --batch --json "smtp://127.0.0.1:$STARTLE_SMTP_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test --keylog "$keys"
	assert_exit 0
	assert_json_has '.kind == "note" and matches("nothing was written for this TLS 1\\.3 session.*startle.s own wolfSSL build")'
	[ ! -s "$keys" ] || fail "the key log of a TLS 1.3 session holds lines: $(cat "$keys")"
}
