#!/bin/sh
# buildsys.sh: flytec in build systems. A TAP producer (automake's
# tap-driver). Needs FLYTEC; GNU make and Ninja (Debian's ninja-build) for
# the build-system cases, skipped without them.
#
#   - several outputs from one compilation (--emit=KIND=PATH, lists, -o)
#   - the make rule of -M / -MD / -MF / -MT / -MQ / -MP, exactly, with the
#     names quoted for make as GCC quotes them; the depfile's default names;
#     no depfile (and no temporary file) when the compilation fails
#   - GNU make and Ninja with the depfile: touching a dependency rebuilds,
#     nothing changed builds nothing, a deleted dependency with -MP does not
#     break the build (a second source comes from FLYTEC_TEST_EXTRA_SOURCE
#     until imports load more sources)
#   - the generated C's names: make's built-in `%: %.o` cannot "remake" the
#     .flyte source by linking (the old NAME.flyte.c/.o names let it, and a
#     failed link deleted the source)

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"

fly() {
	$wrapper "$FLYTEC" "$@"
}

src=$top_srcdir/examples/quickstart/quickstart.flyte
cd "$tmp" || exit 1

# 1: several outputs from one run are the outputs of one run each
mkdir one many
(cd one && fly --emit=package -o p.tgz "$src" && fly --emit=json -o p.json "$src" \
	&& fly --emit=c -o gen "$src" && fly --emit=pb -o pb "$src") 2>"$tmp/err" || problem "single runs: $(cat "$tmp/err")"
(cd many && fly --emit=package=p.tgz,json=p.json --emit=c=gen,pb=pb "$src") 2>"$tmp/err" \
	|| problem "one run: $(cat "$tmp/err")"
diff -r one many >"$tmp/diff" 2>&1 || problem "one run differs: $(cat "$tmp/diff")"
(cd many && fly --emit=json,package=- "$src" >/dev/null) 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "cannot both write to standard output" "$tmp/err" || problem "two on stdout: $(cat "$tmp/err")"
check "--emit=KIND=PATH, repeated and in lists: the same files as one run per kind"

# 2: -o - and --emit=KIND=- write standard output
fly --emit=package -o - "$src" >"$tmp/stdout.tgz" 2>"$tmp/err" || problem "-o -: $(cat "$tmp/err")"
cmp -s "$tmp/stdout.tgz" one/p.tgz || problem "the package on stdout is not the file's bytes"
fly --emit=json=- "$src" >"$tmp/stdout.json" 2>"$tmp/err" || problem "json=-: $(cat "$tmp/err")"
cmp -s "$tmp/stdout.json" one/p.json || problem "the JSON on stdout is not the file's bytes"
[ ! -e ./- ] || problem "a file named - was written"
for kind in pb c; do
	fly --emit=$kind -o - "$src" 2>"$tmp/err"
	[ $? -eq 2 ] && grep -q "not to standard output" "$tmp/err" || problem "--emit=$kind -o -: $(cat "$tmp/err")"
done
[ ! -e ./- ] || problem "a directory named - was made"
check "-o - writes the package or the JSON to standard output; a directory kind is a usage error"

# 3: the rule, exactly: make's specials quoted as GCC quotes them
mkdir rule && cd rule || exit 1
cp "$src" 'my src$#.flyte'
printf 'module dep\n' >'dep file.flyte'
fly -M --emit=c=gen,package=out/p.tgz 'my src$#.flyte' >got 2>err || problem "-M: $(cat err)"
cat >want <<'EOF'
gen/my\ src$$\#.flyte-c.h gen/my\ src$$\#.flyte-c.c out/p.tgz: \
 my\ src$$\#.flyte
EOF
cmp -s want got || problem "-M: $(diff want got)"
[ "$(ls -A)" = "$(printf '%s\n' 'dep file.flyte' err got 'my src$#.flyte' want)" ] || problem "-M wrote files: $(ls -A)"
FLYTEC_TEST_EXTRA_SOURCE='dep file.flyte' fly -M -MP -MT 'a b' -MQ 'a b$' --emit=json 'my src$#.flyte' >got 2>err \
	|| problem "-MT -MQ -MP: $(cat err)"
