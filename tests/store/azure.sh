#!/bin/sh
# azure.sh: the abfs:// layer (runtime/azure*.c through runtime/store.c)
# against Azurite, the Azure Storage emulator, which this script starts
# (tests/fixtures/azurite.sh) and stops on any exit; then a task executable
# (tests/store/e2e) run as propeller runs a container, with abfs:// inputs,
# output prefix and blobs. A TAP producer.
#
# The independent client is tests/store/azclient.py (Python's standard
# library, its own Shared Key signer): it creates the container, reads what
# the runtime wrote and writes what the runtime reads. Azure AD is tested
# against azclient.py's stand-in token endpoint (it checks the request form
# exactly) and a stand-in Blob service that takes only the token it issued:
# not against Microsoft's service. Retries are tested against its flaky
# server. Skips (TAP SKIP) only when node or azurite-blob is not installed
# (scripts/deps.sh installs them).
#
# Needs top_builddir (flytec, storectl, tests/store/e2e) and top_srcdir.

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
exe=$top_builddir/tests/store/e2e
flytec=$top_builddir/flytec
fixture=$top_srcdir/tests/fixtures/azurite.sh
azclient=$top_srcdir/tests/store/azclient.py
protos=$top_builddir/idl/npm/node_modules/@flyteorg/flyteidl/protos
python3=${PYTHON3:-/usr/bin/python3}
python3() { "$python3" "$@"; }
protoc=${PROTOC:-protoc}

if ! command -v node >/dev/null 2>&1; then
	echo "1..0 # SKIP node is not installed (scripts/deps.sh installs it)"
	exit 0
fi
if ! sh "$fixture" which >/dev/null 2>&1; then
	echo "1..0 # SKIP azurite-blob is not installed (scripts/deps.sh runs npm ci in tests/fixtures/azurite)"
	exit 0
fi
for t in "$python3" curl sha256sum "$protoc"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "Bail out! $t is not installed (scripts/deps.sh installs it)"
		exit 1
	fi
done
[ -x "$storectl" ] && [ -x "$exe" ] || { echo "Bail out! no $storectl or $exe"; exit 1; }
# the task runs in another directory
exe=$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")

. "$top_srcdir/tests/lib.sh"
az=$tmp/azurite
standins=
cleanup() {
	for p in $standins; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	sh "$fixture" stop "$az"
	rm -rf "$tmp"
}
trap cleanup EXIT

sha() { sha256sum <"$1" | cut -d' ' -f1; }

if ! sh "$fixture" start "$az" 2>"$tmp/fixture.err"; then
	echo "1..1"
	echo "not ok 1 - the Azurite fixture starts"
	sed 's/^/# /' "$tmp/fixture.err"
	exit 1
fi
. "$az/env"
EP=$AZURITE_ENDPOINT
ACCT=$AZURITE_ACCOUNT
KEY=$AZURITE_KEY
ok "the Azurite fixture starts (azurite-blob at $EP)"

