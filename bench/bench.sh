#!/bin/sh
# bench.sh: how flytec's time and memory grow with the size of its input,
# next to protoc-c (and thrift, when installed) on equivalent schemas.
# `make bench` runs it; it is not part of `make check`.
#
# Two series of generated files, for each N in BENCH_SIZES:
#   tasks  N declarations `task tK(a: int, b: str, c: float) -> str`;
#          the same as a .proto (one message per task, fields a, b, c) for
#          protoc-c --c_out, and as a .thrift (one struct per task) for
#          thrift --gen c_glib
#   mixed  N declarations in threes: a task, a map over it (one input bound
#          by partial) and a workflow that calls both
# and for each file, the wall time and the peak RSS (/usr/bin/time) of
#   flytec --emit=package   the whole compiler: parse, check, lower, package
#   flytec --emit=c         the generated C (NAME.flyte.h/.c)
#   flytec both             both outputs, as a user's build needs them: one
#                           invocation (--emit=package=P,c=DIR) when flytec
#                           accepts it, else the two invocations in a row
#   flytec --check          parse and check
#   flytec --dump-ast       parse only (printing the tree to /dev/null)
#   protoc-c, thrift        (tasks series only)
# A run under a second is repeated (BENCH_REPEAT times, default 3) and the
# fastest kept. The table gives each time and RSS also as a ratio to
# protoc-c's for the same N; the linearity lines compare the time per
# declaration at the largest N with that at the smallest (1.0 is linear).
#
# Then, at BENCH_CG_N declarations (default 10000; tasks series), the
# instruction counts under callgrind (wall time is noisy on a shared
# machine) of the same commands, protoc-c and thrift, with the ratios the
# goals are stated in (bench/README.md); and the generated C: its bytes
# per task, and gcc -O2 -c on it against gcc -O2 -c on protoc-c's .pb-c.c
# for the same schema (CPU time, user + system, and peak RSS).
#
# Environment: FLYTEC (default ./flytec), PROTOC_C (default: protoc-c on
# PATH; without it the ratios are left out), THRIFT (default: thrift on
# PATH; skipped with a note when absent: Debian's thrift-compiler),
# BENCH_SIZES (default "1000 10000 100000"), BENCH_REPEAT, BENCH_CG_N (0:
# no callgrind and gcc section), VALGRIND (default: valgrind on PATH), CC
# (default gcc), TMPDIR. scripts/bench-deps.sh installs what it uses.

set -u
LC_ALL=C
export LC_ALL

FLYTEC=${FLYTEC:-./flytec}
PROTOC_C=${PROTOC_C:-$(command -v protoc-c || true)}
THRIFT=${THRIFT:-$(command -v thrift || true)}
SIZES=${BENCH_SIZES:-1000 10000 100000}
REPEAT=${BENCH_REPEAT:-3}
CG_N=${BENCH_CG_N:-10000}
VALGRIND=${VALGRIND:-$(command -v valgrind || true)}
CC=${CC:-gcc}
TIME=/usr/bin/time

if [ ! -x "$FLYTEC" ]; then
	echo "bench.sh: FLYTEC is not an executable ($FLYTEC)" >&2
	exit 1
fi
if [ ! -x "$TIME" ]; then
	echo "bench.sh: needs GNU time as $TIME (Debian: time)" >&2
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flytec-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- generators -----------------------------------------------------------

gen_tasks_flyte() {
	awk -v n="$1" 'BEGIN {
		print "module bench"
		print "image \"ghcr.io/acme/bench:1.0\""
		for (i = 0; i < n; i++)
			printf "task t%d(a: int, b: str, c: float) -> str\n", i
	}'
}

gen_mixed_flyte() {
	awk -v n="$1" 'BEGIN {
		print "module bench"
		print "image \"ghcr.io/acme/bench:1.0\""
		for (i = 0; i < n / 3; i++) {
			printf "task t%d(a: int, b: str, c: float) -> str\n", i
			printf "map m%d = map(t%d, partial<b=\"x\">, concurrency=%d)\n", i, i, i % 16
			printf "workflow w%d(xs: list[int], cs: list[float], a: int) -> (all: list[str], one: str) {\n", i
			printf "    all = m%d(a=xs, c=cs)\n", i
			printf "    return (all, t%d(a=a, b=\"y\", c=1.5))\n}\n", i
		}
	}'
}

gen_proto() {
	awk -v n="$1" 'BEGIN {
		print "syntax = \"proto3\";"
		print "package bench;"
		for (i = 0; i < n; i++)
			printf "message T%d { int64 a = 1; string b = 2; double c = 3; }\n", i
	}'
}

