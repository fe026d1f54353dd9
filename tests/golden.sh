#!/bin/sh
# golden.sh: runs flytec over the golden cases and compares what it prints
# with the expected files. A TAP producer (automake's tap-driver).
#
# Layout: tests/golden/GROUP/NAME.* — one case per NAME that has a
# NAME.flyte or a NAME.args file:
#   NAME.flyte   the input (may be binary: NUL bytes, invalid UTF-8, ...)
#   NAME.args    the flags, on one line, instead of GROUP/ARGS; split on
#                white space, no quoting. The file argument NAME.flyte is
#                appended when that file exists, so a case without a .flyte
#                (a missing file, a directory, no input) names its own
#                operands here. An empty .args means no arguments at all.
#   GROUP/ARGS   the default flags of the group (one line)
#   NAME.stdin   standard input (default: /dev/null), for FILE '-'
#   NAME.out     the expected standard output; absent when it is empty
#   NAME.err     the expected standard error;  absent when it is empty
#   NAME.status  the expected exit status;     absent when it is 0
# Only the files right in GROUP/ make cases: a subdirectory (cli/inputs)
# holds inputs that .args files name. flytec runs in the case's directory
# with the bare file name, so that the paths in diagnostics do not depend
# on where the tree is.
#
# Environment: top_srcdir (the source tree), FLYTEC (the flytec binary),
# FLYTEC_WRAPPER (a command prefix such as valgrind's, optional), and
# FLYTEC_REGEN=1 to rewrite the expected files from what flytec prints
# instead of comparing (make regen-golden; review the diff afterwards).
# Arguments, when given, select cases: GROUP or GROUP/NAME, as shell
# patterns (golden.sh 'syntax/utf8*').

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"
set -f  # the arguments of a case are split, never globbed

golden="$top_srcdir/tests/golden"
regen=${FLYTEC_REGEN:-0}
max_diff=200  # lines of diff shown for a failing case

selected() {
	[ $# -eq 0 ] && return 0
	for pat in "$@"; do
		# shellcheck disable=SC2254 # the arguments are patterns
		case $case_id in
		$pat | $pat/*) return 0 ;;
		esac
	done
	return 1
}

# The case list: GROUP/NAME lines, sorted, each once.
set +f
for f in "$golden"/*/*.flyte "$golden"/*/*.args; do
	[ -f "$f" ] || continue
	rel=${f#"$golden"/}
	echo "${rel%.*}"
done | LC_ALL=C sort -u >"$tmp/cases"
set -f
: >"$tmp/run"
while IFS= read -r case_id; do
	if selected "$@"; then
		echo "$case_id" >>"$tmp/run"
	fi
done <"$tmp/cases"

total=$(wc -l <"$tmp/run" | tr -d ' ')
if [ "$total" -eq 0 ]; then
	echo "1..0 # SKIP no golden cases"
	exit 0
fi
echo "1..$total"

# diag FILE: prints FILE as TAP diagnostics
diag() {
	sed 's/^/# /' "$1"
}

# compare WHAT EXPECTED ACTUAL: 0 when equal; else prints a unified diff
# (an absent expected file stands for an empty one); prints to $tmp/report,
# shown after the test line
compare() {
	exp=$2
	if [ ! -f "$exp" ]; then
		exp=$tmp/empty
		: >"$exp"
	fi
	if cmp -s "$exp" "$3"; then
		return 0
	fi
	echo "# $1 differs (--- expected, +++ actual):"
	diff -u "$exp" "$3" >"$tmp/diff" 2>&1
	lines=$(wc -l <"$tmp/diff")
	if [ "$lines" -gt "$max_diff" ]; then
		head -n "$max_diff" "$tmp/diff" >"$tmp/diff.cut"
		echo "... ($((lines - max_diff)) more lines of diff)" >>"$tmp/diff.cut"
		mv "$tmp/diff.cut" "$tmp/diff"
	fi
	diag "$tmp/diff"
	return 1
}

# store ACTUAL EXPECTED: for FLYTEC_REGEN, writes EXPECTED from ACTUAL, or
# removes it when ACTUAL is empty
store() {
	if [ -s "$1" ]; then
		cmp -s "$1" "$2" || cp "$1" "$2"
	else
		rm -f "$2"
	fi
}

while IFS= read -r case_id; do
	group=${case_id%%/*}
	name=${case_id#*/}
	dir=$golden/$group
	base=$dir/$name

	if [ -f "$base.args" ]; then
		args=$(cat "$base.args")
	elif [ -f "$dir/ARGS" ]; then
		args=$(cat "$dir/ARGS")
	else
		args=
	fi
	file=
	if [ -f "$base.flyte" ]; then
		file=$name.flyte
	fi
	stdin=/dev/null
	if [ -f "$base.stdin" ]; then
		stdin=$base.stdin
	fi

	# $wrapper and $args are split on purpose
	# shellcheck disable=SC2086
	(cd "$dir" && exec $wrapper "$FLYTEC" $args ${file:+"$file"}) \
		<"$stdin" >"$tmp/out" 2>"$tmp/err"
	status=$?
	echo "$status" >"$tmp/status"

	if [ "$regen" = 1 ]; then
		store "$tmp/out" "$base.out"
		store "$tmp/err" "$base.err"
		if [ "$status" -eq 0 ]; then
			rm -f "$base.status"
		else
			store "$tmp/status" "$base.status"
		fi
		ok "$case_id # regenerated"
		continue
	fi

	ok=true
	: >"$tmp/report"
	if [ "$status" -gt 128 ]; then
		echo "# flytec was killed by signal $((status - 128))" >>"$tmp/report"
	fi
	expected_status=0
	if [ -f "$base.status" ]; then
		expected_status=$(tr -d ' \t\r\n' <"$base.status")
	fi
	if [ "$status" != "$expected_status" ]; then
		echo "# exit status $status, expected $expected_status" >>"$tmp/report"
		ok=false
	fi
	compare stdout "$base.out" "$tmp/out" >>"$tmp/report" || ok=false
	compare stderr "$base.err" "$tmp/err" >>"$tmp/report" || ok=false
	if $ok; then
		ok "$case_id"
	else
		not_ok "$case_id"
		echo "# command: (cd tests/golden/$group && ${wrapper:+$wrapper }flytec $args${file:+ $file})"
		cat "$tmp/report"
	fi
done <"$tmp/run"

[ "$failed" -eq 0 ]
