#!/bin/sh
# safety.sh: what flytec's outputs must never do. A TAP producer
# (automake's tap-driver). Needs FLYTEC; FLYTEC_WRAPPER (valgrind) runs the
# cases that do not signal flytec.
#
#   - an output that exists and is not a regular file (a FIFO, a character
#     device made here: never the machine's /dev/null) is written in place,
#     not replaced by a regular file
#   - an output that is an input (the same file, through -o, a symbolic or
#     a hard link, for json, package, c and pb) is an error: nothing written
#   - SIGTERM, SIGHUP and SIGINT between writing and renaming leave no
#     *.tmp.* file (a test hook pauses flytec there: nothing is timed)
#   - --emit=pb removes the .pb files of tasks an earlier run wrote that are
#     gone now, and nothing it did not write
#   - a source file name with a trigraph or a backslash: the generated
#     #include names the right file under gcc -std=c11 (trigraphs on)
#   - a source over the size limit (a sparse file) or endless (/dev/zero) is
#     an error that names it, at once
#   - --show of a package cut short at several points: an error, never
#     "(null)"

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"

fly() {
	$wrapper "$FLYTEC" "$@"
}

src=$top_srcdir/examples/quickstart/quickstart.flyte
cd "$tmp" || exit 1
cp "$src" q.flyte

# 1: a FIFO and a device
mkfifo fifo
cat fifo >from-fifo &
reader=$!
fly --emit=json -o fifo q.flyte 2>err || problem "json into a FIFO: $(cat err)"
wait $reader
[ -p fifo ] || problem "the FIFO was replaced: $(ls -l fifo)"
fly --emit=json q.flyte >direct.json 2>err
cmp -s from-fifo direct.json || problem "the FIFO did not get the JSON"
# (a file system mounted nodev refuses to open it: then the FIFO stands alone)
if [ "$(id -u)" -eq 0 ] && mknod null c 1 3 2>/dev/null && { echo probe >null; } 2>/dev/null; then
	fly --emit=json -o null q.flyte 2>err || problem "json into a device: $(cat err)"
	fly --emit=package -o null q.flyte 2>err || problem "package into a device: $(cat err)"
	fly -MD -MF null --emit=package=p.tgz q.flyte 2>err || problem "a depfile into a device: $(cat err)"
	[ -c null ] || problem "the device node was replaced: $(ls -l null)"
	rm -f null p.tgz
else
	echo "# not root (or no mknod): the device case is left to the FIFO"
fi
ln -s real.json link.json
echo old >real.json
fly --emit=json -o link.json q.flyte 2>err || problem "through a link: $(cat err)"
[ -L link.json ] && cmp -s real.json direct.json || problem "the symbolic link was replaced, or its file not written"
[ -z "$(find . -name '*.tmp.*')" ] || problem "temporary files: $(find . -name '*.tmp.*')"
check "an output that is a FIFO or a device is written in place; a symbolic link stays"

# 2: an output that is an input
mkdir in && cd in || exit 1
cp "$src" x.flyte
cp x.flyte orig
for kind in json package; do
	fly --emit=$kind -o x.flyte x.flyte 2>err
	[ $? -eq 1 ] || problem "--emit=$kind -o x.flyte x.flyte: not an error"
	grep -q "cannot write x.flyte: it is an input file; nothing was written" err || problem "--emit=$kind: $(cat err)"
	cmp -s x.flyte orig || problem "--emit=$kind overwrote its input"
done
fly --emit=json=a.json,package=x.flyte x.flyte 2>err
[ $? -eq 1 ] && [ ! -e a.json ] || problem "with another output first: $(ls) $(cat err)"
mkdir gen
ln -s ../x.flyte gen/x.flyte-c.c
fly --emit=c=gen x.flyte 2>err
[ $? -eq 1 ] && grep -q "cannot write gen/x.flyte-c.c: it is the input file x.flyte" err \
	|| problem "--emit=c over a link to the input: $(cat err)"
