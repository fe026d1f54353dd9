#!/bin/sh
# man.sh: the manuals cannot drift from the programs. Prints TAP:
#   options flytec     the option names (--long and -x) in man/flytec.1's
#                      OPTIONS tags are those in `flytec --help`
#   options flyterun   those in man/flyterun.1's OPTIONS tags are those in a
#                      task executable's --help (examples/quickstart)
#   commands flyterun  the subcommands in its COMMANDS tags are those --help
#                      lists
#   render             groff formats both without a warning (skipped
#                      without groff)
# The names are pulled out of both sides the same generic way, so a new
# option on either side alone fails here.
#
# Environment: top_srcdir, top_builddir, FLYTEC (tests/lib.sh).

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:=$(dirname "$FLYTEC")}"
exe=$top_builddir/examples/quickstart/quickstart

echo "1..4"

# Option names in text: a dash or two and a letter, at the start or after
# a blank or one of []()|,`
option_names() {
	grep -oE '(^|[][ (),|`])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[^-]*//' | LC_ALL=C sort -u
}

# The tags (.TP's next line, continued by \c) of section SECTION of a man
# page, as plain text.
man_tags() {
	awk -v want="$2" '
		/^\.SH / { sect = $0; sub(/^\.SH +/, "", sect); gsub(/"/, "", sect); next }
		sect != want { tag = 0; next }
		/^\.T[PQ]/ { tag = 1; next }
		tag { print; if ($0 !~ /\\c$/) tag = 0 }
	' "$1" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\c$//' -e 's/"//g' -e 's/^\.[A-Z]* //'
}

# compare TITLE WHAT-A FILE-A WHAT-B FILE-B
compare() {
	LC_ALL=C comm -23 "$3" "$5" >"$tmp/only_a"
	LC_ALL=C comm -13 "$3" "$5" >"$tmp/only_b"
	[ -s "$tmp/only_a" ] && problem "in $2, not in $4: $(tr '\n' ' ' <"$tmp/only_a")"
	[ -s "$tmp/only_b" ] && problem "in $4, not in $2: $(tr '\n' ' ' <"$tmp/only_b")"
	[ -s "$3" ] || problem "$2 names nothing"
	check "$1"
}

"$FLYTEC" --help | option_names >"$tmp/help_flytec"
man_tags "$top_srcdir/man/flytec.1" OPTIONS | option_names >"$tmp/man_flytec"
compare "options flytec" "flytec --help" "$tmp/help_flytec" "man/flytec.1" "$tmp/man_flytec"

if [ ! -x "$exe" ]; then
	echo "Bail out! $me: no task executable at $exe"
	exit 1
fi
"$exe" --help >"$tmp/help_exe"
option_names <"$tmp/help_exe" >"$tmp/help_flyterun"
man_tags "$top_srcdir/man/flyterun.1" OPTIONS | option_names >"$tmp/man_flyterun"
compare "options flyterun" "the task executable's --help" "$tmp/help_flyterun" "man/flyterun.1" "$tmp/man_flyterun"

sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p' "$tmp/help_exe" | LC_ALL=C sort -u >"$tmp/help_cmds"
man_tags "$top_srcdir/man/flyterun.1" COMMANDS | awk '{ print $1 }' | LC_ALL=C sort -u >"$tmp/man_cmds"
compare "commands flyterun" "the task executable's --help" "$tmp/help_cmds" "man/flyterun.1" "$tmp/man_cmds"

if ! command -v groff >/dev/null 2>&1; then
	skip "render" "no groff (Debian: groff-base)"
else
	for page in flytec.1 flyterun.1; do
		groff -man -Tutf8 -ww -z "$top_srcdir/man/$page" 2>"$tmp/groff.err" ||
			problem "groff $page failed"
		[ -s "$tmp/groff.err" ] && problem "groff $page: $(head -5 "$tmp/groff.err")"
	done
	check "render"
fi

[ "$failed" -eq 0 ]
