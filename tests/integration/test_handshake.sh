# The handshake beyond the wire records, against the real Postfix and Dovecot,
# openssl s_server and startle's lab: TLS 1.3's encrypted messages decrypted
# with their sizes (or, on a build that cannot, said so), the server's
# signature scheme and key share.

here_handshake=$(dirname "${BASH_SOURCE[0]}")
# lab_start, lab_probe, LAB_NAME
. "$here_handshake/test_lab.sh"
# tui_start, tui_wait, tui_keys, tui_type, tui_quit_and_check_terminal, tui_smtp
. "$here_handshake/test_tui.sh"

hs_smtp() {
	run_startle --batch "smtp://127.0.0.1:$STARTLE_SMTP_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test "$@"
}

hs_imap() {
	run_startle --batch "imap://$STARTLE_IMAP_HOST:$STARTLE_IMAP_PORT" \
		--cafile "$STARTLE_IT_CA" --servername mail.test "$@"
}

# True when the startle under test decrypts TLS 1.3's handshake (its own
# wolfSSL build, which hands out the secrets).
hs_decrypts() {
	"$STARTLE" -V | grep -q 'TLS 1\.3 secrets$'
}

# The length of the TLS 1.3 Certificate message the test servers send (RFC
# 8446 §4.4.2): a context byte, a 3-byte list length, and per certificate a
# 3-byte length, its DER and 2 bytes of (empty) extensions.
hs_certificate_length() {
	local total=4 der
	for pem in "$STARTLE_IT_WORK/pki/leaf.pem" "$STARTLE_IT_WORK/pki/ca.pem"; do
		der=$(openssl x509 -in "$pem" -outform DER | wc -c)
		total=$((total + 3 + der + 2))
	done
	echo "$total"
}

# Checks the last run's JSON: the server's four encrypted messages in order
# (the Certificate as long as CERT_LEN unless that is empty), then the
# client's Finished, all in the handshake phase, Finished as long as the
# suite's hash; or, on a build that cannot decrypt, the sentence saying so.
hs_assert_tls13_messages() {
	local cert_len=${1:-}
	if ! hs_decrypts; then
		assert_json_has '.kind == "tls" and .version == "TLSv1.3"
			and .encrypted_handshake == "unavailable"'
		assert_json_has '.kind == "note" and matches("cannot show TLS 1\\.3.s encrypted handshake")'
		assert_json_lacks '.message != null'
		return 0
	fi
	assert_json_has '.kind == "tls" and .version == "TLSv1.3" and .encrypted_handshake == "decrypted"'
	assert_json '[.[] | select(.message != null and .phase == "handshake") | .message
		| "\(.dir) \(.type)"] | join(",") ==
		"in EncryptedExtensions,in Certificate,in CertificateVerify,in Finished,out Finished"'
	assert_json '([.[] | select(.kind == "tls" and .cipher != null)][0].cipher
		| if endswith("SHA384") then 48 else 32 end) as $h
		| [.[] | select(.message.type == "Finished") | .message.length] | all(. == $h)'
	assert_json '[.[] | select(.message != null)] | all(.kind == "note" and .message.length > 0
		and (.dir == (if .message.dir == "in" then "server" else "client" end)))'
	if [ -n "$cert_len" ]; then
		assert_json_has ".message.type == \"Certificate\" and .message.length == $cert_len"
	fi
	# each message follows the record that carried it
	assert_json '. as $e | [range(1; length) | select($e[.].message != null
		and $e[.].phase == "handshake") | $e[. - 1] | (.record != null or .message != null)] | all'
}

test_handshake_postfix_tls13_messages_are_decrypted_with_their_sizes() {
	hs_smtp --json
	assert_exit 0
	assert_json_lines
	hs_assert_tls13_messages "$(hs_certificate_length)"
	hs_decrypts || return 0
	# Postfix (OpenSSL) sends session tickets once the handshake is over
	assert_json_has '.message.type == "NewSessionTicket" and .phase == "tls"
		and .message.ticket_lifetime > 0'
}