# Every run starts from a clean environment: no credentials or endpoint but
# what a test gives.
for v in $(env | sed -n 's/^\(AZURE_[A-Z0-9_]*\)=.*/\1/p; s/^\(FLYTE_[A-Z0-9_]*\)=.*/\1/p; s/^\(FLYTEC_AZURE_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
export HOME="$tmp/home"
mkdir -p "$HOME"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

# sc ENV... -- ARGS: runs storectl (under the test wrapper) with the
# variables; sets rc, out, err
sc() {
	args=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args="$args $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	env $args $wrapper "$storectl" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}
CREDS="AZURE_STORAGE_ENDPOINT=$EP AZURE_STORAGE_KEY=$KEY"
cl() { python3 "$azclient" client "$EP" "$ACCT" "$KEY" "$@"; }
C=flytec-test
cl mkcontainer $C || problem "azclient could not create container $C"
check "azclient creates the container $C"

# ---- round trips ----------------------------------------------------------------------
printf 'hello, blob service\n' >"$tmp/small"
sc $CREDS -- put "$tmp/small" "abfs://$C/dir/small.txt"
[ $rc -eq 0 ] || problem "put: rc=$rc $err"
cl get $C dir/small.txt "$tmp/small.az" || problem "azclient cannot read dir/small.txt"
cmp -s "$tmp/small" "$tmp/small.az" || problem "azclient read other bytes"
[ "$(cl md5 $C dir/small.txt)" = "$(openssl md5 -binary "$tmp/small" | base64)" ] ||
	problem "the blob's Content-MD5 is not its MD5"
check "small put (Put Blob); azclient reads the same bytes; the blob records their MD5"

head -c 1000 /dev/urandom >"$tmp/small2"
cl put $C from-az "$tmp/small2" || problem "azclient put failed"
sc $CREDS -- get "abfs://$C/from-az" "$tmp/got/deeper/small2"
[ $rc -eq 0 ] || problem "get: rc=$rc $err"
cmp -s "$tmp/small2" "$tmp/got/deeper/small2" || problem "other bytes"
ls "$tmp/got/deeper" | grep -q tmp && problem "a temporary file was left: $(ls "$tmp/got/deeper")"
check "small get of an azclient blob (parent directories made, no temporary file left)"

sc $CREDS -- head "abfs://$C/from-az"
want="1000 $(cl etag $C from-az)"
[ $rc -eq 0 ] && [ "$out" = "$want" ] || problem "head: rc=$rc out='$out' want '$want' $err"
sc $CREDS -- head "abfs://$C/not-there"
[ $rc -eq 3 ] && [ "$out" = absent ] || problem "head of a missing blob: rc=$rc out='$out' $err"
check "head (Get Blob Properties): size and ETag as azclient sees them; a missing blob is absent"

sc $CREDS -- getmem "abfs://$C/from-az" "$tmp/mem" 1000
[ $rc -eq 0 ] && cmp -s "$tmp/mem" "$tmp/small2" || problem "getmem at the limit: rc=$rc $err"
sc $CREDS -- getmem "abfs://$C/from-az" "$tmp/mem2" 999
[ $rc -eq 1 ] || problem "getmem over the limit: rc=$rc"
case $err in *"abfs://$C/from-az is larger than the limit of 999 bytes"*) ;; *) problem "message: $err" ;; esac
[ -e "$tmp/mem2" ] && problem "getmem over the limit wrote $tmp/mem2"
: >"$tmp/empty"
cl put $C empty "$tmp/empty" || problem "azclient put empty"
sc $CREDS -- getmem "abfs://$C/empty" "$tmp/mem3" 100
[ $rc -eq 0 ] && [ -f "$tmp/mem3" ] && [ ! -s "$tmp/mem3" ] || problem "getmem of an empty blob: rc=$rc $err"
sc $CREDS -- putmem "$tmp/small2" "abfs://$C/mem/put"
cl get $C mem/put "$tmp/mem4" && cmp -s "$tmp/mem4" "$tmp/small2" || problem "putmem: rc=$rc $err"
check "memory forms: ranged get within a limit (over it an error naming the URI; an empty blob), put"

head -c 9000000 /dev/urandom >"$tmp/big"
sc $CREDS FLYTEC_AZURE_BLOCK_SIZE=4194304 -- put "$tmp/big" "abfs://$C/big/nine"
[ $rc -eq 0 ] || problem "put: rc=$rc $err"
[ "$(cl blocks $C big/nine)" = 3 ] || problem "committed blocks: $(cl blocks $C big/nine)"
cl get $C big/nine "$tmp/big.az" && [ "$(sha "$tmp/big")" = "$(sha "$tmp/big.az")" ] ||
	problem "azclient read other bytes"
[ "$(cl md5 $C big/nine)" = "$(openssl md5 -binary "$tmp/big" | base64)" ] ||
	problem "the blob's MD5 is not the file's"
sc $CREDS -- get "abfs://$C/big/nine" "$tmp/big.got"
[ $rc -eq 0 ] && [ "$(sha "$tmp/big")" = "$(sha "$tmp/big.got")" ] || problem "get: rc=$rc $err"
sc $CREDS FLYTEC_AZURE_BLOCK_SIZE=4194304 -- putmem "$tmp/big" "abfs://$C/big/mem"
[ $rc -eq 0 ] && [ "$(cl blocks $C big/mem)" = 3 ] || problem "putmem in blocks: rc=$rc $err"
sc $CREDS -- put "$tmp/big" "abfs://$C/big/one"
[ $rc -eq 0 ] && [ "$(cl blocks $C big/one)" = 0 ] || problem "9 MB under the default block size: rc=$rc $err"
check "9 MB in 4 MiB blocks (Put Block x3 + Put Block List, from a file and from memory), the whole MD5 recorded; gets byte-exact; one Put Blob below the default 16 MiB"

