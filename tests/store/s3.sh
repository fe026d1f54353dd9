#!/bin/sh
# s3.sh: the s3:// layer (runtime/store.c, s3.c) against a real Ceph RADOS
# Gateway that this script starts (tests/fixtures/ceph.sh) and stops on any
# exit. A TAP producer. boto3 (tests/store/standin.py client) is the
# independent client that reads and writes the same bucket; small python3
# servers stand in for the container credential service, IMDSv2, STS and a
# faulty network (tests/store/standin.py). Skips without Ceph or boto3.
#
# Needs top_builddir (storectl) and top_srcdir.

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
storectl=$top_builddir/tests/store/storectl
fixture=$top_srcdir/tests/fixtures/ceph.sh
standin=$top_srcdir/tests/store/standin.py

# The independent client is Debian's python3 with python3-boto3 (what
# scripts/deps.sh installs), not whatever python3 comes first on PATH.
python3=${PYTHON3:-/usr/bin/python3}
python3() { "$python3" "$@"; }
# scripts/deps.sh installs all of these: a missing one is a failure, not a skip.
for t in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph "$python3" sha256sum; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "Bail out! $t is not installed (scripts/deps.sh installs it)"
		exit 1
	fi
done
if ! python3 -c 'import boto3' 2>/dev/null; then
	echo "Bail out! $python3 has no boto3 (scripts/deps.sh: python3-boto3)"
	exit 1
fi
[ -x "$storectl" ] || { echo "Bail out! no $storectl"; exit 1; }

# The prologue and the TAP helpers (ok, not_ok, problem, check) of every
# shell test; it makes $tmp. The cleanup below replaces its EXIT trap.
. "$top_srcdir/tests/lib.sh"
ceph=$tmp/ceph
standins=
cleanup() {
	for p in $standins; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	sh "$fixture" stop "$ceph"
	rm -rf "$tmp"
}
trap cleanup EXIT

note() { echo "# $*"; }

# now_ms: milliseconds since the epoch
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }

# ---- the cluster ----------------------------------------------------------------
t0=$(now_ms)
if ! sh "$fixture" start "$ceph" 2>"$tmp/fixture.err"; then
	echo "1..1"
	echo "not ok 1 - the Ceph fixture starts"
	sed 's/^/# /' "$tmp/fixture.err"
	exit 1
fi
t1=$(now_ms)
. "$ceph/env"
EP=$CEPH_S3_ENDPOINT
AK=$CEPH_S3_ACCESS_KEY
SK=$CEPH_S3_SECRET_KEY
ok "the Ceph fixture starts (mon, memstore osd, radosgw at $EP) in $((t1 - t0)) ms"