test_handshake_postfix_signature_and_group_match_what_postfix_logged() {
	local mark
	hs_decrypts || it_skip "this startle cannot decrypt TLS 1.3's handshake to read the signature"
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	hs_smtp --json
	assert_exit 0
	wait_postfix_disconnect "$mark"
	# "... key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256"
	assert_log_matches 'key-exchange X25519 server-signature ECDSA \((P-256|prime256v1)\) server-digest SHA256'
	assert_json_has '.kind == "tls" and .group == "X25519" and .key_share_bytes == 32
		and .signature == "ecdsa_secp256r1_sha256" and .hello_retry == false'
	assert_json_has '.message.type == "CertificateVerify" and .message.signature == "ecdsa_secp256r1_sha256"'
}

test_handshake_batch_text_lists_each_message_and_what_it_proves() {
	hs_smtp
	assert_exit 0
	if ! hs_decrypts; then
		assert_matches "^== this build of startle cannot show TLS 1\.3's encrypted handshake"
		return 0
	fi
	assert_lines_in_order \
		'^== TLS record received: application_data' \
		'^== TLS message received \(decrypted\): EncryptedExtensions, [0-9]+ bytes$' \
		'^== TLS message received \(decrypted\): Certificate, [0-9]+ bytes$' \
		'^   # the server.s chain, leaf first' \
		'^== TLS message received \(decrypted\): CertificateVerify, [0-9]+ bytes, signed with ecdsa_secp256r1_sha256$' \
		'^   # signs the handshake so far: proves the server holds the leaf.s key' \
		'^== TLS message received \(decrypted\): Finished, (32|48) bytes$' \
		'^== TLS message sent \(decrypted\): Finished, (32|48) bytes$' \
		'^== TLS established' \
		'^== TLSv1\.3, .*, group X25519, signature ecdsa_secp256r1_sha256, handshake'
	assert_matches '^== TLS message received \(decrypted\): NewSessionTicket, [0-9]+ bytes, ticket lifetime [0-9]+ s$'
}

test_handshake_dovecot_imap_tls13_messages_are_decrypted() {
	hs_imap --json
	assert_exit 0
	hs_assert_tls13_messages "$(hs_certificate_length)"
}

test_handshake_dovecot_implicit_pop3s_messages_are_decrypted() {
	run_startle --batch --json "pop3s://$STARTLE_IMAP_HOST:$STARTLE_POP3S_PORT" \
		--cafile "$STARTLE_IT_CA" --servername mail.test
	assert_exit 0
	hs_assert_tls13_messages "$(hs_certificate_length)"
}

test_handshake_lab_tls13_messages_are_decrypted() {
	lab_start smtp honest
	lab_probe smtp explicit
	assert_exit 0
	hs_assert_tls13_messages
	hs_decrypts || return 0
	assert_json_has '.message.type == "NewSessionTicket"'
}

test_handshake_tls12_has_no_encrypted_messages_but_reads_the_key_exchange() {
	hs_smtp --json --tls-max 1.2
	assert_exit 0
	# TLS 1.2's ECDSA names the hash only; Postfix's leaf is EC P-256
	assert_json_has '.kind == "tls" and .version == "TLSv1.2" and .encrypted_handshake == null
		and (.signature | test("^ecdsa_sha(256|384|512)$")) and .group == "X25519"'
	assert_json_lacks '.message != null'
	assert_json_has '.record.handshake == "ServerKeyExchange"'
}

# The explorer on Postfix after /starttls, at the size TUI_COLS x TUI_ROWS.
hs_tui_upgraded() {
	tui_smtp
	tui_type '/starttls'
	tui_wait 'smtp tls>' 15
}

test_handshake_tui_lists_the_decrypted_messages_in_the_handshake_tab_and_ladder() {
	hs_tui_upgraded
	tui_keys F2
	if ! hs_decrypts; then
		tui_wait 'This build of startle cannot show them'
		tui_quit_and_check_terminal
		return 0
	fi
	tui_wait 'Encrypted handshake, decrypted by startle'
	tui_wait '<- EncryptedExtensions +[0-9]+ B'
	tui_wait '<- Certificate +[0-9]+ B'
	tui_wait '<- CertificateVerify +[0-9]+ B'
	tui_wait 'signs the handshake so far'
	tui_wait '-> Finished +(32|48) B'
	tui_wait 'Signature +ecdsa_secp256r1_sha256'
	tui_keys F6
	tui_wait '\{EncryptedExtensions\} [0-9]+ B'
	tui_wait '\{CertificateVerify\} [0-9]+ B'
	tui_wait '\{Finished\} (32|48) B .*▶'
	tui_wait '◀.* \[NewSessionTicket\] [0-9]+ B'
	tui_quit_and_check_terminal
	tui_check_sanitizers
}