i=0
for k in "list/a" "list/b c" "list/d&e<f>" "list/sub/g" "list/sub/h" "list/ü" "list/z"; do
	i=$((i + 1))
	cl put $C "$k" "$tmp/small" || problem "azclient put $k"
done
cl put $C "listx/not-mine" "$tmp/small" || problem "azclient put listx"
before=$(grep -c 'comp=list' "$az/debug.log")
sc $CREDS FLYTEC_AZURE_LIST_PAGE=2 -- list "abfs://$C/list/"
after=$(grep -c 'comp=list' "$az/debug.log")
want=$(printf "abfs://$C/list/%s\n" a "b c" "d&e<f>" sub/g sub/h z ü)
[ $rc -eq 0 ] && [ "$out" = "$want" ] || problem "list: rc=$rc out=[$out] want=[$want] $err"
[ $((after - before)) -ge 4 ] || problem "$((after - before)) List Blobs requests (want 4 pages of 2)"
sc $CREDS -- get "abfs://$C/list/d&e<f>" "$tmp/amp" && sc $CREDS -- get "abfs://$C/list/b c" "$tmp/sp"
[ $rc -eq 0 ] || problem "get of names that need encoding: $err"
check "list: 7 blobs in 4 pages of 2 (NextMarker), names with ' ', '&<>' and UTF-8 exact, the sibling prefix not listed; those names read back"

# ---- URI forms, endpoints and credentials ----------------------------------------------
LONG="$C@$ACCT.dfs.core.windows.net"
sc $CREDS -- get "abfs://$LONG/from-az" "$tmp/f1"
[ $rc -eq 0 ] && cmp -s "$tmp/f1" "$tmp/small2" || problem "abfs://container@account.dfs…: $err"
sc $CREDS -- get "abfss://$C@$ACCT.blob.core.windows.net/from-az" "$tmp/f2"
[ $rc -eq 0 ] && cmp -s "$tmp/f2" "$tmp/small2" || problem "abfss://container@account.blob…: $err"
sc $CREDS -- list "abfss://$LONG/list/sub/"
[ "$out" = "abfss://$LONG/list/sub/g
abfss://$LONG/list/sub/h" ] || problem "list keeps the URI's form: $out $err"
sc AZURE_STORAGE_ENDPOINT=$EP AZURE_STORAGE_ACCOUNT=$ACCT AZURE_STORAGE_ACCOUNT_KEY=$KEY -- head "abfs://$C/from-az"
[ $rc -eq 0 ] || problem "AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_ACCOUNT_KEY: $err"
sc "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=http;AccountName=$ACCT;AccountKey=$KEY;BlobEndpoint=$EP;" \
	-- get "abfs://$C/from-az" "$tmp/f3"
[ $rc -eq 0 ] && cmp -s "$tmp/f3" "$tmp/small2" || problem "connection string: $err"
BADKEY=$(printf 'not the key at all, but 64 bytes of it, to be a plausible key...' | base64 -w0)
sc AZURE_STORAGE_ENDPOINT=$EP FLYTE_AZURE_STORAGE_ACCOUNT_NAME=$ACCT FLYTE_AZURE_STORAGE_ACCOUNT_KEY=$KEY \
	AZURE_STORAGE_ACCOUNT=nosuchacct AZURE_STORAGE_KEY=$BADKEY -- head "abfs://$C/from-az"
[ $rc -eq 0 ] || problem "flytekit's FLYTE_AZURE_STORAGE_ACCOUNT_NAME/KEY ahead of AZURE_*: $err"
check "URI forms: abfs://C@ACCOUNT.dfs.core.windows.net/…, abfss://C@ACCOUNT.blob…, listings in the URI's form; AZURE_STORAGE_ACCOUNT(_KEY); flytekit's FLYTE_AZURE_STORAGE_ACCOUNT_NAME/KEY first; a connection string with BlobEndpoint"

SAS=$(cl sas)
sc AZURE_STORAGE_ENDPOINT=$EP "AZURE_STORAGE_SAS_TOKEN=?$SAS" -- put "$tmp/small2" "abfs://$C/sas/put"
[ $rc -eq 0 ] || problem "put with a SAS: $err"
sc AZURE_STORAGE_ENDPOINT=$EP "AZURE_STORAGE_SAS_TOKEN=$SAS" -- get "abfs://$C/sas/put" "$tmp/s1"
[ $rc -eq 0 ] && cmp -s "$tmp/s1" "$tmp/small2" || problem "get with a SAS: $err"
sc AZURE_STORAGE_ENDPOINT=$EP "AZURE_STORAGE_SAS_TOKEN=$SAS" FLYTEC_AZURE_LIST_PAGE=3 -- list "abfs://$C/list/sub/"
[ $rc -eq 0 ] && [ "$(echo "$out" | wc -l)" = 2 ] || problem "list with a SAS: $out $err"
badsas=$(echo "$SAS" | sed 's/sig=[^&]*/sig=AAAA/')
sc AZURE_STORAGE_ENDPOINT=$EP "AZURE_STORAGE_SAS_TOKEN=$badsas" -- get "abfs://$C/sas/put" "$tmp/s2"
case $rc:$err in 1:*"403 AuthorizationFailure on abfs://$C/sas/put: the credentials from AZURE_STORAGE_SAS_TOKEN may not read it"*) ;;
*) problem "a bad SAS: rc=$rc $err" ;; esac
check "a SAS token (AZURE_STORAGE_SAS_TOKEN, with or without '?'): put, get, list; a bad signature is a 403 naming the source"

