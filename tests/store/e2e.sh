#!/bin/sh
# e2e.sh: a task executable run as flytepropeller runs the container, against
# a real Ceph RADOS Gateway that this script starts (tests/fixtures/ceph.sh)
# and stops on any exit. A TAP producer.
#
# The container args come from the package flytec builds for
# tests/store/e2e.flyte (--emit=json), with propeller's placeholders
# substituted by s3:// URIs and propeller's environment (FLYTE_AWS_*; for map
# elements BATCH_JOB_ARRAY_INDEX_VAR_NAME and the index variable). inputs.pb
# is encoded by protoc from a text proto and put into the bucket by boto3 (the
# independent client, tests/store/standin.py); outputs.pb, error.pb and the
# uploaded blobs are read back by boto3 and decoded by protoc.
#
# Needs top_builddir (flytec, tests/store/e2e) and top_srcdir.

# scripts/test.sh sets FLYTEC_SKIP_SERVERS for make distcheck: the servers
# were tested in the plain, sanitizer and valgrind builds of the same tree
if [ -n "${FLYTEC_SKIP_SERVERS:-}" ]; then
	echo "1..0 # SKIP the servers' tests ran in the other builds (FLYTEC_SKIP_SERVERS)"
	exit 0
fi
set -u
LC_ALL=C
export LC_ALL
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
flytec=$top_builddir/flytec
exe=$top_builddir/tests/store/e2e
fixture=$top_srcdir/tests/fixtures/ceph.sh
standin=$top_srcdir/tests/store/standin.py
protos=$top_builddir/idl/npm/node_modules/@flyteorg/flyteidl/protos
python3=${PYTHON3:-/usr/bin/python3}
python3() { "$python3" "$@"; }
protoc=${PROTOC:-protoc}
for t in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph "$python3" "$protoc"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "Bail out! $t is not installed (scripts/deps.sh installs it)"
		exit 1
	fi
done
python3 -c 'import boto3' 2>/dev/null || { echo "Bail out! $python3 has no boto3"; exit 1; }
# A release tarball carries the generated C but not the .proto files that
# protoc needs to encode and decode (as tests/unit/test_runtime_exec skips).
if [ ! -f "$protos/flyteidl/core/literals.proto" ]; then
	if [ -d "$top_srcdir/.git" ]; then
		echo "Bail out! no flyteidl protos at $protos"
		exit 1
	fi
	echo "1..0 # SKIP no flyteidl .proto files at $protos (a build from a git checkout fetches them)"
	exit 0
fi
[ -x "$exe" ] && [ -x "$flytec" ] || { echo "Bail out! no $exe or $flytec"; exit 1; }

# The prologue and the TAP helpers (ok, not_ok, problem, check) of every
# shell test; it makes $tmp. The cleanup below replaces its EXIT trap.
. "$top_srcdir/tests/lib.sh"
ceph=$tmp/ceph
mounted=
cleanup() {
	[ -n "$mounted" ] && umount "$mounted" 2>/dev/null
	sh "$fixture" stop "$ceph"
	rm -rf "$tmp"
}
trap cleanup EXIT


if ! sh "$fixture" start "$ceph" 2>"$tmp/fixture.err"; then
	echo "1..1"
	echo "not ok 1 - the Ceph fixture starts"
	sed 's/^/# /' "$tmp/fixture.err"
	exit 1
fi
. "$ceph/env"
EP=$CEPH_S3_ENDPOINT
AK=$CEPH_S3_ACCESS_KEY
SK=$CEPH_S3_SECRET_KEY
ok "the Ceph fixture starts (radosgw at $EP)"