gen_thrift() {
	awk -v n="$1" 'BEGIN {
		print "namespace c_glib bench"
		for (i = 0; i < n; i++)
			printf "struct T%d { 1: i64 a, 2: string b, 3: double c }\n", i
	}'
}

# ---- measuring ------------------------------------------------------------

now_ns() {
	date +%s%N
}

# measure NAME CMD...: runs CMD (output to /dev/null, in a scratch output
# directory), REPEAT times when it is fast; prints "SECONDS RSS_KB STATUS"
# of the fastest run.
measure() {
	best_t= best_m= st=0
	r=0
	while :; do
		rm -rf "$tmp/out"
		mkdir -p "$tmp/out"
		t0=$(now_ns)
		"$TIME" -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err"
		st=$?
		t1=$(now_ns)
		t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
		m=$(tail -n 1 "$tmp/rss")
		if [ -z "$best_t" ] || awk -v x="$t" -v y="$best_t" 'BEGIN { exit !(x < y) }'; then
			best_t=$t best_m=$m
		fi
		r=$((r + 1))
		if [ "$st" -ne 0 ] || [ $r -ge "$REPEAT" ] || awk -v x="$t" 'BEGIN { exit !(x >= 1) }'; then
			break
		fi
	done
	if [ "$st" -ne 0 ]; then
		echo "bench.sh: $* exited with $st:" >&2
		head -n 5 "$tmp/err" >&2
	fi
	echo "$best_t $best_m $st"
}

# Both outputs in one invocation, when this flytec can (the multi-output
# driver): "one", else "two".
printf 'module probe\ntask t(a: int) -> int\n' >"$tmp/probe.flyte"
mkdir -p "$tmp/probe.c"
if "$FLYTEC" --emit=package="$tmp/probe.tgz",c="$tmp/probe.c" "$tmp/probe.flyte" >/dev/null 2>&1; then
	both=one
else
	both=two
fi

# both_cmd FILE OUTDIR: the command line(s) that write both outputs
both_cmd() {
	if [ "$both" = one ]; then
		echo "'$FLYTEC' --emit=package='$2/p.tgz',c='$2' '$1'"
	else
		echo "'$FLYTEC' --emit=package -o '$2/p.tgz' '$1' && '$FLYTEC' --emit=c -o '$2' '$1'"
	fi
}

results=$tmp/results   # SERIES N TOOL SECONDS RSS_KB STATUS
: >"$results"

echo "flytec bench: $("$FLYTEC" --version), sizes: $SIZES, best of $REPEAT for runs under 1 s"
if [ "$both" = one ]; then
	echo "both outputs: one invocation (--emit=package=P,c=DIR)"
else
	echo "both outputs: two invocations (this flytec has no --emit=package=P,c=DIR)"
fi
[ -n "$PROTOC_C" ] && echo "protoc-c: $("$PROTOC_C" --version 2>&1 | head -n 1)"
if [ -n "$THRIFT" ]; then
	echo "thrift: $("$THRIFT" --version 2>&1 | head -n 1)"
else
	echo "thrift: not found, skipped (Debian: apt-get install thrift-compiler)"
fi

for n in $SIZES; do
	gen_tasks_flyte "$n" >"$tmp/tasks$n.flyte"
	gen_mixed_flyte "$n" >"$tmp/mixed$n.flyte"
	gen_proto "$n" >"$tmp/tasks$n.proto"
	gen_thrift "$n" >"$tmp/tasks$n.thrift"
	for series in tasks mixed; do
		f=$tmp/$series$n.flyte
		echo "$series $n flytec-package $(measure "$FLYTEC" --emit=package -o "$tmp/out/p.tgz" "$f")" >>"$results"
		echo "$series $n flytec-c $(measure "$FLYTEC" --emit=c -o "$tmp/out" "$f")" >>"$results"
		echo "$series $n flytec-both $(measure sh -c "$(both_cmd "$f" "$tmp/out")")" >>"$results"
		echo "$series $n flytec-check $(measure "$FLYTEC" --check "$f")" >>"$results"
		echo "$series $n flytec-dump-ast $(measure "$FLYTEC" --dump-ast "$f")" >>"$results"
	done
	if [ -n "$PROTOC_C" ]; then
		echo "tasks $n protoc-c $(measure "$PROTOC_C" -I"$tmp" --c_out="$tmp/out" "$tmp/tasks$n.proto")" >>"$results"
	fi
	if [ -n "$THRIFT" ]; then
		echo "tasks $n thrift-c_glib $(measure "$THRIFT" --gen c_glib -o "$tmp/out" "$tmp/tasks$n.thrift")" >>"$results"
	fi