test_handshake_tui_shows_the_decrypted_messages_at_80x24() {
	TUI_COLS=80 TUI_ROWS=24 hs_tui_upgraded
	tui_keys F6
	if hs_decrypts; then
		tui_wait '\{Finished\} (32|48) B'
	fi
	tui_keys F2
	tui_wait 'Signature'
	# the details pane has the focus after the input line and the transcript
	tui_keys Tab Tab
	tui_keys NPage
	if ! hs_decrypts; then
		tui_wait 'This build of startle cannot'
		tui_keys Tab # back to the input line
		tui_quit_and_check_terminal
		return 0
	fi
	tui_wait 'Encrypted handshake, decrypted by startle'
	tui_wait '<- (EncryptedExtensions|Certificate)'
	tui_keys NPage
	tui_wait '<- (CertificateVerify|Finished)'
	tui_keys Tab # back to the input line
	tui_quit_and_check_terminal
	tui_check_sanitizers
}

# --- resumption: --reconnect in batch, /reconnect in the explorer

# The JSON events of the last run from the second connect event on.
hs_second='. as $e | [range(length) | select($e[.].kind == "connect")][1] as $i | $e[$i:]'

test_handshake_reconnect_resumes_postfix_tls13_session_and_says_so() {
	hs_smtp --json --reconnect
	assert_exit 0
	assert_json_lines
	assert_json '[.[] | select(.kind == "connect")] | length == 2'
	assert_json '[.[] | select(.kind == "tls" and .version != null)] | length == 2'
	assert_json '[.[] | select(.kind == "tls" and .version != null)][0]
		| .resumed == false and .resume_offered == false'
	assert_json "$hs_second"' | map(select(.kind == "tls" and .version != null))[0]
		| .version == "TLSv1.3" and .resumed == true and .resume_offered == true'
	assert_json "$hs_second"' | any(.kind == "note" and matches("^resumed the TLS session of the earlier connection"))'
	# the resumed handshake keeps the first connection's verdict
	assert_json "$hs_second"' | any(.kind == "tls" and .verified == true and .name_match == true)'
	assert_json "$hs_second"' | all(.kind != "finding")'
	hs_decrypts || return 0
	# no certificate and no signature in a resumed handshake: only
	# EncryptedExtensions and the two Finished messages
	assert_json "$hs_second"' | [.[] | select(.message != null and .phase == "handshake")
		| "\(.message.dir) \(.message.type)"] | join(",") ==
		"in EncryptedExtensions,in Finished,out Finished"'
}

test_handshake_reconnect_keeps_the_untrusted_verdict_of_the_first_connection() {
	# no --cafile: the test CA is not trusted, and resuming must not hide it
	run_startle --batch --json --reconnect "smtp://127.0.0.1:$STARTLE_SMTP_PORT" \
		--servername mail.test
	assert_exit 0
	assert_json "$hs_second"' | map(select(.kind == "tls" and .version != null))[0].resumed == true'
	assert_json "$hs_second"' | any(.kind == "tls" and .verified == false)'
	assert_json "$hs_second"' | any(finding("cert-untrusted"))'
}

test_handshake_reconnect_resumes_a_tls12_session_with_a_ticket() {
	hs_smtp --json --reconnect --tls-max 1.2
	assert_exit 0
	assert_json "$hs_second"' | map(select(.kind == "tls" and .version != null))[0]
		| .version == "TLSv1.2" and .resumed == true'
	# a resumed TLS 1.2 handshake has no Certificate and no ServerKeyExchange
	assert_json "$hs_second"' | all(.record.handshake != "Certificate"
		and .record.handshake != "ServerKeyExchange")'
	hs_smtp --reconnect --tls-max 1.2
	assert_exit 0
	assert_matches '^== TLSv1\.2, .*\(resumed\)'
}

