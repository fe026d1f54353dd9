#!/bin/sh
# imports.sh: imports at their limits and with hostile files. A TAP
# producer (automake's tap-driver). Needs FLYTEC.
#
#   1  a chain of 205 modules, each importing the next, stops at the
#      nesting limit (200) with an error at the import that passes it; a
#      chain of 150 checks and lowers, every module's task in the package
#   2  2,000 modules imported by one, each importing the same base: the
#      base is read once (the package holds its task once), every
#      module's workflow is in the package (time: bench/, not here)
#   3  a FIFO, a directory and a dangling symlink named like the module
#      are not the module: each is passed over (never opened: a FIFO
#      would block) and the module is found under the next root, or
#      reported as not found with every path tried
#   4  standard input as the root file: imports are found under ".", and
#      a missing -I directory is not an error by itself
#   5  an import of a module whose file is not valid UTF-8 or is empty:
#      its error is reported in its file, the importer says nothing more

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"

echo "1..5"

# chain DIR N: modules c.m0 .. c.m(N-1), each importing the next.
chain() {
	mkdir -p "$1/c"
	i=0
	while [ "$i" -lt "$2" ]; do
		j=$((i + 1))
		{
			echo "module c.m$i"
			[ "$j" -lt "$2" ] && echo "from c.m$j import t$j"
			echo "task t$i(x: int) -> int"
		} >"$1/c/m$i.flyte"
		i=$j
	done
	printf 'module app\nimage "x:1"\nfrom c.m0 import t0\nworkflow w(x: int) -> int {\n    return t0(x=x)\n}\n' >"$1/app.flyte"
}

mkdir "$tmp/deep" "$tmp/ok"
chain "$tmp/deep" 205
chain "$tmp/ok" 150
(cd "$tmp/deep" && $wrapper "$FLYTEC" --check app.flyte) >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] || problem "deep chain: exit $st, expected 1"
grep -q '^c/m198.flyte:2:6: error: imports nest more than 200 modules deep here' "$tmp/err" ||
	problem "deep chain: no nesting error at c/m198.flyte:2:6: $(head -c 300 "$tmp/err")"
[ "$(grep -c 'error:' "$tmp/err")" -eq 1 ] || problem "deep chain: $(grep -c 'error:' "$tmp/err") errors, expected 1"
(cd "$tmp/ok" && $wrapper "$FLYTEC" --emit=json -Wno-unused-import app.flyte) >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] || problem "chain of 150: exit $st: $(head -c 300 "$tmp/err")"
tasks=$(grep -c '^  "[0-9]*_c\.m[0-9]*\.t[0-9]*_1\.pb"' "$tmp/out")
[ "$tasks" -eq 150 ] || problem "chain of 150: $tasks task artifacts, expected 150"
check "a chain of imports stops at 200 levels with one error; 150 levels compile"

# fan DIR N: N modules f.mK, each importing b.base; app imports them all.
fan() {
	mkdir -p "$1/f" "$1/b"
	printf 'module b.base\ntask base(x: int) -> int\n' >"$1/b/base.flyte"
	{
		echo "module app"
		echo 'image "x:1"'
		i=0
		while [ "$i" -lt "$2" ]; do
			printf 'module f.m%d\nfrom b.base import base\nworkflow w%d(x: int) -> int {\n    return base(x=x)\n}\n' \
				"$i" "$i" >"$1/f/m$i.flyte"
			echo "from f.m$i import w$i"
			i=$((i + 1))
		done
		echo "workflow top(x: int) -> int {"
		echo "    return w0(x=x)"
		echo "}"
	} >"$1/app.flyte"
}
mkdir "$tmp/fan2000"
fan "$tmp/fan2000" 2000
(cd "$tmp/fan2000" && "$FLYTEC" --emit=json -Wno-unused-import app.flyte) >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] || problem "fan of 2000: exit $st: $(head -c 300 "$tmp/err")"
base=$(grep -c '^  "[0-9]*_b\.base\.base_1\.pb"' "$tmp/out")
[ "$base" -eq 1 ] || problem "fan of 2000: b.base.base appears $base times, expected once"
wfs=$(grep -c '^  "[0-9]*_f\.m[0-9]*\.w[0-9]*_2\.pb"' "$tmp/out")
[ "$wfs" -eq 2000 ] || problem "fan of 2000: $wfs workflows, expected 2000"
check "2,000 modules over one base: the base once, every module's workflow"

