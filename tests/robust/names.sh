#!/bin/sh
# names.sh: hostile names and strings. A TAP producer (automake's
# tap-driver). Needs FLYTEC; FLYTERUN_INCLUDE (include/, for flyterun.h)
# to compile the generated C (compile only: nothing is linked); python3
# to read the JSON (else those checks are skipped).
#
#   1  parameters and outputs named like C keywords, reserved identifiers,
#      C types and the wrapper's own names (register, default, _Bool, __x,
#      ctx, in, out, int64_t, flrt_str, int and int_ together...) give C
#      that compiles with gcc -std=c11 -Wall -Wextra -Werror -pedantic
#   2  ... and with clang -std=c11 -Weverything -Wno-padded -Werror (when
#      clang is there)
#   3  strings with quotes, backslashes, */, ??/ trigraphs, newlines,
#      control characters, NUL (\0) and non-ASCII characters: the C
#      compiles, and the JSON reads back to the same strings
#   4  names that would clash in the generated C (enums Level and LEVEL,
#      a task named list_int beside list[int]) are errors that say so, and
#      nothing is written
#   5  the .pb files and the package's members are plain names inside the
#      output directory (<N>_<module>.<name>_<K>.pb), whatever the names
#   6  a source file whose name cannot be #included is an error; one with
#      a space compiles

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"
inc=${FLYTERUN_INCLUDE:-$top_srcdir/include}

echo "1..6"

cat >"$tmp/hostile.flyte" <<'EOF'
module hostile.names
image "ghcr.io/acme/hostile:1"

enum Level { low, high }

task k(register: int, default: str, _Bool: bool, __x: float, ctx: int, in: int, out: int, _X: int,
       main: int, errno: int, NULL: int, assert: int, static: list[int], typedef: dict[str, int?]) -> (auto: int, return_: str, if: bool)
task types(int: int, int_: int, int64_t: int, size_t: str, flrt_str: str, flrt_ctx: int, bool: bool,
           y: list[int], hostile__names__list_int: list[int], p_Bool: int, _Bool: int) -> (double: float, __y: int, p__y: int)
task while(do: Level, for_: Level?, struct: list[Level]) -> Level
task strings(s: str = "q\"uote back\\slash */ end ??/ tri ??= ??' nl\n cr\r tab\t bell\u{7} del\u{7f} \u{e9}t\u{e9} \u{1F600}", b: bytes = "") -> str {
    env   = { QUOTE = "\"*/", TRI = "??/??!", NL = "a\nb" }
    cache = "v*/1??/"
}

workflow w(x: int, s: str = "w\"*/\\??/\n", b: bytes = "nul\0byte\u{e9}") -> str {
    r = strings(s=s, b=b)
    r2 = strings(s="q\"uote back\\slash */ end ??/ tri ??= ??' nl\n cr\r tab\t bell\u{7} del\u{7f} \u{e9}t\u{e9} \u{1F600}")
    return strings(s="lit\"\\\u{e9}", b="\0")
}
EOF

emit_c() {
	rm -rf "$tmp/c"
	$wrapper "$FLYTEC" --emit=c -o "$tmp/c" "$1" >"$tmp/out" 2>"$tmp/err"
}

# 1, 2: C keywords and reserved names
emit_c "$tmp/hostile.flyte" || problem "flytec --emit=c: $(cat "$tmp/err")"
cc=${CC_FOR_NAMES:-gcc}
if ! command -v "$cc" >/dev/null 2>&1; then
	cc=cc
fi
if [ -f "$tmp/c/hostile.flyte-c.c" ]; then
	"$cc" -std=c11 -Wall -Wextra -Werror -pedantic -I"$inc" -I"$tmp/c" -c "$tmp/c/hostile.flyte-c.c" \
		-o "$tmp/h.o" 2>"$tmp/ccerr" || problem "$cc: $(head -n 20 "$tmp/ccerr")"
	printf '#include "hostile.flyte-c.h"\n' >"$tmp/c/use.c"
	"$cc" -std=c11 -Wall -Wextra -Werror -pedantic -I"$inc" -I"$tmp/c" -c "$tmp/c/use.c" \
		-o "$tmp/u.o" 2>"$tmp/ccerr" || problem "$cc (the header alone): $(head -n 20 "$tmp/ccerr")"