test_handshake_reconnect_after_a_session_without_tls_says_there_is_nothing_to_resume() {
	run_startle --batch --json --reconnect "smtp://127.0.0.1:$STARTLE_SMTP_NOTLS_PORT" -c QUIT
	assert_exit 0
	assert_json '[.[] | select(.kind == "connect")] | length == 2'
	assert_json_has '.kind == "note" and matches("^--reconnect: the first connection left no TLS session to resume")'
}

# Dovecot's default login processes (one per connection, each with its own
# ticket key) cannot resume a session: startle offers it and says it was not
# taken, and the full handshake's chain is the server's alone.
test_handshake_reconnect_against_dovecot_says_the_session_was_not_resumed() {
	hs_imap --json --reconnect
	assert_exit 0
	assert_json '[.[] | select(.kind == "connect")] | length == 2'
	assert_json "$hs_second"' | map(select(.kind == "tls" and .version != null))[0]
		| .resume_offered == true and .resumed == false'
	assert_json "$hs_second"' | any(.kind == "note"
		and matches("did not resume the earlier connection.s TLS session"))'
	assert_json "$hs_second"' | [.[] | select(.kind == "cert")] | length == 2'
	assert_json "$hs_second"' | any(.kind == "tls" and .verified == true)'
}

test_handshake_tui_reconnect_resumes_and_says_so() {
	tui_smtp
	tui_type '/starttls'
	tui_wait 'smtp tls>' 15
	tui_type 'NOOP'
	tui_wait '<~ 250 2\.0\.0 Ok'
	tui_type '/reconnect'
	tui_wait 'offering to resume the last TLS session'
	tui_wait '<- 220 mail\.test'
	tui_type '/starttls'
	tui_wait 'smtp tls>' 15
	tui_keys F2
	tui_wait 'Resumed +yes: the session of the earlier'
	tui_wait 'Signature +none: a resumed session signs nothing'
	tui_quit_and_check_terminal
	tui_check_sanitizers
}

# --- ALPN

test_handshake_alpn_is_not_offered_by_default() {
	hs_smtp --json
	assert_exit 0
	assert_json_has '.kind == "tls" and .version != null and .alpn == null and .alpn_offered == false'
}

test_handshake_alpn_reports_the_protocol_the_server_chose() {
	s_server_smtps -alpn smtp
	s_server_answer '"text":"QUIT"' '221 2.0.0 Bye'
	run_startle --batch --json "smtps://127.0.0.1:$IT_S_SERVER_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test --alpn imap,smtp -c QUIT
	assert_exit 0
	assert_json_has '.kind == "tls" and .alpn == "smtp" and .alpn_offered == true'
	assert_json_has '.kind == "tls" and matches(", ALPN smtp, ")'
}

test_handshake_alpn_a_server_that_knows_none_goes_on_without() {
	hs_smtp --json --alpn smtp
	assert_exit 0
	# Postfix has no ALPN: the handshake goes on, nothing agreed
	assert_json_has '.kind == "tls" and .alpn == null and .alpn_offered == true
		and matches(", ALPN none agreed, ")'
}

# --- --groups and --ciphers

test_handshake_groups_choose_the_key_exchange_postfix_uses() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	hs_smtp --json --groups P-256
	assert_exit 0
	assert_json_has '.kind == "tls" and .group == "SECP256R1" and .key_share_bytes == 65'
	wait_postfix_disconnect "$mark"
	assert_log_matches 'TLSv1\.3 with cipher .* key-exchange ECDHE \((prime256v1|secp256r1|P-256)\) '
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	hs_smtp --json --groups x25519
	assert_exit 0
	assert_json_has '.kind == "tls" and .group == "X25519" and .key_share_bytes == 32'
	wait_postfix_disconnect "$mark"
	assert_log_matches 'TLSv1\.3 with cipher .* key-exchange X25519 '
}

test_handshake_groups_in_tls12_choose_the_curve_of_the_key_exchange() {
	# in TLS 1.2 the groups also bound the curve of the server's ECDSA key:
	# Postfix's is P-256, so P-256 stays on the list, after P-384
	hs_smtp --json --tls-max 1.2 --groups secp384r1:P-256
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.2" and .group == "SECP384R1"
		and .key_share_bytes == 97'
}

