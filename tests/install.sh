#!/bin/sh
# install.sh: flytec as a build system sees it once installed. Installs the
# build tree into a scratch prefix (make install prefix=DIR, a prefix the
# dynamic linker does not search), then checks, one TAP test each:
#   pkg-config   flyterun.pc names the compiler (--variable=flytec) and libdir
#   readme-cc    the README's block of shell that builds a task executable runs
#                as written, and its executable finds libflyterun.so.0 in the
#                prefix through its rpath (without the rpath it does not)
#   make         docs/building.md's Makefile builds the example (and a second
#                make does nothing)
#   static       a task executable linked with flyterun-static.pc carries
#                libflyterun inside (no libflyterun.so.0 needed) and runs
#   no-main      the generated C with -DFLYTEC_NO_MAIN and a main of the
#                program's own; without it the link fails (two mains)
#   cmake-*      tests/install/CMakeLists.txt through find_package(flytec)
#                with the "Unix Makefiles" and Ninja generators, out of the
#                source tree: builds, runs, rebuilds nothing when nothing
#                changed, regenerates when the .flyte file changed; and
#                the static target; find_package(flytec VERSION) accepts
#                0.1 and 0.1.0 and refuses 0.2 and 1.0
#   cmake-imports-*  the geometry example (two modules), its imported module
#                in a directory of its own (IMPORT_DIRS), with the "Unix
#                Makefiles" and Ninja generators: builds and runs; a change
#                to the imported module that only the depfile knows of (a
#                comment) runs flytec again, then nothing more; a real
#                change regenerates the importer's C
#   uninstall    make uninstall leaves no file in the prefix
# Every executable prints the quickstart's pipeline result.
#
# Environment: top_srcdir, top_builddir, FLYTEC (tests/lib.sh), MAKE,
# SAN_CFLAGS (the sanitizer flags of the build, which programs linked against
# an instrumented libflyterun need too).

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"

: "${top_builddir:=$(dirname "$FLYTEC")}"
: "${MAKE:=make}"
SAN_CFLAGS=${SAN_CFLAGS:-}
example=$top_srcdir/examples/quickstart
expected=$example/tests/pipeline.out
prefix=$tmp/prefix

echo "1..12"

# the parent make's jobserver is not ours
if ! (cd "$top_builddir" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	$MAKE install prefix="$prefix" >"$tmp/install.log" 2>&1); then
	echo "Bail out! $me: make install prefix=$prefix failed:"
	sed 's/^/# /' "$tmp/install.log" | tail -20
	exit 1
fi
PATH=$prefix/bin:$PATH
PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PATH PKG_CONFIG_PATH

# A fresh copy of the example in $tmp/NAME (the source tree may be read-only).
copy_example() {
	rm -rf "$tmp/$1" && mkdir -p "$tmp/$1" &&
		cp "$example/quickstart.flyte" "$example/quickstart.c" "$tmp/$1/"
}

# check_run TITLE EXE: the executable prints the pipeline's result.
run_pipeline() {
	"$1" run pipeline 'xs=[1,2,3,4]' --no-cache >"$tmp/run.out" 2>"$tmp/run.err"
	status=$?
	if [ "$status" -ne 0 ]; then
		problem "$1 run pipeline: status $status"
		problem "$(head -5 "$tmp/run.err")"
	elif ! cmp -s "$expected" "$tmp/run.out"; then
		problem "$1 run pipeline printed:"
		problem "$(cat "$tmp/run.out")"
	fi
}

# -- pkg-config
got=$(pkg-config --variable=flytec flyterun 2>&1)
[ "$got" = "$prefix/bin/flytec" ] || problem "--variable=flytec: '$got', expected '$prefix/bin/flytec'"
[ -x "$got" ] || problem "$got is not an executable"
got=$(pkg-config --variable=libdir flyterun 2>&1)
[ "$got" = "$prefix/lib" ] || problem "--variable=libdir: '$got'"
got=$(echo $(pkg-config --libs flyterun 2>&1))
[ "$got" = "-L$prefix/lib -lflyterun" ] || problem "--libs: '$got'"
pkg-config --static --libs flyterun | grep -q -- '-lcurl' || problem "--static --libs names no -lcurl"
[ -f "$prefix/lib/libflyterun.a" ] || problem "no $prefix/lib/libflyterun.a"
check "pkg-config"