# ---- errors ---------------------------------------------------------------------------------
sc AZURE_STORAGE_ENDPOINT=$EP AZURE_STORAGE_KEY=$BADKEY -- get "abfs://$C/from-az" "$tmp/b1"
case $rc:$err in 1:*"403 AuthorizationFailure on abfs://$C/from-az: "*"(\"Server failed to authenticate the request."*) ;;
*) problem "bad key, get: rc=$rc $err" ;; esac
[ "$(echo "$err" | wc -l)" = 1 ] || problem "not one line: $err"
[ -e "$tmp/b1" ] && problem "a file was left"
sc AZURE_STORAGE_ENDPOINT=$EP AZURE_STORAGE_KEY=$BADKEY -- put "$tmp/small" "abfs://$C/bad"
case $rc:$err in 1:*"403 AuthorizationFailure on abfs://$C/bad"*"may not write it"*) ;; *) problem "bad key, put: rc=$rc $err" ;; esac
sc AZURE_STORAGE_ENDPOINT=$EP AZURE_STORAGE_KEY=$BADKEY -- head "abfs://$C/from-az"
case $rc:$err in 1:*"403 AuthorizationFailure on abfs://$C/from-az"*) ;; *) problem "bad key, head: rc=$rc $err" ;; esac
sc AZURE_STORAGE_ENDPOINT=$EP AZURE_STORAGE_KEY=not-base64! -- head "abfs://$C/from-az"
case $rc:$err in 1:*"AZURE_STORAGE_KEY is not a storage account key (base64)"*) ;; *) problem "garbage key: rc=$rc $err" ;; esac
check "a wrong account key: one-line '403 AuthorizationFailure on URI: …' with the service's Message (get, put, head); a key that is not base64"

sc $CREDS -- get "abfs://no-such-container/x" "$tmp/n1"
case $rc:$err in 1:*"404 ContainerNotFound on abfs://no-such-container/x: there is no container 'no-such-container' in storage account '$ACCT' at $EP (\"The specified container does not exist.\")") ;;
*) problem "missing container, get: rc=$rc $err" ;; esac
sc $CREDS -- head "abfs://no-such-container/x"
case $rc:$err in 1:*"404 ContainerNotFound on abfs://no-such-container/x"*) ;; *) problem "missing container, head: rc=$rc out=$out $err" ;; esac
sc $CREDS -- put "$tmp/small" "abfs://no-such-container/x"
case $rc:$err in 1:*"404 ContainerNotFound on abfs://no-such-container/x"*) ;; *) problem "missing container, put: rc=$rc $err" ;; esac
sc $CREDS -- list "abfs://no-such-container/x/"
case $rc:$err in 1:*"404 ContainerNotFound on abfs://no-such-container/x/"*) ;; *) problem "missing container, list: rc=$rc $err" ;; esac
sc $CREDS -- get "abfs://$C/no/such/blob" "$tmp/got/n2"
case $rc:$err in 1:*"404 BlobNotFound on abfs://$C/no/such/blob: there is no blob 'no/such/blob' in container '$C'"*) ;;
*) problem "missing blob: rc=$rc $err" ;; esac
[ -n "$(ls -A "$tmp/got" | grep -v deeper)" ] && problem "files left: $(ls -A "$tmp/got")"
check "a missing container: '404 ContainerNotFound' naming container, account and endpoint (get, head, put, list); a missing blob: '404 BlobNotFound', nothing left"