cat >want <<'EOF'
a b a\ b$$: my\ src$$\#.flyte dep\ file.flyte
dep\ file.flyte:
EOF
cmp -s want got || problem "-MT -MQ -MP: $(diff want got)"
fly -M -MT out --emit=json - <'my src$#.flyte' >got 2>err || problem "stdin: $(cat err)"
[ "$(cat got)" = "out:" ] || problem "standard input is a dependency: $(cat got)"
fly -M --emit=json 'my src$#.flyte' >got 2>err
[ $? -eq 2 ] && grep -q "name the rule's target with -MT" err || problem "no target: $(cat err)"
cd .. || exit 1
check "-M, -MT, -MQ, -MP: the rule exactly, quoted for make (space, \$, #); stdin is no dependency"

# 4: -MD: the depfile's default names, written with the outputs only
mkdir md && cd md || exit 1
cp "$src" q.flyte
fly -MD --emit=package=p.tgz q.flyte && fly -MD --emit=c=gen q.flyte && fly -MD --emit=pb=pb/ q.flyte \
	&& fly -MD -MT j --emit=json q.flyte >/dev/null && fly -MD -MF my.dep --emit=json=j.json q.flyte 2>err \
	|| problem "-MD: $(cat err)"
for f in p.tgz.d gen/q.flyte-c.d pb.d q.d my.dep; do
	[ -f "$f" ] || problem "no depfile $f"
done
[ "$(cat p.tgz.d)" = "p.tgz: q.flyte" ] || problem "p.tgz.d: $(cat p.tgz.d)"
[ "$(cat gen/q.flyte-c.d)" = "gen/q.flyte-c.h gen/q.flyte-c.c: q.flyte" ] || problem "q.flyte-c.d: $(cat gen/q.flyte-c.d)"
[ "$(cat my.dep)" = "j.json: q.flyte" ] || problem "my.dep: $(cat my.dep)"
[ "$(cat q.d)" = "j: q.flyte" ] || problem "q.d: $(cat q.d)"
fly -MD --emit=c q.flyte 2>err || problem "-MD --emit=c: $(cat err)"
[ "$(cat q.flyte-c.d)" = "q.flyte-c.h q.flyte-c.c: q.flyte" ] || problem "./q.flyte-c.d: $(cat q.flyte-c.d)"
grep -q '^ pb/7_quickstart.nightly_3.pb: q.flyte$' pb.d || problem "pb.d: $(cat pb.d)"
rm -f p.tgz.d
printf 'module q\ntask t(x: int) -> str\nworkflow w(x: int) -> int {\n    return t(x=x)\n}\n' >bad.flyte
fly -MD -MF bad.d --emit=package=bad.tgz bad.flyte 2>err
[ $? -eq 1 ] || problem "a failed compile did not fail"
[ ! -e bad.d ] && [ ! -e bad.tgz ] || problem "a failed compile wrote: $(ls)"
[ -z "$(find . -name '*.tmp.*')" ] || problem "temporary files: $(find . -name '*.tmp.*')"
cd .. || exit 1
check "-MD: PATH.d, DIR/STEM.flyte-c.d (STEM.flyte-c.d for .), DIR.d, STEM.d or -MF; nothing when the compilation fails"

# 5, 6: GNU make and Ninja with the depfile
# The build: gen/STEM.flyte-c.[ch] from STEM.flyte (+ an "imported"
# dep.flyte), then an object from the C; a build log counts the runs.
stamp_of() {
	stat -c %Y "$1" 2>/dev/null
}
if command -v make >/dev/null 2>&1; then
	mkdir mk && cd mk || exit 1
	cp "$src" q.flyte
	printf 'module dep\n' >dep.flyte
	cat >Makefile <<EOF
FLYTEC = $FLYTEC
EXTRA = dep.flyte
all: gen/q.flyte-c.c
gen/q.flyte-c.c gen/q.flyte-c.h: q.flyte
	@echo run >>log
	FLYTEC_TEST_EXTRA_SOURCE=\$(EXTRA) \$(FLYTEC) -MD -MP -MF q.d --emit=c=gen q.flyte
-include q.d
EOF
	make -s >out 2>&1 || problem "make: $(cat out)"
	make -s >out 2>&1 || problem "make again: $(cat out)"
	[ "$(wc -l <log)" -eq 1 ] || problem "nothing changed, and make ran flytec again"
	touch -d '+2 seconds' dep.flyte
	make -s >out 2>&1 || problem "make after touch: $(cat out)"
	[ "$(wc -l <log)" -eq 2 ] || problem "touching the dependency did not rebuild"
	rm dep.flyte
	touch -d '+4 seconds' q.flyte
	make -s EXTRA= >out 2>&1 || problem "a deleted dependency broke make: $(cat out)"
	[ "$(wc -l <log)" -eq 3 ] || problem "the rebuild after deleting the dependency did not run"
	grep -q dep.flyte q.d && problem "q.d still names the deleted dep.flyte"
	cd .. || exit 1
	check "GNU make: touching a dependency rebuilds; a deleted one with -MP does not break the build"