# -- the README's block, run as written (cc with the build's sanitizer flags)
copy_example readme
awk '/<!-- tests\/install.sh runs this block -->/ { want = 1; next }
     want && /^```/ { if (inside) exit; inside = 1; next }
     inside { print }' "$top_srcdir/README.md" >"$tmp/readme.sh"
if [ ! -s "$tmp/readme.sh" ]; then
	problem "README.md has no block marked <!-- tests/install.sh runs this block -->"
else
	(cd "$tmp/readme" && cc() { command cc $SAN_CFLAGS "$@"; } && . "$tmp/readme.sh") \
		>"$tmp/readme.out" 2>"$tmp/readme.err"
	status=$?
	if [ "$status" -ne 0 ]; then
		problem "the README's block: status $status"
		problem "$(tail -5 "$tmp/readme.err")"
	elif ! cmp -s "$expected" "$tmp/readme.out"; then
		problem "the README's block printed:"
		problem "$(cat "$tmp/readme.out")"
	fi
	# without the rpath, the loader does not look in the prefix
	if [ -f /usr/lib/libflyterun.so.0 ] || [ -f /usr/local/lib/libflyterun.so.0 ] ||
		[ -f "/usr/lib/$(cc -print-multiarch 2>/dev/null)/libflyterun.so.0" ]; then
		echo "# a libflyterun.so.0 is installed in a system directory: the no-rpath check is skipped"
	else
		(cd "$tmp/readme" && command cc $SAN_CFLAGS -o norpath quickstart.c quickstart.flyte-c.c \
			$(pkg-config --cflags --libs flyterun)) 2>"$tmp/cc.err" ||
			problem "cc without rpath: $(cat "$tmp/cc.err")"
		if "$tmp/readme/norpath" --version >/dev/null 2>"$tmp/norpath.err"; then
			problem "an executable without the rpath found libflyterun.so.0 (the check proves nothing)"
		elif ! grep -q 'libflyterun.so.0' "$tmp/norpath.err"; then
			problem "without the rpath: $(cat "$tmp/norpath.err")"
		fi
	fi
fi
check "readme-cc"

# -- docs/building.md's Makefile
copy_example mk
awk '/<!-- tests\/install.sh runs this Makefile -->/ { want = 1; next }
     want && /^```/ { if (inside) exit; inside = 1; next }
     inside { print }' "$top_srcdir/docs/building.md" >"$tmp/mk/Makefile"
if [ ! -s "$tmp/mk/Makefile" ]; then
	problem "docs/building.md has no block marked <!-- tests/install.sh runs this Makefile -->"
elif ! (cd "$tmp/mk" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $MAKE CC="cc $SAN_CFLAGS") \
	>"$tmp/mk.log" 2>&1; then
	problem "make with docs/building.md's Makefile failed: $(tail -5 "$tmp/mk.log")"
else
	run_pipeline "$tmp/mk/quickstart"
	(cd "$tmp/mk" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $MAKE -q CC="cc $SAN_CFLAGS") ||
		problem "a second make would remake something"
fi
check "make"

# -- static: libflyterun.a inside, the other libraries shared
copy_example static
(cd "$tmp/static" && flytec --emit=c -o . quickstart.flyte &&
	command cc $SAN_CFLAGS -o quickstart quickstart.c quickstart.flyte-c.c \
		$(pkg-config --cflags --libs flyterun-static)) 2>"$tmp/cc.err" ||
	problem "cc with flyterun-static: $(cat "$tmp/cc.err")"
if [ -x "$tmp/static/quickstart" ]; then
	if readelf -d "$tmp/static/quickstart" | grep -q 'libflyterun'; then
		problem "the static executable needs $(readelf -d "$tmp/static/quickstart" | grep libflyterun)"
	fi
	# only the public API is global in the archive
	nm -g --defined-only "$prefix/lib/libflyterun.a" | awk 'NF == 3 && $3 !~ /^flrt_/' >"$tmp/nm"
	[ -s "$tmp/nm" ] && problem "libflyterun.a defines global symbols outside flrt_*: $(head -3 "$tmp/nm")"
	run_pipeline "$tmp/static/quickstart"
fi
check "static"

# -- FLYTEC_NO_MAIN: the program's own main
copy_example nomain
cp "$top_srcdir/tests/install/own_main.c" "$tmp/nomain/"
(cd "$tmp/nomain" && flytec --emit=c -o . quickstart.flyte &&
	command cc $SAN_CFLAGS -DFLYTEC_NO_MAIN -o own own_main.c quickstart.c quickstart.flyte-c.c \
		$(pkg-config --cflags --libs flyterun-static)) 2>"$tmp/cc.err" ||
	problem "cc -DFLYTEC_NO_MAIN: $(cat "$tmp/cc.err")"
if [ -x "$tmp/nomain/own" ]; then
	got=$("$tmp/nomain/own" --hello 2>&1)
	[ "$got" = "hello from the program's own main" ] || problem "own --hello: '$got'"
	run_pipeline "$tmp/nomain/own"