sc AZURE_STORAGE_ENDPOINT=$EP -- get "abfs://$C/from-az" "$tmp/x"
case $rc:$err in 1:*"abfs://$C/from-az: no Azure credentials for storage account '$ACCT': tried AZURE_STORAGE_KEY"*) ;;
*) problem "no credentials: rc=$rc $err" ;; esac
sc AZURE_STORAGE_KEY=$KEY -- get "abfs://$C/from-az" "$tmp/x"
case $rc:$err in 1:*"no storage account: name it in the URI"*) ;; *) problem "no account: rc=$rc $err" ;; esac
sc $CREDS -- get "abfs://Bad_Container/x" "$tmp/x"
case $rc:$err in 1:*"the container name 'Bad_Container' must be 3 to 63 lowercase letters"*) ;; *) problem "bad container: rc=$rc $err" ;; esac
sc $CREDS -- get "abfs://$C@acct.example.com/x" "$tmp/x"
case $rc:$err in 1:*"expected CONTAINER@ACCOUNT.dfs.core.windows.net"*) ;; *) problem "bad host: rc=$rc $err" ;; esac
sc $CREDS -- get "abfs://$C@a@b.dfs.core.windows.net/x" "$tmp/x"
[ $rc -eq 1 ] || problem "two '@': rc=$rc"
sc $CREDS -- get "abfs://$C" "$tmp/x"
case $rc:$err in 1:*"no object key"*) ;; *) problem "no blob name: rc=$rc $err" ;; esac
sc AZURE_STORAGE_ENDPOINT=ftp://x AZURE_STORAGE_KEY=$KEY -- get "abfs://$C/x" "$tmp/x"
case $rc:$err in 1:*"AZURE_STORAGE_ENDPOINT='ftp://x': the endpoint must be an http:// or https:// URL"*) ;; *) problem "bad endpoint: rc=$rc $err" ;; esac
check "no credentials, no account, bad container names and hosts, no blob name, a bad endpoint: clear errors"

