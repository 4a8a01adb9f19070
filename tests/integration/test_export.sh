# Taking a session away: the command lines `startle --export` prints for
# openssl s_client, gnutls-cli, swaks and curl, run as printed against the
# lab, verify its certificate for its name (and fail for another name); the
# chain --save-chain and /save-chain write is the lab's, as private PEM; the
# explorer's /export page is a command a shell runs.

here_export=$(dirname "${BASH_SOURCE[0]}")
# lab_start, lab_stop, lab_target, LAB_NAME, LAB_CA, LAB_LOG
. "$here_export/test_lab.sh"
# tui_start, tui_wait, tui_screen, tui_type, tui_keys ...
. "$here_export/test_tui.sh"

# A copy of the lab's CA under a path a shell must quote (spaces, quotes).
export_ca() {
	EXPORT_CA="$IT_TEST_DIR/it's a \"CA\" dir/lab ca.pem"
	mkdir -p "$(dirname "$EXPORT_CA")"
	cp "$LAB_CA" "$EXPORT_CA"
}

# export_run TOOL [startle options...] TARGET: prints the command with
# startle --export, then runs what it printed with sh, no input, at most
# 20 s. Sets EXPORT_TEXT (what startle printed), IT_RC (the tool's exit) and
# IT_CHAT (its output).
export_run() {
	local tool=$1
	shift
	run_startle --export "$tool" "$@"
	assert_exit 0
	EXPORT_TEXT=$(cat "$IT_STDOUT")
	timeout -k 2 20 sh -c "$EXPORT_TEXT" </dev/null >"$IT_TEST_DIR/tool.out" 2>&1
	IT_RC=$?
	IT_CHAT=$(tr -d '\r\0' <"$IT_TEST_DIR/tool.out")
}

# The lab's TLS options every export here is given.
export_lab() {
	local tool=$1 proto=$2 mode=$3
	shift 3
	export_run "$tool" --cafile "$EXPORT_CA" --servername "$LAB_NAME" "$@" \
		"$(lab_target "$proto" "$mode")"
}

export_tool_ok() {
	if [ "$IT_RC" -ne 0 ]; then
		{
			echo "command: $EXPORT_TEXT"
			printf '%s\n' "$IT_CHAT" | tail -n 40
		} | fail "the exported $1 command exited $IT_RC" -
	fi
}

# Every protocol and mode: start its lab, run the body (a function name).
export_each_lab() {
	local proto mode implicit
	for proto in smtp imap pop3; do
		for mode in explicit implicit; do
			implicit=()
			[ "$mode" = implicit ] && implicit=(--implicit)
			lab_start "$proto" honest "${implicit[@]}"
			export_ca
			"$1" "$proto" "$mode"
			lab_stop
		done
	done
}

export_check_openssl() {
	export_lab openssl "$1" "$2"
	export_tool_ok "openssl s_client ($1, $2)"
	assert_chat_matches '^Verify return code: 0 \(ok\)'
	assert_chat_matches 'Verification: OK'
}

test_export_openssl_lines_verify_against_the_lab_for_every_protocol_and_mode() {
	export_each_lab export_check_openssl
}

export_check_gnutls() {
	export_lab gnutls "$1" "$2"
	export_tool_ok "gnutls-cli ($1, $2)"
	assert_chat_matches 'Status: The certificate is trusted'
}

test_export_gnutls_lines_verify_against_the_lab_for_every_protocol_and_mode() {
	command -v gnutls-cli >/dev/null 2>&1 || it_skip "gnutls-cli is not installed (gnutls-bin)"
	export_each_lab export_check_gnutls
}

