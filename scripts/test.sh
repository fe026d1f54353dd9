#!/usr/bin/env bash
# The whole test suite, from a fresh checkout: installs what is missing,
# then builds and runs `make check` three times (plain; AddressSanitizer +
# UndefinedBehaviorSanitizer; valgrind), then `make distcheck`, then each
# libFuzzer harness for FUZZ_SECONDS (default 40; each harness is one test).
# Ends with one line: "N passed, M failed" over every test that ran.
#
# usage: scripts/test.sh [--quick]   (--quick: the plain build only)
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
quick=no
[ "${1:-}" = --quick ] && quick=yes

scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; echo "0 passed, 1 failed"; exit 1; }
fi

passed=0 failed=0 skipped=0
failures=()

# Adds up the results of one build's test run from its .trs files.
collect() {
	local dir=$1 label=$2 trs line res name
	while IFS= read -r trs; do
		name=${trs#"$dir"/}
		name=${name%.trs}
		while IFS= read -r line; do
			res=${line#:test-result: }
			res=${res%% *}
			case $res in
			PASS|XFAIL) passed=$((passed + 1)) ;;
			SKIP) skipped=$((skipped + 1)) ;;
			*) failed=$((failed + 1)); failures+=("$label: $name: ${line#:test-result: }") ;;
			esac
		done < <(grep '^:test-result:' "$trs")
	done < <(find "$dir" -name '*.trs' | sort)
}

# run_suite LABEL CONFIGURE-FLAGS...: configure, build and check in _build-LABEL.
run_suite() {
	local label=$1; shift
	local dir=$top/_build-$label
	echo "== $label: configure $*"
	mkdir -p "$dir"
	if ! (cd "$dir" && "$top/configure" -q "$@" >configure.out 2>&1 && make -s -j"$jobs" >make.out 2>&1); then
		echo "$label: build failed"; tail -n 30 "$dir/configure.out" "$dir/make.out" 2>/dev/null
		failed=$((failed + 1)); failures+=("$label: build")
		return
	fi
	find "$dir" -name '*.trs' -delete
	(cd "$dir" && make -s -j"$jobs" check >check.out 2>&1)
	grep -E '^(# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR)|(FAIL|ERROR):)' "$dir/check.out" | sed "s/^/   /"
	collect "$dir" "$label"
}

run_suite plain
if [ $quick = no ]; then
	run_suite sanitize --enable-asan --enable-ubsan
	run_suite valgrind --enable-valgrind
	echo "== distcheck"
	# the tarball builds and its tests pass; the servers' tests (Ceph,
	# Azurite, Slurm) ran in the three builds above and are skipped here
	if (cd "$top/_build-plain" && FLYTEC_SKIP_SERVERS=1 make -s distcheck >distcheck.out 2>&1); then
		passed=$((passed + 1))
	else
		tail -n 40 "$top/_build-plain/distcheck.out"
		failed=$((failed + 1)); failures+=("distcheck")
	fi
	echo "== fuzz: configure --enable-fuzzer; make fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-40}"
	fdir=$top/_build-fuzz
	mkdir -p "$fdir"
	if (cd "$fdir" && "$top/configure" -q --enable-fuzzer >configure.out 2>&1 && make -s -j"$jobs" >make.out 2>&1); then
		(cd "$fdir" && make -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-40}" >fuzz.out 2>&1)
		sed -n 's/^   stat::\(number_of_executed_units\|average_exec_per_sec\)/   \1/p; /^\(PASS\|FAIL\|==\)/p' "$fdir/fuzz.out"
		npass=$(grep -c '^PASS: ' "$fdir/fuzz.out")
		nfail=$(grep -c '^FAIL: ' "$fdir/fuzz.out")
		passed=$((passed + npass))
		failed=$((failed + nfail))
		if [ "$nfail" -gt 0 ] || [ "$npass" -eq 0 ]; then
			grep -A40 '^FAIL: ' "$fdir/fuzz.out" | head -n 60
			[ "$nfail" -gt 0 ] || failed=$((failed + 1))
			failures+=("fuzz")
		fi
	else
		tail -n 30 "$fdir/configure.out" "$fdir/make.out"
		failed=$((failed + 1)); failures+=("fuzz: build")
	fi
fi

for f in "${failures[@]+"${failures[@]}"}"; do
	echo "FAILED: $f"
done
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
