# lib.sh: the prologue and the TAP helpers of the shell tests (tests/*.sh,
# tests/conformance/conformance.sh, tests/robust/*.sh). A script sets
# top_srcdir unless it is set already (from its own path, "$0"), and
# optionally
#   keep_tmp     non-empty: the scratch directory is kept (and named)
# then sources "$top_srcdir/tests/lib.sh". That
#   - sets -u, and LC_ALL=C (messages from the C library in English);
#   - sets me (the script's file name) and test_name (without .sh);
#   - defaults FLYTEC to $top_builddir/flytec, bails out unless it is an
#     executable, and makes it an absolute path (scripts run it from other
#     directories); sets wrapper (= FLYTEC_WRAPPER, a command prefix such
#     as valgrind's, or empty);
#   - makes the scratch directory $tmp, removed on exit (write-protected
#     files included); HUP, INT and TERM exit with 128 + the signal;
#   - defines now (nanoseconds since the epoch) and clock (false when date
#     has no nanoseconds);
#   - defines the TAP helpers, which number the tests in n and count the
#     failures in failed:
#       ok TITLE, not_ok TITLE, skip TITLE WHY
#       problem TEXT...  notes why the current test fails
#       check TITLE      "ok" when no problem was noted, else "not ok" with
#                        the problems as diagnostics (at most
#                        $TAP_DIAG_LINES lines when that is set); then
#                        forgets them
# A script that sets its exit status from the results ends with
# `[ $failed -eq 0 ]`.

set -u
LC_ALL=C
export LC_ALL

me=$(basename "$0")
test_name=${me%.sh}
top_srcdir=${top_srcdir:-.}

if [ -z "${FLYTEC:-}" ] && [ -n "${top_builddir:-}" ]; then
	FLYTEC=$top_builddir/flytec
fi
if [ -z "${FLYTEC:-}" ] || [ ! -x "$FLYTEC" ]; then
	echo "Bail out! $me: FLYTEC is not set to the flytec executable (got '${FLYTEC:-}')"
	exit 1
fi
case $FLYTEC in
/*) ;;
*) FLYTEC=$(pwd)/$FLYTEC ;;
esac
FLYTEC_WRAPPER=${FLYTEC_WRAPPER:-}
wrapper=$FLYTEC_WRAPPER

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flytec-$test_name.XXXXXX") || {
	echo "Bail out! $me: cannot create a temporary directory"
	exit 1
}
if [ -n "${keep_tmp:-}" ]; then
	echo "# keeping $tmp"
else
	trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
fi
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

now() {
	date +%s%N
}
clock=true
case $(now) in
*[!0-9]*) clock=false ;;
esac

n=0
failed=0
problems=
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
problem() {
	problems="${problems:+$problems
}$*"
}
check() {
	if [ -z "$problems" ]; then
		ok "$1"
	elif [ -n "${TAP_DIAG_LINES:-}" ]; then
		not_ok "$1"
		printf '%s\n' "$problems" | head -n "$TAP_DIAG_LINES" | sed 's/^/# /'
	else
		not_ok "$1"
		printf '%s\n' "$problems" | sed 's/^/# /'
	fi
	problems=
}