# The container's environment: nothing but what propeller would set.
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p; s/^\(FLYTE_[A-Z0-9_]*\)=.*/\1/p; s/^\(BATCH_JOB_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
export HOME="$tmp/home"
mkdir -p "$HOME" "$tmp/work"
export AWS_EC2_METADATA_DISABLED=true
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
# as the Flyte sandbox sets them for task pods
FLYTE="FLYTE_AWS_ENDPOINT=$EP FLYTE_AWS_ACCESS_KEY_ID=$AK FLYTE_AWS_SECRET_ACCESS_KEY=$SK FLYTE_ATTEMPT_NUMBER=0"

cl() { python3 "$standin" client "$EP" "$AK" "$SK" "$@"; }
B=flytec-e2e
cl mkbucket $B || problem "boto3 could not create bucket $B"
"$flytec" --emit=json -o "$tmp/pkg.json" "$top_srcdir/tests/store/e2e.flyte" 2>"$tmp/err" \
	|| problem "flytec --emit=json: $(cat "$tmp/err")"
check "boto3 creates bucket $B; flytec builds the package of e2e.flyte"

# encode NAME: the text proto on stdin into $tmp/NAME.pb (a LiteralMap)
encode() {
	"$protoc" --encode=flyteidl.core.LiteralMap -I"$protos" -I/usr/include flyteidl/core/literals.proto \
		>"$tmp/$1.pb" || problem "protoc --encode $1"
}
# decode TYPE FILE: the message as text
decode() {
	"$protoc" --decode="flyteidl.core.$1" -I"$protos" -I/usr/include flyteidl/core/literals.proto \
		flyteidl/core/errors.proto <"$2" 2>&1
}
# fetch KEY: boto3 gets s3://$B/KEY into $tmp/got (fails when absent)
fetch() { rm -f "$tmp/got"; cl get $B "$1" "$tmp/got" 2>/dev/null; }

# args TASK RUN: the container args of TASK's template (a substring of its
# file name in the package), placeholders substituted for run RUN, quoted
# for the shell, without the entrypoint (args[0])
args() {
	python3 - "$tmp/pkg.json" "$1" "s3://$B/runs/$2" "s3://$B/raw/$2" <<'EOF'
import json, shlex, sys
pkg, task, run, raw = sys.argv[1:]
names = [k for k in json.load(open(pkg)) if task in k]
t = json.load(open(pkg))[names[0]]["template"]
sub = {"{{.input}}": run + "/inputs.pb", "{{.outputPrefix}}": run + "/out",
       "{{.rawOutputDataPrefix}}": raw, "{{.checkpointOutputPrefix}}": run + "/ckpt",
       "{{.prevCheckpointPrefix}}": '""'}
print(" ".join(shlex.quote(sub.get(a, a)) for a in t["container"]["args"][1:]))
EOF
}
# run TASK RUN [ENV...]: runs the container of TASK for RUN (inputs already
# at runs/RUN/inputs.pb) in $tmp/work; sets rc and err
run() {
	task=$1 r=$2
	shift 2
	a=$(args "$task" "$r")
	# shellcheck disable=SC2086
	(cd "$tmp/work" && eval "env $FLYTE $* \"\$exe\" $a") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	err=$(cat "$tmp/err")
	[ -s "$tmp/out" ] && problem "stdout is not empty: $(cat "$tmp/out")"
}
# put_inputs RUN: the text proto on stdin as runs/RUN/inputs.pb
put_inputs() {
	encode "in-$1"
	cl put $B "runs/$1/inputs.pb" "$tmp/in-$1.pb" || problem "boto3 put inputs $1"
}
# the result of RUN (SUB: a legacy element's index directory)
want_outputs() {
	fetch "runs/$1/out/${2:+$2/}outputs.pb" || { problem "no outputs.pb for $1 (rc=$rc $err)"; return; }
	decode LiteralMap "$tmp/got" >"$tmp/dec"
	fetch "runs/$1/out/${2:+$2/}error.pb" && problem "an error.pb beside outputs.pb"
}
want_error() {
	fetch "runs/$1/out/error.pb" || { problem "no error.pb for $1 (rc=$rc $err)"; return; }
	decode ErrorDocument "$tmp/got" >"$tmp/dec"
	fetch "runs/$1/out/outputs.pb" && problem "an outputs.pb beside error.pb"
}
has() { grep -qF -- "$1" "$tmp/dec" || problem "no '$1' in: $(tr '\n' ' ' <"$tmp/dec")"; }

# ---- execute -----------------------------------------------------------------------
echo 'literals { key: "x" value { scalar { primitive { integer: 7 } } } }' | put_inputs sq7
run square_1 sq7
[ $rc -eq 0 ] || problem "rc=$rc $err"
want_outputs sq7
has 'key: "o0"'
has 'integer: 49'
check "execute square(7) from s3://: outputs.pb at the output prefix holds o0 = 49"

echo 'literals { key: "x" value { scalar { primitive { integer: -3 } } } }' | put_inputs neg
run square_1 neg
[ $rc -eq 0 ] || problem "rc=$rc (a reported failure exits 0)"
want_error neg
has 'code: "USER:RuntimeError"'
has 'message: "negative input -3"'
grep -q 'kind:' "$tmp/dec" && problem "kind is not NON_RECOVERABLE (the default, not printed)"
has 'origin: USER'
check "a task error: error.pb with the user's message (USER, NON_RECOVERABLE), exit 0"

echo 'literals { key: "x" value { scalar { primitive { integer: 666 } } } }' | put_inputs crash
run square_1 crash
[ $rc -eq 0 ] || problem "rc=$rc $err"
want_error crash
has 'code: "USER:Crash"'
has 'task e2e.square crashed: signal 11 (Segmentation fault)'
has 'kind: RECOVERABLE'
check "a task that segfaults: error.pb names the task and signal 11 (USER:Crash, RECOVERABLE)"

# start_supervised: runs the container args $a in the background (parent)
# and waits up to 10 s for its supervised task process (child, or empty).
start_supervised() {
	(cd "$tmp/work" && eval "exec env $FLYTE \"\$exe\" $a") >"$tmp/out" 2>"$tmp/err" &
	parent=$!
	child=
	for _ in $(seq 100); do
		child=$(ps -o pid=,args= --ppid "$parent" | grep -F -- "--task e2e.square" | awk '{print $1}' | head -1)
		[ -n "$child" ] && break
		sleep 0.1
	done
}

echo 'literals { key: "x" value { scalar { primitive { integer: 777 } } } }' | put_inputs killed
a=$(args square_1 killed)
start_supervised
if [ -n "$child" ]; then
	sleep 0.3
	kill -KILL "$child"
else
	problem "no supervised child appeared"
	kill -KILL "$parent"
fi
wait "$parent"
rc=$?
err=$(cat "$tmp/err")
[ $rc -eq 0 ] || problem "rc=$rc $err"
want_error killed
has 'was killed by signal 9 (SIGKILL)'
has 'kind: RECOVERABLE'
has 'origin: SYSTEM'
check "the task's process killed with SIGKILL (as the OOM killer does): error.pb, SYSTEM, RECOVERABLE"

# the entrypoint terminated (a pod deleted: SIGTERM to PID 1): the task's process goes too
a=$(args square_1 killed)
start_supervised
[ -n "$child" ] || problem "no supervised child appeared"
kill -TERM "$parent"
wait "$parent"
for _ in $(seq 50); do
	[ -n "$child" ] && kill -0 "$child" 2>/dev/null || break
	sleep 0.1
done
[ -n "$child" ] && kill -0 "$child" 2>/dev/null && { problem "the child $child outlived its parent"; kill -KILL "$child"; }
check "SIGTERM to the entrypoint (a pod deleted) ends the task's process as well"

# ---- map elements ----------------------------------------------------------------------
cat <<'EOF' | put_inputs map
literals { key: "x" value { collection {
  literals { scalar { primitive { integer: 3 } } }
  literals { scalar { primitive { integer: 4 } } }
  literals { scalar { primitive { integer: 5 } } } } } }
EOF
cl get $B runs/map/inputs.pb "$tmp/m.pb" && cl put $B runs/legacy/inputs.pb "$tmp/m.pb" || problem "copy inputs"
run arraynode map BATCH_JOB_ARRAY_INDEX_VAR_NAME=FLYTE_K8S_ARRAY_INDEX FLYTE_K8S_ARRAY_INDEX=1
[ $rc -eq 0 ] || problem "rc=$rc $err"
want_outputs map
has 'integer: 16'
check "map-execute, an ArrayNode element (FLYTE_K8S_ARRAY_INDEX=1): outputs.pb at the prefix, 16"

run d41d8cd98f00b204e9800998ecf8427e legacy BATCH_JOB_ARRAY_INDEX_VAR_NAME=FLYTE_K8S_ARRAY_INDEX \
	FLYTE_K8S_ARRAY_INDEX=1 BATCH_JOB_ARRAY_INDEX_OFFSET=1
[ $rc -eq 0 ] || problem "rc=$rc $err"
want_outputs legacy 2
has 'integer: 25'
fetch runs/legacy/out/outputs.pb && problem "a legacy element wrote at the prefix itself"
check "map-execute --legacy, element 1 + offset 1: outputs.pb at <prefix>/2/, 25"

# ---- blobs -------------------------------------------------------------------------------
printf 'hello blobs\n' >"$tmp/in.txt"
printf 'x\n' >"$tmp/x.txt"
cl put $B data/in.txt "$tmp/in.txt" && cl put $B data/dir/x.txt "$tmp/x.txt" &&
	cl put $B "data/dir/y/z w.txt" "$tmp/x.txt" && cl put $B data/dir/y/q.txt "$tmp/x.txt" &&
	cl put $B "data/dir/a&b<c>.txt" "$tmp/x.txt" &&
	cl put $B data/dirx/not-mine.txt "$tmp/x.txt" && cl put $B data/kept.bin "$tmp/x.txt" ||
	problem "boto3 put the blobs"
cat <<EOF | put_inputs blobs
literals { key: "f" value { scalar { blob { metadata { type { } } uri: "s3://$B/data/in.txt" } } } }
literals { key: "d" value { scalar { blob { metadata { type { dimensionality: MULTIPART } }
  uri: "s3://$B/data/dir" } } } }
literals { key: "keep" value { scalar { primitive { string_value: "s3://$B/data/kept.bin" } } } }
EOF
mkdir -p "$tmp/tmpdir"
run blobs_1 blobs FLYTEC_S3_LIST_PAGE=2 TMPDIR="$tmp/tmpdir"
[ $rc -eq 0 ] || problem "rc=$rc $err"
[ -z "$(ls -A "$tmp/tmpdir")" ] || problem "downloads left in TMPDIR: $(ls -A "$tmp/tmpdir")"
want_outputs blobs
has 'integer: 4'
has "uri: \"s3://$B/data/kept.bin\""
fileuri=$(sed -n 's|.*uri: "\(s3://[^"]*/e2e-result.txt\)".*|\1|p' "$tmp/dec")
diruri=$(sed -n 's|.*uri: "\(s3://[^"]*\)".*|\1|p' "$tmp/dec" | grep -v -e e2e-result -e kept.bin)
echo "$fileuri" | grep -Eq "^s3://$B/raw/blobs/[0-9a-f]{32}/e2e-result.txt\$" || problem "file output at '$fileuri'"
echo "$diruri" | grep -Eq "^s3://$B/raw/blobs/[0-9a-f]{32}\$" || problem "dir output at '$diruri'"
fetch "${fileuri#s3://$B/}" && [ "$(cat "$tmp/got")" = "upper: hello blobs" ] ||
	problem "the uploaded file holds '$(cat "$tmp/got" 2>/dev/null)'"
keys=$(cl list $B "${diruri#s3://$B/}/" | sed "s|^${diruri#s3://$B/}/||" | sort | tr '\n' ' ')
[ "$keys" = "a.txt sub/b.txt " ] || problem "the uploaded dir holds: $keys"
check "file and dir inputs downloaded (4 objects under the prefix, listed 2 a page, '&<>' in a key; not the sibling prefix; removed after the upload); outputs uploaded as raw/<32 hex>/NAME and raw/<32 hex>/…; a remote URI returned is kept"

cat <<EOF | put_inputs noblob
literals { key: "f" value { scalar { blob { metadata { type { } } uri: "s3://$B/data/missing.txt" } } } }
literals { key: "d" value { scalar { blob { metadata { type { dimensionality: MULTIPART } }
  uri: "s3://$B/data/dir" } } } }
literals { key: "keep" value { scalar { primitive { string_value: "" } } } }
EOF
run blobs_1 noblob TMPDIR="$tmp/tmpdir"
[ -z "$(ls -A "$tmp/tmpdir")" ] || problem "downloads left in TMPDIR: $(ls -A "$tmp/tmpdir")"
want_error noblob
has "cannot download the input \\'f\\': 404"
has "404 NoSuchKey on s3://$B/data/missing.txt"
has 'kind: RECOVERABLE'
check "a missing input blob: error.pb naming the input and the 404 (SYSTEM, RECOVERABLE)"

# ---- the store refuses ----------------------------------------------------------------------
run square_1 sq7 FLYTE_AWS_SECRET_ACCESS_KEY=wrong-secret
[ $rc -ne 0 ] || problem "rc=0 with wrong credentials"
case $err in *"SignatureDoesNotMatch"*) ;; *) problem "stderr: $err" ;; esac
fetch runs/sq7/out/error.pb && problem "an error.pb was written"
check "wrong credentials: non-zero exit, SignatureDoesNotMatch on stderr, no error.pb ($rc)"

