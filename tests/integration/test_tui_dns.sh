# The explorer under --mx, end to end in tmux: the mail domain checked
# before the first connection (the nsd-served zone and the lab's policy host
# of test_dns.sh), the DNS/Policy tab with the chain of reasoning, the
# verdicts after the handshake, /mx N to another MX host.

here_tui_dns=$(dirname "${BASH_SOURCE[0]}")
# tui_start, tui_wait, tui_screen, tui_type, tui_keys, tui_lacks ...
. "$here_tui_dns/test_tui.sh"
# dns_lab_start, sts_lab_start
. "$here_tui_dns/test_dns.sh"

# The explorer on sts.test, trusting bundle.pem, on a screen tall enough
# for the tab.
tui_mx() {
	TUI_COLS=${TUI_COLS:-160} TUI_ROWS=${TUI_ROWS:-60} tui_start --mx \
		--dns-config "$PWD/unbound.conf" --mta-sts-port "$STS_PORT" \
		--cafile "$PWD/bundle.pem" "$@" "smtp://sts.test:$STARTLE_SMTP_PORT"
}

test_tui_dns_tab_shows_the_reasoning_and_the_verdicts_after_the_handshake() {
	sts_lab_start policy
	tui_mx
	tui_wait '<- 220 mail\.test'
	tui_wait 'F9 DNS/Policy'
	tui_wait 'Mail domain sts\.test, as a sending server checks it'
	tui_wait '1\. 10 mail\.test: 127\.0\.0\.1 \(addresses secure\) <- this connection'
	tui_wait 'policy: mode enforce, max_age 604800 s, mx mail\.test, \*\.sts\.test'
	tui_wait 'the verdicts follow the TLS handshake'
	tui_type '/starttls'
	tui_wait 'ENCRYPTED'
	tui_wait 'an MTA-STS sender delivers to mail\.test'
	tui_wait 'a DANE sender delivers to mail\.test'
	tui_lacks 'the verdicts follow the TLS handshake'
	# F2 leaves the tab, F9 comes back to it.
	tui_keys F2
	tui_wait 'Version +TLSv1\.3'
	tui_lacks 'Mail domain sts\.test'
	tui_keys F9
	tui_wait 'Mail domain sts\.test, as a sending server checks it'
	tui_quit_and_check_terminal
}

test_tui_mx_command_connects_to_another_mx_host() {
	sts_lab_start policy
	tui_mx
	tui_wait '<- 220 mail\.test'
	tui_type '/mx'
	tui_wait 'MX hosts: 1 mail\.test \(this one\) 2 mx2\.sts\.test; /mx N connects to host N'
	tui_type '/mx 2'
	tui_wait 'connecting to MX host 2, mx2\.sts\.test'
	tui_wait '2\. 20 mx2\.sts\.test: 127\.0\.0\.1 \(addresses secure\) <- this connection'
	tui_type '/starttls'
	tui_wait 'ENCRYPTED'
	tui_wait 'MTA-STS \(enforce\): mx2\.sts\.test matches \*\.sts\.test but the'
	tui_wait 'an MTA-STS sender refuses mx2\.sts\.test'
	tui_type '/mx 9'
	tui_wait '/mx takes the number of an MX host, 1 to 2'
	tui_quit_and_check_terminal
}

test_tui_mx_domain_that_does_not_exist_ends_before_the_screen() {
	dns_lab_start
	tui_start --mx --dns-config "$PWD/unbound.conf" "smtp://nosuch.test:$STARTLE_SMTP_PORT"
	tui_wait 'startle-exit=3'
	grep -q '^startle: nosuch\.test does not exist (NXDOMAIN): no mail can go there$' "$TUI_ERR" ||
		fail "stderr does not say why" - <"$TUI_ERR"
	# The terminal was never taken.
	[ "$(tmux -L "$IT_TMUX" display -p '#{alternate_on}')" = 0 ] || fail "the terminal is in the alternate screen"
}

test_tui_policies_lesson_walks_a_stripped_connection_to_the_end() {
	tui_start --lesson policies
	tui_wait 'F7 Lesson'
	tui_wait 'Stripping defeated by DANE and MTA-STS'
	tui_wait '<- 220 '
	tui_type 'EHLO me'
	tui_wait 'step 2 of 7'
	tui_type 'STARTTLS'
	tui_wait 'starttls-refused'
	tui_wait 'step 3 of 7'
	tui_wait '_mta-sts\.DOMAIN +TXT +"v=STSv1; id=\.\.\."'
	for step in 4 5 6 7; do
		tui_type '/next'
		tui_wait "step $step of 7"
	done
	tui_type 'QUIT'
	tui_wait 'the upgrade failed \(.*\): go on in'
	tui_keys y
	tui_wait 'lesson complete: Stripping defeated by DANE and MTA-STS'
	tui_quit_and_check_terminal
}
