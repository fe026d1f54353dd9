# lib.sh: what the robustness scripts share; sourced after setting
# robust_name. Checks $FLYTEC, makes the scratch directory $tmp (removed on
# exit, write-protected files included) and defines the TAP helpers:
#   problem TEXT...   notes why the current test fails
#   check TITLE       "ok" when no problem was noted, else "not ok" with the
#                     problems as diagnostics (at most $TAP_DIAG_LINES lines
#                     when that is set); then forgets them
#   ok TITLE, not_ok TITLE, skip TITLE WHY
# A script ends with `[ $failed -eq 0 ]`.

set -u
LC_ALL=C
export LC_ALL

if [ -z "${FLYTEC:-}" ] || [ ! -x "$FLYTEC" ]; then
	echo "Bail out! FLYTEC is not set to the flytec binary"
	exit 1
fi
top_srcdir=${top_srcdir:-.}
wrapper=${FLYTEC_WRAPPER:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/${robust_name:-robust}.XXXXXX") || {
	echo "Bail out! cannot make a temporary directory"
	exit 1
}
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

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
