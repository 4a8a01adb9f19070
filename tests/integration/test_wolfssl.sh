# The wolfSSL startle links: startle -V names it, and startle's own build
# reaches what Debian's build reaches (a TLS 1.1 server, reported as old).

test_wolfssl_version_names_the_library_and_its_build() {
	run_startle -V
	assert_exit 0
	assert_lines_in_order '^startle [0-9]' \
		"^wolfSSL [0-9]+\.[0-9]+\.[0-9]+: (startle's own build of Debian's source package [0-9.]+-|the system library)"
	assert_matches '; --keylog writes TLS 1\.2 (and TLS 1\.3 secrets$|secrets only: TLS 1\.3 secrets need)'
}

test_wolfssl_a_tls11_server_is_reached_and_reported_old() {
	s_server_smtps -tls1_1 -cipher 'DEFAULT@SECLEVEL=0'
	s_server_answer '"text":"QUIT"' '221 2.0.0 Bye'
	run_startle --batch --json "smtps://127.0.0.1:$IT_S_SERVER_PORT" --cafile "$STARTLE_IT_CA" \
		--servername mail.test -c QUIT
	assert_exit 0
	assert_json_has '.kind == "tls" and .version == "TLSv1.1"'
	assert_finding tls-old-version
}
