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

# A leaf with no subjectAltName, only CN=cn.test, signed by the test CA: the
# library's name check still falls back to the CN, and startle says that
# RFC 9525 no longer does.
test_wolfssl_a_cn_only_certificate_matches_by_the_library_and_is_cert_name_legacy() {
	local pki=$STARTLE_IT_WORK/pki d=$IT_TEST_DIR
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/cn.key" 2>/dev/null &&
		openssl req -new -key "$d/cn.key" -subj /CN=cn.test -out "$d/cn.csr" 2>/dev/null &&
		openssl x509 -req -in "$d/cn.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
			-CAcreateserial -CAserial "$d/ca.srl" -days 2 -out "$d/cn.pem" 2>/dev/null ||
		fail "openssl could not make a CN-only certificate"
	s_server_smtps -cert "$d/cn.pem" -key "$d/cn.key"
	s_server_answer '"text":"QUIT"' '221 2.0.0 Bye'
	run_startle --batch --json "smtps://127.0.0.1:$IT_S_SERVER_PORT" --cafile "$STARTLE_IT_CA" \
		--servername cn.test -c QUIT
	assert_exit 0
	assert_json_has '.kind == "tls" and .verified == true and .name_match == true
		and (.name_note | test("named only by the subject CN.*RFC 9525"))'
	assert_finding cert-name-legacy
	assert_no_finding cert-name-mismatch
}
