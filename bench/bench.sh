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
#   flytec --check          parse and check
#   flytec --dump-ast       parse only (printing the tree to /dev/null)
#   protoc-c, thrift        (tasks series only)
# A run under a second is repeated (BENCH_REPEAT times, default 3) and the
# fastest kept. The table gives each time and RSS also as a ratio to
# protoc-c's for the same N; the linearity lines compare the time per
# declaration at the largest N with that at the smallest (1.0 is linear).
#
# Environment: FLYTEC (default ./flytec), PROTOC_C (default: protoc-c on
# PATH; without it the ratios are left out), THRIFT (default: thrift on
# PATH; skipped with a note when absent: Debian's thrift-compiler),
# BENCH_SIZES (default "1000 10000 100000"), BENCH_REPEAT, TMPDIR.

set -u
LC_ALL=C
export LC_ALL

FLYTEC=${FLYTEC:-./flytec}
PROTOC_C=${PROTOC_C:-$(command -v protoc-c || true)}
THRIFT=${THRIFT:-$(command -v thrift || true)}
SIZES=${BENCH_SIZES:-1000 10000 100000}
REPEAT=${BENCH_REPEAT:-3}
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

results=$tmp/results   # SERIES N TOOL SECONDS RSS_KB STATUS
: >"$results"

echo "flytec bench: $("$FLYTEC" --version), sizes: $SIZES, best of $REPEAT for runs under 1 s"
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