# Every run of storectl starts from a clean environment: no credentials or
# endpoint but what a test gives.
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p; s/^\(FLYTE_AWS_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
export HOME="$tmp/home"
mkdir -p "$HOME"
export AWS_EC2_METADATA_DISABLED=true
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

# sc ENV... -- ARGS: runs storectl with the variables; sets rc, out, err
sc() {
	args=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args="$args $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	env $args "$storectl" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}
CREDS="FLYTE_AWS_ENDPOINT=$EP AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK"
cl() { python3 "$standin" client "$EP" "$AK" "$SK" "$@"; }

B=flytec-test
cl mkbucket $B || problem "boto3 could not create bucket $B"
check "boto3 creates the bucket $B"

sc -- sigv4-test
[ $rc -eq 0 ] || problem "rc=$rc $err"
check "Signature V4 of AWS's get-vanilla example"

# ---- round trips ----------------------------------------------------------------------
printf 'hello, object store\n' >"$tmp/small"
sc $CREDS -- put "$tmp/small" "s3://$B/dir/small.txt"
[ $rc -eq 0 ] || problem "put: rc=$rc $err"
cl get $B dir/small.txt "$tmp/small.boto" || problem "boto3 cannot read dir/small.txt"
[ "$(sha "$tmp/small")" = "$(sha "$tmp/small.boto" 2>/dev/null)" ] || problem "boto3 read other bytes"
check "small put; boto3 reads the same bytes"

head -c 1000 /dev/urandom >"$tmp/small2"
cl put $B from-boto "$tmp/small2" || problem "boto3 put failed"
sc $CREDS -- get "s3://$B/from-boto" "$tmp/got/deeper/small2"
[ $rc -eq 0 ] || problem "get: rc=$rc $err"
[ "$(sha "$tmp/small2")" = "$(sha "$tmp/got/deeper/small2" 2>/dev/null)" ] || problem "other bytes"
ls "$tmp/got/deeper" | grep -q tmp && problem "a temporary file was left: $(ls "$tmp/got/deeper")"
check "small get of a boto3 object (parent directories made, no temporary file left)"

sc $CREDS -- head "s3://$B/from-boto"
want="1000 $(cl etag $B from-boto)"
[ $rc -eq 0 ] && [ "$out" = "$want" ] || problem "head: rc=$rc out='$out' want '$want' $err"
sc $CREDS -- head "s3://$B/not-there"
[ $rc -eq 3 ] && [ "$out" = absent ] || problem "head of a missing key: rc=$rc out='$out' $err"
check "head: size and ETag as boto3 sees them; a missing key is absent"

sc $CREDS -- getmem "s3://$B/from-boto" "$tmp/mem" 1000
[ $rc -eq 0 ] && cmp -s "$tmp/mem" "$tmp/small2" || problem "getmem at the limit: rc=$rc $err"
sc $CREDS -- getmem "s3://$B/from-boto" "$tmp/mem2" 999
[ $rc -eq 1 ] || problem "getmem over the limit: rc=$rc"
case $err in *"s3://$B/from-boto is larger than the limit of 999 bytes"*) ;; *) problem "message: $err" ;; esac
[ -e "$tmp/mem2" ] && problem "getmem over the limit wrote $tmp/mem2"
sc $CREDS -- putmem "$tmp/small2" "s3://$B/mem/put"
cl get $B mem/put "$tmp/mem3" && cmp -s "$tmp/mem3" "$tmp/small2" || problem "putmem: rc=$rc $err"
check "memory forms: get within a limit (over it an error naming the URI), put"