done

# ---- report ---------------------------------------------------------------

awk '
	{ key = $1 " " $2 " " $3; t[key] = $4; m[key] = $5; s[key] = $6
	  if (!($1 in seen_s)) { seen_s[$1] = 1; series[++ns] = $1 }
	  if (!(($1 " " $2) in seen_n)) { seen_n[$1 " " $2] = 1; sizes[$1, ++nn[$1]] = $2 }
	  if (!(($1 " " $3) in seen_t)) { seen_t[$1 " " $3] = 1; tools[$1, ++nt[$1]] = $3 } }
	END {
		printf "\n%-6s %8s  %-16s %9s %10s %9s  %8s %8s\n", "series", "N", "tool", "seconds", "peak RSS", "us/decl", "time/pc", "rss/pc"
		for (a = 1; a <= ns; a++) {
			se = series[a]
			for (b = 1; b <= nn[se]; b++) {
				n = sizes[se, b]
				pk = "tasks " n " protoc-c"
				for (c = 1; c <= nt[se]; c++) {
					tool = tools[se, c]
					k = se " " n " " tool
					if (!(k in t)) continue
					tr = (pk in t && t[pk] > 0) ? sprintf("%8.1f", t[k] / t[pk]) : "       -"
					mr = (pk in m && m[pk] > 0) ? sprintf("%8.1f", m[k] / m[pk]) : "       -"
					printf "%-6s %8d  %-16s %9.3f %8.1f MB %9.2f  %s %s%s\n", se, n, tool, t[k], m[k] / 1024, t[k] * 1e6 / n, tr, mr, s[k] != 0 ? "  (FAILED)" : ""
				}
			}
		}
		printf "\nlinearity (time per declaration at the largest N / at the smallest; 1.0 is linear):\n"
		for (a = 1; a <= ns; a++) {
			se = series[a]
			lo = sizes[se, 1]; hi = sizes[se, nn[se]]
			for (c = 1; c <= nt[se]; c++) {
				tool = tools[se, c]
				kl = se " " lo " " tool; kh = se " " hi " " tool
				if (!(kl in t) || !(kh in t) || t[kl] <= 0) continue
				r = (t[kh] / hi) / (t[kl] / lo)
				rm = (m[kh] / hi) / (m[kl] / lo)
				printf "  %-6s %-16s %7.2f us/decl at %d, %7.2f at %d: x%.2f time, x%.2f RSS per decl\n", se, tool, t[kl] * 1e6 / lo, lo, t[kh] * 1e6 / hi, hi, r, rm
			}
		}
	}
' "$results"

# ---- instructions (callgrind) and the generated C -------------------------

[ "$CG_N" -gt 0 ] || exit 0
if [ -z "$VALGRIND" ]; then
	echo
	echo "callgrind: valgrind not found, skipped (Debian: valgrind)"
	exit 0
fi

# instr CMD...: the instructions callgrind counts for CMD (children too)
instr() {
	rm -rf "$tmp/out" "$tmp"/cg.*
	mkdir -p "$tmp/out"
	"$VALGRIND" --tool=callgrind --trace-children=yes --callgrind-out-file="$tmp/cg.%p" "$@" >/dev/null 2>"$tmp/cg.err" || {
		echo "bench.sh: callgrind $*: failed" >&2
		head -n 5 "$tmp/cg.err" >&2
		echo 0
		return
	}
	awk '/^summary:/ { s += $2 } END { printf "%d\n", s }' "$tmp"/cg.*
}

n=$CG_N
f=$tmp/cg$n.flyte
gen_tasks_flyte "$n" >"$f"
gen_proto "$n" >"$tmp/cg$n.proto"
gen_thrift "$n" >"$tmp/cg$n.thrift"
echo
echo "instructions (callgrind) at $n declarations \`task tK(a: int, b: str, c: float) -> str\`:"
i_pkg=$(instr "$FLYTEC" --emit=package -o "$tmp/out/p.tgz" "$f")
i_c=$(instr "$FLYTEC" --emit=c -o "$tmp/out" "$f")
if [ "$both" = one ]; then
	i_both=$(instr "$FLYTEC" --emit=package="$tmp/out/p.tgz",c="$tmp/out" "$f")
else
	i_both=$((i_pkg + i_c))