a=$(args square_1 sq7 | sed "s|s3://$B/runs/sq7/inputs.pb|s3://no-such-bucket-e2e/inputs.pb|")
(cd "$tmp/work" && eval "env $FLYTE \"\$exe\" $a") >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || problem "rc=$rc $(cat "$tmp/err")"
fetch runs/sq7/out/error.pb || problem "no error.pb"
decode ErrorDocument "$tmp/got" >"$tmp/dec"
has "404 NoSuchBucket on s3://no-such-bucket-e2e/inputs.pb"
has 'kind: RECOVERABLE'
a=$(args square_1 sq7 | sed "s|s3://$B/runs/sq7/out|s3://no-such-bucket-e2e/out|")
(cd "$tmp/work" && eval "env $FLYTE \"\$exe\" $a") >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] || problem "rc=0 for an output prefix in an unknown bucket"
grep -q "NoSuchBucket" "$tmp/err" || problem "stderr: $(cat "$tmp/err")"
check "an unknown bucket: for the inputs, error.pb says NoSuchBucket; for the output prefix, stderr and exit $rc"

# ---- the local disk ---------------------------------------------------------------------------
mkfifo "$tmp/fifo"
a=$(args square_1 fifo | sed "s|s3://$B/runs/fifo/inputs.pb|$tmp/fifo|; s|s3://$B/runs/fifo/out|$tmp/fifo-out|")
(cd "$tmp/work" && eval "timeout 20 env $FLYTE \"\$exe\" $a") >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || problem "rc=$rc $(cat "$tmp/err") (124: it hung)"
decode ErrorDocument "$tmp/fifo-out/error.pb" >"$tmp/dec"
has "is not a regular file (it is a FIFO)"
check "a FIFO as --inputs: no hang, error.pb says so"

