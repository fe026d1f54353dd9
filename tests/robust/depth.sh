#!/bin/sh
# depth.sh: the deepest type the compiler accepts (tests/robust/deep.flyte:
# 43 nested lists, values 89 messages deep) is one the runtime reads and
# writes. A TAP producer. Needs top_builddir (tests/robust/deep, built by
# make check) and FLYTEC.
#
#   1  run echo with a value 43 lists deep prints the same value back
#      (JSON in, inputs.pb and outputs.pb through the element's process,
#      JSON out)
#   2  execute, as a pod runs it: inputs.pb of that value (from the
#      runtime's own encoder, via run --output-dir) in, outputs.pb out,
#      read back by --show
#   3  one list more is refused by the compiler (type_too_deep golden
#      case); a value past the runtime's own limit (50 lists: 103
#      messages, in a file of 105) is refused by the runtime with its
#      depth error and an error document, not a crash

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"
exe=${top_builddir:-.}/tests/robust/deep
if [ ! -x "$exe" ]; then
	echo "Bail out! no $exe (make check builds it)"
	exit 1
fi

echo "1..3"

# nest N V: V inside N lists, as JSON
nest() {
	v=$2 i=0
	while [ "$i" -lt "$1" ]; do
		v="[$v]"
		i=$((i + 1))
	done
	printf '%s' "$v"
}

deep=$(nest 43 7)
(cd "$tmp" && FLYTEC_CACHE_DIR="$tmp/cache" $wrapper "$exe" run echo "x=$deep" --output-dir "$tmp/out1") \
	>"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] || problem "run: exit $st: $(head -c 400 "$tmp/err")"
[ "$(cat "$tmp/out")" = "{\"o0\": $deep}" ] || problem "run printed $(head -c 200 "$tmp/out")"
check "run echo x=<43 lists>: the same value back"

# the inputs run wrote for the call are the pod's inputs.pb
inputs=$(find "$tmp/out1" -name inputs.pb | head -n 1)
if [ -z "$inputs" ]; then
	problem "run --output-dir wrote no inputs.pb under $tmp/out1: $(find "$tmp/out1" | head)"
else
	mkdir -p "$tmp/pod"
	(cd "$tmp" && FLYTE_ATTEMPT_NUMBER=0 $wrapper "$exe" execute --inputs "$inputs" --output-prefix "$tmp/pod" \
		--raw-output-data-prefix "$tmp/raw" --task deep.echo) >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st -eq 0 ] || problem "execute: exit $st: $(head -c 400 "$tmp/err")"
	[ -f "$tmp/pod/outputs.pb" ] || problem "execute wrote no outputs.pb"
	"$FLYTEC" --show="$tmp/pod/outputs.pb" --type=literals >"$tmp/show" 2>"$tmp/err" ||
		problem "--show outputs.pb: $(cat "$tmp/err")"
	[ "$(grep -c '"collection"' "$tmp/show")" -eq 43 ] ||
		problem "outputs.pb holds $(grep -c '"collection"' "$tmp/show") collections, expected 43"
fi
check "execute: inputs.pb 43 lists deep in, outputs.pb out"

if [ -n "$inputs" ]; then
	# seven levels more, written by hand: wrap the value's literal in more
	# collections (the Literal message is field 2 of the LiteralMap entry)
	python3 - "$inputs" "$tmp/deeper.pb" <<'PY' || problem "cannot build the deeper inputs.pb"
import sys
data = open(sys.argv[1], "rb").read()
def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])
def field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload
def read_varint(b, i):
    n = s = 0
    while True:
        c = b[i]; i += 1
        n |= (c & 0x7F) << s; s += 7
        if c < 0x80:
            return n, i
# LiteralMap { literals: map<string, Literal> = 1 }: one entry {key=1, value=2}
tag, i = read_varint(data, 0)
ln, i = read_varint(data, i)
entry = data[i:i + ln]
j = 0
out = b""
while j < len(entry):
    t, j = read_varint(entry, j)
    l, j = read_varint(entry, j)
    body = entry[j:j + l]; j += l
    if t >> 3 == 2:
        # Literal { collection: LiteralCollection = 2 { literals = 1 } }
        for _ in range(7):
            body = field(2, field(1, body))
    out += field(t >> 3, body)
open(sys.argv[2], "wb").write(field(1, out))
PY
	mkdir -p "$tmp/pod2"
	(cd "$tmp" && FLYTE_ATTEMPT_NUMBER=0 $wrapper "$exe" execute --inputs "$tmp/deeper.pb" --output-prefix "$tmp/pod2" \
		--raw-output-data-prefix "$tmp/raw" --task deep.echo) >"$tmp/out" 2>"$tmp/err"
	st=$?
	# a failed task is its error document and exit 0, as pyflyte-execute does
	[ $st -eq 0 ] || problem "execute of a value 50 lists deep: exit $st"
	[ -f "$tmp/pod2/error.pb" ] || problem "no error.pb for the deeper value: $(head -c 300 "$tmp/err")"
	grep -q 'nested more than 100' "$tmp/err" || problem "no depth error: $(head -c 300 "$tmp/err")"
fi
grep -q 'nests too deeply' "$top_srcdir/tests/golden/check/type_too_deep.err" ||
	problem "the golden case type_too_deep does not refuse 44 lists"
check "one list more: refused by the compiler; 50 lists: the runtime's depth error and an error document"

[ "$failed" -eq 0 ]