test_handshake_groups_the_server_lacks_bring_a_hello_retry_request() {
	s_server_smtps -groups P-256
	s_server_answer '"text":"QUIT"' '221 2.0.0 Bye'
	# startle sends a key share for its first group only: X25519 the server refuses
	run_startle --batch --json "smtps://127.0.0.1:$IT_S_SERVER_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test --groups X25519:P-256 -c QUIT
	assert_exit 0
	assert_json_has '.kind == "tls" and .group == "SECP256R1" and .hello_retry == true'
	assert_json_has '.kind == "tls" and matches("group SECP256R1 \\(after HelloRetryRequest\\)")'
}

test_handshake_lab_groups_change_the_key_share() {
	lab_start smtp honest
	lab_probe smtp explicit --groups P-384
	assert_exit 0
	assert_json_has '.kind == "tls" and .group == "SECP384R1" and .key_share_bytes == 97'
}

test_handshake_ciphers_choose_the_tls12_suite_postfix_uses() {
	local mark
	mark=$(log_mark "$STARTLE_IT_POSTFIX_LOG")
	hs_smtp --json --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.2"
		and .cipher == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"'
	wait_postfix_disconnect "$mark"
	assert_log_matches 'TLSv1\.2 with cipher ECDHE-ECDSA-AES128-GCM-SHA256 '
}

test_handshake_ciphers_with_only_tls12_suites_leave_out_tls13() {
	hs_smtp --json --ciphers TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.2"
		and .cipher == "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"'
}

test_handshake_ciphers_choose_chacha20_and_its_handshake_is_decrypted() {
	hs_smtp --json --ciphers TLS_CHACHA20_POLY1305_SHA256
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.3" and .cipher == "TLS_CHACHA20_POLY1305_SHA256"'
	hs_assert_tls13_messages "$(hs_certificate_length)"
}

test_handshake_unknown_names_are_usage_errors() {
	run_startle --batch --ciphers 'TLS_AES_128_GCM_SHA256:NOT-A-SUITE' "smtp://127.0.0.1:$STARTLE_SMTP_PORT"
	assert_exit 2
	assert_stderr_matches '--ciphers: "NOT-A-SUITE" is not a cipher suite'
	run_startle --batch --groups 'X25519,brainpool' "smtp://127.0.0.1:$STARTLE_SMTP_PORT"
	assert_exit 2
	assert_stderr_matches '--groups: "brainpool" is not a group .*use X25519, .*P-256'
	run_startle --batch --ciphers TLS_AES_128_GCM_SHA256 --tls-max 1.2 "smtp://127.0.0.1:$STARTLE_SMTP_PORT"
	assert_exit 2
	assert_stderr_matches 'only TLS 1\.3 suites, but --tls-max 1\.2'
	run_startle --reconnect "smtp://127.0.0.1:$STARTLE_SMTP_PORT"
	assert_exit 2
	assert_stderr_matches '--reconnect runs one session twice in batch mode'
}

test_handshake_lab_ciphers_choose_the_tls12_suite() {
	lab_start smtp honest
	lab_probe smtp explicit --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.2"
		and .cipher == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
		and (.signature | test("^ecdsa_sha"))'
}

# The lab (wolfSSL, a child process per connection) may decline a session it
# issued; startle must then go on with a full handshake in TLS 1.2 as in 1.3
# (wolfSSL alone would take the declined TLS 1.2 ticket for a resumption and
# fail on the server's Certificate).
hs_lab_reconnect() {
	lab_start imap honest
	lab_probe imap explicit --reconnect "$@"
	assert_exit 0
	assert_json "$hs_second"' | map(select(.kind == "tls" and .version != null))[0]
		| .resume_offered == true'
	assert_json "$hs_second"' | (map(select(.kind == "tls" and .version != null))[0].resumed) as $r
		| any(.kind == "note" and (if $r then matches("^resumed the TLS session")
			else matches("did not resume the earlier connection") end))'
	assert_json "$hs_second"' | any(.kind == "tls" and .verified == true)'
	assert_json "$hs_second"' | all(.kind != "error")'
}

test_handshake_lab_reconnect_goes_on_when_a_tls12_session_is_declined() {
	hs_lab_reconnect --tls-max 1.2
}

test_handshake_lab_reconnect_goes_on_when_a_tls13_session_is_declined() {
	hs_lab_reconnect
}
