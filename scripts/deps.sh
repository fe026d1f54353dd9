#!/bin/sh
# Installs what building and testing flytec needs on Debian (12 or later),
# when it is missing: the build tools and libraries as Debian packages, and
# node/npm (the pinned flyteidl npm package is fetched by the build itself);
# then Azurite, the Azure Storage emulator of tests/store/azure.sh, with npm ci
# from tests/fixtures/azurite/package-lock.json (skipped when that lock is
# installed already).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)

packages="gcc make autoconf automake libtool autoconf-archive pkg-config
bison flex protobuf-c-compiler libprotobuf-c-dev libprotobuf-dev protobuf-compiler
check libarchive-dev libdeflate-dev libmd-dev zlib1g-dev libsqlite3-dev valgrind clang libclang-rt-14-dev
libcurl4-openssl-dev libssl-dev curl python3 python3-boto3
radosgw ceph-mon ceph-osd ceph-common
slurmctld slurmd slurm-client munge
binutils cmake ninja-build graphviz groff-base"

missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
		|| missing="$missing $p"
done
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"

# azurite: npm ci from the lock, unless node_modules holds that very lock
azurite() {
	d=$here/tests/fixtures/azurite
	stamp=$d/node_modules/.flytec-lock
	if [ -x "$d/node_modules/.bin/azurite-blob" ] && cmp -s "$d/package-lock.json" "$stamp"; then
		return 0
	fi
	echo "deps.sh: installing Azurite (npm ci in $d)" >&2
	(cd "$d" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || {
		echo "deps.sh: npm ci failed in $d" >&2
		return 1
	}
	cp "$d/package-lock.json" "$stamp"
}

if [ -z "$missing" ]; then
	azurite
	exit $?
fi

if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo=sudo
else
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run as root: apt-get install$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
azurite