fi
if (cd "$tmp/nomain" && command cc $SAN_CFLAGS -o twomains own_main.c quickstart.c quickstart.flyte-c.c \
	$(pkg-config --cflags --libs flyterun-static)) 2>"$tmp/cc.err"; then
	problem "without -DFLYTEC_NO_MAIN the generated main did not clash with the program's"
elif ! grep -q 'multiple definition of .main' "$tmp/cc.err"; then
	problem "without -DFLYTEC_NO_MAIN: $(tail -3 "$tmp/cc.err")"
fi
check "no-main"

# -- CMake: cmake_case NAME GENERATOR [ARGS...]
cmake_case() {
	name=$1 gen=$2
	shift 2
	copy_example "$name"
	b=$tmp/$name/build
	if ! CFLAGS=$SAN_CFLAGS cmake -S "$top_srcdir/tests/install" -B "$b" -G "$gen" \
		-DCMAKE_PREFIX_PATH="$prefix" -DEXAMPLE_DIR="$tmp/$name" "$@" >"$tmp/cmake.log" 2>&1; then
		problem "cmake -G '$gen' failed:"
		problem "$(tail -10 "$tmp/cmake.log")"
		return
	fi
	if ! cmake --build "$b" >"$tmp/build.log" 2>&1; then
		problem "cmake --build failed:"
		problem "$(tail -10 "$tmp/build.log")"
		return
	fi
	run_pipeline "$b/quickstart"
	flytec --show="$b/quickstart.tgz" >/dev/null 2>"$tmp/show.err" ||
		problem "the package: $(cat "$tmp/show.err")"
	[ -f "$b/gen/quickstart.flyte-c.h" ] || problem "no gen/quickstart.flyte-c.h in the build tree"
	# nothing changed: flytec does not run again
	cmake --build "$b" >"$tmp/build.log" 2>&1
	if grep -q 'flytec:' "$tmp/build.log"; then
		problem "a second build ran flytec again:"
		problem "$(cat "$tmp/build.log")"
	fi
	[ -f "$b/gen/quickstart.flyte-c.d" ] || problem "no depfile gen/quickstart.flyte-c.d"
	# the .flyte changed (retries 2 -> 5): C, package and executable are remade
	cp "$b/gen/quickstart.flyte-c.c" "$tmp/$name/before.c"
	sed 's/retries = 2/retries = 5/' "$tmp/$name/quickstart.flyte" >"$tmp/$name/q.tmp" &&
		mv "$tmp/$name/q.tmp" "$tmp/$name/quickstart.flyte"
	touch -d '+2 seconds' "$tmp/$name/quickstart.flyte" 2>/dev/null
	cmake --build "$b" >"$tmp/build.log" 2>&1 || problem "the rebuild failed: $(tail -5 "$tmp/build.log")"
	grep -q 'flytec: .*quickstart.flyte -> quickstart.flyte-c.c' "$tmp/build.log" ||
		problem "a changed .flyte did not regenerate the C: $(cat "$tmp/build.log")"
	grep -q 'flytec: .*-> .*quickstart.tgz' "$tmp/build.log" ||
		problem "a changed .flyte did not remake the package"
	cmp -s "$tmp/$name/before.c" "$b/gen/quickstart.flyte-c.c" && problem "the regenerated C did not change"
}

