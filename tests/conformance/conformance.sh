#!/bin/sh
# conformance.sh: compiles every example, every accepting golden case of
# tests/golden/check and every case of tests/golden/artifacts to
# registration artifacts, and checks them against the real flyteidl schema:
# protoc --decode (no unknown fields) and tests/conformance/verify.js (the
# npm package's flyteidl.js under protobufjs: decode, verify(), and the
# acceptance checklist of registration-artifacts.md §8). Prints TAP, one
# line per property per case.
#
# Environment: top_srcdir, top_builddir, FLYTEC (the compiler), optional
# FLYTEC_WRAPPER (a command prefix such as valgrind's), PROTOC and NODE (as
# configure found them; empty: skip), FLYTEIDL_MODULES (default
# $top_builddir/idl/npm/node_modules), CONFORMANCE_KEEP=1 to keep the
# scratch directory. Arguments, when given, are .flyte files to check
# instead of the default set.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
keep_tmp=${CONFORMANCE_KEEP:-}
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"
modules=${FLYTEIDL_MODULES:-$top_builddir/idl/npm/node_modules}
protos=$modules/@flyteorg/flyteidl/protos
PROTOC=${PROTOC:-}
NODE=${NODE:-}
PROTOBUF_INCLUDE=${PROTOBUF_INCLUDE:-/usr/include}

if [ -z "$PROTOC" ] || ! command -v "$PROTOC" >/dev/null 2>&1; then
	echo "1..0 # SKIP protoc not found (configure: PROTOC)"
	exit 0
fi
if [ -z "$NODE" ] || ! command -v "$NODE" >/dev/null 2>&1; then
	echo "1..0 # SKIP node not found (configure: NODE)"
	exit 0
fi
if [ ! -f "$modules/@flyteorg/flyteidl/gen/pb-js/flyteidl.js" ] || [ ! -d "$modules/protobufjs" ]; then
	echo "1..0 # SKIP no @flyteorg/flyteidl + protobufjs under $modules (a build from a git checkout installs them)"
	exit 0
fi
if [ ! -f "$PROTOBUF_INCLUDE/google/protobuf/struct.proto" ]; then
	echo "1..0 # SKIP google/protobuf/*.proto not under $PROTOBUF_INCLUDE"
	exit 0
fi

version=$("$FLYTEC" --version | sed -n 's/^flytec //p')