# ---- Azure AD (stand-ins) ---------------------------------------------------------------------
# start_standin NAME MODE ARGS...: a server of azclient.py in $tmp/NAME; sets port, pid
start_standin() {
	d=$tmp/$1
	mkdir -p "$d"
	rm -f "$d/port" "$d/log"
	mode=$2
	shift 2
	"$python3" "$azclient" "$mode" "$d/port" "$d/log" "$@" 2>"$d/stderr" &
	pid=$!
	standins="$standins $pid"
	i=0
	while [ ! -s "$d/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	port=$(cat "$d/port" 2>/dev/null)
	: >>"$d/log"
}
TENANT=72f988bf-86f1-41af-91ab-2d7cd011db47
CLIENT=5f1c1f2e-0000-4000-8000-00000000c1e7
start_standin ad ad-server "$TENANT" "$CLIENT" "s3cr&t=+" - "$ACCT"
AD="AZURE_STORAGE_ENDPOINT=http://127.0.0.1:$port/$ACCT AZURE_AUTHORITY_HOST=http://127.0.0.1:$port/ AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT"
sc $AD "FLYTE_AZURE_CLIENT_SECRET=s3cr&t=+" AZURE_CLIENT_SECRET=not-this-one -- getmem "abfs://$C/any/blob" "$tmp/ad1" 100
[ $rc -eq 0 ] && [ "$(cat "$tmp/ad1")" = "bearer ok" ] || problem "client secret: rc=$rc $err"
grep -q "^POST /$TENANT/oauth2/v2.0/token form-ok" "$tmp/ad/log" || problem "token request: $(cat "$tmp/ad/log")"
grep -q "^GET /$ACCT/$C/any/blob bearer-ok" "$tmp/ad/log" || problem "blob request: $(cat "$tmp/ad/log")"
: >"$tmp/ad/log"
sc $AD "AZURE_CLIENT_SECRET=s3cr&t=+" -- list "abfs://$C/p/"
[ $rc -eq 0 ] && [ "$out" = "abfs://$C/p/a
abfs://$C/p/b" ] || problem "list with a token: rc=$rc out=$out $err"
[ "$(grep -c '^POST' "$tmp/ad/log")" = 1 ] && [ "$(grep -c 'comp=list.* bearer-ok' "$tmp/ad/log")" = 2 ] ||
	problem "one token for two pages: $(cat "$tmp/ad/log")"
: >"$tmp/ad/log"
sc $AD "AZURE_CLIENT_SECRET=s3cr&t=+" -- getmem "abfs://$C/refuse-first" "$tmp/ad2" 100
[ $rc -eq 0 ] && [ "$(cat "$tmp/ad2")" = "bearer ok" ] || problem "a refused token fetched again: rc=$rc $err"
[ "$(grep -c '^POST' "$tmp/ad/log")" = 2 ] && grep -q "bearer-refused" "$tmp/ad/log" ||
	problem "refused then fetched again: $(cat "$tmp/ad/log")"
sc $AD "AZURE_CLIENT_SECRET=wrong" -- head "abfs://$C/any/blob"
case $rc:$err in 1:*"Azure AD client secret (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET): the token endpoint http://127.0.0.1:$port/$TENANT/oauth2/v2.0/token answered 401 invalid_client: AADSTS7000215: Invalid client secret provided.") ;;
*) problem "wrong secret: rc=$rc $err" ;; esac
stop_standin() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
stop_standin
printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Zmx5dGU6ZGVmYXVsdCJ9.c2ln\n' >"$tmp/sa-token"
start_standin wi ad-server "$TENANT" "$CLIENT" - "$(head -n1 "$tmp/sa-token")" "$ACCT"
WI="AZURE_STORAGE_ENDPOINT=http://127.0.0.1:$port/$ACCT AZURE_AUTHORITY_HOST=http://127.0.0.1:$port AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT"
sc $WI AZURE_FEDERATED_TOKEN_FILE="$tmp/sa-token" -- get "abfs://$C/wi/blob" "$tmp/wi1"
[ $rc -eq 0 ] && [ "$(cat "$tmp/wi1")" = "bearer ok" ] || problem "workload identity: rc=$rc $err"
grep -q "^POST /$TENANT/oauth2/v2.0/token form-ok" "$tmp/wi/log" || problem "token request: $(cat "$tmp/wi/log")"
sc $WI AZURE_FEDERATED_TOKEN_FILE="$tmp/no-such-file" -- get "abfs://$C/wi/blob" "$tmp/wi2"
case $rc:$err in 1:*"AZURE_FEDERATED_TOKEN_FILE: cannot read $tmp/no-such-file"*) ;; *) problem "no token file: rc=$rc $err" ;; esac
stop_standin
sc AZURE_STORAGE_ENDPOINT=$EP AZURE_AUTHORITY_HOST=http://login.example.com/ AZURE_TENANT_ID=$TENANT \
	AZURE_CLIENT_ID=$CLIENT AZURE_CLIENT_SECRET=x -- head "abfs://$C/from-az"
case $rc:$err in 1:*"AZURE_AUTHORITY_HOST='http://login.example.com/' must be an https:// URL"*) ;; *) problem "http authority: rc=$rc $err" ;; esac
check "Azure AD against stand-ins: client secret (FLYTE_AZURE_CLIENT_SECRET first) and workload identity (the token form checked exactly; the bearer token used; one token for two list pages; a refused token fetched again once); a refused secret names the endpoint and AADSTS; a missing token file; http only to this machine"

