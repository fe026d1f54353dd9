#!/bin/sh
# Installs, on Debian, what `make bench` and `make bench-runtime` need beyond
# scripts/deps.sh: GNU time and valgrind (callgrind's instruction counts),
# the references (protoc-c comes with deps.sh; Thrift's compiler), and
# python3-protobuf for the codec's Python reference. The benchmarks are
# not part of CI; this is for running them by hand.
set -eu

packages="time valgrind thrift-compiler python3-protobuf protobuf-compiler protobuf-c-compiler libprotobuf-c-dev gcc"

missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
		|| missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo=sudo
else
	echo "bench-deps.sh: missing packages:$missing" >&2
	echo "bench-deps.sh: run as root: apt-get install$missing" >&2
	exit 1
fi
echo "bench-deps.sh: installing$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
