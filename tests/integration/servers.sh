# Real Postfix and Dovecot on loopback for the integration tests; sourced by
# tests/integration/run. servers_start makes a work directory, a CA and a leaf
# for mail.test, starts a private Postfix on 127.0.0.1 and a private Dovecot on
# 127.0.0.2 (so Dovecot treats the client as insecure and advertises
# LOGINDISABLED before TLS), and waits until every port accepts. It installs a
# trap that stops both servers and removes the work directory on every exit.
#
# Exported to the tests:
#   STARTLE_IT_WORK          the work directory
#   STARTLE_IT_CA            the CA certificate (PEM) that signed the leaf
#   STARTLE_IT_POSTFIX_LOG   Postfix's maillog_file
#   STARTLE_IT_DOVECOT_LOG   Dovecot's log_path
#   STARTLE_SMTP_HOST        127.0.0.1
#   STARTLE_SMTP_PORT        SMTP, explicit STARTTLS
#   STARTLE_SMTPS_PORT       SMTP, implicit TLS (wrappermode)
#   STARTLE_SMTP_NOTLS_PORT  SMTP without TLS (STARTTLS not offered)
#   STARTLE_SUBMIT_PORT      SMTP with STARTTLS and AUTH (PLAIN, LOGIN) through
#                            Dovecot's SASL socket, offered before TLS as well
#   STARTLE_IMAP_HOST        127.0.0.2
#   STARTLE_IMAP_PORT, STARTLE_IMAPS_PORT, STARTLE_POP3_PORT, STARTLE_POP3S_PORT
#   STARTLE_CLOSED_PORT      a loopback port nothing listens on
#   STARTLE_IT_USER, STARTLE_IT_PASSWORD   the Dovecot login
# A port given in the environment is used as is; a default that is taken is
# replaced by a free one.

STARTLE_SMTP_HOST=127.0.0.1
STARTLE_IMAP_HOST=127.0.0.2
STARTLE_IT_USER='test'
STARTLE_IT_PASSWORD=secret
SERVERS_WAIT_SECONDS=${SERVERS_WAIT_SECONDS:-20}

servers_postfix_dir=
servers_dovecot_conf=
servers_dovecot_pid=
servers_postfix_pid=
servers_lock_fd=