# ---- retries ------------------------------------------------------------------------------------------
start_standin flaky flaky-server 2 503
FL="AZURE_STORAGE_ENDPOINT=http://127.0.0.1:$port/$ACCT AZURE_STORAGE_KEY=$KEY FLYTEC_AZURE_RETRY_BASE_MS=10"
sc $FL -- getmem "abfs://$C/f" "$tmp/fl1" 100
[ $rc -eq 0 ] && [ "$(cat "$tmp/fl1")" = "flaky ok" ] || problem "503 twice, then 200: rc=$rc $err"
[ "$(wc -l <"$tmp/flaky/log")" = 3 ] || problem "$(wc -l <"$tmp/flaky/log") requests (want 3)"
stop_standin
start_standin flaky2 flaky-server 100 500
FL="AZURE_STORAGE_ENDPOINT=http://127.0.0.1:$port/$ACCT AZURE_STORAGE_KEY=$KEY FLYTEC_AZURE_RETRY_BASE_MS=10"
sc $FL FLYTEC_AZURE_MAX_ATTEMPTS=4 -- get "abfs://$C/f" "$tmp/fl2"
case $rc:$err in 1:*"500 InternalError on abfs://$C/f: the Blob service at http://127.0.0.1:$port/$ACCT refused to read it (\"Flaky on purpose.\") (4 attempts)") ;;
*) problem "500 always: rc=$rc $err" ;; esac
[ "$(wc -l <"$tmp/flaky2/log")" = 4 ] || problem "$(wc -l <"$tmp/flaky2/log") requests (want 4)"
stop_standin
start_standin flaky3 flaky-server 100 403
FL="AZURE_STORAGE_ENDPOINT=http://127.0.0.1:$port/$ACCT AZURE_STORAGE_KEY=$KEY FLYTEC_AZURE_RETRY_BASE_MS=10"
sc $FL -- get "abfs://$C/f" "$tmp/fl3"
case $rc:$err in 1:*"403 AuthenticationFailed on abfs://$C/f"*) ;; *) problem "403: rc=$rc $err" ;; esac
[ "$(wc -l <"$tmp/flaky3/log")" = 1 ] || problem "a 403 was sent $(wc -l <"$tmp/flaky3/log") times (want 1)"
stop_standin
check "503 ServerBusy twice then success (3 requests); 500 always: 4 attempts, then the service's code and message; 403: not retried"

# ---- a task executable at abfs:// URIs -----------------------------------------------------------------
if [ ! -f "$protos/flyteidl/core/literals.proto" ] || [ ! -x "$flytec" ]; then
	skip "execute with abfs:// inputs, outputs and blobs" "no flyteidl .proto files at $protos"