# 3: things named like the module that are not files.
mkdir -p "$tmp/h/r1/lib" "$tmp/h/r2/lib" "$tmp/h/r3/lib/fifo.flyte" "$tmp/h/src"
mkdir -p "$tmp/h/src/lib"
mkfifo "$tmp/h/src/lib/fifo.flyte"
ln -s "$tmp/h/nowhere.flyte" "$tmp/h/r1/lib/fifo.flyte"
printf 'module lib.fifo\ntask t(x: int) -> int\n' >"$tmp/h/r2/lib/fifo.flyte"
printf 'module app\nfrom lib.fifo import t\nworkflow w(x: int) -> int {\n    return t(x=x)\n}\n' >"$tmp/h/src/app.flyte"
# a blocked open would hang: the timeout turns that into a failure
(cd "$tmp/h" && timeout 20 "$FLYTEC" --check -I r1 -I r3 -I r2 src/app.flyte) >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] || problem "FIFO, symlink, directory before the module: exit $st: $(cat "$tmp/err")"
(cd "$tmp/h" && timeout 20 "$FLYTEC" --check -I r1 -I r3 src/app.flyte) >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] || problem "no regular file: exit $st, expected 1"
grep -q "src/app.flyte:2:6: error: cannot find module 'lib.fifo' (looked for src/lib/fifo.flyte, r1/lib/fifo.flyte, r3/lib/fifo.flyte)" "$tmp/err" ||
	problem "no regular file: $(cat "$tmp/err")"
check "a FIFO, a directory and a dangling symlink are passed over, never opened"

# 4: standard input.
mkdir -p "$tmp/s/lib"
printf 'module lib.one\ntask t(x: int) -> int\n' >"$tmp/s/lib/one.flyte"
printf 'module app\nfrom lib.one import t\nworkflow w(x: int) -> int {\n    return t(x=x)\n}\n' >"$tmp/s/app.flyte"
(cd "$tmp/s" && $wrapper "$FLYTEC" --signatures -I "$tmp/none" - <app.flyte) >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] || problem "stdin: exit $st: $(cat "$tmp/err")"
[ "$(cat "$tmp/out")" = "w : (x: int) -> int" ] || problem "stdin: printed $(cat "$tmp/out")"
check "standard input: imports under the current directory; a missing -I directory is no error"

# 5: bad module files.
mkdir -p "$tmp/b/lib"
printf 'module lib.bad\ntask t(x: int) -> int # \377\n' >"$tmp/b/lib/bad.flyte"
: >"$tmp/b/lib/empty.flyte"
printf 'module app\nfrom lib.bad import t\n' >"$tmp/b/a.flyte"
printf 'module app\nfrom lib.empty import t\n' >"$tmp/b/e.flyte"
(cd "$tmp/b" && $wrapper "$FLYTEC" --check a.flyte) >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] || problem "invalid UTF-8: exit $st"
grep -q '^lib/bad.flyte:2:' "$tmp/err" || problem "invalid UTF-8: not reported in lib/bad.flyte: $(cat "$tmp/err")"
grep -q '^a.flyte:' "$tmp/err" && problem "invalid UTF-8: the importer reported too: $(cat "$tmp/err")"
(cd "$tmp/b" && $wrapper "$FLYTEC" --check e.flyte) >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] || problem "empty module: exit $st"
grep -q "e.flyte:2:6: error: lib/empty.flyte does not declare a module" "$tmp/err" || problem "empty: $(cat "$tmp/err")"
check "a module file with invalid UTF-8 or nothing in it: reported once, in its file"

[ "$failed" -eq 0 ]
