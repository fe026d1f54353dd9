#!/bin/sh
# shellcheck disable=SC2317 # the step_* functions are called as "step_$step"
# examples.sh: checks every program under examples/. Prints TAP.
#
# Each example goes through a fixed list of steps (STEPS below), and each
# step is one TAP test, named "STEP EXAMPLE":
#   check   flytec --check must succeed: status 0, nothing on stderr.
# Steps still to come (add a step_NAME function and append NAME to STEPS):
#   build   generate the C for the example and link it with its .c files
#           and libflyterun, in a scratch directory;
#   run     run the workflows locally and compare with the expected outputs.
# A step that fails makes the later steps of the same example skip.
#
# Environment: top_srcdir (default: the parent of this script's directory),
# FLYTEC (the compiler; default $top_builddir/flytec), FLYTEC_WRAPPER (an
# optional command prefix, such as valgrind).

set -u

me=$(basename "$0")
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
if [ -z "${FLYTEC:-}" ] && [ -n "${top_builddir:-}" ]; then
	FLYTEC=$top_builddir/flytec
fi
FLYTEC_WRAPPER=${FLYTEC_WRAPPER:-}

STEPS="check"

if [ -z "${FLYTEC:-}" ] || [ ! -x "$FLYTEC" ]; then
	echo "Bail out! $me: set FLYTEC to the flytec executable (got '${FLYTEC:-}')"
	exit 1
fi
if [ ! -d "$top_srcdir/examples" ]; then
	echo "Bail out! $me: no directory $top_srcdir/examples"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flytec-examples.XXXXXX") || {
	echo "Bail out! $me: cannot create a temporary directory"
	exit 1
}
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The examples, as paths relative to top_srcdir, in a stable order.
(cd "$top_srcdir" && find examples -type f -name '*.flyte' | LC_ALL=C sort) >"$tmp/list" || {
	echo "Bail out! $me: cannot list $top_srcdir/examples"
	exit 1
}
nexamples=$(wc -l <"$tmp/list" | tr -d ' ')
if [ "$nexamples" -eq 0 ]; then
	echo "1..1"
	echo "not ok 1 - no .flyte files under examples/"
	exit 0
fi
nsteps=0
for step in $STEPS; do
	nsteps=$((nsteps + 1))
done

# Runs flytec from top_srcdir, so that diagnostics name examples/... files.
# Standard output goes to $tmp/out, standard error to $tmp/err.
flytec() {
	# shellcheck disable=SC2086 # the wrapper is a command with arguments
	(cd "$top_srcdir" && exec $FLYTEC_WRAPPER "$FLYTEC" "$@") >"$tmp/out" 2>"$tmp/err" </dev/null
}

# Each step_NAME takes the example's path (relative to top_srcdir) and its
# scratch directory. It returns 0 on success; on failure it writes why to
# $tmp/why, which is printed as TAP diagnostics.
step_check() {
	flytec --check "$1"
	status=$?
	if [ "$status" -ne 0 ] || [ -s "$tmp/err" ]; then
		echo "flytec --check $1: status $status, expected 0 and no diagnostics" >"$tmp/why"
		cat "$tmp/err" >>"$tmp/why"
		return 1
	fi
	return 0
}

echo "1..$((nexamples * nsteps))"
k=0
while IFS= read -r example; do
	work=$tmp/work/$(echo "$example" | sed 's|/|_|g')
	mkdir -p "$work"
	failed=
	for step in $STEPS; do
		k=$((k + 1))
		if [ -n "$failed" ]; then
			echo "ok $k - $step $example # SKIP $failed failed"
			continue
		fi
		: >"$tmp/why"
		if "step_$step" "$example" "$work"; then
			echo "ok $k - $step $example"
		else
			echo "not ok $k - $step $example"
			sed 's/^/# /' "$tmp/why"
			failed=$step
		fi
	done
done <"$tmp/list"
exit 0
