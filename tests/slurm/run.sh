#!/usr/bin/env bash
# `onnx2linalg batch --shard` under a real scheduler: starts a one-node Slurm cluster
# on this machine (Debian's slurmctld, slurmd and munge; private config, key, state
# and ports in a temporary folder, daemons run as root in the foreground and stopped
# by their process ids at the end), converts fixtures/models through
# scripts/slurm-batch.sh as a job array of 4 shards, and checks that the merged
# report and every output equal a local `onnx2linalg batch` of the same folder
# (timings, `jobs` and the stamps aside); then again with 3 shards and --detach
# (the merge as a job that waits for the array).
#
#   bash tests/slurm/run.sh            (an optional step of scripts/test.sh)
#
# When it cannot run here (not root, packages missing and not installable, a daemon
# that does not start) it prints one line "SKIPPED: <why>" and exits 0.
# O2L_SLURM_INSTALL=0 forbids installing missing packages with apt-get.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
bin=$target/debug/onnx2linalg
zoo=$repo/fixtures/models
shards=4
t_all=$SECONDS

skip() {
    echo "tests/slurm: SKIPPED: $*"
    exit 0
}
fail() {
    echo "tests/slurm: FAILED: $*" >&2
    exit 1
}
say() { echo "tests/slurm: $*" >&2; }

# --- what it needs ---------------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "not root (the Slurm daemons and munged here run as root)"
need_pkgs=()
for tool in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || need_pkgs+=("${tool##*:}")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
    [ "${O2L_SLURM_INSTALL:-1}" = 1 ] || skip "missing ${need_pkgs[*]} and O2L_SLURM_INSTALL=0"
    command -v apt-get >/dev/null 2>&1 || skip "missing ${need_pkgs[*]} and no apt-get to install them"
    say "installing ${need_pkgs[*]} (apt-get, as root)"
    # The packages' scripts would start system-wide daemons; this test starts its own.
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    t0=$SECONDS
    install_ok=1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        slurmctld slurmd slurm-client munge >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                slurmctld slurmd slurm-client munge >/dev/null 2>&1; } || install_ok=0
    [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
    [ "$install_ok" = 1 ] || skip "apt-get install slurmctld slurmd slurm-client munge failed"
    say "installed in $((SECONDS - t0)) s"
fi
command -v python3 >/dev/null 2>&1 || skip "python3 is missing (it compares the reports)"
if [ ! -x "$bin" ]; then
    say "building $bin"
    (cd "$repo" && cargo build --quiet --bin onnx2linalg) || fail "cargo build --bin onnx2linalg failed"
fi

# --- a one-node cluster ------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/o2l-slurm.XXXXXX")
chmod 755 "$tmp"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log"
chmod 700 "$tmp/munge"
head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
chmod 600 "$tmp/munge/munge.key"
munged -F --force -S "$tmp/munge/socket" --key-file="$tmp/munge/munge.key" \
    --pid-file="$tmp/munge/pid" --seed-file="$tmp/munge/seed" --log-file="$tmp/log/munged.log" \
    >"$tmp/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/munge/socket" ] && break; sleep 0.1; done
munge -S "$tmp/munge/socket" -n 2>/dev/null | unmunge -S "$tmp/munge/socket" >/dev/null 2>&1 ||
    skip "munged did not start: $(tail -3 "$tmp/log/munged.out" | tr '\n' ' ')"

host=$(hostname -s)
cpus=$(nproc)
# Ports other than Slurm's defaults, so a system cluster on this machine is not disturbed.
port=$((16800 + RANDOM % 1000))
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=o2ltest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=o2l Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i >"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D >"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
state=
for _ in $(seq 60); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
done
[ "$state" = idle ] || skip "the Slurm node did not come up (state \"$state\"): $(tail -3 "$tmp/log/slurmctld.out" "$tmp/log/slurmd.out" | tr '\n' ' ')"
say "cluster up: $host, $cpus CPUs, slurm $(sinfo -V | cut -d' ' -f2), in $((SECONDS - t_all)) s"

