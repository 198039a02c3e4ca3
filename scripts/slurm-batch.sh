#!/usr/bin/env bash
# Converts a model zoo on a Slurm cluster: one job array of N tasks, task i running
# `onnx2linalg batch SOURCE -o OUTDIR --shard (i+1)/N`, then the shards' reports
# merged into OUTDIR/report.json and report.md (`onnx2linalg batch --merge-reports`).
#
#   bash scripts/slurm-batch.sh [options] SOURCE OUTDIR [-- BATCH_OPTION...]
#
#   -n N            shards, i.e. array tasks (default 4)
#   -j J            models converted at once in each task; also its --cpus-per-task (default 1)
#   --detach        return after submitting: the merge runs as a Slurm job that waits
#                   for the array (afterany); without it, wait here and merge here
#   --sbatch ARG    one more sbatch option for the array (repeatable: --sbatch --time=02:00:00)
#   BATCH_OPTION    passed to every shard (--emit, --weights, --dim, --shapes, --force, ...)
#
# SOURCE and OUTDIR must be visible at the same paths from every node (a shared file
# system). The binary is $ONNX2LINALG, or `onnx2linalg` from PATH, made absolute.
# Slurm logs go to OUTDIR/slurm/. The exit status is non-zero when a shard or a model
# failed (the merged report says which). See docs/batch.md.
set -euo pipefail

usage() {
    sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

shards=4
jobs=1
detach=0
sbatch_extra=()
while [ $# -gt 0 ]; do
    case $1 in
    -n) shards=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    --detach) detach=1; shift ;;
    --sbatch) sbatch_extra+=("$2"); shift 2 ;;
    -h | --help) usage ;;
    --) echo "slurm-batch: SOURCE and OUTDIR come before --" >&2; usage ;;
    -*) echo "slurm-batch: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || usage
source_path=$1
out_dir=$2
shift 2
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi
batch_options=("$@")

die() {
    echo "slurm-batch: $*" >&2
    exit 1
}
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "-n wants a shard count >= 1, got \"$shards\""
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "-j wants a count >= 1, got \"$jobs\""
command -v sbatch >/dev/null 2>&1 || die "sbatch is not on PATH (is this a Slurm login node?)"
bin=${ONNX2LINALG:-$(command -v onnx2linalg || true)}
[ -n "$bin" ] && [ -x "$bin" ] || die "no onnx2linalg binary: put it on PATH or set ONNX2LINALG"
bin=$(realpath "$bin")
[ -e "$source_path" ] || die "$source_path does not exist"
source_path=$(realpath "$source_path")
mkdir -p "$out_dir/slurm"
out_dir=$(realpath "$out_dir")

# Shard reports of an earlier run (another N) would not merge with this run's.
rm -f "$out_dir"/report.shard-*-of-*.json "$out_dir"/report.shard-*-of-*.md

# The task script, every argument quoted once here.
task=$out_dir/slurm/task.sh
{
    echo '#!/bin/bash'
    echo 'set -euo pipefail'
    printf 'exec %q batch %q -o %q -j %q --shard "$((SLURM_ARRAY_TASK_ID + 1))/%q"' \
        "$bin" "$source_path" "$out_dir" "$jobs" "$shards"
    if [ ${#batch_options[@]} -gt 0 ]; then printf ' %q' "${batch_options[@]}"; fi
    echo
} >"$task"
chmod +x "$task"

array_args=(--parsable --job-name=o2l-batch --array="0-$((shards - 1))"
    --cpus-per-task="$jobs" --output="$out_dir/slurm/shard-%a.log" "${sbatch_extra[@]}")
merge_cmd=$(printf '%q batch --merge-reports -o %q' "$bin" "$out_dir")

if [ "$detach" = 1 ]; then
    array_id=$(sbatch "${array_args[@]}" "$task")
    array_id=${array_id%%;*}
    merge_id=$(sbatch --parsable --job-name=o2l-merge --dependency="afterany:$array_id" \
        --output="$out_dir/slurm/merge.log" --wrap "$merge_cmd")
    echo "slurm-batch: array job $array_id ($shards shards), merge job ${merge_id%%;*}: report in $out_dir/report.md" >&2
    exit 0
fi

t0=$SECONDS
array_status=0
array_id=$(sbatch --wait "${array_args[@]}" "$task") || array_status=$?
echo "slurm-batch: array job ${array_id%%;*}: $shards shards done in $((SECONDS - t0)) s (highest task exit status $array_status; logs in $out_dir/slurm/)" >&2
merge_status=0
"$bin" batch --merge-reports -o "$out_dir" || merge_status=$?
if [ "$array_status" != 0 ] || [ "$merge_status" != 0 ]; then
    exit 1
fi