fi
check "C keywords, reserved and type names as parameters: the C compiles with $cc -std=c11 -pedantic -Werror"

if command -v clang >/dev/null 2>&1 && [ -f "$tmp/c/hostile.flyte-c.c" ]; then
	clang -std=c11 -Weverything -Wno-padded -Wno-declaration-after-statement -Werror -I"$inc" -I"$tmp/c" \
		-c "$tmp/c/hostile.flyte-c.c" -o "$tmp/h.o" 2>"$tmp/ccerr" || problem "clang: $(head -n 20 "$tmp/ccerr")"
	check "... and with clang -std=c11 -Weverything -Wno-padded -Werror"
else
	skip "... and with clang -Weverything" "no clang"
fi

# 3: strings, through C, protobuf and JSON
if [ -f "$tmp/c/hostile.flyte-c.c" ]; then
	grep -n '\*/' "$tmp/c/hostile.flyte-c.h" | grep -v '^\([0-9]*\):\( \*/\|.*[^*]\*/$\)' >"$tmp/bad" || true
	# every "*/" must end a comment that started on its line or earlier;
	# the compile above would fail otherwise, so also look for ??/ in text
	if grep -q '??[/=(!)<>'"'"'-]' "$tmp/c/hostile.flyte-c.h" "$tmp/c/hostile.flyte-c.c"; then
		problem "a trigraph is left in the generated C"
	fi
fi
if command -v python3 >/dev/null 2>&1; then
	$wrapper "$FLYTEC" --emit=json "$tmp/hostile.flyte" >"$tmp/json" 2>"$tmp/err" || problem "--emit=json: $(cat "$tmp/err")"
	python3 - "$tmp/json" >"$tmp/py" 2>&1 <<'EOF' || problem "$(cat "$tmp/py")"
import base64, json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
want = {
    "default": "q\"uote back\\slash */ end ??/ tri ??= ??' nl\n cr\r tab\t bell\x07 del\x7f \u00e9t\u00e9 \U0001F600",
    "wfdefault": "w\"*/\\??/\n",
    "literal": "lit\"\\\u00e9",
    "QUOTE": "\"*/", "TRI": "??/??!", "NL": "a\nb",
    # bytes: base64 in the JSON
    "bytes": base64.b64encode(b"nul\0byte\xc3\xa9").decode(),
    "bytes0": base64.b64encode(b"\0").decode(),
}
found = {}
def walk(x, path):
    if isinstance(x, dict):
        for k, v in x.items():
            walk(v, path + [k])
    elif isinstance(x, list):
        for i, v in enumerate(x):
            walk(v, path + [i])
    elif isinstance(x, str):
        for name, s in want.items():
            if x == s:
                found[name] = path
walk(doc, [])
# env values are {"key": K, "value": V} pairs
def env(x):
    if isinstance(x, dict):
        if set(x) >= {"key", "value"} and x["key"] in want and x["value"] == want[x["key"]]:
            found[x["key"]] = "env"
        for v in x.values():
            env(v)
    elif isinstance(x, list):
        for v in x:
            env(v)
env(doc)
missing = [k for k in want if k not in found]
if missing:
    print("not found in the JSON, byte for byte:", ", ".join(missing))
    sys.exit(1)
EOF
else
	echo "# python3 is missing: the JSON strings are not read back"
fi
# a NUL cannot go into a protobuf string (protobuf-c cuts it there)
printf 'module nul\nimage "i"\ntask t(s: str = "a\\0b") -> str {\n    env = { K = "x\\0y" }\n}\n' >"$tmp/nul.flyte"
$wrapper "$FLYTEC" --check "$tmp/nul.flyte" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || problem "a str with \\0: exit status $rc, not 1"
[ "$(grep -c 'holds a NUL character' "$tmp/err")" -eq 2 ] || problem "a str with \\0: $(cat "$tmp/err")"
check "hostile strings: the C compiles without trigraphs or stray comment ends; the JSON reads back the same strings; NUL only in bytes"