# --- the same zoo, locally and as a job array ------------------------------------------
local_status=0
t0=$SECONDS
"$bin" batch "$zoo" -o "$tmp/local" -j "$cpus" 2>"$tmp/log/local.err" || local_status=$?
say "local batch: $(tail -1 "$tmp/log/local.err") (exit $local_status, $((SECONDS - t0)) s)"
slurm_status=0
t0=$SECONDS
ONNX2LINALG=$bin bash "$repo/scripts/slurm-batch.sh" -n "$shards" -j 1 "$zoo" "$tmp/slurm" \
    2>"$tmp/log/slurm-batch.err" || slurm_status=$?
cat "$tmp/log/slurm-batch.err" >&2
say "slurm-batch: exit $slurm_status, $((SECONDS - t0)) s"
[ "$slurm_status" = "$local_status" ] ||
    fail "slurm-batch.sh exited $slurm_status, the local batch $local_status (logs: $(cat "$tmp"/slurm/slurm/shard-*.log | tail -5))"
for k in $(seq "$shards"); do
    [ -f "$tmp/slurm/report.shard-$k-of-$shards.json" ] || fail "shard $k wrote no report"
done

same_report() { # LOCAL MERGED: equal but for timings, `jobs` and `shard`
    python3 - "$1" "$2" <<'EOF' || fail "$2 differs from the local report (above)"
import json, sys
local, merged = (json.load(open(p)) for p in sys.argv[1:3])
def strip(r):
    r = json.loads(json.dumps(r))
    r.pop("jobs")
    for key in ("model_wall_ms", "elapsed_ms"):
        r["totals"].pop(key)
    for m in r["models"]:
        m.pop("wall_ms")
    return r
assert merged["shard"] is None, merged["shard"]
assert merged["totals"]["models"] == len(merged["models"]) > 0
a, b = strip(local), strip(merged)
if a != b:
    for k in a:
        if a[k] != b.get(k):
            print(f"key {k}: local {json.dumps(a[k])[:400]}\n  merged {json.dumps(b.get(k))[:400]}", file=sys.stderr)
    sys.exit(1)
t = merged["totals"]
print(f"tests/slurm: {sys.argv[2]} = the local report: {t['models']} models, {t['ok']} ok, {t['failed']} failed", file=sys.stderr)
EOF
}
same_report "$tmp/local/report.json" "$tmp/slurm/report.json"

# Outputs: the same files with the same bytes (stamps hold times; reports checked above).
list() { (cd "$1" && find . -type f ! -name '*.stamp' ! -name 'report*' ! -path './slurm/*' | sort); }
[ "$(list "$tmp/local")" = "$(list "$tmp/slurm")" ] ||
    fail "the outputs differ in names: $(diff <(list "$tmp/local") <(list "$tmp/slurm") | head -5 | tr '\n' ' ')"
n=0
while read -r f; do
    cmp -s "$tmp/local/$f" "$tmp/slurm/$f" || fail "$f differs between the local run and the job array"
    n=$((n + 1))
done < <(list "$tmp/local")
say "outputs identical: $n files"

# --detach: the merge is a job of its own, started when the array has ended.
t0=$SECONDS
ONNX2LINALG=$bin bash "$repo/scripts/slurm-batch.sh" -n 3 -j 1 --detach "$zoo" "$tmp/detached" ||
    fail "slurm-batch.sh --detach failed"
for _ in $(seq 240); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 0.5
done
[ -z "$(squeue -h)" ] || fail "the detached array and merge jobs did not finish in 120 s: $(squeue -h | head -3)"
[ -f "$tmp/detached/report.json" ] ||
    fail "the merge job wrote no report: $(tail -3 "$tmp/detached/slurm/merge.log" 2>/dev/null)"
same_report "$tmp/local/report.json" "$tmp/detached/report.json"
say "--detach (3 shards, merge as a dependent job): $((SECONDS - t0)) s"
say "passed in $((SECONDS - t_all)) s"