test_export_lines_refuse_a_certificate_that_does_not_name_the_server() {
	command -v gnutls-cli >/dev/null 2>&1 || it_skip "gnutls-cli is not installed (gnutls-bin)"
	lab_start imap honest
	export_ca
	run_startle --export openssl --cafile "$EXPORT_CA" --servername wrong.startle.test \
		"$(lab_target imap explicit)"
	timeout -k 2 20 sh -c "$(cat "$IT_STDOUT")" </dev/null >"$IT_TEST_DIR/o.out" 2>&1
	IT_RC=$?
	IT_CHAT=$(tr -d '\r\0' <"$IT_TEST_DIR/o.out")
	[ "$IT_RC" -ne 0 ] || fail "openssl s_client accepted a certificate for another name"
	assert_chat_matches 'verify error:num=62:hostname mismatch'
	assert_chat_no_match '^Verify return code: 0 \(ok\)'
	run_startle --export gnutls --cafile "$EXPORT_CA" --servername wrong.startle.test \
		"$(lab_target imap explicit)"
	timeout -k 2 20 sh -c "$(cat "$IT_STDOUT")" </dev/null >"$IT_TEST_DIR/g.out" 2>&1
	IT_RC=$?
	IT_CHAT=$(tr -d '\r\0' <"$IT_TEST_DIR/g.out")
	[ "$IT_RC" -ne 0 ] || fail "gnutls-cli accepted a certificate for another name"
	assert_chat_no_match 'The certificate is trusted'
	lab_stop
}

test_export_tls_max_and_key_log_reach_openssl_gnutls_and_curl() {
	local keys tool
	for tool in gnutls-cli curl; do
		command -v "$tool" >/dev/null 2>&1 || it_skip "$tool is not installed"
	done
	lab_start smtp honest
	export_ca
	keys="$IT_TEST_DIR/key log.txt"
	export_lab openssl smtp explicit --tls-max 1.2 --keylog "$keys"
	export_tool_ok openssl
	assert_chat_matches '^New, TLSv1\.2, Cipher is '
	grep -q '^CLIENT_RANDOM ' "$keys" || fail "s_client wrote no TLS 1.2 key log line" - <"$keys"
	rm -f "$keys"
	export_lab gnutls smtp explicit --tls-max 1.2 --keylog "$keys"
	export_tool_ok gnutls-cli
	assert_chat_matches 'Description: \(TLS1\.2-'
	grep -q '^CLIENT_RANDOM ' "$keys" || fail "gnutls-cli wrote no key log line"
	rm -f "$keys"
	export_lab openssl smtp explicit --tls-min 1.3 --keylog "$keys"
	export_tool_ok openssl
	assert_chat_matches '^New, TLSv1\.3, Cipher is '
	grep -q '^CLIENT_TRAFFIC_SECRET_0 ' "$keys" || fail "s_client wrote no TLS 1.3 key log line"
	rm -f "$keys"
	export_lab curl smtp explicit --tls-max 1.2 --keylog "$keys"
	export_tool_ok curl
	assert_chat_matches 'SSL connection using TLSv1\.2'
	grep -q '^CLIENT_RANDOM ' "$keys" || fail "curl wrote no key log line"
	lab_stop
}

export_check_curl() {
	export_lab curl "$1" "$2"
	export_tool_ok "curl ($1, $2)"
	assert_chat_matches 'SSL certificate verify ok'
	if [ "$2" = explicit ]; then
		assert_chat_matches '^> (A[0-9]+ )?(STARTTLS|STLS)$'
	fi
}

test_export_curl_lines_upgrade_and_verify_against_the_lab() {
	command -v curl >/dev/null 2>&1 || it_skip "curl is not installed"
	export_each_lab export_check_curl
}

test_export_swaks_lines_upgrade_and_verify_for_smtp_and_say_imap_is_not_smtp() {
	local mode
	command -v swaks >/dev/null 2>&1 || it_skip "swaks is not installed"
	for mode in explicit implicit; do
		if [ "$mode" = implicit ]; then lab_start smtp honest --implicit; else lab_start smtp honest; fi
		export_ca
		export_lab swaks smtp "$mode"
		export_tool_ok "swaks ($mode)"
		assert_chat_matches '^=== TLS started with cipher '
		assert_chat_matches '^<~  250 '
		assert_chat_matches '^ ~> QUIT'
		[ "$mode" = explicit ] && assert_chat_matches '^ -> STARTTLS'
		lab_stop
	done
	# The same swaks fails verification under a CA that did not sign the lab.
	lab_start smtp honest
	run_startle --export swaks --cafile "$STARTLE_IT_CA" "$(lab_target smtp explicit)"
	timeout -k 2 20 sh -c "$(cat "$IT_STDOUT")" </dev/null >/dev/null 2>&1 &&
		fail "swaks accepted the lab's certificate under another CA"
	lab_stop
	run_startle --export swaks imap://127.0.0.1:1143
	assert_exit 0
	assert_matches '^# not expressible: swaks speaks SMTP only, and this target is IMAP'
	assert_no_match '^swaks'
}

