#!/bin/sh
# Installs the pinned @flyteorg/flyteidl npm package (and protobufjs, for the
# conformance tests) into DEST/node_modules with `npm ci`, which checks every
# tarball against the sha512 integrity recorded in package-lock.json; then
# checks that the lock file records the integrity pinned in configure.ac.
#
# usage: fetch.sh SRCDIR DEST VERSION INTEGRITY
set -eu
srcdir=$1 dest=$2 version=$3 integrity=$4

mkdir -p "$dest"
for f in package.json package-lock.json .npmrc; do
	cp "$srcdir/$f" "$dest/$f"
done
grep -q "\"integrity\": \"$integrity\"" "$dest/package-lock.json" || {
	echo "fetch.sh: package-lock.json does not pin @flyteorg/flyteidl to $integrity" >&2
	exit 1
}
(cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
got=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$dest/node_modules/@flyteorg/flyteidl/package.json")
[ "$got" = "$version" ] || {
	echo "fetch.sh: installed @flyteorg/flyteidl $got, expected $version" >&2
	exit 1
}
