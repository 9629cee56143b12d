#!/usr/bin/env bash
# The cluster path, tested for real (issue 28): a one-node Slurm on this
# machine runs the Slurm array script of docs/src/across-machines.md, as
# the book prints it, on a small experiment as 3 shards; the book's merge
# command joins them; the merged folder must hold exactly the cells of a
# whole run, and every claim must be judged on measured values.
#
#   scripts/slurm-test.sh [CONLAB]   the binary to test (default: target/release/conlab)
#
# Installs Debian's slurm-wlm and munge when they are missing (root and
# apt-get; nothing when they are there). Starts munged, slurmctld and
# slurmd on 127.0.0.1, with a munge key and a slurm.conf written into a
# temp dir, on ports found free, and stops them again however the test
# ends. Anything that goes wrong fails loudly, with the tails of the
# daemons' logs and of the jobs' output. A Slurm that cannot be installed
# or started fails under CONLAB_TEST_STRICT=1 (as .ci/run sets it) and is
# a loud skip otherwise. CONLAB_SLURM_KEEP=1 keeps the temp dir.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
book=$repo/docs/src/across-machines.md
shards=3
started=$SECONDS

say() { echo "slurm-test: $*"; }

strict=0
case "${CONLAB_TEST_STRICT:-}" in 1 | true | yes) strict=1 ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/conlab-slurm.XXXXXX")
chmod 700 "$work"
mkdir -p "$work/log" "$work/munge" "$work/state" "$work/spool" "$work/bin" "$work/cluster"
chmod 700 "$work/munge"
export SLURM_CONF=$work/slurm.conf
jobid=""
policy_rc=""