# keys whose characters need encoding in the path (and would be query
# strings, fragments or dot segments if sent raw)
cat >"$tmp/keys" <<'EOF'
a b/c d.txt
q?x=1&y=2
plus+sign=eq
pct%20not-a-space
hash#frag
tilde~star*(paren)'quote"dq
semi;colon,comma:at@dollar$
dir//double/./dot/../up
unicode-é-ü-日本
bracket[1]{2}|pipe^caret`tick<lt>gt
back\slash
EOF
i=0
while IFS= read -r key; do
	i=$((i + 1))
	printf 'key %s\n' "$key" >"$tmp/k$i"
	printf 'boto %s\n' "$key" >"$tmp/kb$i"
	sc $CREDS -- put "$tmp/k$i" "s3://$B/keys/$key"
	[ $rc -eq 0 ] || problem "put '$key': $err"
done <"$tmp/keys"
# boto3 lists each key by its exact name, reads the bytes, writes b-KEY
cl verify-keys $B keys/ "$tmp/keys" "$tmp" >"$tmp/verify" 2>&1 || problem "boto3: $(cat "$tmp/verify")"
i=0
while IFS= read -r key; do
	i=$((i + 1))
	sc $CREDS -- get "s3://$B/keys/b-$key" "$tmp/kb$i.got"
	[ $rc -eq 0 ] && cmp -s "$tmp/kb$i" "$tmp/kb$i.got" || problem "get 'b-$key': rc=$rc $err"
done <"$tmp/keys"
check "$i keys with characters that need encoding: written and read both ways, exact names"

# ---- 20 MB ---------------------------------------------------------------------------------
head -c 20000000 /dev/urandom >"$tmp/big"
bigsha=$(sha "$tmp/big")
MP="FLYTEC_S3_MULTIPART_THRESHOLD=8388608 FLYTEC_S3_PART_SIZE=5242880"
t0=$(now_ms)
sc $CREDS $MP -- put "$tmp/big" "s3://$B/big/multi"
t1=$(now_ms)
[ $rc -eq 0 ] || problem "multipart put: rc=$rc $err"
cl get $B big/multi "$tmp/big.boto" && [ "$(sha "$tmp/big.boto")" = "$bigsha" ] || problem "boto3 reads other bytes"
etag=$(cl etag $B big/multi)
case $etag in *-4) ;; *) problem "ETag '$etag': not a 4-part upload" ;; esac
check "20 MB multipart put (8 MiB threshold, 5 MiB parts: 4 parts); boto3 reads the same sha256"
note "20 MB multipart put: $((t1 - t0)) ms"

t0=$(now_ms)
sc $CREDS -- put "$tmp/big" "s3://$B/big/single"
t1=$(now_ms)
[ $rc -eq 0 ] || problem "single put: rc=$rc $err"
etag=$(cl etag $B big/single)
case $etag in *-*) problem "ETag '$etag' of a multipart upload" ;; esac
[ "$etag" = "$(md5sum <"$tmp/big" | cut -d' ' -f1)" ] || problem "ETag $etag is not the MD5"
check "20 MB single put (below the default 64 MiB threshold); ETag is its MD5"
note "20 MB single put: $((t1 - t0)) ms"

cl put $B big/boto "$tmp/big"
t0=$(now_ms)
sc $CREDS -- get "s3://$B/big/boto" "$tmp/big.got"
t1=$(now_ms)
[ $rc -eq 0 ] && [ "$(sha "$tmp/big.got")" = "$bigsha" ] || problem "get: rc=$rc $err"
sc $CREDS -- get "s3://$B/big/multi" "$tmp/big.got2"
[ $rc -eq 0 ] && [ "$(sha "$tmp/big.got2")" = "$bigsha" ] || problem "get multipart: rc=$rc $err"
check "20 MB gets (a boto3 object; the multipart object) have the same sha256"
note "20 MB get: $((t1 - t0)) ms"

sc $CREDS $MP -- putmem "$tmp/big" "s3://$B/big/mem"
cl get $B big/mem "$tmp/big.mem" && [ "$(sha "$tmp/big.mem")" = "$bigsha" ] || problem "putmem: rc=$rc $err"
check "20 MB multipart put from memory"

if curl --help all 2>/dev/null | grep -q aws-sigv4; then
	t0=$(now_ms)
	curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
		-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$tmp/big" "$EP/$B/big/curl" -o /dev/null \
		|| problem "curl put failed"
	t1=$(now_ms)
	curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
		-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$EP/$B/big/curl" -o "$tmp/big.curl" \
		|| problem "curl get failed"
	t2=$(now_ms)
	[ "$(sha "$tmp/big.curl")" = "$bigsha" ] || problem "curl read other bytes"
	check "curl --aws-sigv4 (a second independent client) moves the same 20 MB"
	note "curl --aws-sigv4: 20 MB put $((t1 - t0)) ms, get $((t2 - t1)) ms"
fi

# ---- errors ------------------------------------------------------------------------------
sc FLYTE_AWS_ENDPOINT=$EP AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=wrong-secret -- get "s3://$B/from-boto" "$tmp/x"
[ $rc -ne 0 ] || problem "rc=0"
case $err in *"403 SignatureDoesNotMatch on s3://$B/from-boto: the secret key does not match"*) ;;
*) problem "message: $err" ;; esac
sc FLYTE_AWS_ENDPOINT=$EP AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=wrong-secret -- put "$tmp/small" "s3://$B/x"
case $err in *"403 SignatureDoesNotMatch on s3://$B/x"*) ;; *) problem "put message: $err" ;; esac
[ -e "$tmp/x" ] && problem "a file was written"
check "wrong secret: non-zero exit, '403 SignatureDoesNotMatch' naming the URI (get and put)"

sc FLYTE_AWS_ENDPOINT=$EP AWS_ACCESS_KEY_ID=NOSUCHKEYID0000000 AWS_SECRET_ACCESS_KEY=$SK -- get "s3://$B/from-boto" "$tmp/x"
[ $rc -ne 0 ] || problem "rc=0"
case $err in *"403 InvalidAccessKeyId on s3://$B/from-boto"*NOSUCHKEYID0000000*) ;; *) problem "message: $err" ;; esac
check "unknown access key: '403 InvalidAccessKeyId' with the key ID"

sc $CREDS -- get "s3://no-such-bucket-x/k" "$tmp/x"
[ $rc -ne 0 ] || problem "rc=0"
case $err in *"404 NoSuchBucket on s3://no-such-bucket-x/k: there is no bucket 'no-such-bucket-x' at $EP"*) ;;
*) problem "message: $err" ;; esac
check "unknown bucket: '404 NoSuchBucket' naming bucket and endpoint"

sc $CREDS -- get "s3://$B/no/such/key" "$tmp/x"
[ $rc -ne 0 ] || problem "rc=0"
case $err in *"404 NoSuchKey on s3://$B/no/such/key"*) ;; *) problem "message: $err" ;; esac
[ -n "$(ls "$tmp" | grep '^x')" ] && problem "left: $(ls "$tmp" | grep '^x')"
check "missing key: '404 NoSuchKey'; no file and no temporary file left"

sc FLYTE_AWS_ENDPOINT=$EP -- get "s3://$B/from-boto" "$tmp/x"
case $rc:$err in 1:*"no AWS credentials found"*) ;; *) problem "rc=$rc $err" ;; esac
for u in 's3://' 's3:///k' "s3://$B" "s3://$B/" 'gs://b/k' 's3://bad bucket/k'; do
	sc $CREDS -- get "$u" "$tmp/x"
	[ $rc -eq 1 ] && [ -n "$err" ] || problem "'$u': rc=$rc"
	case $err in *"'$u'"*) ;; *) problem "'$u': the message does not name it: $err" ;; esac
done
sc FLYTE_AWS_ENDPOINT=ftp://127.0.0.1:1 AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK -- get "s3://$B/k" "$tmp/x"
case $rc:$err in 1:*"FLYTE_AWS_ENDPOINT='ftp://127.0.0.1:1'"*http*) ;; *) problem "ftp endpoint: rc=$rc $err" ;; esac
check "no credentials, malformed URIs, unknown schemes and endpoints: clear errors"

# ---- credential sources ------------------------------------------------------------------------
sc FLYTE_AWS_ENDPOINT=$EP FLYTE_AWS_ACCESS_KEY_ID=$AK FLYTE_AWS_SECRET_ACCESS_KEY=$SK -- get "s3://$B/from-boto" "$tmp/c1"
[ $rc -eq 0 ] || problem "FLYTE_ alone: $err"
sc FLYTE_AWS_ENDPOINT=$EP FLYTE_AWS_ACCESS_KEY_ID=$AK FLYTE_AWS_SECRET_ACCESS_KEY=$SK AWS_ACCESS_KEY_ID=$AK \
	AWS_SECRET_ACCESS_KEY=wrong -- get "s3://$B/from-boto" "$tmp/c1"
[ $rc -eq 0 ] || problem "FLYTE_ before AWS_: $err"
check "flytekit's FLYTE_AWS_ACCESS_KEY_ID/SECRET (ahead of AWS_*)"

sc AWS_ENDPOINT_URL_S3=$EP AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK -- get "s3://$B/from-boto" "$tmp/c2"
[ $rc -eq 0 ] || problem "AWS_ENDPOINT_URL_S3: $err"
sc AWS_ENDPOINT_URL=$EP/ AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK -- get "s3://$B/from-boto" "$tmp/c2"
[ $rc -eq 0 ] || problem "AWS_ENDPOINT_URL: $err"
check "AWS_ACCESS_KEY_ID/SECRET with AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL"

mkdir -p "$tmp/aws"
cat >"$tmp/aws/credentials" <<EOF
[default]
aws_access_key_id = $AK
aws_secret_access_key = wrong-default

# the profile used
[flytec]
aws_access_key_id = $AK
aws_secret_access_key = $SK
EOF
cat >"$tmp/aws/config" <<EOF
[default]
region = us-east-1
[profile cfg]
aws_access_key_id=$AK
aws_secret_access_key=$SK
EOF
F="FLYTE_AWS_ENDPOINT=$EP AWS_SHARED_CREDENTIALS_FILE=$tmp/aws/credentials AWS_CONFIG_FILE=$tmp/aws/config"
sc $F AWS_PROFILE=flytec -- get "s3://$B/from-boto" "$tmp/c3"
[ $rc -eq 0 ] || problem "profile flytec in the credentials file: $err"
sc $F -- get "s3://$B/from-boto" "$tmp/c3"
case $rc:$err in 1:*SignatureDoesNotMatch*"profile 'default'"*) ;; *) problem "default profile: rc=$rc $err" ;; esac
sc $F AWS_PROFILE=cfg -- get "s3://$B/from-boto" "$tmp/c3"
[ $rc -eq 0 ] || problem "profile cfg in the config file: $err"
mkdir -p "$HOME/.aws" && cp "$tmp/aws/credentials" "$HOME/.aws/credentials"
sc FLYTE_AWS_ENDPOINT=$EP AWS_PROFILE=flytec -- get "s3://$B/from-boto" "$tmp/c3"
[ $rc -eq 0 ] || problem "~/.aws/credentials: $err"
rm -rf "$HOME/.aws"
check "shared credentials and config files, AWS_PROFILE, ~/.aws (the message names the profile)"

# start_standin NAME ARGS...: starts a stand-in server in $tmp/NAME; sets port
start_standin() {
	d=$tmp/$1
	mkdir -p "$d"
	rm -f "$d/port" "$d/log"
	kind=$2
	shift 2
	"$python3" "$standin" "$kind" "$d" "$@" 2>"$d/stderr" &
	pid=$!
	standins="$standins $pid"
	i=0
	while [ ! -s "$d/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	port=$(cat "$d/port" 2>/dev/null)
}
stop_standin() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

start_standin container container "$AK" "$SK" 3600 "Bearer sesame"
echo "Bearer sesame" >"$tmp/ctoken"
C="FLYTE_AWS_ENDPOINT=$EP AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$port/creds"
sc $C AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$tmp/ctoken -- get "s3://$B/from-boto" "$tmp/c4"
[ $rc -eq 0 ] || problem "token file: $err"
sc $C "AWS_CONTAINER_AUTHORIZATION_TOKEN=Bearer-wrong" -- get "s3://$B/from-boto" "$tmp/c4"
case $rc:$err in 1:*"container credentials"*401*) ;; *) problem "wrong token: rc=$rc $err" ;; esac
grep -q 'GET /creds creds' "$tmp/container/log" || problem "the stand-in was not asked"
check "container credentials (FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE); a refused token is named"

# refresh: credentials that expire within the refresh margin are fetched
# again for every request; others once
: >"$tmp/container/log"
sc $C $MP AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$tmp/ctoken -- put "$tmp/big" "s3://$B/big/refresh1"
[ $rc -eq 0 ] || problem "put: $err"
once=$(grep -c creds "$tmp/container/log")
stop_standin
start_standin container2 container "$AK" "$SK" 120 "Bearer sesame"
C2="FLYTE_AWS_ENDPOINT=$EP AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$port/creds"
sc $C2 $MP AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$tmp/ctoken -- put "$tmp/big" "s3://$B/big/refresh2"
[ $rc -eq 0 ] || problem "put: $err"
again=$(grep -c creds "$tmp/container2/log")
[ "$once" = 1 ] || problem "credentials valid for an hour were fetched $once times for one upload"
[ "$again" -ge 6 ] || problem "credentials expiring in 2 minutes were fetched only $again times for 6 requests"
stop_standin
check "temporary credentials: cached while valid ($once fetch), fetched again near expiry ($again fetches)"

start_standin imds imds "$AK" "$SK" 3600
sc FLYTE_AWS_ENDPOINT=$EP AWS_EC2_METADATA_DISABLED= AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$port \
	-- get "s3://$B/from-boto" "$tmp/c5"
[ $rc -eq 0 ] || problem "IMDSv2: $err"
[ "$(cut -d' ' -f3 "$tmp/imds/log" | tr '\n' ' ')" = "token role creds " ] \
	|| problem "IMDS requests: $(tr '\n' ';' <"$tmp/imds/log")"
sc FLYTE_AWS_ENDPOINT=$EP AWS_EC2_METADATA_DISABLED=true AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$port \
	-- get "s3://$B/from-boto" "$tmp/c5"
case $rc:$err in 1:*"no AWS credentials"*) ;; *) problem "AWS_EC2_METADATA_DISABLED=true: rc=$rc $err" ;; esac
stop_standin
check "IMDSv2: token PUT, role, credentials; AWS_EC2_METADATA_DISABLED=true turns it off"

start_standin sts sts "$AK" "$SK" 3600 "the-web-identity-token"
echo "the-web-identity-token" >"$tmp/wit"
W="FLYTE_AWS_ENDPOINT=$EP AWS_ROLE_ARN=arn:aws:iam::123456789012:role/flytec AWS_ENDPOINT_URL_STS=http://127.0.0.1:$port/"
sc $W AWS_WEB_IDENTITY_TOKEN_FILE=$tmp/wit -- get "s3://$B/from-boto" "$tmp/c6"
[ $rc -eq 0 ] || problem "web identity: $err"
grep -q 'action=AssumeRoleWithWebIdentity role=arn:aws:iam::123456789012:role/flytec' "$tmp/sts/log" \
	|| problem "STS log: $(cat "$tmp/sts/log")"
echo "another-token" >"$tmp/wit2"
sc $W AWS_WEB_IDENTITY_TOKEN_FILE=$tmp/wit2 -- get "s3://$B/from-boto" "$tmp/c6"
case $rc:$err in 1:*"web identity"*"403 InvalidIdentityToken"*) ;; *) problem "refused token: rc=$rc $err" ;; esac
stop_standin
check "web identity: AssumeRoleWithWebIdentity at AWS_ENDPOINT_URL_STS; STS's refusal is named"

# ---- retries and the region ----------------------------------------------------------------
R="FLYTEC_S3_RETRY_BASE_MS=50 AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK"
start_standin p503 proxy "$EP" 503 2
sc $R FLYTE_AWS_ENDPOINT=http://127.0.0.1:$port -- get "s3://$B/from-boto" "$tmp/r1"
[ $rc -eq 0 ] && cmp -s "$tmp/r1" "$tmp/small2" || problem "rc=$rc $err"
[ "$(wc -l <"$tmp/p503/log")" -eq 3 ] || problem "$(wc -l <"$tmp/p503/log") requests, not 3"
stop_standin
start_standin p503b proxy "$EP" 503 1000
t0=$(now_ms)
sc $R FLYTEC_S3_MAX_ATTEMPTS=4 FLYTE_AWS_ENDPOINT=http://127.0.0.1:$port -- put "$tmp/small" "s3://$B/r2"
t1=$(now_ms)
case $rc:$err in 1:*"503 SlowDown on s3://$B/r2"*"(4 attempts)"*) ;; *) problem "rc=$rc $err" ;; esac
[ "$(wc -l <"$tmp/p503b/log")" -eq 4 ] || problem "$(wc -l <"$tmp/p503b/log") requests, not 4"
stop_standin
check "503 SlowDown: retried (2 failures then success); bounded (4 attempts, $((t1 - t0)) ms, then '503 SlowDown')"

start_standin pdrop proxy "$EP" drop 2
sc $R FLYTE_AWS_ENDPOINT=http://127.0.0.1:$port -- get "s3://$B/big/boto" "$tmp/r3"
[ $rc -eq 0 ] && [ "$(sha "$tmp/r3")" = "$bigsha" ] || problem "rc=$rc $err"
[ "$(grep -c '^GET' "$tmp/pdrop/log")" -eq 3 ] || problem "$(grep -c '^GET' "$tmp/pdrop/log") GETs, not 3"
stop_standin
check "a 20 MB download cut off twice halfway: retried from the start, same sha256"

start_standin pbad proxy "$EP" corrupt 1
sc $R FLYTE_AWS_ENDPOINT=http://127.0.0.1:$port -- get "s3://$B/from-boto" "$tmp/r6"
[ $rc -eq 0 ] && cmp -s "$tmp/r6" "$tmp/small2" || problem "one bad copy: rc=$rc $err"
[ "$(grep -c '^GET' "$tmp/pbad/log")" -eq 2 ] || problem "$(grep -c '^GET' "$tmp/pbad/log") GETs, not 2"
stop_standin
start_standin pbad2 proxy "$EP" corrupt 1000
sc $R FLYTEC_S3_MAX_ATTEMPTS=3 FLYTE_AWS_ENDPOINT=http://127.0.0.1:$port -- get "s3://$B/from-boto" "$tmp/r7"
case $rc:$err in 1:*"s3://$B/from-boto: the bytes received have MD5 "*", not the ETag $(cl etag $B from-boto) (3 attempts)"*) ;;
*) problem "always bad: rc=$rc $err" ;; esac
[ -e "$tmp/r7" ] && problem "a corrupt download was kept"
stop_standin
check "a download whose MD5 is not its ETag is fetched again; always corrupt: an error, nothing kept"

start_standin pfail proxy "$EP" failpart 0
sc $R $MP FLYTE_AWS_ENDPOINT=http://127.0.0.1:$port -- put "$tmp/big" "s3://$B/big/failed"
case $rc:$err in 1:*"part 2: 403 AccessDenied on s3://$B/big/failed"*) ;; *) problem "rc=$rc $err" ;; esac
grep -q '^DELETE /'"$B"'/big/failed?uploadId=' "$tmp/pfail/log" || problem "no abort: $(cut -c1-60 "$tmp/pfail/log")"
left=$(cl uploads $B)
[ -z "$left" ] || problem "multipart uploads left: $left"
cl etag $B big/failed >/dev/null 2>&1 && problem "the object exists"
stop_standin
check "a multipart upload whose part 2 is refused is aborted: no upload and no object left"

start_standin preg proxy "$EP" region 0
sc $R AWS_REGION=us-east-1 FLYTE_AWS_ENDPOINT=http://127.0.0.1:$port -- get "s3://$B/from-boto" "$tmp/r4"
[ $rc -eq 0 ] && cmp -s "$tmp/r4" "$tmp/small2" || problem "rc=$rc $err"
grep -q '/us-east-1/' "$tmp/preg/log" && grep -q '/eu-west-1/' "$tmp/preg/log" \
	|| problem "requests: $(cat "$tmp/preg/log")"
[ "$(wc -l <"$tmp/preg/log")" -eq 2 ] || problem "$(wc -l <"$tmp/preg/log") requests, not 2"
stop_standin
check "301 PermanentRedirect naming eu-west-1: retried once, signed for eu-west-1"

# the gateway goes away: bounded retries, then a message naming the endpoint
sh "$fixture" stop-gateway "$ceph"
t0=$(now_ms)
sc $R FLYTE_AWS_ENDPOINT=$EP -- get "s3://$B/from-boto" "$tmp/r5"
t1=$(now_ms)
case $rc:$err in 1:*"s3://$B/from-boto: cannot reach the store at $EP"*"(5 attempts); check FLYTE_AWS_ENDPOINT"*) ;;
*) problem "rc=$rc $err" ;; esac
[ $((t1 - t0)) -lt 10000 ] || problem "took $((t1 - t0)) ms"
[ -e "$tmp/r5" ] && problem "a file was written"
check "gateway stopped: 5 attempts in $((t1 - t0)) ms, then 'cannot reach the store at $EP'"
note "storectl: ${err#storectl: }"

# ---- the end ------------------------------------------------------------------------------
pids=$(cat "$ceph"/*.pid 2>/dev/null; cat "$ceph"/mon.pid "$ceph"/osd.pid 2>/dev/null)
t0=$(now_ms)
sh "$fixture" stop "$ceph"
t1=$(now_ms)
for p in $pids; do
	kill -0 "$p" 2>/dev/null && problem "process $p still runs"
done
left=$(ps -eo pid=,args= | grep -F "$ceph" | grep -v grep)
[ -z "$left" ] || problem "left running: $left"
check "the fixture stops (radosgw, osd, mon) in $((t1 - t0)) ms; no process of it is left"

echo "1..$n"
[ $failed -eq 0 ]
