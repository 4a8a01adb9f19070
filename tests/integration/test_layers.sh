# The layer rules of docs/architecture.md, as `make check-layers` checks them:
# the tree keeps them, and a crossing is caught and named.

layers_root() {
	cd "$(dirname "$IT_LIB")/../.." && pwd
}

test_layers_the_tree_keeps_the_rules() {
	local root out
	root=$(layers_root)
	out=$(cd "$root" && tests/check-layers 2>&1) || printf '%s\n' "$out" | fail "check-layers found crossings" -
	[[ $out == *"keep to the layer rules"* ]] || fail "check-layers said: $out"
}

test_layers_a_crossing_in_core_is_named() {
	local root out rc=0
	root=$(layers_root)
	cp -r "$root/src" "$IT_TEST_DIR/src"
	cp -r "$root/include" "$IT_TEST_DIR/include"
	cat >>"$IT_TEST_DIR/src/core/caps.c" <<'C'
#include <curses.h>
#include "ui.h"
static long peek(int fd) { char b[1]; return (long)recv(fd, b, 1, 0); }
C
	out=$(cd "$IT_TEST_DIR" && "$root/tests/check-layers" src 2>&1) || rc=$?
	[ "$rc" -eq 1 ] || printf '%s\n' "$out" | fail "check-layers exited $rc on a crossing" -
	[[ $out == *"src/core/caps.c (core) includes <curses.h>: only front may"* ]] ||
		printf '%s\n' "$out" | fail "the curses include was not named" -
	[[ $out == *"src/core/caps.c (core) includes ui.h (front)"* ]] ||
		printf '%s\n' "$out" | fail "the upward include was not named" -
	[[ $out == *"src/core/caps.c (core) calls recv(): only net tls lab may"* ]] ||
		printf '%s\n' "$out" | fail "the socket call was not named" -
}
