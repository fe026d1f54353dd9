#!/bin/sh
# atomic.sh: every file flytec writes appears whole or not at all.
# A TAP producer (automake's tap-driver). Needs FLYTEC (the flytec binary);
# FLYTEC_WRAPPER (e.g. valgrind) runs the quick cases.
#
# For each output kind (--emit=package, --emit=pb, --emit=c, --emit=json -o):
#   - a program with errors writes nothing, and an older output survives it
#   - an output directory that does not exist, or is a file, is an error and
#     leaves nothing behind
#   - a full disk (RLIMIT_FSIZE; and a 64 KiB tmpfs when a mount namespace
#     can be had, else skipped) is an error; no temporary file remains and
#     an older output survives
#   - with the Nth allocation failing (FLYTEC_FAIL_ALLOC=N, for every N until
#     the run succeeds) flytec says "out of memory", exits 1 and leaves the
#     older output as it was; the first run that succeeds writes the same
#     bytes as a run without failure
# and: generated C and .pb files are rewritten only when their content
# changes (the mtime of an identical file is kept); output lost on the way
# to standard output (/dev/full) is an error.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"

good=$tmp/good.flyte
cp "$top_srcdir/examples/quickstart/quickstart.flyte" "$good"
bad=$tmp/bad.flyte
cat >"$bad" <<'EOF'
module bad
image "ghcr.io/acme/bad:1"
task square(x: int) -> int
workflow w(x: str) -> int {
    return square(x=x)
}
EOF

# leftovers DIR: temporary files flytec may have left under DIR
leftovers() {
	find "$1" -name '*.tmp.*' 2>/dev/null
}

# emit KIND OUT FILE [ENV...]: runs flytec --emit=KIND -o OUT FILE; sets rc, err
emit() {
	kind=$1 out=$2 file=$3
	shift 3
	env "$@" $wrapper "$FLYTEC" --emit="$kind" -o "$out" "$file" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	err=$(cat "$tmp/stderr")
}

# The output path of each kind, and what stands for "an older output": a
# file, or a directory holding one.
out_of() {
	case $1 in
	package) echo "$tmp/o/out.tgz" ;;
	json) echo "$tmp/o/out.json" ;;
	pb) echo "$tmp/o/pb" ;;
	c) echo "$tmp/o/c" ;;
	esac
}
# plant KIND: puts an older output in place
plant() {
	rm -rf "$tmp/o"
	mkdir -p "$tmp/o"
	out=$(out_of "$1")
	case $1 in
	package | json) echo OLD >"$out" ;;
	pb | c) mkdir -p "$out" && echo OLD >"$out/old.txt" ;;
	esac
}
# intact KIND: whether the older output is exactly as planted, and alone
intact() {
	out=$(out_of "$1")
	case $1 in
	package | json) [ "$(cat "$out" 2>/dev/null)" = OLD ] && [ "$(ls -A "$tmp/o")" = "$(basename "$out")" ] ;;
	pb | c) [ "$(cat "$out/old.txt" 2>/dev/null)" = OLD ] && [ "$(ls -A "$out")" = old.txt ] ;;
	esac
}
# snapshot KIND DEST: copies what a run wrote (without the planted file)
snapshot() {
	out=$(out_of "$1")
	rm -rf "$2"
	mkdir -p "$2"
	case $1 in
	package | json) cp "$out" "$2/" ;;
	pb | c) (cd "$out" && for f in *; do [ "$f" = old.txt ] || cp "$f" "$2/"; done) ;;
	esac
}

echo "1..22"

# 1-4: a program with errors writes nothing and leaves older output alone
for kind in package pb c json; do
	problems=
	rm -rf "$tmp/o"
	mkdir -p "$tmp/o"
	out=$(out_of $kind)
	emit $kind "$out" "$bad"
	[ "$rc" -eq 1 ] || problem "exit status $rc, not 1"
	[ -z "$(ls -A "$tmp/o")" ] || problem "left: $(ls -A "$tmp/o")"
	plant $kind
	emit $kind "$(out_of $kind)" "$bad"
	intact $kind || problem "the older output was touched: $(ls -lR "$tmp/o")"
	check "--emit=$kind: a program with errors writes nothing"
done

# 5-8: an output directory that is missing, or a file
for kind in package pb c json; do
	problems=
	rm -rf "$tmp/o"
	mkdir -p "$tmp/o"
	echo plain >"$tmp/o/file"
	case $kind in
	package) outs="$tmp/o/missing/out.tgz $tmp/o/file/out.tgz" ;;
	json) outs="$tmp/o/missing/out.json $tmp/o/file/out.json" ;;
	pb | c) outs="$tmp/o/missing/sub $tmp/o/file $tmp/o/file/sub" ;;
	esac
	for out in $outs; do
		emit $kind "$out" "$good"
		[ "$rc" -eq 1 ] || problem "-o $out: exit status $rc, not 1"
		case $err in
		*"cannot "*) ;;
		*) problem "-o $out: no 'cannot ...' message: $err" ;;
		esac
	done
	[ "$(ls -A "$tmp/o")" = file ] && [ "$(cat "$tmp/o/file")" = plain ] || problem "left: $(ls -lA "$tmp/o")"
	check "--emit=$kind: an output directory that is missing or a file is an error, nothing left"
