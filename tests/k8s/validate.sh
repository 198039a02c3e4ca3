#!/usr/bin/env bash
# The Kubernetes Indexed Job of docs/batch.md (its one ```yaml block), validated with
# --strict (unknown fields are errors) against the Kubernetes API schemas that the
# pinned PyPI package kubernetes-validate ships; a copy with a misspelt field must
# fail, so a validator that accepts everything would not pass this test.
#
#   bash tests/k8s/validate.sh          (an optional step of scripts/test.sh)
#
# The validator lives in its own venv ($O2L_K8S_VENV, default build/venv-k8s-validate,
# about 150 MB), made on first use; when it cannot be installed the test prints one
# line "SKIPPED: <why>" and exits 0.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${O2L_K8S_VENV:-$repo/build/venv-k8s-validate}
pin=kubernetes-validate==1.37.0
k8s=1.37.0

if [ ! -x "$venv/bin/kubernetes-validate" ]; then
    t0=$SECONDS
    { python3 -m venv "$venv" && "$venv/bin/pip" install -q "$pin"; } >/dev/null 2>&1 || {
        rm -rf "$venv"
        echo "tests/k8s: SKIPPED: could not install $pin into $venv (no network or no python3-venv)"
        exit 0
    }
    echo "tests/k8s: installed $pin into $venv in $((SECONDS - t0)) s" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```yaml/ { n++; f = 1; next } /^```/ { f = 0 } f' "$repo/docs/batch.md" >"$tmp/job.yaml"
[ -s "$tmp/job.yaml" ] || { echo "tests/k8s: FAILED: docs/batch.md has no \`\`\`yaml block" >&2; exit 1; }
grep -q '^kind: Job$' "$tmp/job.yaml" && grep -q 'completionMode: Indexed' "$tmp/job.yaml" ||
    { echo "tests/k8s: FAILED: the yaml block of docs/batch.md is not an Indexed Job" >&2; exit 1; }
"$venv/bin/kubernetes-validate" --strict -k "$k8s" "$tmp/job.yaml" >&2 ||
    { echo "tests/k8s: FAILED: the Job of docs/batch.md does not validate against Kubernetes $k8s (above)" >&2; exit 1; }
sed 's/^  backoffLimit:/  backofLimit:/' "$tmp/job.yaml" >"$tmp/bad.yaml"
if "$venv/bin/kubernetes-validate" --strict -k "$k8s" "$tmp/bad.yaml" >/dev/null 2>&1; then
    echo "tests/k8s: FAILED: a Job with a misspelt field (backofLimit) validated: the check checks nothing" >&2
    exit 1
fi
echo "tests/k8s: the Indexed Job of docs/batch.md validates against Kubernetes $k8s ($pin, --strict)" >&2
