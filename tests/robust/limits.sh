#!/bin/sh
# limits.sh: limits give clear diagnostics, not crashes, and nothing grows
# quadratically. A TAP producer (automake's tap-driver). Needs FLYTEC.
#
#   1  brackets nested 300 deep: "nested too deeply", exit 1
#   2  a 100,000-byte identifier: "identifier is too long", exit 1
#   3  100,000 errors: capped at 20 by default ("too many errors"); all of
#      them with --max-errors=0, in bounded time
#   4  a list literal of a million elements: checks and lowers
#   5  chains without brackets, 200,000 long (a.o0.o0..., t() with {...}
#      with {...}..., t()()()...): --check and --dump-ast end without a
#      crash (they recursed once, and overflowed the stack)
#   6  each shape below takes less than 10 times as long at 4N as at N
#      through --emit=c (check, lower, C) and --emit=package (linear is
#      about 4, quadratic 16): N tasks and workflows, N chained calls in a
#      workflow, N calls gathered in one list argument, a map binding N
#      partial inputs, a task with N inputs, with N outputs, an enum with N
#      members, N enums
#   7  a 100 MB program checks in at most 25 times the time of a 10 MB one
#      (only with FLYTEC_BIG_TESTS=1: it takes a minute and a few GB; else
#      skipped; tests/scale.sh always compares 1 MB and 10 MB)
#
# Times are the best of two runs; FLYTEC_WRAPPER is not used (valgrind would
# make them meaningless).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
TAP_DIAG_LINES=20
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"

# run EXPECTED-STATUS ARGS...: runs flytec; a crash (status > 1) is a problem
run() {
	want=$1
	shift
	"$FLYTEC" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -gt 2 ]; then
		problem "flytec $*: exit status $rc (a crash?): $(head -c 300 "$tmp/err")"
	elif [ "$want" != any ] && [ "$rc" -ne "$want" ]; then
		problem "flytec $*: exit status $rc, not $want: $(head -c 300 "$tmp/err")"
	fi
}

# timed ARGS...: sets ms to the best of two runs of flytec ARGS
timed() {
	ms=
	for _ in 1 2; do
		t0=$(now)
		"$FLYTEC" "$@" >/dev/null 2>"$tmp/err"
		rc=$?
		t1=$(now)
		[ "$rc" -le 1 ] || problem "flytec $*: exit status $rc"
		t=$(((t1 - t0) / 1000000))
		if [ -z "$ms" ] || [ "$t" -lt "$ms" ]; then
			ms=$t
		fi
	done
}

echo "1..7"

# 1
awk 'BEGIN { printf "module deep\ntask t(x: list[int] = "; for (i = 0; i < 300; i++) printf "["; for (i = 0; i < 300; i++) printf "]"; print ")" }' >"$tmp/deep.flyte"
run 1 --check "$tmp/deep.flyte"
grep -q "nested too deeply (the limit is 256)" "$tmp/err" || problem "no message: $(head -c 300 "$tmp/err")"
check "brackets nested 300 deep: a clear error"

# 2
awk 'BEGIN { printf "module id\ntask "; for (i = 0; i < 100000; i++) printf "x"; print "(a: int)" }' >"$tmp/id.flyte"
run 1 --check "$tmp/id.flyte"
grep -q "identifier is too long (100000 bytes; the limit is 255)" "$tmp/err" || problem "no message: $(head -c 300 "$tmp/err")"
check "a 100,000-byte identifier: a clear error"

# 3
awk 'BEGIN { print "module errs"; for (i = 0; i < 100000; i++) printf "task t%d(x: nosuch) -> int\n", i }' >"$tmp/errs.flyte"
run 1 --check "$tmp/errs.flyte"
grep -q "too many errors (limit is 20); stopping" "$tmp/err" || problem "no cap message: $(tail -c 300 "$tmp/err")"
[ "$(grep -c ': error: ' "$tmp/err")" -le 21 ] || problem "more than 20 errors shown"
t0=$(now)
run 1 --check --max-errors=0 "$tmp/errs.flyte"
t1=$(now)
[ "$(grep -c ': error: ' "$tmp/err")" -eq 100000 ] || problem "--max-errors=0: $(grep -c ': error: ' "$tmp/err") errors, not 100000"
$clock && [ $(((t1 - t0) / 1000000)) -gt 20000 ] && problem "--max-errors=0 took $(((t1 - t0) / 1000000)) ms"
check "100,000 errors: capped at 20, or all of them with --max-errors=0"

# 4
awk 'BEGIN {
	print "module biglit\nimage \"i\""
	printf "task t(xs: list[int]) -> int\nworkflow w(xs: list[int] = ["
	for (i = 0; i < 1000000; i++) printf "%d, ", i
	print "-1]) -> int {\n    return t(xs=xs)\n}"
}' >"$tmp/biglit.flyte"
t0=$(now)
run 0 --check "$tmp/biglit.flyte"
run 0 --emit=package -o "$tmp/biglit.tgz" "$tmp/biglit.flyte"
t1=$(now)
echo "# a list of a million ints: --check and --emit=package in $(((t1 - t0) / 1000000)) ms"
$clock && [ $(((t1 - t0) / 1000000)) -gt 60000 ] && problem "took $(((t1 - t0) / 1000000)) ms"
check "a list literal of a million elements checks and lowers"

# 5
chain() {
	awk -v n=200000 -v piece="$1" 'BEGIN {
		print "module chain\nimage \"i\"\ntask t(x: int) -> int\nworkflow w(x: int) -> int {"
		printf "    y = t(x=x)"
		for (i = 0; i < n; i++) printf "%s", piece
		print "\n    return y\n}"
	}' >"$tmp/chain.flyte"
}
for piece in .o0 " with { retries = 1 }" "()"; do
	chain "$piece"
	run any --check "$tmp/chain.flyte"
	run any --dump-ast "$tmp/chain.flyte"
	run any --emit=json "$tmp/chain.flyte"