[ ! -e gen/x.flyte-c.h ] || problem "--emit=c wrote the header"
cmp -s x.flyte orig || problem "--emit=c overwrote its input"
rm gen/x.flyte-c.c
ln x.flyte gen/x.flyte-c.h
fly --emit=c=gen x.flyte 2>err
[ $? -eq 1 ] && grep -q "cannot write gen/x.flyte-c.h: it is the input file x.flyte" err \
	|| problem "--emit=c over a hard link to the input: $(cat err)"
rm gen/x.flyte-c.h
fly -MD -MF x.flyte --emit=json=b.json x.flyte 2>err
[ $? -eq 1 ] && [ ! -e b.json ] || problem "a depfile over the input: $(cat err)"
cmp -s x.flyte orig || problem "the depfile overwrote the input"
# an imported module's file is an input too
printf 'module lib\nimage "x:1"\ntask t(x: int) -> int\n' >lib.flyte
cp lib.flyte lib.orig
printf 'module user\nimage "x:1"\nfrom lib import t\nworkflow w(x: int) -> int {\n    return t(x=x)\n}\n' >user.flyte
fly --emit=package -o lib.flyte user.flyte 2>err
[ $? -eq 1 ] && grep -q "cannot write lib.flyte: it is an input file" err || problem "over an import: $(cat err)"
cmp -s lib.flyte lib.orig || problem "--emit=package overwrote the imported file"
[ -z "$(find . -name '*.tmp.*')" ] || problem "temporary files: $(find . -name '*.tmp.*')"
cd .. || exit 1
check "an output that is an input (-o, a symbolic or hard link, a depfile, an imported file) is an error; nothing is written"

