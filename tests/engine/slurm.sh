#!/bin/sh
# slurm.sh: `run --engine slurm` on a real one-host Slurm cluster that this
# script starts (tests/fixtures/slurm.sh: munged, slurmctld, slurmd on
# 127.0.0.1 under the scratch directory) and stops on any exit. A TAP
# producer.
#
# The examples' cases (examples/*/tests/*.args) run on Slurm and must
# print what the local executor prints (CASE.out, the status in CASE.status);
# tests/engine/engine covers a retried recoverable failure, a timeout, the
# task's env and resources as sbatch flags, the cache, and cancelling the
# submitter (SIGTERM: its jobs are scancel'led), detached runs, and an
# unanswering controller. The cluster's start, the
# cases and the stop are timed on stderr ("# timing: ...").
#
# Needs top_builddir (the examples, tests/engine/engine) and top_srcdir.

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
fixture=$top_srcdir/tests/fixtures/slurm.sh
engine=$top_builddir/tests/engine/engine
for t in munged mungekey slurmctld slurmd sbatch squeue scancel scontrol sinfo python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "Bail out! $t is not installed (scripts/deps.sh installs it)"
		exit 1
	fi
done
[ -x "$engine" ] || { echo "Bail out! no $engine (make check builds it)"; exit 1; }

