#!/usr/bin/env bash
# The wheel, built and used as a Python user would (issue 28). maturin
# (pinned, from PyPI, in a venv of its own under target/) builds the wheel
# from the release build that `cargo test --release` made: Cargo.toml's
# resolver and release profile make that the same binary, so the build
# links nothing new, and this script fails if the wheel's `conlab` differs
# from target/release/conlab. Then, in a fresh venv and a temp dir:
# `pip install` of the wheel, and from its `conlab`: `init --python` and `run` of the
# Python starter (the install-to-first-result time), `validate` and `run` of a
# short experiment with the `processes` model (which starts the wheel's
# binary again as its workers) and `python-asyncio`, `completions` and
# `man`.
#
#   scripts/wheel-test.sh      leaves the wheel in target/wheels/
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
maturin_version=1.16.0
tools=$repo/target/maturin-venv
say() { echo "wheel-test: $*"; }
fail() {
    echo "wheel-test: FAILED: $*" >&2
    exit 1
}

# maturin, installed once per target dir (again only if the pin changes).
if ! "$tools/bin/maturin" --version 2>/dev/null | grep -qx "maturin $maturin_version"; then
    say "installing maturin $maturin_version into $tools"
    python3 -m venv --clear "$tools"
    "$tools/bin/pip" install --quiet --disable-pip-version-check "maturin==$maturin_version" ||
        fail "pip install maturin==$maturin_version"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/conlab-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$repo"
rm -f target/wheels/conlab-*.whl
started=$SECONDS
"$tools/bin/maturin" build --release --locked --out target/wheels >"$work/maturin.log" 2>&1 ||
    { tail -n 30 "$work/maturin.log" >&2; fail "maturin build"; }
wheel=$(ls target/wheels/conlab-*.whl)
compiled=$(grep -c '^ *Compiling ' "$work/maturin.log" || true)
say "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB) in $((SECONDS - started)) s, $compiled crates compiled"

# A fresh venv, as a user makes one.
cd "$work"
started=$(date +%s.%N)
python3 -m venv venv
venv_made=$(date +%s.%N)
venv/bin/pip install --quiet --disable-pip-version-check --no-index "$repo/$wheel" || fail "pip install $wheel"
installed=$(date +%s.%N)
export PATH=$work/venv/bin:$PATH
[ "$(command -v conlab)" = "$work/venv/bin/conlab" ] || fail "conlab on PATH is $(command -v conlab), not the wheel's"
cmp -s venv/bin/conlab "$repo/target/release/conlab" ||
    fail "the wheel's conlab is not target/release/conlab: maturin built another binary"
say "the wheel's conlab is target/release/conlab ($(du -k venv/bin/conlab | cut -f1) KiB), $(conlab --version)"

# Install to first result: the Python starter, as the README starts.
mkdir first && cd first
conlab init --python >init.log 2>&1 || fail "conlab init --python: $(cat init.log)"
conlab run experiment.toml --quiet >run.log 2>&1 || fail "conlab run experiment.toml: $(tail -n 20 run.log)"
[ -s output/first-python/summary.csv ] || fail "the starter's run wrote no output/first-python/summary.csv"
done_at=$(date +%s.%N)
cd ..
python3 - "$started" "$venv_made" "$installed" "$done_at" <<'EOF'
import sys
start, venv, installed, done = map(float, sys.argv[1:])
print(f"wheel-test: install to first result {done - start:.1f} s: venv {venv - start:.1f} s, "
      f"pip install {installed - venv:.1f} s, conlab init --python + run of the starter {done - installed:.1f} s")
EOF

# The processes and python-asyncio models, from the wheel.
cat >wheel.toml <<'EOF'
[experiment]
name = "wheel"
repetitions = 2
warmup = 0

[[workload]]
name = "io"
tasks = 4
io_latency = "20ms"

[[model]]
kind = "processes"
workers = 2

[[model]]
kind = "python-asyncio"
EOF
conlab validate wheel.toml >validate.log 2>&1 || fail "conlab validate: $(cat validate.log)"
conlab run wheel.toml --out results --quiet >run.log 2>&1 || fail "conlab run wheel.toml: $(tail -n 20 run.log)"
python3 - results/runs.csv <<'EOF' || fail "the wheel's runs (above)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
ok = {}
for r in rows:
    if r["status"] == "ok":
        ok[r["kind"]] = ok.get(r["kind"], 0) + 1
    else:
        print(f"wheel-test: {r['kind']} run {r['repetition']}: {r['status']} {r['message']}", file=sys.stderr)
if ok != {"processes": 2, "python-asyncio": 2}:
    sys.exit(f"wheel-test: ok runs by model {ok}, not 2 of processes and 2 of python-asyncio")
print("wheel-test: processes and python-asyncio ran from the wheel: 4 runs ok")
EOF
conlab completions bash | grep -q '_conlab' || fail "conlab completions bash"
conlab man | grep -q '^\.TH conlab 1' || fail "conlab man"
say "ok"