# 4: names that clash in C
cat >"$tmp/clash.flyte" <<'EOF'
module clash
image "ghcr.io/acme/clash:1"
enum Level { low, high }
enum LEVEL { LOW, HIGH }
enum opt_int { a, b }
task list_int(xs: list[int], o: int?) -> int
EOF
emit_c "$tmp/clash.flyte"
rc=$?
[ $rc -eq 1 ] || problem "exit status $rc, not 1"
for what in "'CLASH__LEVEL__LOW' for member 'low' of enum 'Level' and for member 'LOW' of enum 'LEVEL'" \
	    "'clash__list_int' for task 'list_int' and for the type list[int]" \
	    "'clash__opt_int'"; do
	grep -qF "$what" "$tmp/err" || problem "no message with: $what"
done
[ ! -e "$tmp/c/clash.flyte-c.c" ] && [ ! -e "$tmp/c/clash.flyte-c.h" ] || problem "files were written"
check "names that would clash in the generated C are errors; nothing is written"

# 5: artifact file names
rm -rf "$tmp/pb"
$wrapper "$FLYTEC" --emit=pb -o "$tmp/pb" "$tmp/hostile.flyte" 2>"$tmp/err" || problem "--emit=pb: $(cat "$tmp/err")"
$wrapper "$FLYTEC" --emit=package -o "$tmp/p.tgz" "$tmp/hostile.flyte" 2>"$tmp/err" || problem "--emit=package: $(cat "$tmp/err")"
if [ -d "$tmp/pb" ]; then
	find "$tmp/pb" -mindepth 1 ! -type f -print | sed 's/^/not a file: /' >"$tmp/bad"
	# .flytec-pb: the list of the files flytec wrote there (exactly those)
	ls -A "$tmp/pb" | grep -v '^\.flytec-pb$' | grep -Ev '^[0-9]+_hostile\.names\.[A-Za-z0-9_.-]+_[123]\.pb$' \
		| sed 's/^/odd name: /' >>"$tmp/bad"
	ls "$tmp/pb" | cmp -s - "$tmp/pb/.flytec-pb" || echo "the list .flytec-pb is not the .pb files" >>"$tmp/bad"
	[ -s "$tmp/bad" ] && problem "$(cat "$tmp/bad")"
	[ "$(ls "$tmp/pb" | wc -l)" -gt 3 ] || problem "too few .pb files: $(ls -A "$tmp/pb")"
fi
if [ -f "$tmp/p.tgz" ]; then
	tar tzf "$tmp/p.tgz" | grep -Ev '^[0-9]+_hostile\.names\.[A-Za-z0-9_.-]+_[123]\.pb$' >"$tmp/bad"
	[ -s "$tmp/bad" ] && problem "odd package members: $(cat "$tmp/bad")"
fi
check "artifact names are plain <N>_<module>.<name>_<K>.pb files inside the output"

# 6: source file names
cp "$top_srcdir/examples/quickstart/quickstart.flyte" "$tmp/we\"ird.flyte"
emit_c "$tmp/we\"ird.flyte"
rc=$?
[ $rc -eq 1 ] || problem "a file named we\"ird.flyte: exit status $rc, not 1"
grep -q "rename the file" "$tmp/err" || problem "no message: $(cat "$tmp/err")"
cp "$top_srcdir/examples/quickstart/quickstart.flyte" "$tmp/with space.flyte"
emit_c "$tmp/with space.flyte" || problem "a file named 'with space.flyte': $(cat "$tmp/err")"
if [ -f "$tmp/c/with space.flyte-c.c" ]; then
	"$cc" -std=c11 -Wall -Wextra -Werror -pedantic -I"$inc" -c "$tmp/c/with space.flyte-c.c" -o "$tmp/s.o" \
		2>"$tmp/ccerr" || problem "$cc: $(head -n 5 "$tmp/ccerr")"
fi
check "a source name a C #include cannot hold is an error; a name with a space compiles"

[ $failed -eq 0 ]