# -- CMake with imports: imports_case GENERATOR; geometry.flyte in src/, the
# module geo.shapes under lib/
imports_case() {
	g=$tmp/imports-$(echo "$1" | tr -c 'a-zA-Z\n' _)
	rm -rf "$g" && mkdir -p "$g/src" "$g/lib/geo" &&
		cp "$top_srcdir/examples/geometry/geometry.flyte" "$top_srcdir/examples/geometry/geometry.c" "$g/src/" &&
		cp "$top_srcdir/examples/geometry/geo/shapes.flyte" "$top_srcdir/examples/geometry/geo/shapes.c" "$g/lib/geo/"
	if ! CFLAGS=$SAN_CFLAGS cmake -S "$top_srcdir/tests/install/imports" -B "$g/build" -G "$1" \
		-DCMAKE_PREFIX_PATH="$prefix" -DSRC_DIR="$g/src" -DLIB_DIR="$g/lib" >"$tmp/cmake.log" 2>&1; then
		problem "cmake (imports) failed: $(tail -10 "$tmp/cmake.log")"
		return
	fi
	if ! cmake --build "$g/build" >"$tmp/build.log" 2>&1; then
		problem "cmake --build (imports) failed: $(tail -10 "$tmp/build.log")"
		return
	fi
	"$g/build/geometry" run report 'widths=[1.0,2.5,4.0]' --no-cache >"$tmp/run.out" 2>"$tmp/run.err" ||
		problem "geometry run report: $(head -5 "$tmp/run.err")"
	cmp -s "$top_srcdir/examples/geometry/tests/report.out" "$tmp/run.out" ||
		problem "geometry run report printed: $(cat "$tmp/run.out") $(head -3 "$tmp/run.err")"
	grep -q "shapes.flyte" "$g/build/gen/geometry.flyte-c.d" 2>/dev/null ||
		problem "the importer's depfile does not name the imported module"
	# a comment in the imported module: only the depfile knows of the
	# dependency; flytec runs again, the C stays, and then nothing more
	# (now: newer than the outputs, which make and Ninja compare in ns; a
	# time in the future would make make rebuild until it has passed)
	echo "# a comment" >>"$g/lib/geo/shapes.flyte"
	cmake --build "$g/build" >"$tmp/build.log" 2>&1 || problem "the rebuild failed: $(tail -5 "$tmp/build.log")"
	grep -q 'flytec: .*geometry.flyte -> ' "$tmp/build.log" ||
		problem "a changed import did not run flytec for the importer: $(cat "$tmp/build.log")"
	cmake --build "$g/build" >"$tmp/build.log" 2>&1
	grep -q 'flytec:' "$tmp/build.log" &&
		problem "flytec runs on every build once an import changed: $(cat "$tmp/build.log")"
	# a real change (paint's retries): the importer's C is remade
	cp "$g/build/gen/geometry.flyte-c.c" "$tmp/geometry.before.c"
	sed 's/retries = 1/retries = 4/' "$g/lib/geo/shapes.flyte" >"$g/shapes.tmp" &&
		mv "$g/shapes.tmp" "$g/lib/geo/shapes.flyte"
	cmake --build "$g/build" >"$tmp/build.log" 2>&1 || problem "the rebuild failed: $(tail -5 "$tmp/build.log")"
	grep -q 'flytec: .*geometry.flyte -> ' "$tmp/build.log" ||
		problem "a changed import did not regenerate the importer: $(cat "$tmp/build.log")"
	cmp -s "$tmp/geometry.before.c" "$g/build/gen/geometry.flyte-c.c" &&
		problem "the importer's C did not change with the import"
}

if ! command -v cmake >/dev/null 2>&1; then
	skip "cmake-make" "no cmake (Debian: cmake)"
	skip "cmake-ninja" "no cmake"
	skip "cmake-static" "no cmake"
	skip "cmake-version" "no cmake"
	skip "cmake-imports-make" "no cmake"
	skip "cmake-imports-ninja" "no cmake"
else
	cmake_case make "Unix Makefiles"
	check "cmake-make"
	if command -v ninja >/dev/null 2>&1; then
		cmake_case ninja Ninja
		check "cmake-ninja"
		cmake_case ninjastatic Ninja -DFLYTEC_STATIC=ON
		if [ -x "$tmp/ninjastatic/build/quickstart" ] &&
			readelf -d "$tmp/ninjastatic/build/quickstart" | grep -q libflyterun; then
			problem "flytec::flyterun_static linked the shared libflyterun"
		fi
		check "cmake-static"
	else
		skip "cmake-ninja" "no ninja (Debian: ninja-build)"
		skip "cmake-static" "no ninja (Debian: ninja-build)"
	fi
	for want in 0.1.0 0.2 1.0; do
		rm -rf "$tmp/ver"
		CFLAGS=$SAN_CFLAGS cmake -S "$top_srcdir/tests/install" -B "$tmp/ver" -DCMAKE_PREFIX_PATH="$prefix" \
			-DEXAMPLE_DIR="$example" -DFLYTEC_WANT=$want >"$tmp/ver.log" 2>&1
		status=$?
		case $want in
		0.1.0) [ $status -eq 0 ] || problem "find_package(flytec 0.1.0) failed: $(tail -5 "$tmp/ver.log")" ;;
		*)
			if [ $status -eq 0 ]; then
				problem "find_package(flytec $want) accepted flytec 0.1"
			elif ! grep -q 'version: 0.1' "$tmp/ver.log"; then
				problem "find_package(flytec $want): $(tail -5 "$tmp/ver.log")"
			fi
			;;
		esac
	done
	check "cmake-version"

	imports_case "Unix Makefiles"
	check "cmake-imports-make"
	if command -v ninja >/dev/null 2>&1; then
		imports_case Ninja
		check "cmake-imports-ninja"
	else
		skip "cmake-imports-ninja" "no ninja (Debian: ninja-build)"
	fi
fi

# -- uninstall
(cd "$top_builddir" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	$MAKE uninstall prefix="$prefix" >"$tmp/uninstall.log" 2>&1) ||
	problem "make uninstall failed: $(tail -5 "$tmp/uninstall.log")"
find "$prefix" -type f >"$tmp/left"
[ -s "$tmp/left" ] && problem "make uninstall left: $(cat "$tmp/left")"
check "uninstall"

[ "$failed" -eq 0 ]