# The cases: GROUP<TAB>FILE
: >"$tmp/cases"
if [ $# -gt 0 ]; then
	for f in "$@"; do
		printf 'arg/%s\t%s\n' "$(basename "$f" .flyte)" "$f" >>"$tmp/cases"
	done
else
	for f in "$top_srcdir"/examples/*/*.flyte "$top_srcdir"/examples/*.flyte; do
		[ -f "$f" ] || continue
		printf 'examples/%s\t%s\n' "$(basename "$f" .flyte)" "$f" >>"$tmp/cases"
	done
	for f in "$top_srcdir"/tests/golden/check/*.flyte; do
		[ -f "$f" ] || continue
		# accepting cases only: no .status file (status 0)
		[ -f "${f%.flyte}.status" ] && continue
		printf 'check/%s\t%s\n' "$(basename "$f" .flyte)" "$f" >>"$tmp/cases"
	done
	for f in "$top_srcdir"/tests/golden/artifacts/*.flyte "$top_srcdir"/tests/conformance/cases/*.flyte; do
		[ -f "$f" ] || continue
		[ -f "${f%.flyte}.status" ] && continue
		case $(basename "$f") in
		bad_* | *_bad.flyte) continue ;;
		esac
		printf 'artifacts/%s\t%s\n' "$(basename "$f" .flyte)" "$f" >>"$tmp/cases"
	done
fi

# decode KIND FILE: protoc's text decoding of FILE as its message
decode() {
	case $1 in
	1) t=flyteidl.admin.TaskSpec p=flyteidl/admin/task.proto ;;
	2) t=flyteidl.admin.WorkflowSpec p=flyteidl/admin/workflow.proto ;;
	*) t=flyteidl.admin.LaunchPlan p=flyteidl/admin/launch_plan.proto ;;
	esac
	"$PROTOC" -I"$protos" -I"$PROTOBUF_INCLUDE" --decode="$t" "$p" <"$2"
}

: >"$tmp/list"
k=0
while IFS='	' read -r group file; do
	k=$((k + 1))
	w=$tmp/$k
	mkdir -p "$w/dec" "$w/show"
	# under a wrapper (valgrind) only the examples and the artifact cases run
	# wrapped: the checker's cases add little there and would take long
	w_=$wrapper
	case $group in check/*) w_= ;; esac
	mod=$(sed -n 's/^[ 	]*module[ 	][ 	]*\([A-Za-z0-9_.]*\).*/\1/p' "$file" | head -n 1)
	printf '%s\n' "$mod" >"$w/module"
	# the modules it imports (directly or not): the files under its directory
	find "$(dirname "$file")" -mindepth 2 -name '*.flyte' -exec \
		sed -n 's/^[ 	]*module[ 	][ 	]*\([A-Za-z0-9_.]*\).*/\1/p' {} + >"$w/imports" 2>/dev/null
	case $group in examples/*) ;; *) : >"$w/imports" ;; esac
	printf '%s\n' "$mod" >"$w/entrypoint"
	# a case without an image declaration gets one from the command line
	set --
	if ! grep -q '^[ 	]*image[ 	]' "$file"; then
		set -- --image=cr.example.com/conformance:1.0
	fi
	: >"$w/stderr"
	# shellcheck disable=SC2086 # $w_ is a command prefix
	$w_ "$FLYTEC" "$@" --emit=pb -o "$w/pb" "$file" 2>>"$w/stderr"
	s1=$?
	# shellcheck disable=SC2086
	$w_ "$FLYTEC" "$@" --emit=package -o "$w/a.tgz" "$file" 2>>"$w/stderr"
	s2=$?
	# shellcheck disable=SC2086
	$w_ "$FLYTEC" "$@" --emit=package -o "$w/b.tgz" "$file" 2>>"$w/stderr"
	s3=$?
	# shellcheck disable=SC2086
	$w_ "$FLYTEC" "$@" --emit=json "$file" >"$w/emit.json" 2>>"$w/stderr"
	s4=$?
	echo "$s1 $s2 $s3 $s4" >"$w/status"
	if [ -f "$w/a.tgz" ]; then
		tar tzf "$w/a.tgz" >/dev/null 2>&1
		echo $? >"$w/tar.rc"
		# shellcheck disable=SC2086
		$w_ "$FLYTEC" --show="$w/a.tgz" >"$w/show.json" 2>>"$w/stderr"
	fi
	if [ -d "$w/pb" ]; then
		for pb in "$w"/pb/*.pb; do
			[ -f "$pb" ] || continue
			name=$(basename "$pb")
			kind=${name%.pb}
			kind=${kind##*_}
			decode "$kind" "$pb" >"$w/dec/$name.txt" 2>&1
			echo $? >"$w/dec/$name.rc"
			# shellcheck disable=SC2086
			$w_ "$FLYTEC" --show="$pb" >"$w/show/$name.json" 2>>"$w/stderr"
		done
	fi
	printf '%s\t%s\n' "$group" "$w" >>"$tmp/list"
done <"$tmp/cases"

if [ ! -s "$tmp/list" ]; then
	echo "1..0 # SKIP no cases"
	exit 0
fi
# verify.js checks every case; selftest.js then breaks the quickstart's
# package in known ways and requires verify.js to notice. Their TAP streams
# are merged into one.
{
	"$NODE" "$top_srcdir/tests/conformance/verify.js" --modules "$modules" --version "$version" "$tmp/list"
	quick=$(sed -n 's|^examples/quickstart	||p' "$tmp/list")
	if [ -n "$quick" ]; then
		"$NODE" "$top_srcdir/tests/conformance/selftest.js" --modules "$modules" --version "$version" "$quick"
		# damaged artifacts for --show: fewer under a wrapper (valgrind is slow)
		FLYTEC_WRAPPER=$wrapper "$NODE" "$top_srcdir/tests/conformance/showfuzz.js" "$FLYTEC" "$quick" \
			"$([ -n "$wrapper" ] && echo 16 || echo 300)"
	fi
} >"$tmp/tap" 2>&1
status=$?
awk '
	/^1\.\.[0-9]+/ { next }
	/^(not )?ok [0-9]+/ {
		n++
		sub(/ok [0-9]+/, "ok " n)
	}
	{ line[++k] = $0 }
	END {
		print "1.." n
		for (i = 1; i <= k; i++) print line[i]
	}
' "$tmp/tap"
exit $status