# True if something accepts TCP connections on host:port.
servers_port_answers() {
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# True if neither loopback address has a listener on the port.
servers_port_free() {
	! servers_port_answers 127.0.0.1 "$1" && ! servers_port_answers 127.0.0.2 "$1"
}

servers_chosen_ports=" "

# Sets the variable named $1 to its value from the environment, else to the
# default $2 if that port is free, else to a free port in 20000-29999.
servers_choose_port() {
	local var=$1 port=${!1:-} tries=0
	if [ -n "$port" ]; then
		servers_chosen_ports+="$port "
		export "$var=$port"
		return 0
	fi
	port=$2
	while [[ $servers_chosen_ports == *" $port "* ]] || ! servers_port_free "$port"; do
		tries=$((tries + 1))
		if [ "$tries" -gt 50 ]; then
			echo "servers: found no free loopback port for $var" >&2
			return 1
		fi
		port=$((20000 + RANDOM % 10000))
	done
	servers_chosen_ports+="$port "
	export "$var=$port"
}

servers_choose_ports() {
	servers_choose_port STARTLE_SMTP_PORT 12525 &&
		servers_choose_port STARTLE_SMTPS_PORT 12465 &&
		servers_choose_port STARTLE_SMTP_NOTLS_PORT 12526 &&
		servers_choose_port STARTLE_SUBMIT_PORT 12587 &&
		servers_choose_port STARTLE_IMAP_PORT 12143 &&
		servers_choose_port STARTLE_IMAPS_PORT 12993 &&
		servers_choose_port STARTLE_POP3_PORT 12110 &&
		servers_choose_port STARTLE_POP3S_PORT 12995 &&
		servers_choose_port STARTLE_CLOSED_PORT 12999
}

# Makes a CA (EC P-256) and a leaf for mail.test signed by it, with SANs for
# mail.test, localhost, 127.0.0.1 and 127.0.0.2. Writes ca.pem, leaf.pem,
# leaf.key and chain.pem (leaf then CA, what the servers present).
servers_make_certs() {
	local d=$STARTLE_IT_WORK/pki
	mkdir -p "$d" || return 1
	cat >"$d/leaf.ext" <<-'EOF'
		basicConstraints = critical, CA:FALSE
		keyUsage = critical, digitalSignature, keyEncipherment
		extendedKeyUsage = serverAuth
		subjectAltName = DNS:mail.test, DNS:localhost, IP:127.0.0.1, IP:127.0.0.2
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid
	EOF
	{
		openssl ecparam -name prime256v1 -genkey -noout -out "$d/ca.key" &&
			openssl req -x509 -new -sha256 -key "$d/ca.key" -days 30 \
				-subj "/O=startle tests/CN=startle test CA" \
				-addext "basicConstraints=critical,CA:TRUE" \
				-addext "keyUsage=critical,keyCertSign,cRLSign" \
				-out "$d/ca.pem" &&
			openssl ecparam -name prime256v1 -genkey -noout -out "$d/leaf.key" &&
			openssl req -new -sha256 -key "$d/leaf.key" \
				-subj "/O=startle tests/CN=mail.test" -out "$d/leaf.csr" &&
			openssl x509 -req -sha256 -in "$d/leaf.csr" -CA "$d/ca.pem" \
				-CAkey "$d/ca.key" -CAcreateserial -days 30 \
				-extfile "$d/leaf.ext" -out "$d/leaf.pem" &&
			cat "$d/leaf.pem" "$d/ca.pem" >"$d/chain.pem"
	} >"$d/openssl.log" 2>&1 || {
		echo "servers: making the test certificates failed:" >&2
		cat "$d/openssl.log" >&2
		return 1
	}
	chmod 644 "$d"/*.pem
	chmod 600 "$d"/*.key
	export STARTLE_IT_CA=$d/ca.pem
}

# Writes a private Postfix configuration under the work directory and starts
# it: explicit STARTTLS, implicit TLS and a listener without TLS.
servers_start_postfix() {
	local d=$STARTLE_IT_WORK/postfix
	servers_postfix_dir=$d/etc
	mkdir -p "$d/etc" "$d/queue" "$d/data" || return 1
	chown postfix: "$d/data" || return 1
	export STARTLE_IT_POSTFIX_LOG=$d/maillog
	cat >"$d/etc/main.cf" <<-EOF
		compatibility_level = 3.6
		queue_directory = $d/queue
		data_directory = $d/data
		myhostname = mail.test
		mydomain = mail.test
		myorigin = mail.test
		mydestination = mail.test, localhost
		mynetworks = 127.0.0.0/8
		inet_interfaces = 127.0.0.1
		inet_protocols = ipv4
		smtpd_banner = \$myhostname ESMTP
		alias_maps =
		alias_database =
		biff = no
		maillog_file = $d/maillog
		maillog_file_prefixes = $STARTLE_IT_WORK
		smtpd_tls_cert_file = $STARTLE_IT_WORK/pki/chain.pem
		smtpd_tls_key_file = $STARTLE_IT_WORK/pki/leaf.key
		smtpd_tls_security_level = may
		smtpd_tls_loglevel = 1
		smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
		smtpd_client_connection_rate_limit = 0
	EOF
	cat >"$d/etc/master.cf" <<-EOF
		127.0.0.1:$STARTLE_SMTP_PORT inet n - n - - smtpd
		127.0.0.1:$STARTLE_SMTPS_PORT inet n - n - - smtpd
		  -o smtpd_tls_wrappermode=yes
		127.0.0.1:$STARTLE_SMTP_NOTLS_PORT inet n - n - - smtpd
		  -o smtpd_tls_security_level=none
		127.0.0.1:$STARTLE_SUBMIT_PORT inet n - n - - smtpd
		  -o smtpd_sasl_auth_enable=yes
		  -o smtpd_sasl_type=dovecot
		  -o smtpd_sasl_path=$STARTLE_IT_WORK/dovecot/run/postfix-auth
		  -o smtpd_tls_auth_only=no
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		tlsmgr    unix  -       -       n       1000?   1       tlsmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		verify    unix  -       -       n       -       1       verify
		flush     unix  n       -       n       1000?   0       flush
		proxymap  unix  -       -       n       -       -       proxymap
		smtp      unix  -       -       n       -       -       smtp
		relay     unix  -       -       n       -       -       smtp
		showq     unix  n       -       n       -       -       showq
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		discard   unix  -       -       n       -       -       discard
		local     unix  -       n       n       -       -       local
		anvil     unix  -       -       n       -       1       anvil
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
	EOF
	local rc=0
	postfix -c "$d/etc" start >"$d/start.log" 2>&1 {servers_lock_fd}>&- || rc=$?
	servers_postfix_pid=$(servers_read_pid "$d/queue/pid/master.pid")
	if [ "$rc" -ne 0 ] || [ -z "$servers_postfix_pid" ]; then
		echo "servers: postfix did not start (exit $rc):" >&2
		cat "$d/start.log" >&2
		[ -f "$d/maillog" ] && tail -n 30 "$d/maillog" >&2
		return 1
	fi
}

# Writes a private Dovecot configuration (IMAP, IMAPS, POP3, POP3S on
# 127.0.0.2, one static user) and starts it.
servers_start_dovecot() {
	local d=$STARTLE_IT_WORK/dovecot uid gid
	uid=$(id -u nobody) && gid=$(id -g nobody) || return 1
	mkdir -p "$d/run" "$d/state" "$d/home" || return 1
	chown "$uid:$gid" "$d/home" || return 1
	servers_dovecot_conf=$d/dovecot.conf
	export STARTLE_IT_DOVECOT_LOG=$d/dovecot.log
	cat >"$servers_dovecot_conf" <<-EOF
		protocols = imap pop3
		listen = $STARTLE_IMAP_HOST
		base_dir = $d/run
		state_dir = $d/state
		instance_name = startle-tests
		log_path = $d/dovecot.log
		info_log_path = $d/dovecot.log
		stats_writer_socket_path =
		ssl = yes
		ssl_cert = <$STARTLE_IT_WORK/pki/chain.pem
		ssl_key = <$STARTLE_IT_WORK/pki/leaf.key
		disable_plaintext_auth = yes
		auth_mechanisms = plain login
		first_valid_uid = 1
		mail_location = maildir:$d/home/Maildir
		passdb {
		  driver = static
		  args = password=$STARTLE_IT_PASSWORD
		}
		userdb {
		  driver = static
		  args = uid=$uid gid=$gid home=$d/home
		}
		service auth {
		  unix_listener $d/run/postfix-auth {
		    mode = 0666
		  }
		}
		service imap-login {
		  inet_listener imap {
		    port = $STARTLE_IMAP_PORT
		  }
		  inet_listener imaps {
		    port = $STARTLE_IMAPS_PORT
		    ssl = yes
		  }
		}
		service pop3-login {
		  inet_listener pop3 {
		    port = $STARTLE_POP3_PORT
		  }
		  inet_listener pop3s {
		    port = $STARTLE_POP3S_PORT
		    ssl = yes
		  }
		}
	EOF
	local rc=0
	dovecot -c "$servers_dovecot_conf" >"$d/start.log" 2>&1 {servers_lock_fd}>&- || rc=$?
	# The daemon writes its pid file after the starting process has exited.
	local i
	for ((i = 0; i < 100 && rc == 0; i++)); do
		servers_dovecot_pid=$(servers_read_pid "$d/run/master.pid")
		[ -n "$servers_dovecot_pid" ] && break
		sleep 0.05
	done
	if [ "$rc" -ne 0 ] || [ -z "$servers_dovecot_pid" ]; then
		echo "servers: dovecot did not start (exit $rc):" >&2
		cat "$d/start.log" >&2
		[ -f "$d/dovecot.log" ] && tail -n 30 "$d/dovecot.log" >&2
		return 1
	fi
}

# The process id in a pid file, if that process is alive; empty otherwise.
servers_read_pid() {
	local pid
	pid=$(head -n 1 "$1" 2>/dev/null | tr -dc '0-9')
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		echo "$pid"
	fi
}

# Waits until host:port accepts a connection; on timeout says which server
# failed and shows the end of its log.
servers_wait_port() {
	local name=$1 host=$2 port=$3 log=$4 deadline=$((SECONDS + SERVERS_WAIT_SECONDS))
	until servers_port_answers "$host" "$port"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "servers: $name on $host:$port did not accept a connection" \
				"within ${SERVERS_WAIT_SECONDS} s; end of $log:" >&2
			tail -n 30 "$log" >&2 2>/dev/null || echo "(no log)" >&2
			return 1
		fi
		sleep 0.1
	done
}

# True while a process runs; a zombie (daemons are reparented to an init that
# may be slow to reap) counts as ended.
servers_alive() {
	local stat
	kill -0 "$1" 2>/dev/null || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# Waits up to 10 s for a process to exit; kills it if it will not.
servers_wait_gone() {
	local pid=$1 i
	for ((i = 0; i < 100; i++)); do
		servers_alive "$pid" || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# Stops whatever was started and removes the work directory. Safe to call
# more than once and at any point of servers_start. Both masters get SIGTERM
# (Postfix's "postfix stop" does the same) and are then waited for together.
servers_stop() {
	local pids=() pid
	if [ -n "$servers_postfix_dir" ]; then
		pid=${servers_postfix_pid:-$(servers_read_pid "$STARTLE_IT_WORK/postfix/queue/pid/master.pid")}
		[ -n "$pid" ] && pids+=("$pid")
	fi
	if [ -n "$servers_dovecot_conf" ]; then
		pid=${servers_dovecot_pid:-$(servers_read_pid "$STARTLE_IT_WORK/dovecot/run/master.pid")}
		[ -n "$pid" ] && pids+=("$pid")
	fi
	for pid in "${pids[@]+"${pids[@]}"}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${pids[@]+"${pids[@]}"}"; do
		servers_wait_gone "$pid"
	done
	servers_postfix_dir=
	servers_postfix_pid=
	servers_dovecot_conf=
	servers_dovecot_pid=
	if [ -n "${STARTLE_IT_WORK:-}" ] && [ -d "$STARTLE_IT_WORK" ] &&
		[ -z "${STARTLE_IT_KEEP:-}" ]; then
		rm -rf "$STARTLE_IT_WORK"
	fi
}

# The exit trap; signals exit with 128 + signal number so the EXIT trap runs.
# SERVERS_EXIT_HOOK, if set, names a command to run first (the runner ends
# the test still running).
servers_on_exit() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "${SERVERS_EXIT_HOOK:-}" ]; then
		"$SERVERS_EXIT_HOOK"
	fi
	servers_stop
	exit "$rc"
}

servers_install_traps() {
	trap servers_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# A harness killed with SIGKILL cannot stop its servers. Each work directory
# names the harness that owns it; servers whose owner is gone are stopped here
# (by the pids in their own pid files) and their directory removed, unless it
# was kept on purpose.
servers_reap_orphans() {
	local dir owner pid
	for dir in "${TMPDIR:-/tmp}"/startle-it.*/; do
		[ -f "$dir/owner.pid" ] || continue
		owner=$(tr -dc '0-9' <"$dir/owner.pid")
		if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
			continue
		fi
		for pid in $(servers_read_pid "$dir/postfix/queue/pid/master.pid") \
			$(servers_read_pid "$dir/dovecot/run/master.pid"); do
			case $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) in
			*postfix*master* | *dovecot*"$dir"*)
				echo "servers: stopping pid $pid left by a harness that is gone ($dir)" >&2
				kill -TERM "$pid" 2>/dev/null
				servers_wait_gone "$pid"
				;;
			esac
		done
		if [ ! -e "$dir/keep" ]; then
			rm -rf "$dir"
		else
			rm -f "$dir/owner.pid"
		fi
	done
}