done
check "chains of 200,000 members, withs and calls: no crash"

# 6
gen() {
	awk -v kind="$1" -v n="$2" 'BEGIN {
		print "module q\nimage \"i\""
		if (kind == "decls") {
			for (i = 0; i < n; i++) printf "task t%d(x: int) -> int\n", i
			for (i = 0; i < n / 4; i++) printf "workflow w%d(x: int) -> int {\n    return t%d(x=x)\n}\n", i, i
		} else if (kind == "calls") {
			print "task t(x: int) -> int\nworkflow w(x: int) -> int {\n    v0 = t(x=x)"
			for (i = 1; i < n; i++) printf "    v%d = t(x=v%d)\n", i, i - 1
			printf "    return v%d\n}\n", n - 1
		} else if (kind == "fanin") {
			print "task t(x: int) -> int\ntask g(xs: list[int]) -> int\nworkflow w(x: int) -> int {"
			for (i = 0; i < n; i++) printf "    v%d = t(x=x)\n", i
			printf "    return g(xs=[v0"
			for (i = 1; i < n; i++) printf ", v%d", i
			print "])\n}"
		} else if (kind == "partial") {
			printf "task t(p0: int"
			for (i = 1; i < n; i++) printf ", p%d: int", i
			printf ") -> int\nmap m = map(t, partial<p1=1"
			for (i = 2; i < n; i++) printf ", p%d=%d", i, i
			print ">)\nworkflow w(xs: list[int]) -> list[int] {\n    return m(p0=xs)\n}"
		} else if (kind == "params") {
			printf "task t(p0: int"
			for (i = 1; i < n; i++) printf ", p%d: int", i
			printf ") -> int\nworkflow w(x: int) -> int {\n    return t(p0=x"
			for (i = 1; i < n; i++) printf ", p%d=x", i
			print ")\n}"
		} else if (kind == "outputs") {
			printf "task t(x: int) -> (o0: int"
			for (i = 1; i < n; i++) printf ", o%d: int", i
			print ")\ntask u(y: int) -> int\nworkflow w(x: int) -> int {\n    r = t(x=x)"
			for (i = 0; i < n; i++) printf "    v%d = u(y=r.o%d)\n", i, i
			print "    return v0\n}"
		} else if (kind == "members") {
			printf "enum E { m0"
			for (i = 1; i < n; i++) printf ", m%d", i
			printf " }\ntask t(e: E = E.m%d) -> E\n", n - 1
		} else if (kind == "enums") {
			for (i = 0; i < n; i++) printf "enum E%d { a, b }\ntask t%d(e: list[E%d]) -> E%d?\n", i, i, i, i
		}
	}'
}
if $clock; then
	for kind in decls calls fanin partial params outputs members enums; do
		base=2500
		gen $kind $base >"$tmp/small.flyte"
		gen $kind $((4 * base)) >"$tmp/large.flyte"
		for emit in c package; do
			out=$tmp/o.$emit
			timed --emit=$emit -o "$out" "$tmp/small.flyte"
			small=$ms
			timed --emit=$emit -o "$out" "$tmp/large.flyte"
			large=$ms
			# below 100 ms the clock says little: no verdict
			[ "$small" -gt 0 ] || small=1
			echo "# $kind --emit=$emit: N=$base $small ms, 4N $large ms"
			if [ "$large" -gt 100 ] && [ $((large * 10)) -gt $((small * 100)) ]; then
				problem "$kind --emit=$emit: $large ms at 4N, $small ms at N"
			fi
		done
	done
	check "nothing grows quadratically: 4N takes less than 10 times N"
else
	n=$((n + 1))
	echo "ok $n - nothing grows quadratically # SKIP date has no nanoseconds"
fi

# 7
if [ "${FLYTEC_BIG_TESTS:-0}" = 1 ] && $clock; then
	big() {
		awk -v n="$1" 'BEGIN {
			print "module big\nimage \"ghcr.io/acme/big:1.0\""
			for (k = 0; k < n; k++) {
				printf "task sq_%d(x: int) -> int {\n    retries = 2\n}\n", k
				printf "task desc_%d(i: int, label: str = \"item\") -> str\n", k
				printf "map all_%d = map(desc_%d, partial<label=\"n\">, concurrency=8)\n", k, k
				printf "workflow wf_%d(xs: list[int]) -> list[str] {\n    sq = map(sq_%d)(x=xs)\n    return all_%d(i=sq)\n}\n", k, k, k
			}
		}'
	}
	big 36000 >"$tmp/b10.flyte"
	big 360000 >"$tmp/b100.flyte"
	echo "# sizes: $(wc -c <"$tmp/b10.flyte") and $(wc -c <"$tmp/b100.flyte") bytes"
	timed --check "$tmp/b10.flyte"
	small=$ms
	timed --check "$tmp/b100.flyte"
	large=$ms
	echo "# 10 MB: $small ms, 100 MB: $large ms"
	[ "$small" -gt 0 ] || small=1
	[ $((large * 10)) -le $((small * 250)) ] || problem "100 MB took $large ms, 10 MB $small ms"
	check "a 100 MB program checks in at most 25 times a 10 MB one's time"
else
	n=$((n + 1))
	echo "ok $n - a 100 MB program checks in linear time # SKIP set FLYTEC_BIG_TESTS=1 to run it"
fi

[ $failed -eq 0 ]