done

# 9-12: a full disk, simulated with RLIMIT_FSIZE (writes past 1 KiB fail
# with EFBIG; SIGXFSZ ignored)
for kind in package pb c json; do
	problems=
	plant $kind
	out=$(out_of $kind)
	# 1 KiB: more than a .pb file of the quickstart, so --emit=pb gets none
	limit=2
	[ $kind = pb ] && limit=0
	# (the messages go through a pipe: the limit applies to files)
	{
		(trap '' XFSZ; ulimit -f $limit && exec "$FLYTEC" --emit=$kind -o "$out" "$good")
		echo $? >"$tmp/rc"
	} 2>&1 >/dev/null | cat >"$tmp/stderr"
	rc=$(cat "$tmp/rc")
	[ "$rc" -eq 1 ] || problem "exit status $rc, not 1: $(cat "$tmp/stderr")"
	grep -q "cannot write" "$tmp/stderr" || problem "no 'cannot write' message: $(cat "$tmp/stderr")"
	[ -z "$(leftovers "$tmp/o")" ] || problem "temporary files left: $(leftovers "$tmp/o")"
	case $kind in
	package | json) intact $kind || problem "the older output was touched" ;;
	*) # each file whole or absent: none is a prefix of the real one
	   for f in "$out"/*; do
		   [ "$(basename "$f")" = old.txt ] && continue
		   [ -s "$f" ] || problem "$f is empty"
	   done ;;
	esac
	check "--emit=$kind: a full disk (RLIMIT_FSIZE) is an error, no partial or temporary file"
done

# 13: a full disk for real: a 64 KiB tmpfs in a private mount namespace,
# and a program whose generated C is bigger than that
problems=
mnt=$tmp/mnt
big=$tmp/big.flyte
awk 'BEGIN {
	print "module big"
	print "image \"ghcr.io/acme/big:1\""
	for (i = 0; i < 300; i++)
		printf "task t%d(a: int, b: list[str], c: dict[str, float?]) -> (x: int, y: str)\n", i
}' >"$big"
mkdir -p "$mnt"
if command -v unshare >/dev/null 2>&1 \
   && unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh "$mnt" 2>/dev/null; then
	unshare -m sh -c '
		mount -t tmpfs -o size=64k tmpfs "$1" || exit 99
		"$2" --emit=c -o "$1/c" "$3" 2>"$4/stderr.c"; echo "c $?" >"$4/rcs"
		"$2" --emit=package -o "$1/big.tgz" "$3" 2>"$4/stderr.p"; echo "package $?" >>"$4/rcs"
		find "$1" -type f >"$4/files"' sh "$mnt" "$FLYTEC" "$big" "$tmp"
	grep -q "^c 1$" "$tmp/rcs" || problem "--emit=c: $(cat "$tmp/rcs") $(cat "$tmp/stderr.c")"
	grep -q "No space left" "$tmp/stderr.c" || problem "--emit=c: no ENOSPC message: $(cat "$tmp/stderr.c")"
	grep -q '\.tmp\.' "$tmp/files" && problem "temporary files left: $(cat "$tmp/files")"
	# the header (small) may have been written whole; the .c must not be there
	grep -q 'flyte\.c$' "$tmp/files" && problem "a partial .c was left: $(cat "$tmp/files")"
	check "a full 64 KiB tmpfs: --emit=c fails with ENOSPC, no partial or temporary file"
else
	skip "a full 64 KiB tmpfs" "cannot mount a tmpfs in a private mount namespace here"
fi

# 14-17: out of memory at every allocation, until the run succeeds
for kind in package pb c json; do
	problems=
	rm -rf "$tmp/o" "$tmp/ref"
	mkdir -p "$tmp/o"
	emit $kind "$(out_of $kind)" "$good"
	[ "$rc" -eq 0 ] || problem "the run without failure: exit status $rc: $err"
	snapshot $kind "$tmp/ref"
	runs=0
	i=1
	while [ $i -lt 1000 ]; do
		plant $kind
		emit $kind "$(out_of $kind)" "$good" FLYTEC_FAIL_ALLOC=$i
		if [ "$rc" -eq 0 ]; then
			snapshot $kind "$tmp/got"
			diff -r "$tmp/ref" "$tmp/got" >/dev/null || problem "FLYTEC_FAIL_ALLOC=$i: the output differs"
			break
		fi
		runs=$((runs + 1))
		[ "$rc" -eq 1 ] || problem "FLYTEC_FAIL_ALLOC=$i: exit status $rc, not 1: $err"
		case $err in
		*"out of memory"*) ;;
		*) problem "FLYTEC_FAIL_ALLOC=$i: no 'out of memory': $err" ;;
		esac
		intact $kind || problem "FLYTEC_FAIL_ALLOC=$i: the older output was touched: $(ls -lR "$tmp/o")"
		i=$((i + 1))
	done
	[ $i -lt 1000 ] || problem "no run succeeded"
	check "--emit=$kind: out of memory at each of $runs allocations: reported, older output intact"
done

# 18-19: generated C and .pb files are rewritten only when they change
for kind in c pb; do
	problems=
	rm -rf "$tmp/o"
	mkdir -p "$tmp/o"
	cp "$good" "$tmp/gen.flyte"
	out=$(out_of $kind)
	emit $kind "$out" "$tmp/gen.flyte"
	[ "$rc" -eq 0 ] || problem "first run: exit status $rc: $err"
	touch -d '2001-02-03 04:05:06' "$out"/*
	emit $kind "$out" "$tmp/gen.flyte"
	[ "$rc" -eq 0 ] || problem "second run: exit status $rc: $err"
	for f in "$out"/*; do
		case $(date -r "$f" +%Y) in
		2001) ;;
		*) problem "$(basename "$f") was rewritten by an identical run" ;;
		esac
	done
	printf '\ntask added(y: str) -> str\n' >>"$tmp/gen.flyte"
	emit $kind "$out" "$tmp/gen.flyte"
	[ "$rc" -eq 0 ] || problem "run after the edit: exit status $rc: $err"
	changed=0
	for f in "$out"/*; do
		case $(date -r "$f" +%Y) in
		2001) ;;
		*) changed=$((changed + 1)) ;;
		esac
	done
	[ $changed -gt 0 ] || problem "nothing was rewritten after the edit"
	if [ $kind = c ]; then
		grep -q 'quickstart__added' "$out/gen.flyte-c.h" || problem "the header lacks the added task"
	fi
	check "--emit=$kind: an identical file is left alone (mtime kept), a changed one rewritten ($changed)"
done

# 20: standard output on a full disk
problems=
$wrapper "$FLYTEC" --emit=json "$good" >/dev/full 2>"$tmp/stderr"
rc=$?
[ "$rc" -eq 1 ] || problem "--emit=json >/dev/full: exit status $rc"
grep -q "cannot write standard output" "$tmp/stderr" || problem "no message: $(cat "$tmp/stderr")"
$wrapper "$FLYTEC" --signatures "$good" >/dev/full 2>"$tmp/stderr"
rc=$?
[ "$rc" -eq 1 ] || problem "--signatures >/dev/full: exit status $rc"
check "output lost on standard output (/dev/full) is an error"

# 21: the package is rewritten whole over an older one, and a read-only
# directory (when not root) is an error
problems=
rm -rf "$tmp/o"
mkdir -p "$tmp/o"
emit package "$tmp/o/out.tgz" "$good"
[ "$rc" -eq 0 ] || problem "exit status $rc: $err"
gzip -t "$tmp/o/out.tgz" 2>/dev/null || problem "the package is not a whole gzip file"
if [ "$(id -u)" -ne 0 ]; then
	chmod a-w "$tmp/o"
	emit package "$tmp/o/out2.tgz" "$good"
	[ "$rc" -eq 1 ] || problem "read-only directory: exit status $rc"
	chmod u+w "$tmp/o"
	[ ! -e "$tmp/o/out2.tgz" ] || problem "read-only directory: out2.tgz exists"
fi
check "a package is a whole gzip file; a read-only directory is an error (when not root)"

# 22: --show under out of memory: reported, nothing printed, no leak (the
# valgrind and ASan builds), until a run prints what a run without failure does
problems=
emit package "$tmp/show.tgz" "$good"
$wrapper "$FLYTEC" --show="$tmp/show.tgz" >"$tmp/show.ref" 2>"$tmp/stderr" || problem "--show: $(cat "$tmp/stderr")"
i=1
while [ $i -lt 1000 ]; do
	env FLYTEC_FAIL_ALLOC=$i $wrapper "$FLYTEC" --show="$tmp/show.tgz" >"$tmp/show.out" 2>"$tmp/stderr"
	rc=$?
	if [ $rc -eq 0 ]; then
		cmp -s "$tmp/show.ref" "$tmp/show.out" || problem "FLYTEC_FAIL_ALLOC=$i: the output differs"
		break
	fi
	[ $rc -eq 1 ] && grep -q "out of memory" "$tmp/stderr" || problem "FLYTEC_FAIL_ALLOC=$i: exit status $rc: $(cat "$tmp/stderr")"
	[ -s "$tmp/show.out" ] && problem "FLYTEC_FAIL_ALLOC=$i: printed something"
	i=$((i + 1))
done
check "--show of a package: out of memory at each of $((i - 1)) allocations is reported, nothing printed"

[ $failed -eq 0 ]