# Starts both servers; returns non-zero (after a message) if anything fails.
# Port choice and start-up hold a lock so two harnesses on one machine pick
# different ports; the daemons do not inherit it.
servers_start() {
	local lock
	if [ "$(id -u)" -ne 0 ]; then
		echo "servers: the integration tests start Postfix and Dovecot and must run as root" >&2
		return 1
	fi
	servers_install_traps
	lock=${TMPDIR:-/tmp}/startle-it.lock
	exec {servers_lock_fd}>>"$lock"
	flock -w 60 "$servers_lock_fd" || echo "servers: waited 60 s for $lock; going on" >&2
	servers_reap_orphans

	STARTLE_IT_WORK=$(mktemp -d "${TMPDIR:-/tmp}/startle-it.XXXXXX") || return 1
	export STARTLE_IT_WORK
	chmod 755 "$STARTLE_IT_WORK"
	echo "$$" >"$STARTLE_IT_WORK/owner.pid"
	if [ -n "${STARTLE_IT_KEEP:-}" ]; then
		: >"$STARTLE_IT_WORK/keep"
	fi
	export STARTLE_SMTP_HOST STARTLE_IMAP_HOST STARTLE_IT_USER STARTLE_IT_PASSWORD

	servers_choose_ports &&
		servers_make_certs &&
		servers_start_postfix &&
		servers_start_dovecot &&
		servers_wait_port "Postfix (STARTTLS)" 127.0.0.1 "$STARTLE_SMTP_PORT" "$STARTLE_IT_POSTFIX_LOG" &&
		servers_wait_port "Postfix (implicit TLS)" 127.0.0.1 "$STARTLE_SMTPS_PORT" "$STARTLE_IT_POSTFIX_LOG" &&
		servers_wait_port "Postfix (no TLS)" 127.0.0.1 "$STARTLE_SMTP_NOTLS_PORT" "$STARTLE_IT_POSTFIX_LOG" &&
		servers_wait_port "Postfix (AUTH)" 127.0.0.1 "$STARTLE_SUBMIT_PORT" "$STARTLE_IT_POSTFIX_LOG" &&
		servers_wait_port "Dovecot IMAP" "$STARTLE_IMAP_HOST" "$STARTLE_IMAP_PORT" "$STARTLE_IT_DOVECOT_LOG" &&
		servers_wait_port "Dovecot IMAPS" "$STARTLE_IMAP_HOST" "$STARTLE_IMAPS_PORT" "$STARTLE_IT_DOVECOT_LOG" &&
		servers_wait_port "Dovecot POP3" "$STARTLE_IMAP_HOST" "$STARTLE_POP3_PORT" "$STARTLE_IT_DOVECOT_LOG" &&
		servers_wait_port "Dovecot POP3S" "$STARTLE_IMAP_HOST" "$STARTLE_POP3S_PORT" "$STARTLE_IT_DOVECOT_LOG"
	local rc=$?
	exec {servers_lock_fd}>&-
	return "$rc"
}
