#!/bin/sh
# docs.sh: checks the examples of docs/language.md. Prints TAP.
#
# Every fenced block whose info string is `flyte` must be a complete
# program that `flytec --check` accepts (status 0, nothing on stderr).
# Every `flyte-error` block must be followed by a `text` block (only blank
# lines between) holding exactly what flytec prints on stderr for it, and
# flytec must exit with status 1. `flyte-fragment` and other blocks are not
# checked. Each block is checked as `example.flyte` in a scratch directory.
#
# Environment: top_srcdir (default: the parent of this script's directory),
# FLYTEC (the compiler; default $top_builddir/flytec), FLYTEC_WRAPPER (an
# optional command prefix, such as valgrind).

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"
doc=$top_srcdir/docs/language.md
docname=docs/language.md

if [ ! -r "$doc" ]; then
	echo "Bail out! $me: cannot read $doc"
	exit 1
fi

# Split the document into blocks. For block K the awk script writes
#   $tmp/K.kind   flyte | flyte-error | orphan (a flyte-error without its text block)
#   $tmp/K.line   the line of the opening fence
#   $tmp/K.flyte  the program
#   $tmp/K.want   (flyte-error) the expected diagnostics
# and prints the number of blocks.
count=$(awk -v dir="$tmp" '
	function fence_info(line) {
		sub(/^```[ \t]*/, "", line)
		sub(/[ \t].*$/, "", line)
		return line
	}
	function finish_pending() {
		# a flyte-error block that is not followed by a text block
		if (pending) {
			print "orphan" > (dir "/" pending ".kind")
			close(dir "/" pending ".kind")
			pending = 0
		}
	}
	BEGIN { n = 0; inside = 0; pending = 0; out = "" }
	inside {
		if ($0 ~ /^```[ \t]*$/) {
			inside = 0
			if (out != "")
				close(out)
			out = ""
			next
		}
		if (out != "")
			print > out
		next
	}
	/^```/ {
		info = fence_info($0)
		inside = 1
		out = ""
		if (info == "text" && pending) {
			out = dir "/" pending ".want"
			printf "" > out
			print "flyte-error" > (dir "/" pending ".kind")
			close(dir "/" pending ".kind")
			pending = 0
			next
		}
		finish_pending()
		if (info == "flyte" || info == "flyte-error") {
			n++
			print NR > (dir "/" n ".line")
			close(dir "/" n ".line")
			out = dir "/" n ".flyte"
			printf "" > out
			if (info == "flyte") {
				print "flyte" > (dir "/" n ".kind")
				close(dir "/" n ".kind")
			} else {
				pending = n
			}
		}
		next
	}
	/^[ \t]*$/ { next }
	{ finish_pending() }
	END {
		finish_pending()
		if (inside)
			print "unterminated" > (dir "/unterminated")
		print n
	}
' "$doc") || {
	echo "Bail out! $me: awk failed on $doc"
	exit 1
}

if [ -f "$tmp/unterminated" ]; then
	echo "Bail out! $me: $docname ends inside a fenced block"
	exit 1
fi
if [ "$count" -eq 0 ]; then
	echo "1..1"
	echo "not ok 1 - $docname: no flyte or flyte-error blocks found"
	exit 0
fi

# Prints a file as TAP diagnostics.
diag() {
	sed 's/^/# /' "$1"
}

echo "1..$count"
run=$tmp/run
mkdir "$run"
k=1
while [ "$k" -le "$count" ]; do
	kind=$(cat "$tmp/$k.kind")
	line=$(cat "$tmp/$k.line")
	name="$docname:$line"
	cp "$tmp/$k.flyte" "$run/example.flyte"
	# shellcheck disable=SC2086 # the wrapper is a command with arguments
	(cd "$run" && exec $wrapper "$FLYTEC" --check example.flyte) \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	case $kind in
	flyte)
		if [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ]; then
			ok "$name"
		else
			not_ok "$name (flyte block: status $status, expected 0 and no diagnostics)"
			diag "$tmp/err"
		fi
		;;
	flyte-error)
		if [ "$status" -eq 1 ] && cmp -s "$tmp/$k.want" "$tmp/err"; then
			ok "$name"
		else
			not_ok "$name (flyte-error block: status $status, expected 1 and the diagnostics of the text block)"
			diff -u "$tmp/$k.want" "$tmp/err" >"$tmp/diff"
			sed -e "1s|^--- .*|--- expected (text block)|" -e "2s|^+++ .*|+++ flytec stderr|" \
				"$tmp/diff" >"$tmp/diff2"
			diag "$tmp/diff2"
		fi
		;;
	*)
		not_ok "$name (flyte-error block without a following text block)"
		;;
	esac
	k=$((k + 1))
done
exit 0