mkdir -p "$tmp/full"
if mount -t tmpfs -o size=64k tmpfs "$tmp/full" 2>/dev/null; then
	mounted=$tmp/full
	head -c 57344 /dev/zero >"$tmp/full/filler" 2>/dev/null
	echo 'literals { key: "n" value { scalar { primitive { integer: 200000 } } } }' | encode big
	a=$(args big_1 big | sed "s|s3://$B/runs/big/inputs.pb|$tmp/big.pb|; s|s3://$B/runs/big/out|$tmp/full/out|")
	(cd "$tmp/work" && eval "env $FLYTE \"\$exe\" $a") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 0 ] || problem "rc=$rc $(cat "$tmp/err")"
	grep -q "No space left on device" "$tmp/err" || problem "stderr: $(cat "$tmp/err")"
	[ -e "$tmp/full/out/outputs.pb" ] && problem "a partial outputs.pb"
	ls -A "$tmp/full/out" | grep -q '^\.' && problem "a temporary file was left: $(ls -A "$tmp/full/out")"
	decode ErrorDocument "$tmp/full/out/error.pb" >"$tmp/dec"
	has "cannot write the outputs under $tmp/full/out"
	has 'kind: RECOVERABLE'
	umount "$tmp/full" && mounted=
	check "a full disk (a 64 KiB tmpfs) under 200 KB of outputs: a small error.pb instead, no partial file"