test_export_prints_without_connecting_and_refuses_what_it_cannot_export() {
	lab_start smtp honest
	run_startle --export openssl --cafile "$LAB_CA" "$(lab_target smtp explicit)"
	assert_exit 0
	assert_matches '^openssl s_client -starttls smtp -connect 127\.0\.0\.1:[0-9]+ '
	sleep 0.3
	if grep -q '#1' "$LAB_LOG"; then
		fail "--export connected to the lab" - <"$LAB_LOG"
	fi
	lab_stop
	run_startle --export wget smtp://127.0.0.1:25
	assert_exit 2
	assert_stderr_matches '--export takes openssl, gnutls, swaks or curl, not "wget"'
	run_startle --export openssl --demo
	assert_exit 2
	assert_stderr_matches 'start startle-lab'
	run_startle --export curl --compare 127.0.0.1
	assert_exit 2
}

test_save_chain_writes_the_lab_chain_as_private_pem_with_its_pins() {
	local chain=$IT_TEST_DIR/chain.pem n pin
	lab_start imap honest
	lab_probe imap explicit --save-chain "$chain"
	assert_exit 0
	assert_json_has '.kind == "note" and (.text | test("saved the chain the server presented \\(2 certificates, leaf first\\) as PEM to "))'
	[ "$(stat -c %a "$chain")" = 600 ] || fail "the chain file is mode $(stat -c %a "$chain"), not 600"
	n=$(timeout 10 openssl crl2pkcs7 -nocrl -certfile "$chain" | timeout 10 openssl pkcs7 -print_certs -noout | grep -c '^subject=')
	[ "$n" = 2 ] || fail "openssl reads $n certificates from the saved chain, not 2" - <"$chain"
	# The chain is what the lab presents, as s_client -showcerts prints it.
	timeout -k 2 15 openssl s_client -starttls imap -connect "127.0.0.1:$LAB_PORT" -showcerts \
		-servername "$LAB_NAME" </dev/null 2>/dev/null |
		sed -n '/^-----BEGIN CERTIFICATE-----$/,/^-----END CERTIFICATE-----$/p' >"$IT_TEST_DIR/showcerts.pem"
	cmp -s "$chain" "$IT_TEST_DIR/showcerts.pem" ||
		diff "$IT_TEST_DIR/showcerts.pem" "$chain" | fail "the saved chain is not the chain s_client -showcerts shows" -
	# The last certificate is the lab's CA.
	[ "$(timeout 10 openssl x509 -in "$LAB_CA" -noout -fingerprint -sha256)" = \
		"$(awk '/BEGIN/ { n++ } n == 2' "$chain" | timeout 10 openssl x509 -noout -fingerprint -sha256)" ] ||
		fail "the second certificate of the saved chain is not the lab's CA"
	# pin-sha256 of the leaf, as openssl computes it.
	pin=$(timeout 10 openssl x509 -in "$chain" -pubkey -noout | timeout 10 openssl pkey -pubin -outform der |
		timeout 10 openssl dgst -sha256 -binary | base64)
	assert_json_has ".kind == \"cert\" and .depth == 0 and .pin_sha256 == \"$pin\""
	lab_stop
}

