#!/bin/sh
# image-closure.sh EXE ROOT [NAME]: puts into the empty directory ROOT
# exactly what a task image needs to run EXE, and nothing else:
#   ROOT/usr/local/bin/NAME        the task executable (NAME: default its
#                                  file name; flytec's --entrypoint, which
#                                  defaults to the module name, must match)
#   every shared library ldd lists, at the path ldd shows (the dynamic
#   loader included; symlinks resolved into files)
#   ROOT/etc/ssl/certs/ca-certificates.crt   for https:// object stores
#   ROOT/etc/nsswitch.conf, ROOT/tmp          name lookups; temporary files
# contrib/Dockerfile builds its last stage (FROM scratch) from this ROOT,
# and tests/store/e2e.sh runs `execute` in it under chroot, so the test
# and the image hold the same files. A container runtime adds /dev, /proc
# and the pod's /etc/hosts and /etc/resolv.conf.
set -eu
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: image-closure.sh EXE ROOT [NAME]" >&2
	exit 2
fi
exe=$1 root=$2 name=${3:-$(basename "$1")}
[ -f "$exe" ] && [ -x "$exe" ] || { echo "image-closure.sh: $exe is not an executable file" >&2; exit 1; }
mkdir -p "$root"
if [ -n "$(ls -A "$root")" ]; then
	echo "image-closure.sh: $root is not empty" >&2
	exit 1
fi
libs=$(ldd "$exe") || { echo "image-closure.sh: ldd $exe failed (not a dynamic executable?)" >&2; exit 1; }
case $libs in
*"not found"*) echo "image-closure.sh: $exe needs a library ldd cannot find:" >&2; echo "$libs" | grep 'not found' >&2; exit 1 ;;
esac
mkdir -p "$root/usr/local/bin" "$root/tmp" "$root/etc/ssl/certs"
chmod 1777 "$root/tmp"
cp "$exe" "$root/usr/local/bin/$name"
# "libx.so.1 => /lib/.../libx.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
echo "$libs" | sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' | sort -u |
while IFS= read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
fi
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
