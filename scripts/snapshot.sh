#!/bin/bash
# snapshot.sh FLYTEC SRCDIR OUTDIR: writes every output of flytec for every
# .flyte file under SRCDIR's examples/, tests/ and docs/ into OUTDIR (one
# directory per file: signatures, --emit=json, the package, the generated C,
# the AST dump and --show of the package, with their diagnostics).
#
# For restructurings that must not change behaviour: snapshot the old and
# the new compiler over the same tree and compare,
#   git worktree add /tmp/old REV && (build it in /tmp/old/_build)
#   scripts/snapshot.sh /tmp/old/_build/flytec "$PWD" /tmp/snap-old
#   scripts/snapshot.sh _build/flytec "$PWD" /tmp/snap-new
#   diff -r /tmp/snap-old /tmp/snap-new && echo SAME
set -u
[ $# -eq 3 ] || { echo "usage: $0 FLYTEC SRCDIR OUTDIR" >&2; exit 2; }
fc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2 out=$3
rm -rf "$out" && mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)
cd "$src" || exit 1
find examples tests docs -name '*.flyte' | LC_ALL=C sort | while read -r f; do
	d="$out/$(echo "$f" | tr / _)"
	mkdir -p "$d"
	"$fc" --signatures "$f" >"$d/sig" 2>"$d/sig.err"
	echo $? >>"$d/sig.err"
	"$fc" --check "$f" >/dev/null 2>&1 || continue
	"$fc" --emit=json "$f" >"$d/json" 2>&1
	"$fc" --emit=package -o "$d/pkg.tgz" "$f" >"$d/pkg.err" 2>&1
	"$fc" --emit=c -o "$d/c" "$f" >/dev/null 2>&1
	"$fc" --dump-ast "$f" >"$d/ast" 2>&1
	(cd "$d" && "$fc" --show=pkg.tgz >show 2>&1)
done