# 3: signals between writing and renaming
signal_case() {  # SIGNAL STATUS
	rm -rf sig && mkdir sig
	echo OLD >sig/p.tgz
	(
		# a background job of a script starts with SIGINT ignored (and
		# flytec keeps an ignored signal ignored): env puts it back
		FLYTEC_TEST_PAUSE_BEFORE_RENAME=1 env --default-signal=INT "$FLYTEC" --emit=package -o sig/p.tgz q.flyte \
			2>sig.err &
		pid=$!
		i=0
		while ! grep -q 'paused before renaming' sig.err 2>/dev/null && [ $i -lt 600 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		grep -q 'paused before renaming' sig.err || echo "never paused: $(cat sig.err)" >sig.why
		ls sig | grep -q 'p.tgz.tmp.' || echo "no temporary file while paused" >>sig.why
		kill -s "$1" $pid
		i=0
		while kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -0 $pid 2>/dev/null && { echo "still running" >>sig.why; kill -s KILL $pid; }
		wait $pid
		echo $? >sig.status
	)
	[ ! -s sig.why ] || problem "SIG$1: $(cat sig.why)"
	[ "$(cat sig.status)" = "$2" ] || problem "SIG$1: exit status $(cat sig.status), not $2"
	[ "$(ls -A sig)" = p.tgz ] || problem "SIG$1 left: $(ls -A sig)"
	[ "$(cat sig/p.tgz)" = OLD ] || problem "SIG$1: the old output was replaced"
	rm -f sig.why sig.err sig.status
}
signal_case TERM 143
signal_case HUP 129
signal_case INT 130
check "SIGTERM, SIGHUP, SIGINT before the rename: no temporary file left, the old output intact"

# 4: stale .pb files
mkdir pbs && cd pbs || exit 1
printf 'module m\nimage "x:1"\ntask a(x: int) -> int\ntask b(x: int) -> int\n' >m.flyte
fly --emit=pb=out m.flyte 2>err || problem "pb: $(cat err)"
echo mine >out/notes.txt
echo mine >out/9_user.thing_1.pb
[ "$(ls out)" = "$(printf '0_m.a_1.pb\n1_m.b_1.pb\n9_user.thing_1.pb\nnotes.txt')" ] || problem "first run: $(ls out)"
printf 'module m\nimage "x:1"\ntask a(x: int) -> int\ntask c(x: int) -> int\n' >m.flyte
fly --emit=pb=out m.flyte 2>err || problem "pb again: $(cat err)"
[ "$(ls out)" = "$(printf '0_m.a_1.pb\n1_m.c_1.pb\n9_user.thing_1.pb\nnotes.txt')" ] || problem "second run: $(ls out)"
[ "$(cat out/.flytec-pb)" = "$(printf '0_m.a_1.pb\n1_m.c_1.pb')" ] || problem "the list: $(cat out/.flytec-pb)"
cd .. || exit 1
check "--emit=pb: the .pb files of renamed tasks go; files flytec did not write stay"

# 5: file names in the generated #include
if command -v gcc >/dev/null 2>&1; then
	for name in 'tri??=x' 'a??(b' 'back\slash' 'q???!'; do
		rm -rf cc && mkdir cc
		cp "$src" "cc/$name.flyte"
		fly --emit=c=cc "cc/$name.flyte" 2>err || problem "$name: $(cat err)"
		gcc -std=c11 -Wall -Werror -I"$top_srcdir/include" -Icc -c "cc/$name.flyte-c.c" -o cc/o.o \
			2>err || problem "gcc -std=c11 on $name.flyte-c.c: $(head -n 5 err)"
	done
	check "a trigraph or a backslash in the file name: the generated #include names the right file (gcc -std=c11)"
else
	skip "a trigraph or a backslash in the file name" "no gcc"
fi

# 6: sources too large or endless
truncate -s 2200M big.flyte
# without the wrapper: valgrind itself needs more than the 400 MB allowed;
# AddressSanitizer maps terabytes of shadow memory and cannot run under any
# ulimit -v, so there the limit is the file's size check alone
vlimit="ulimit -v 400000 &&"
ldd "$FLYTEC" 2>/dev/null | grep -q libasan && vlimit=
( eval "$vlimit \"\$FLYTEC\" --check big.flyte" ) 2>err
[ $? -eq 1 ] && grep -q "^flytec: error: big.flyte: file is too large (2306867200 bytes; the limit is 2147483645)$" err \
	|| problem "a 2.2 GB file: $(cat err)"
rm -f big.flyte
FLYTEC_TEST_SOURCE_MAX=100000 fly --check /dev/zero 2>err
[ $? -eq 1 ] && grep -q "^flytec: error: /dev/zero: file is too large (more than 100000 bytes, the limit)$" err \
	|| problem "/dev/zero: $(cat err)"
head -c 100001 /dev/zero | FLYTEC_TEST_SOURCE_MAX=100000 fly --check - 2>err
[ $? -eq 1 ] && grep -q "<stdin>: file is too large (more than 100000 bytes" err || problem "stdin: $(cat err)"
check "a source over the limit, or endless, is an error naming it, before it is read whole"

# 7: --show of a cut package
fly --emit=package -o whole.tgz q.flyte 2>err || problem "package: $(cat err)"
size=$(wc -c <whole.tgz)
for cut in 1 10 100 $((size / 2)) $((size - 20)) $((size - 1)); do
	head -c "$cut" whole.tgz >cut.tgz
	fly --show=cut.tgz >out 2>err
	rc=$?
	[ $rc -eq 1 ] || problem "cut at $cut: exit status $rc"
	grep -q "null" err && problem "cut at $cut: $(cat err)"
	grep -q "^flytec: error: .*cut.tgz.*: [a-zA-Z]" err || problem "cut at $cut: no reason: $(cat err)"
	[ -s out ] && problem "cut at $cut: printed $(head -c 100 out)"
done
check "--show of a package cut short at several points: an error with a reason"

echo "1..$n"
[ $failed -eq 0 ]