else
	mkdir -p "$tmp/work"
	"$flytec" --emit=json -o "$tmp/pkg.json" "$top_srcdir/tests/store/e2e.flyte" 2>"$tmp/err" ||
		problem "flytec --emit=json: $(cat "$tmp/err")"
	E=flytec-e2e
	cl mkcontainer $E || problem "azclient could not create container $E"
	encode() {
		"$protoc" --encode=flyteidl.core.LiteralMap -I"$protos" -I/usr/include flyteidl/core/literals.proto \
			>"$tmp/$1.pb" || problem "protoc --encode $1"
	}
	decode() {
		"$protoc" --decode="flyteidl.core.$1" -I"$protos" -I/usr/include flyteidl/core/literals.proto \
			flyteidl/core/errors.proto <"$2" 2>&1
	}
	# args TASK RUN: TASK's container args, placeholders at abfs:// URIs
	args() {
		python3 - "$tmp/pkg.json" "$1" "abfs://$E@$ACCT.dfs.core.windows.net/runs/$2" "abfs://$E/raw/$2" <<'EOF'
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
	ENV="AZURE_STORAGE_ENDPOINT=$EP AZURE_STORAGE_ACCOUNT_NAME=$ACCT AZURE_STORAGE_ACCOUNT_KEY=$KEY FLYTE_ATTEMPT_NUMBER=0"
	run() {
		a=$(args "$1" "$2")
		shift 2
		# shellcheck disable=SC2086
		(cd "$tmp/work" && eval "env $ENV $* \"\$exe\" $a") >"$tmp/out" 2>"$tmp/err"
		rc=$?
		err=$(cat "$tmp/err")
	}
	has() { grep -qF -- "$1" "$tmp/dec" || problem "no '$1' in: $(tr '\n' ' ' <"$tmp/dec")"; }

	echo 'literals { key: "x" value { scalar { primitive { integer: 7 } } } }' | encode sq7
	cl put $E runs/sq7/inputs.pb "$tmp/sq7.pb" || problem "azclient put inputs"
	run square_1 sq7
	[ $rc -eq 0 ] || problem "rc=$rc $err"
	cl get $E runs/sq7/out/outputs.pb "$tmp/o.pb" || problem "no outputs.pb (rc=$rc $err)"
	decode LiteralMap "$tmp/o.pb" >"$tmp/dec"
	has 'integer: 49'
	check "execute square(7) with inputs.pb and the output prefix at abfs://C@ACCOUNT.dfs.core.windows.net/…: outputs.pb holds 49"

	printf 'hello blobs\n' >"$tmp/in.txt"
	printf 'x\n' >"$tmp/x.txt"
	for k in data/dir/x.txt "data/dir/y/z w.txt" data/dir/y/q.txt "data/dir/a&b<c>.txt" data/dirx/not-mine.txt data/kept.bin; do
		cl put $E "$k" "$tmp/x.txt" || problem "azclient put $k"
	done
	cl put $E data/in.txt "$tmp/in.txt" || problem "azclient put in.txt"
	cat <<EOF | encode blobs
literals { key: "f" value { scalar { blob { metadata { type { } } uri: "abfs://$E/data/in.txt" } } } }
literals { key: "d" value { scalar { blob { metadata { type { dimensionality: MULTIPART } }
  uri: "abfs://$E/data/dir" } } } }
literals { key: "keep" value { scalar { primitive { string_value: "abfs://$E/data/kept.bin" } } } }
EOF
	cl put $E runs/blobs/inputs.pb "$tmp/blobs.pb" || problem "azclient put inputs"
	run blobs_1 blobs FLYTEC_AZURE_LIST_PAGE=2
	[ $rc -eq 0 ] || problem "rc=$rc $err"
	cl get $E runs/blobs/out/outputs.pb "$tmp/o.pb" || problem "no outputs.pb (rc=$rc $err)"
	decode LiteralMap "$tmp/o.pb" >"$tmp/dec"
	has 'integer: 4'
	has "uri: \"abfs://$E/data/kept.bin\""
	fileuri=$(sed -n 's|.*uri: "\(abfs://[^"]*/e2e-result.txt\)".*|\1|p' "$tmp/dec")
	diruri=$(sed -n 's|.*uri: "\(abfs://[^"]*\)".*|\1|p' "$tmp/dec" | grep -v -e e2e-result -e kept.bin)
	echo "$fileuri" | grep -Eq "^abfs://$E/raw/blobs/[0-9a-f]{32}/e2e-result.txt\$" || problem "file output at '$fileuri'"
	echo "$diruri" | grep -Eq "^abfs://$E/raw/blobs/[0-9a-f]{32}\$" || problem "dir output at '$diruri'"
	cl get $E "${fileuri#abfs://$E/}" "$tmp/res" && [ "$(cat "$tmp/res")" = "upper: hello blobs" ] ||
		problem "the uploaded file holds '$(cat "$tmp/res" 2>/dev/null)'"
	[ "$(cl count $E "${diruri#abfs://$E/}/")" = 2 ] || problem "the uploaded dir holds $(cl count $E "${diruri#abfs://$E/}/") blobs"
	check "file and dir inputs downloaded from abfs:// (4 blobs, 2 a page; not the sibling prefix); outputs uploaded to the abfs:// raw prefix as raw/<32 hex>/…; a remote URI returned is kept"

	cat <<EOF | encode noblob
literals { key: "f" value { scalar { blob { metadata { type { } } uri: "abfs://$E/data/missing.txt" } } } }
literals { key: "d" value { scalar { blob { metadata { type { dimensionality: MULTIPART } }
  uri: "abfs://$E/data/dir" } } } }
literals { key: "keep" value { scalar { primitive { string_value: "" } } } }
EOF
	cl put $E runs/noblob/inputs.pb "$tmp/noblob.pb" || problem "azclient put inputs"
	run blobs_1 noblob
	cl get $E runs/noblob/out/error.pb "$tmp/e.pb" || problem "no error.pb (rc=$rc $err)"
	decode ErrorDocument "$tmp/e.pb" >"$tmp/dec"
	has "404 BlobNotFound on abfs://$E/data/missing.txt"
	check "a missing input blob: error.pb at the abfs:// output prefix names it (404 BlobNotFound)"
fi

# ---- the service goes away --------------------------------------------------------------------------
sh "$fixture" stop "$az"
t0=$(now)
sc $CREDS FLYTEC_AZURE_MAX_ATTEMPTS=3 FLYTEC_AZURE_RETRY_BASE_MS=20 -- get "abfs://$C/from-az" "$tmp/gone"
t1=$(now)
case $rc:$err in 1:*"abfs://$C/from-az: cannot reach the Blob service at $EP: "*"(3 attempts); check AZURE_STORAGE_ENDPOINT and that the service is up") ;;
*) problem "stopped: rc=$rc $err" ;; esac
[ -e "$tmp/gone" ] && problem "a file was left"
check "Azurite stopped: 3 attempts in $(((t1 - t0) / 1000000)) ms, then 'cannot reach the Blob service at $EP'"
[ ! -f "$az/azurite.pid" ] || problem "the PID file is still there"
check "the fixture stops azurite-blob by its PID"

echo "1..$n"
[ $failed -eq 0 ]