. "$top_srcdir/tests/lib.sh"
cluster=$tmp/cluster
cleanup() {
	sh "$fixture" stop "$cluster"
	chmod -R u+w "$tmp" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ms() {
	if $clock; then echo $((($(now) - $1) / 1000000)); else echo "?"; fi
}

t0=$(now)
if ! sh "$fixture" start "$cluster" >"$tmp/fixture.err" 2>&1; then
	echo "Bail out! the Slurm cluster did not start: $(head -c 2000 "$tmp/fixture.err")"
	exit 1
fi
echo "# timing: the cluster started in $(ms "$t0") ms" >&2
. "$cluster/env"
work=$tmp/work
mkdir -p "$work"

# slurm_run OUT EXE ARGS...: runs EXE on Slurm (its own cache), stdout in
# OUT.out, stderr in OUT.err, the status in OUT.status
slurm_run() {
	out=$1 exe=$2
	shift 2
	# shellcheck disable=SC2086 # the wrapper is a command prefix
	FLYTEC_CACHE_DIR=$out.cache $wrapper "$exe" "$@" --engine slurm --work-dir "$work" \
		--executable "$exe" >"$out.out" 2>"$out.err" </dev/null
	echo $? >"$out.status"
}

# the run directory a run named on stderr ("run: on Slurm, in DIR"); a
# non-existent one if it named none (so that no squeue lists every job)
run_dir() {
	d=$(sed -n 's/^run: on Slurm, in //p' "$1.err" | head -n 1)
	echo "${d:-/nonexistent/no-run-dir}"
}

# ---- the examples, every case at once (Slurm runs them side by side) ----------------
t1=$(now)
cases=
for args in "$top_srcdir"/examples/*/tests/*.args; do
	dir=$(dirname "$(dirname "$args")")
	name=$(basename "$dir")
	case_name=$(basename "$args" .args)
	line=$(sed "s|@DIR@|$dir|g" "$args")
	# shellcheck disable=SC2086 # the arguments are words
	(cd "$tmp" && slurm_run "$tmp/$name.$case_name" "$top_builddir/examples/$name/$name" $line) &
	cases="$cases $name.$case_name:$args"
done
wait
for c in $cases; do
	id=${c%%:*} args=${c#*:}
	base=${args%.args}
	want=0
	[ -f "$base.status" ] && want=$(cat "$base.status")
	got=$(cat "$tmp/$id.status")
	[ "$got" = "$want" ] || problem "status $got, not $want"
	cmp -s "$base.out" "$tmp/$id.out" || problem "stdout differs: $(diff "$base.out" "$tmp/$id.out" | head -n 5)"
	[ -n "$(run_dir "$tmp/$id")" ] || problem "no run directory on stderr"
	[ -z "$problems" ] || problem "stderr: $(tail -n 5 "$tmp/$id.err")"
	check "$id on Slurm prints what the local executor prints"
done
echo "# timing: the examples' cases took $(ms "$t1") ms" >&2

# the tolerant map: the failed elements' error.pb, the others' outputs.pb,
# in Flyte's layout under the run directory; one array for the map
d=$(run_dir "$tmp/tolerant.tolerant")
for i in 0 1 3 4; do
	[ -s "$d/n0/data/$i/0/outputs.pb" ] || problem "no n0/data/$i/0/outputs.pb"
done
for i in 2 5; do
	[ -s "$d/n0/data/$i/0/error.pb" ] || problem "no n0/data/$i/0/error.pb"
	[ -e "$d/n0/data/$i/0/outputs.pb" ] && problem "n0/data/$i/0/outputs.pb of a failed element"
done
[ -s "$d/n0/data/inputs.pb" ] || problem "no n0/data/inputs.pb (the map's inputs)"
grep -q 'map-execute' "$d"/jobs/1-n0.0.sh || problem "the map's job runs no map-execute: $(cat "$d"/jobs/1-n0.0.sh)"
grep -q 'BATCH_JOB_ARRAY_INDEX_VAR_NAME=SLURM_ARRAY_TASK_ID' "$d"/jobs/1-n0.0.sh ||
	problem "the map's job does not name SLURM_ARRAY_TASK_ID"
check "a tolerant map: failed elements leave error.pb, the rest outputs.pb (n0/data/I/ATTEMPT)"

for want in '0: 3 is a multiple of 3' '1: 6 is a multiple of 3' '2: 9 is a multiple of 3' \
	'elements succeeded, 2 needed'; do
	grep -qF "$want" "$tmp/tolerant.too_many_failures.err" || problem "no '$want' on stderr"
done
check "a map short of its min_success_ratio fails with propeller's summary"

# ---- engine: retries, timeouts, options, the cache ----------------------------------------
slurm_run "$tmp/retried" "$engine" run retried 'xs=[1,2,3]'
[ "$(cat "$tmp/retried.status")" = 0 ] || problem "status $(cat "$tmp/retried.status"): $(tail -n 5 "$tmp/retried.err")"
[ "$(cat "$tmp/retried.out")" = '{"o0": [2, 3, 4]}' ] || problem "stdout: $(cat "$tmp/retried.out")"
d=$(run_dir "$tmp/retried")
for i in 0 1 2; do
	[ -s "$d/n0/data/$i/0/error.pb" ] || problem "no n0/data/$i/0/error.pb (attempt 0 fails)"
	[ -s "$d/n0/data/$i/1/outputs.pb" ] || problem "no n0/data/$i/1/outputs.pb (attempt 1)"
done
grep -q 'USER:Recoverable, recoverable' "$tmp/retried.err" || problem "no recoverable failure on stderr"
check "a recoverable failure of map elements: the failed indexes are resubmitted, attempt 1 succeeds"

slurm_run "$tmp/retried_old" "$engine" run retried_old 'xs=[1,2,3]'
[ "$(cat "$tmp/retried_old.out")" = '{"o0": [2, 3, 4]}' ] || problem "stdout: $(cat "$tmp/retried_old.out") $(tail -n 5 "$tmp/retried_old.err")"
d_old=$(run_dir "$tmp/retried_old")
for i in 0 1 2; do
	[ -s "$d_old/n0/data/0/$i/error.pb" ] || problem "no n0/data/0/$i/error.pb (legacy: the attempt, then the index)"
	[ -s "$d_old/n0/data/1/$i/outputs.pb" ] || problem "no n0/data/1/$i/outputs.pb"
done
grep -q -- "map-execute" "$d_old"/jobs/1-n0.0.sh && grep -q -- "--legacy" "$d_old"/jobs/1-n0.0.sh ||
	problem "no map-execute --legacy: $(cat "$d_old"/jobs/1-n0.0.sh)"
check "a legacy map task: map-execute --legacy, the failed indexes resubmitted"

jid=$(squeue --noheader --states=all --name="flytec-$(basename "$d")" --format='%F' | sort -n | head -n 1)
scontrol -o show job "$jid" | grep -q 'ArrayTaskThrottle=2' || problem "the map's array has no %2: $(scontrol -o show job "$jid")"
check "a map's concurrency is the array's throttle (--array=...%2)"

slurm_run "$tmp/timed" "$engine" run timed s=30
[ "$(cat "$tmp/timed.status")" = 1 ] || problem "status $(cat "$tmp/timed.status"), not 1"
grep -q 'node n0 (engine.nap): timed out after 2s' "$tmp/timed.err" || problem "stderr: $(tail -n 5 "$tmp/timed.err")"
d=$(run_dir "$tmp/timed")
jobs=$(squeue --noheader --states=all --name="flytec-$(basename "$d")" --format='%i %T')
case $jobs in *CANCELLED*) ;; *) problem "the job was not cancelled: $jobs" ;; esac
scontrol -o show job "${jobs%% *}" | grep -q 'TimeLimit=00:01:00' || problem "no --time=1 (minutes): $(scontrol -o show job "${jobs%% *}")"
check "a task's timeout stops its job (scancel) and fails the node; --time is the timeout in minutes"

slurm_run "$tmp/greet" "$engine" run greet
[ "$(cat "$tmp/greet.out")" = '{"o0": "hello from the job"}' ] || problem "stdout: $(cat "$tmp/greet.out") $(tail -n 5 "$tmp/greet.err")"
d=$(run_dir "$tmp/greet")
jid=$(squeue --noheader --states=all --name="flytec-$(basename "$d")" --format='%i' | head -n 1)
info=$(scontrol -o show job "$jid")
for want in Requeue=1 MinMemoryNode=100M CPUs/Task=1 TimeLimit=UNLIMITED; do
	case $info in *" $want "*) ;; *) problem "no $want: $info" ;; esac
done
check "the task's env is in the job's environment; requests, limits, interruptible as sbatch flags"

slurm_run "$tmp/greeted" "$engine" run greeted
[ "$(cat "$tmp/greeted.out")" = '{"o0": "hello from the job"}' ] || problem "stdout: $(cat "$tmp/greeted.out") $(tail -n 5 "$tmp/greeted.err")"
d=$(run_dir "$tmp/greeted")
jid=$(squeue --noheader --states=all --name="flytec-$(basename "$d")" --format='%i' | head -n 1)
info=$(scontrol -o show job "$jid")
for want in Requeue=0 MinMemoryNode=200M CPUs/Task=2; do
	case $info in *" $want "*) ;; *) problem "no $want: $info" ;; esac
done
check "a call's overrides (with { requests, limits, interruptible }) replace the task's in the flags"

slurm_run "$tmp/gpus" "$engine" run gpus
[ "$(cat "$tmp/gpus.out")" = '{"o0": "0"}' ] || problem "stdout: $(cat "$tmp/gpus.out") $(tail -n 5 "$tmp/gpus.err")"
d=$(run_dir "$tmp/gpus")
jid=$(squeue --noheader --states=all --name="flytec-$(basename "$d")" --format='%i' | head -n 1)
case $(scontrol -o show job "$jid") in *TresPerNode=*gpu:1*) ;; *) problem "no gpu:1: $(scontrol -o show job "$jid")" ;; esac
check "a GPU limit is --gres=gpu:N (the fixture's node has one pretend GPU)"

# the cache: on a second run, the cached map (describe_all, n1) submits nothing
cache=$tmp/cache
for k in 1 2; do
	FLYTEC_CACHE_DIR=$cache $wrapper "$top_builddir/examples/quickstart/quickstart" run pipeline \
		'xs=[1,2,3,4]' --engine slurm --work-dir "$work" >"$tmp/pl$k.out" 2>"$tmp/pl$k.err" </dev/null ||
		problem "run $k failed: $(tail -n 3 "$tmp/pl$k.err")"
	cmp -s "$tmp/pl$k.out" "$top_srcdir/examples/quickstart/tests/pipeline.out" ||
		problem "run $k: stdout: $(cat "$tmp/pl$k.out")"
done
grep -q '^cached: n1 quickstart.describe_all (4 of 4 elements)$' "$tmp/pl2.err" ||
	problem "no 'cached: n1 ...' on the second run's stderr: $(cat "$tmp/pl2.err")"
d=$(sed -n 's/^run: on Slurm, in //p' "$tmp/pl2.err")
jobs=$(cd "$d/jobs" && echo *)
[ "$jobs" = "1-n0.0.sh 2-n2.0.sh" ] || problem "the second run submitted $jobs, not n0 and n2 alone"
check "cached map elements are not submitted (the default executable: this one)"

# ---- cancelling the submitter ----------------------------------------------------------------
# shellcheck disable=SC2086 # the wrapper is a command prefix
$wrapper "$engine" run dozing 'xs=[120,120,120,120]' --engine slurm --work-dir "$work" --no-cache \
	>"$tmp/doze.out" 2>"$tmp/doze.err" </dev/null &
pid=$!
i=0
name=
while [ $i -lt 300 ]; do
	[ -z "$name" ] && [ -s "$tmp/doze.err" ] && name=flytec-$(basename "$(run_dir "$tmp/doze")")
	[ -n "$name" ] && squeue --noheader --name="$name" --states=RUNNING --format=%i | grep -q . && break
	sleep 0.1
	i=$((i + 1))
done
[ $i -lt 300 ] || problem "no job of the run started"
kill -TERM "$pid"
wait "$pid"
status=$?
[ "$status" = 143 ] || problem "status $status, not 143 (SIGTERM)"
grep -q 'cancelling 4 Slurm jobs' "$tmp/doze.err" || problem "stderr: $(tail -n 5 "$tmp/doze.err")"
left=$(squeue --noheader --name="$name" --states=PENDING,RUNNING,COMPLETING --format='%i %T')
[ -z "$left" ] || problem "jobs left: $left"
squeue --noheader --states=all --name="$name" --format='%T' | grep -qv CANCELLED &&
	problem "a job not cancelled: $(squeue --noheader --states=all --name="$name" --format='%i %T')"
check "SIGTERM to the submitter cancels its jobs (scancel) and exits 128+15"

# ---- detached runs ----------------------------------------------------------------------------
# shellcheck disable=SC2086
d=$($wrapper "$engine" run retried 'xs=[1,2]' --engine slurm --work-dir "$work" --no-cache --detach \
	2>"$tmp/det.err" </dev/null)
[ $? = 0 ] || problem "--detach: status not 0: $(cat "$tmp/det.err")"
case $d in "$work"/*) ;; *) problem "--detach printed '$d', not the run's directory" ;; esac
"$engine" slurm collect "$d" --wait >"$tmp/det.out" 2>"$tmp/det.log"
[ $? = 0 ] || problem "collect: status not 0: $(cat "$tmp/det.log")"
[ "$(cat "$tmp/det.out")" = '{"o0": [2, 3]}' ] || problem "collect printed: $(cat "$tmp/det.out")"
grep -q 'attempt 0 of element 2 fails' "$tmp/det.log" || problem "collect's stderr: $(cat "$tmp/det.log")"
"$engine" slurm status "$d" 2>"$tmp/det.st"
grep -qx "$d: succeeded (status 0)" "$tmp/det.st" || problem "status: $(cat "$tmp/det.st")"
check "run --detach prints the run's directory; slurm collect --wait prints its result later"

# shellcheck disable=SC2086
d=$($wrapper "$engine" run dozing 'xs=[120,120,120]' --engine slurm --work-dir "$work" --no-cache \
	--detach 2>"$tmp/detc.err" </dev/null)
name=flytec-$(basename "$d")
i=0
until squeue --noheader --name="$name" --states=RUNNING --format=%i | grep -q . || [ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
"$engine" slurm status "$d" 2>"$tmp/detc.st"
grep -q "^$d: running (pid [0-9]*)$" "$tmp/detc.st" || problem "status: $(cat "$tmp/detc.st")"
"$engine" slurm collect "$d" >/dev/null 2>"$tmp/detc.c1"
[ $? = 1 ] || problem "collect of a running run: status not 1"
grep -q 'still running' "$tmp/detc.c1" || problem "collect: $(cat "$tmp/detc.c1")"
"$engine" slurm cancel "$d" 2>/dev/null || problem "cancel failed"
"$engine" slurm collect --wait "$d" >/dev/null 2>"$tmp/detc.log"
[ $? = 143 ] || problem "collect after cancel: status not 143"
grep -q 'cancelling 3 Slurm jobs' "$tmp/detc.log" || problem "collect's stderr: $(tail -n 3 "$tmp/detc.log")"
left=$(squeue --noheader --name="$name" --states=PENDING,RUNNING --format='%i %T')
[ -z "$left" ] || problem "jobs left: $left"
"$engine" slurm status "$tmp" 2>"$tmp/detc.bad"
[ $? = 1 ] || problem "status of a directory that is no run: not 1"
grep -q 'not the directory of a detached run' "$tmp/detc.bad" || problem "$(cat "$tmp/detc.bad")"
check "slurm status, collect and cancel of a detached run (its jobs cancelled)"

# ---- a controller that does not answer -------------------------------------------------------
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "squeue: error: Unable to contact slurm controller (connect failure)" >&2\nexit 1\n' >"$tmp/bin/squeue"
chmod +x "$tmp/bin/squeue"
real_squeue=$(command -v squeue)
# shellcheck disable=SC2086
PATH=$tmp/bin:$PATH FLYTEC_SLURM_PATIENCE=1 $wrapper "$engine" run doze s=120 --engine slurm --work-dir "$work" \
	--no-cache >"$tmp/lost.out" 2>"$tmp/lost.err" </dev/null
[ $? = 1 ] || problem "status not 1"
grep -q 'lost track of the Slurm job [0-9]*: squeue failed for 1s: squeue: error: Unable to contact' "$tmp/lost.err" ||
	problem "stderr: $(tail -n 5 "$tmp/lost.err")"
name=flytec-$(basename "$(run_dir "$tmp/lost")")
i=0
while "$real_squeue" --noheader --name="$name" --format=%i | grep -q . && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ $i -lt 100 ] || problem "its job still runs: $("$real_squeue" --noheader --name="$name")"
check "when squeue keeps failing, the run gives up (FLYTEC_SLURM_PATIENCE) and cancels its jobs"

# ---- bad options ---------------------------------------------------------------------------
# shellcheck disable=SC2086
$wrapper "$engine" run greet --engine slurm >"$tmp/bad.out" 2>"$tmp/bad.err" </dev/null
[ $? = 1 ] || problem "status not 1"
grep -q 'needs --work-dir DIR' "$tmp/bad.err" || problem "stderr: $(cat "$tmp/bad.err")"
# shellcheck disable=SC2086
$wrapper "$engine" run greet --engine pbs >"$tmp/bad.out" 2>"$tmp/bad.err" </dev/null
[ $? = 2 ] || problem "--engine pbs: status not 2"
grep -q "run: --engine is local or slurm, not 'pbs'" "$tmp/bad.err" || problem "stderr: $(cat "$tmp/bad.err")"
# shellcheck disable=SC2086
$wrapper "$engine" run greet --work-dir "$work" >"$tmp/bad.out" 2>"$tmp/bad.err" </dev/null
[ $? = 2 ] || problem "--work-dir alone: status not 2"
grep -q "run: --work-dir, --executable and --detach are options of --engine slurm" "$tmp/bad.err" || problem "stderr: $(cat "$tmp/bad.err")"
# shellcheck disable=SC2086
$wrapper "$engine" run greet --engine slurm --work-dir "$work" --executable "$tmp/nothing" >"$tmp/bad.out" 2>"$tmp/bad.err" </dev/null
[ $? = 1 ] || problem "--executable nothing: status not 1"
grep -q "run: --executable $tmp/nothing: No such file or directory" "$tmp/bad.err" || problem "stderr: $(cat "$tmp/bad.err")"
check "--engine slurm without --work-dir, an unknown engine, a missing executable are clear errors"

t2=$(now)
sh "$fixture" stop "$cluster"
echo "# timing: the cluster stopped in $(ms "$t2") ms; the whole test took $(ms "$t0") ms" >&2
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
echo "1..$n"
[ $failed -eq 0 ]