else
	skip "GNU make: touching a dependency rebuilds; a deleted one with -MP does not break the build" "no make"
fi

if command -v ninja >/dev/null 2>&1; then
	mkdir nj && cd nj || exit 1
	cp "$src" 'q s.flyte'
	printf 'module dep\n' >dep.flyte
	cat >build.ninja <<EOF
extra = dep.flyte
rule fly
  command = echo run >>log && FLYTEC_TEST_EXTRA_SOURCE=\$extra $FLYTEC -MD -MF gen/q.d --emit=c=gen \$in
  depfile = gen/q.d
  deps = gcc
build gen/q$ s.flyte-c.h gen/q$ s.flyte-c.c: fly q$ s.flyte
EOF
	ninja >out 2>&1 || problem "ninja: $(cat out)"
	ninja >out 2>&1 || problem "ninja again: $(cat out)"
	[ "$(wc -l <log)" -eq 1 ] || problem "nothing changed, and ninja ran flytec again"
	ninja -t deps >deps 2>&1
	grep -q '^    q s.flyte$' deps && grep -q '^    dep.flyte$' deps || problem "ninja's deps: $(cat deps)"
	touch -d '+2 seconds' dep.flyte
	ninja >out 2>&1 || problem "ninja after touch: $(cat out)"
	[ "$(wc -l <log)" -eq 2 ] || problem "touching the dependency did not rebuild"
	rm dep.flyte
	touch -d '+4 seconds' 'q s.flyte'
	sed -i 's/^extra = dep.flyte$/extra =/' build.ninja
	ninja >out 2>&1 || problem "a deleted dependency broke ninja: $(cat out)"
	ninja >out 2>&1 || problem "ninja after the deleted dependency: $(cat out)"
	[ "$(wc -l <log)" -le 4 ] || problem "ninja keeps rebuilding: $(wc -l <log) runs"
	cd .. || exit 1
	check "Ninja (deps = gcc): touching a dependency rebuilds; a deleted one does not break the build"
else
	skip "Ninja (deps = gcc): touching a dependency rebuilds; a deleted one does not break the build" "no ninja"
fi

# 7: make's built-in `%: %.o` and the generated C's names. Once STEM.o of
# the generated C exists, a rule that needs the source (pkg.tgz) makes make
# look for a way to remake it: with the old names, `%: %.o` from
# q.flyte.o, whose link fails, and ld deletes q.flyte.
hazard_makefile() {  # the generated C file's base name, without .c
	cat <<EOF
all: pkg.tgz prog
pkg.tgz: q.flyte
	touch \$@
prog: $1.o
	\$(CC) -o \$@ \$^ -lno-such-library-here
$1.c $1.h: q.flyte
	touch $1.c $1.h
%.o: %.c
	\$(CC) -I$top_srcdir/include -c -o \$@ \$<
EOF
}
if command -v make >/dev/null 2>&1 && command -v cc >/dev/null 2>&1; then
	mkdir hz && cd hz || exit 1
	cp "$src" q.flyte
	cp q.flyte orig.flyte
	fly --emit=c=. q.flyte 2>err || problem "--emit=c: $(cat err)"
	[ -f q.flyte-c.c ] && [ -f q.flyte-c.h ] || problem "no q.flyte-c.c and q.flyte-c.h: $(ls)"
	hazard_makefile q.flyte-c >Makefile
	make prog >out 2>&1 && problem "the link did not fail"
	make >out 2>&1 && problem "the link did not fail"
	cmp -s q.flyte orig.flyte || problem "make remade the source q.flyte: $(cat out)"
	# the old names, by hand: the hazard is real with them
	mkdir old && cp orig.flyte old/q.flyte && sed 's/q\.flyte-c\.h/q.flyte.h/' q.flyte-c.c >old/q.flyte.c \
		&& cp q.flyte-c.h old/q.flyte.h && hazard_makefile q.flyte >old/Makefile
	(cd old && make prog; make) >out.old 2>&1
	cmp -s old/q.flyte orig.flyte && problem "the old names did not show the hazard: the test does not bite"
	cd .. || exit 1
	check "a failed link leaves the .flyte source intact (no STEM.flyte.o for make's \`%: %.o\`; the old names lose it)"
else
	skip "a failed link leaves the .flyte source intact" "no make or cc"
fi

echo "1..$n"
[ $failed -eq 0 ]