tails() {
    local file
    for file in "$work"/log/*.log "$work"/cluster/slurm-*.out; do
        [ -s "$file" ] || continue
        echo "---- last 25 lines of ${file#"$work"/}" >&2
        tail -n 25 "$file" >&2
    done
}

fail() {
    echo "slurm-test: FAILED: $*" >&2
    tails
    exit 1
}

# Slurm could not be had or started: a failure in strict mode, else a skip.
unavailable() {
    if [ "$strict" = 1 ]; then
        fail "$* (CONLAB_TEST_STRICT=1: Slurm must run here)"
    fi
    tails
    echo "slurm-test: SKIPPED: $* (the cluster path is NOT tested)" >&2
    exit 0
}

# Stops what this script started: the jobs, slurmd, slurmctld, munged, by
# the process ids their pid files name.
stop_pid_file() {
    local file=$1 pid i
    [ -s "$file" ] || return 0
    pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    say "pid $pid ($file) ignored SIGTERM for 10 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local code=$?
    if [ -n "$jobid" ]; then
        scancel "$jobid" 2>/dev/null || true
    fi
    stop_pid_file "$work/slurmd.pid"
    stop_pid_file "$work/slurmctld.pid"
    stop_pid_file "$work/munge/munged.pid"
    if [ -n "$policy_rc" ]; then
        rm -f "$policy_rc"
    fi
    if [ "${CONLAB_SLURM_KEEP:-}" = 1 ]; then
        say "kept $work"
    else
        rm -rf "$work"
    fi
    exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

conlab=${1:-$repo/target/release/conlab}
[ -x "$conlab" ] || fail "no conlab binary at $conlab (cargo build --release, or give its path)"
conlab=$(cd "$(dirname "$conlab")" && pwd)/$(basename "$conlab")
ln -s "$conlab" "$work/bin/conlab"
export PATH=$work/bin:$PATH

# --- Slurm and munge, installed if missing ---------------------------------
missing=()
for tool in slurmctld slurmd sbatch squeue scontrol sinfo scancel munged mungekey; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "missing ${missing[*]}: installing Debian's slurm-wlm and munge"
    [ "$(id -u)" = 0 ] || unavailable "Slurm is not installed, and installing it needs root (apt-get install slurm-wlm munge)"
    command -v apt-get >/dev/null || unavailable "Slurm is not installed, and there is no apt-get"
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        # No daemon of the packages starts while they install: this test
        # starts its own, on its own key and ports.
        policy_rc=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' >"$policy_rc"
        chmod 755 "$policy_rc"
    fi
    install() {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            slurm-wlm munge >>"$work/log/apt.log" 2>&1
    }
    install || { apt-get update -qq >>"$work/log/apt.log" 2>&1 && install; } ||
        unavailable "apt-get install slurm-wlm munge failed"
    if [ -n "$policy_rc" ]; then
        rm -f "$policy_rc"
        policy_rc=""
    fi
fi

# --- munge: a fresh key and a socket of its own -----------------------------
mungekey --create --keyfile="$work/munge/munge.key" >>"$work/log/munged.log" 2>&1 ||
    unavailable "mungekey could not create a key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/socket" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" \
    --seed-file="$work/munge/seed" || unavailable "munged did not start"

# --- a one-node Slurm on 127.0.0.1 ------------------------------------------
free_port() {
    local port i
    for i in $(seq 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    return 1
}
ctld_port=$(free_port) || unavailable "no free port on 127.0.0.1"
slurmd_port=$(free_port) || unavailable "no free port on 127.0.0.1"
[ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$((ctld_port + 1))
host=$(hostname -s)
# CPUs=4 with config_overrides: the node offers what the book's script
# asks for (--cpus-per-task=4, --exclusive) whatever this machine has, so
# the shards run one after another on it.
cat >"$SLURM_CONF" <<EOF
ClusterName=conlab-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
MailProg=/bin/true
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=conlab Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
version=$(slurmctld -V 2>/dev/null || echo "Slurm (version unknown)")
slurmctld -i >>"$work/log/slurmctld.log" 2>&1 || unavailable "slurmctld did not start"
slurmd -N "$host" >>"$work/log/slurmd.log" 2>&1 || unavailable "slurmd did not start"
state=""
for i in $(seq 60); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
done
[ "$state" = idle ] || unavailable "the node is '${state:-not known}' 30 s after slurmd started, not idle"
say "$version up on $host (slurmctld :$ctld_port, slurmd :$slurmd_port) after $((SECONDS - started)) s"

# --- the book's script and merge command -------------------------------------
# Each block follows a `<!-- slurm-test: NAME -->` line in the chapter.
block() {
    awk -v name="$1" '
        $0 == "<!-- slurm-test: " name " -->" { found = 1; next }
        found && !inside && /^```/ { inside = 1; next }
        inside && /^```/ { exit }
        inside { print }
    ' "$book"
}
block "array script" >"$work/cluster/conlab-seed.sh"
block "merge" >"$work/cluster/merge.sh"
head -n 1 "$work/cluster/conlab-seed.sh" | grep -q '^#!/bin/bash' && grep -q -- '--shard' "$work/cluster/conlab-seed.sh" ||
    fail "no Slurm array script after '<!-- slurm-test: array script -->' in $book"
grep -q '^conlab merge ' "$work/cluster/merge.sh" ||
    fail "no 'conlab merge' command after '<!-- slurm-test: merge -->' in $book"

# The experiment the book's script runs: experiments/seed.toml, small.
mkdir -p "$work/cluster/experiments"
cat >"$work/cluster/experiments/seed.toml" <<'EOF'
# Two workloads under four models: 8 cells, 3 shards of 3, 3 and 2.
[experiment]
name = "seed"
repetitions = 3
warmup = 0

[[workload]]
name = "io"
tasks = 3
io_latency = "40ms"

[[workload]]
name = "cpu"
tasks = 2
cpu_cost = "10ms"

[[model]]
kind = "sequential"

[[model]]
kind = "threads"

[[model]]
kind = "async"

[[model]]
kind = "processes"
workers = 2

[[claim]]
text = "Three threads wait about one IO latency, not three"
workload = "io"
model = "threads"
at_most = { ratio = 0.6, of = "sequential" }

[[claim]]
text = "An event loop overlaps the waits too"
workload = "io"
model = "async"
at_most = { ratio = 0.6, of = "sequential" }
EOF

# --- the job array: the book's script, as 3 shards ---------------------------
cd "$work/cluster"
submitted=$SECONDS
jobid=$(sbatch --parsable --array="1-$shards" conlab-seed.sh 2>>"$work/log/sbatch.log") ||
    fail "sbatch refused the book's script: $(cat "$work/log/sbatch.log")"
jobid=${jobid%%;*}
say "submitted the book's array script as job $jobid, array 1-$shards"
for i in $(seq 300); do
    [ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] && break
    sleep 0.5
done
[ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] ||
    fail "job $jobid is not done after 150 s: $(squeue -j "$jobid" 2>&1)"
states=$(scontrol -o show job "$jobid" 2>&1) || fail "scontrol show job $jobid: $states"
tasks_done=$(grep -c 'JobState=COMPLETED.*ExitCode=0:0' <<<"$states" || true)
[ "$tasks_done" = "$shards" ] ||
    fail "$tasks_done of $shards array tasks completed with exit code 0: $(tr ' ' '\n' <<<"$states" | grep -E '^(ArrayTaskId|JobState|ExitCode)=' | paste -sd ' ')"
say "$shards array tasks completed (exit code 0) in $((SECONDS - submitted)) s"
jobid=""

# --- merge, as the book says, and check -------------------------------------
bash -euo pipefail merge.sh >"$work/log/merge.log" 2>&1 ||
    fail "the book's merge command failed: $(tail -n 5 "$work/log/merge.log")"
conlab validate experiments/seed.toml >"$work/log/validate.log" 2>&1 ||
    fail "conlab validate refused the experiment: $(cat "$work/log/validate.log")"
check_code=0
conlab check results/seed >"$work/log/check.log" 2>&1 || check_code=$?
[ "$check_code" -le 1 ] || fail "conlab check results/seed exited $check_code: $(cat "$work/log/check.log")"
python3 - "$work" "$shards" <<'EOF' || fail "the merged folder is not a whole run (above)"
import csv, json, sys
from pathlib import Path

work, shards = Path(sys.argv[1]), int(sys.argv[2])
cluster = work / "cluster"
# A whole run's cells: the first column of `conlab validate`'s table.
table = (work / "log/validate.log").read_text().splitlines()
header = next(i for i, l in enumerate(table) if l.lstrip().startswith("cell ") and "│" in l)
expected = [l.split("│")[0].strip() for l in table[header + 2:] if "│" in l]
problems = []
def cells(folder):
    return [c["label"] for c in json.loads((folder / "summary.json").read_text())["cells"]]
merged = cells(cluster / "results/seed")
if sorted(merged) != sorted(expected) or len(set(merged)) != len(merged):
    problems.append(f"merged cells {merged}, a whole run's {expected}")
per_shard = [cells(cluster / f"results/seed-shard-{k}") for k in range(1, shards + 1)]
if sorted(sum(per_shard, [])) != sorted(expected) or any(not s for s in per_shard):
    problems.append(f"the shards' cells {per_shard} do not share out {expected}")
with open(cluster / "results/seed/runs.csv", newline="") as f:
    runs = list(csv.DictReader(f))
ok = [r for r in runs if r["status"] == "ok"]
if len(ok) != 3 * len(expected):
    problems.append(f"{len(ok)} ok runs of {len(runs)} in runs.csv, not 3 per cell ({3 * len(expected)})")
claims = json.loads((cluster / "results/seed/summary.json").read_text())["claims"]
verdicts = []
for c in claims:
    points = c.get("points") or []
    if not points or any(not isinstance(p.get("value"), (int, float)) for p in points):
        problems.append(f"claim {c['text']!r} is not judged on measured values: {c}")
    verdicts.append(f"{c['outcome']} ({'; '.join(p.get('measured', '?') for p in points)})")
if len(claims) != 2:
    problems.append(f"{len(claims)} claims in summary.json, not 2")
for p in problems:
    print(f"slurm-test: {p}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"slurm-test: merged folder: {len(merged)} cells = a whole run's, "
      f"shards of {', '.join(str(len(s)) for s in per_shard)} cells, {len(ok)} runs ok; "
      f"claims: {', '.join(verdicts)}")
EOF
say "conlab check results/seed exited $check_code: $(grep -c '' "$work/log/check.log") lines"
say "ok: the book's Slurm script and merge, on $version, in $((SECONDS - started)) s"