fi
i_check=$(instr "$FLYTEC" --check "$f")
i_pc=0 i_th=0
[ -n "$PROTOC_C" ] && i_pc=$(instr "$PROTOC_C" -I"$tmp" --c_out="$tmp/out" "$tmp/cg$n.proto")
[ -n "$THRIFT" ] && i_th=$(instr "$THRIFT" --gen c_glib -o "$tmp/out" "$tmp/cg$n.thrift")
rss_both=$(measure sh -c "$(both_cmd "$f" "$tmp/out")" | awk '{ print $2 }')
awk -v pkg="$i_pkg" -v c="$i_c" -v both="$i_both" -v check="$i_check" -v pc="$i_pc" -v th="$i_th" \
    -v how="$both" -v rss="$rss_both" '
	function g(x) { return sprintf("%.3f G", x / 1e9) }
	function verdict(ok) { return ok ? "met" : "NOT met" }
	BEGIN {
		printf "  flytec --emit=package   %s\n", g(pkg)
		printf "  flytec --emit=c         %s\n", g(c)
		printf "  flytec both outputs     %s  (%s)\n", g(both), how == "one" ? "one invocation" : "the sum of two invocations"
		printf "  flytec --check          %s\n", g(check)
		if (pc > 0) printf "  protoc-c --c_out        %s\n", g(pc)
		if (th > 0) printf "  thrift --gen c_glib     %s\n", g(th)
		printf "goals (both outputs):\n"
		if (pc > 0) printf "  >= 10x fewer than protoc-c: %.2fx, %s\n", pc / both, verdict(pc / both >= 10)
		if (th > 0) printf "  >= 25x fewer than thrift:   %.2fx, %s\n", th / both, verdict(th / both >= 25)
		else printf "  >= 25x fewer than thrift:   not measured (no thrift)\n"
		printf "  within 3x of --check:       %.2fx, %s\n", both / check, verdict(both / check <= 3)
		printf "  peak RSS <= 64 MiB:         %.1f MiB, %s\n", rss / 1024, verdict(rss <= 65536)
	}'

# the generated C: bytes per task, and gcc -O2 against protoc-c's output
echo
echo "generated C at $n tasks, $CC -O2 -c (CPU time user + system; peak RSS):"
rm -rf "$tmp/gc" "$tmp/pc"
mkdir -p "$tmp/gc" "$tmp/pc"
"$FLYTEC" --emit=c -o "$tmp/gc" "$f" || exit 1
gc_c=$(ls "$tmp/gc"/*.c)
gc_h=$(ls "$tmp/gc"/*.h)
bytes_c=$(wc -c <"$gc_c")
bytes_h=$(wc -c <"$gc_h")
cc_time() {
	"$TIME" -f '%U %S %M' -o "$tmp/cct" "$@" >/dev/null 2>"$tmp/ccerr" || {
		echo "bench.sh: $*: failed" >&2
		head -n 5 "$tmp/ccerr" >&2
	}
	awk '{ printf "%.2f %d\n", $1 + $2, $3 }' "$tmp/cct"
}
set -- $(cc_time "$CC" -O2 -std=c11 -I"$(dirname "$0")/../include" -I"$tmp/gc" -c "$gc_c" -o "$tmp/gc/o.o")
t_gc=$1 m_gc=$2
t_pc=0 m_pc=0
if [ -n "$PROTOC_C" ]; then
	"$PROTOC_C" -I"$tmp" --c_out="$tmp/pc" "$tmp/cg$n.proto"
	set -- $(cc_time "$CC" -O2 -c "$tmp/pc/cg$n.pb-c.c" -I"$tmp/pc" -o "$tmp/pc/o.o")
	t_pc=$1 m_pc=$2
fi
awk -v bc="$bytes_c" -v bh="$bytes_h" -v n="$n" -v tg="$t_gc" -v mg="$m_gc" -v tp="$t_pc" -v mp="$m_pc" '
	BEGIN {
		printf "  flytec .c  %9d bytes (%.0f a task; goal <= 1024: %s), .h %d bytes (%.0f a task)\n", bc, bc / n, bc / n <= 1024 ? "met" : "NOT met", bh, bh / n
		printf "  %-28s %8.2f s  %8.1f MiB\n", "gcc -O2 flytec .c:", tg, mg / 1024
		if (tp > 0) printf "  %-28s %8.2f s  %8.1f MiB  (flytec / protoc-c: %.2fx the time)\n", "gcc -O2 protoc-c .pb-c.c:", tp, mp / 1024, tg / tp
	}'
