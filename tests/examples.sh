#!/bin/sh
# shellcheck disable=SC2317 # the step_* functions are called as "step_$step"
# examples.sh: checks every program under examples/. Prints TAP.
#
# An example is examples/NAME/NAME.flyte; other .flyte files under
# examples/NAME/ are modules it imports (examples/geometry/geo/shapes.flyte).
# Each example goes through a fixed list of steps (STEPS below), and each
# step is one TAP test, named "STEP EXAMPLE":
#   check   flytec --check must succeed: status 0, nothing on stderr.
#   build   flytec --emit=c of the example and of each module it has into a
#           scratch directory, and the generated C (a module's with
#           -DFLYTEC_NO_MAIN) and the example's own .c files compile with
#           -std=c11 -pedantic -Wall -Wextra -Werror; the task executable
#           that make built exists.
#   run     every examples/NAME/tests/CASE.args runs the task executable with
#           those arguments (@DIR@ stands for the example's directory); its
#           stdout must equal CASE.out and its status CASE.status (or 0).
# A step that fails makes the later steps of the same example skip.
#
# Environment: top_srcdir (default: the parent of this script's directory),
# FLYTEC (the compiler; default $top_builddir/flytec), FLYTEC_WRAPPER (an
# optional command prefix, such as valgrind).

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"

STEPS="check build run"

if [ ! -d "$top_srcdir/examples" ]; then
	echo "Bail out! $me: no directory $top_srcdir/examples"
	exit 1
fi

# The examples, as paths relative to top_srcdir, in a stable order.
(cd "$top_srcdir" && for f in examples/*/*.flyte; do
	[ "$(basename "$f" .flyte)" = "$(basename "$(dirname "$f")")" ] && echo "$f"
done | LC_ALL=C sort) >"$tmp/list" || {
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

# The task executable make built for an example, and its directory.
exe_of() {
	name=$(basename "$1" .flyte)
	echo "${top_builddir:-$top_srcdir}/$(dirname "$1")/$name"
}

# cc_c11 SRC OUT FLAGS...: compiles one C file strictly; why in $tmp/why.
cc_c11() {
	src=$1 out=$2
	shift 2
	if ! ${CC:-cc} -std=c11 -pedantic -Wall -Wextra -Werror -I"$top_srcdir/include" "$@" \
		-c "$src" -o "$out" 2>"$tmp/why"; then
		echo "cc $src failed" >>"$tmp/why"
		return 1
	fi
}

step_build() {
	dir=$(dirname "$1")
	for mod in $(cd "$top_srcdir" && find "$dir" -name '*.flyte' | LC_ALL=C sort); do
		flytec --emit=c -o "$2" "$mod"
		status=$?
		if [ "$status" -ne 0 ] || [ -s "$tmp/err" ]; then
			echo "flytec --emit=c $mod: status $status" >"$tmp/why"
			cat "$tmp/err" >>"$tmp/why"
			return 1
		fi
		nomain=
		[ "$mod" = "$1" ] || nomain=-DFLYTEC_NO_MAIN
		cc_c11 "$2/$(basename "$mod" .flyte).flyte-c.c" "$2/obj.o" -I"$2" $nomain || return 1
	done
	for src in $(find "$top_srcdir/$dir" -name '*.c' | LC_ALL=C sort); do
		cc_c11 "$src" "$2/obj.o" -I"$2" || return 1
	done
	if [ ! -x "$(exe_of "$1")" ]; then
		echo "no task executable at $(exe_of "$1") (make builds it)" >"$tmp/why"
		return 1
	fi
	return 0
}

step_run() {
	dir=$top_srcdir/$(dirname "$1")
	exe=$(exe_of "$1")
	ran=0
	for args in "$dir"/tests/*.args; do
		[ -f "$args" ] || continue
		ran=$((ran + 1))
		case_name=${args%.args}
		want_status=0
		[ -f "$case_name.status" ] && want_status=$(cat "$case_name.status")
		line=$(sed "s|@DIR@|$dir|g" "$args")
		# shellcheck disable=SC2086 # the arguments are words
		(cd "$2" && FLYTEC_CACHE_DIR="$2/cache" exec $FLYTEC_WRAPPER "$exe" $line) >"$tmp/out" 2>"$tmp/err" </dev/null
		status=$?
		if [ "$status" -ne "$want_status" ] || ! cmp -s "$tmp/out" "$case_name.out"; then
			{
				echo "$(basename "$exe") $line: status $status (expected $want_status)"
				diff -u "$case_name.out" "$tmp/out"
				sed 's/^/stderr: /' "$tmp/err"
			} >"$tmp/why" 2>&1
			return 1
		fi
	done
	if [ "$ran" -eq 0 ]; then
		echo "no runs under $dir/tests" >"$tmp/why"
		return 1
	fi
	return 0
}

echo "1..$((nexamples * nsteps))"
while IFS= read -r example; do
	work=$tmp/examples/$(echo "$example" | sed 's|/|_|g')
	mkdir -p "$work"
	broken=
	for step in $STEPS; do
		if [ -n "$broken" ]; then
			skip "$step $example" "$broken failed"
			continue
		fi
		: >"$tmp/why"
		if "step_$step" "$example" "$work"; then
			ok "$step $example"
		else
			not_ok "$step $example"
			sed 's/^/# /' "$tmp/why"
			broken=$step
		fi
	done
done <"$tmp/list"
exit 0