else
	ok "# SKIP a full disk: cannot mount a tmpfs here (not root)"
fi

# ---- the image ----------------------------------------------------------------------------------
# What contrib/Dockerfile's last stage holds, made by the same script: the
# task executable, its libraries, the CA certificates. A container runtime
# adds /dev; here the root gets its own null device (never the host's).
img=$tmp/image
if ldd "$exe" 2>/dev/null | grep -q libasan; then
	# AddressSanitizer reads /proc (its maps) and LeakSanitizer ptraces:
	# an instrumented executable is not what an image ships
	skip "the image closure under chroot" "an AddressSanitizer build needs /proc, which only a container runtime would mount"
elif sh "$top_srcdir/scripts/image-closure.sh" "$exe" "$img" e2e 2>"$tmp/err"; then
	mkdir -p "$img/dev" "$img/work"
	mknod -m 666 "$img/dev/null" c 1 3 2>/dev/null || problem "cannot make the image's /dev/null"
	echo 'literals { key: "x" value { scalar { primitive { integer: 9 } } } }' | put_inputs chroot9
	a=$(args square_1 chroot9)
	chroot=$(command -v chroot)
	# only what propeller passes: no HOME, no PATH from this machine
	(eval "env -i PATH=/usr/local/bin $FLYTE \"\$chroot\" \"\$img\" e2e $a") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 0 ] || problem "execute in the image root: rc=$rc $(cat "$tmp/err")"
	want_outputs chroot9
	has 'integer: 81'
	extra=$(cd "$img" && find . -type f ! -path './usr/local/bin/e2e' ! -name '*.so*' ! -path './etc/*' | sort | tr '\n' ' ')
	[ -z "$extra" ] || problem "the image holds more than the closure: $extra"
	check "the image closure (scripts/image-closure.sh): execute square(9) under chroot reads s3:// inputs and writes o0 = 81"
else
	problem "image-closure.sh: $(cat "$tmp/err")"
	check "the image closure (scripts/image-closure.sh): execute square(9) under chroot reads s3:// inputs and writes o0 = 81"
fi

# ---- the end --------------------------------------------------------------------------------
left=$(ps -eo pid=,args= | grep -F "$exe" | grep -v grep)
[ -z "$left" ] || problem "task processes left: $left"
pids=$(cat "$ceph"/*.pid 2>/dev/null)
sh "$fixture" stop "$ceph"
for p in $pids; do
	kill -0 "$p" 2>/dev/null && problem "process $p still runs"
done
check "no task process is left; the fixture stops (radosgw, osd, mon)"

echo "1..$n"
[ $failed -eq 0 ]