test_save_chain_replaces_a_file_and_refuses_a_link_or_a_session_without_tls() {
	local chain=$IT_TEST_DIR/chain.pem
	echo "old" >"$chain"
	chmod 644 "$chain"
	lab_start smtp honest
	lab_probe smtp explicit --save-chain "$chain"
	assert_exit 0
	grep -q '^-----BEGIN CERTIFICATE-----$' "$chain" || fail "the old file was not replaced" - <"$chain"
	[ "$(stat -c %a "$chain")" = 600 ] || fail "the replaced chain file is not mode 600"
	# A session that never reaches TLS: nothing written, exit 1.
	rm -f "$chain"
	lab_probe smtp explicit -c "EHLO client.test" --save-chain "$chain"
	assert_exit 1
	assert_json_has '.kind == "error" and (.text | test("--save-chain: the session never reached TLS"))'
	[ ! -e "$chain" ] || fail "a chain file was written without TLS"
	lab_stop
	# A symbolic link is refused before connecting.
	ln -s "$IT_TEST_DIR/elsewhere" "$IT_TEST_DIR/link.pem"
	run_startle --batch --save-chain "$IT_TEST_DIR/link.pem" "smtp://127.0.0.1:$(free_port)"
	assert_exit 2
	assert_stderr_matches 'symbolic link'
	[ ! -e "$IT_TEST_DIR/elsewhere" ] || fail "startle wrote through the link"
}

# The explorer's /export page: its rows, copied as they are, are a command a
# shell runs; it verifies the demo lab while startle runs.
test_tui_export_page_is_a_command_that_verifies_and_save_chain_waits_for_tls() {
	local cmd
	command -v gnutls-cli >/dev/null 2>&1 || it_skip "gnutls-cli is not installed (gnutls-bin)"
	tui_start --demo imap
	tui_wait 'imap plain>'
	tui_type '/save-chain chain.pem'
	tui_wait 'no certificate chain yet'
	tui_type '/export openssl'
	tui_wait '/export openssl: this connection as openssl s_client'
	# The rows from the command to the blank line after it.
	tui_screen | sed -n '/^openssl s_client/,/^$/p' >"$IT_TEST_DIR/page.sh"
	grep -q -- '-verify_return_error' "$IT_TEST_DIR/page.sh" || fail "the page shows no command" - <"$IT_TEST_DIR/page.sh"
	timeout -k 2 20 sh "$IT_TEST_DIR/page.sh" </dev/null >"$IT_TEST_DIR/page.out" 2>&1 ||
		fail "the command on the /export page failed" - <"$IT_TEST_DIR/page.out"
	grep -q '^Verify return code: 0 (ok)' "$IT_TEST_DIR/page.out" ||
		fail "the command on the /export page did not verify" - <"$IT_TEST_DIR/page.out"
	tui_keys q
	tui_wait 'imap plain>'
	tui_type '/export gnutls gnutls.sh'
	tui_wait 'wrote the gnutls command to gnutls.sh'
	cmd=$(tmux -L "$IT_TMUX" display -p '#{pane_current_path}')
	[ "$(stat -c %a "$cmd/gnutls.sh")" = 600 ] || fail "the exported script is not mode 600"
	timeout -k 2 20 sh "$cmd/gnutls.sh" </dev/null >"$IT_TEST_DIR/g.out" 2>&1
	grep -q 'Status: The certificate is trusted' "$IT_TEST_DIR/g.out" ||
		fail "the script /export wrote did not verify" - <"$IT_TEST_DIR/g.out"
	tui_type '/starttls'
	tui_wait 'imap tls>'
	tui_type '/save-chain chain.pem'
	tui_wait 'saved the chain \(2 certificates, leaf first\) as PEM to chain\.pem'
	[ "$(stat -c %a "$cmd/chain.pem")" = 600 ] || fail "the saved chain is not mode 600"
	tui_keys F3
	tui_wait 'Certificate 0: leaf'
	# the pin sits under the verdict, the OCSP staple and the leaf's fields:
	# a page down in the details pane (focus: input, transcript, details)
	tui_keys Tab Tab NPage
	tui_wait 'pin-sha256'
	tui_keys Tab
	tui_quit_and_check_terminal
}
