#!/usr/bin/env bash
# The real-GPU check of issue 14, in one go (under 5 minutes on one H100/H200 with CuPy 14 and
# PyTorch CUDA, no network): run it whenever a machine with an NVIDIA GPU is at hand, and keep
# its log (BENCHMARKS.md and the note quote it).
#
#   scripts/gpu_check.sh [LOG]        # default LOG: gpu_check.log (also copied into $OUT if set)
#
# Stages, each under its own time budget so that one slow stage cannot eat the others':
#   1. the machine: nvidia-smi, Python, NumPy, CuPy, torch, what glasstorch.cuda sees;
#   2. the device suite on real CuPy: `pytest tests/devices` (the op catalogue on cuda against the
#      CPU, nn, the double's own tests), without the two stages below;
#   3. the op catalogue on cuda against PyTorch CUDA (tests/devices/test_cuda_vs_torch_cuda.py);
#   4. d2l chapters 6-7 on cuda: LeNet, batch-norm LeNet and ResNet programs under `glasstorch
#      run`, and `glasstorch train mlp/lenet/rnn/transformer --device cuda`, each against the
#      same run on the CPU
#      (tests/devices/test_cuda_programs.py), and tests/programs/ch6_6_lenet_train.py, which
#      trains where d2l.try_gpu() says (needs Debian's Fashion-MNIST folder, else it skips);
#   5. the GPU benchmark, `benchmarks/run.py --device cuda` (MLP and LeNet epochs, d2l
#      ResNet-18 96x96 b128), side by side with PyTorch CUDA, and `benchmarks/op_overhead.py
#      --device cuda`.
#
# Python: $PYTHON, else python3 (on the lent GPU machines, the one that holds torch and CuPy).
# glasstorch runs from this checkout's src/, so nothing is installed. Fashion-MNIST (stages 4-5):
# Debian's /usr/share/datasets/fashion-mnist, or the four *-ubyte.gz files in $FASHION_MNIST or in
# .data/fashion-mnist/ of this checkout (to bring them to a machine with no network:
# `mkdir -p .data/fashion-mnist && cp /usr/share/datasets/fashion-mnist/*.gz .data/fashion-mnist/`
# with `/.data/` in .git/info/exclude, and carry `.data`); without them those parts skip.
#
# Budgets (seconds; together 5 minutes at most) can be changed: GPU_CHECK_SUITE=70
# GPU_CHECK_ORACLE=35 GPU_CHECK_PROGRAMS=60 GPU_CHECK_BENCH=80 (GPU_CHECK_ROUNDS=2 rounds,
# GPU_CHECK_STEPS=200 ResNet-18 steps: fewer if glasstorch is slow there). The pytest stages run
# on 8 processes when pytest-xdist is installed (CuPy compiles each new kernel once, on first use,
# and caches it in ~/.cupy/kernel_cache: the first run on a bare machine is the slowest).
# The exit status is 0 when every stage passed, 1 otherwise; the log says which did not.
# GPU_CHECK_FAKE=1 runs the script on the double of CuPy (no GPU needed): a dry run of the script
# itself, whose numbers mean nothing.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
python="${PYTHON:-python3}"
log="$(realpath -m "${1:-gpu_check.log}")"
: >"$log"
export PYTHONPATH="$repo/src:$repo/tests/devices${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
if [ "${GPU_CHECK_FAKE:-0}" = 1 ]; then
  export GLASSTORCH_CUDA_ARRAYS=fake_cupy
else
  unset GLASSTORCH_CUDA_ARRAYS  # the real CuPy, not the double
fi
failed=()

say() { echo "$*" | tee -a "$log"; }
stage() {  # stage NAME BUDGET COMMAND...: run it under `timeout`, log everything
  local name="$1" budget="$2"; shift 2
  say ""
  say "== $name (budget ${budget}s) $(date -u +%H:%M:%S)"
  local start=$SECONDS
  timeout -s INT -k 10 "$budget" "$@" 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]} note=""
  [ "$rc" = 124 ] && note=" (budget spent)"
  [ "$rc" = 5 ] && note=" (nothing ran: skipped)" && rc=0  # pytest: no test collected
  say "-- $name: exit $rc after $((SECONDS - start))s$note"
  [ "$rc" = 0 ] || failed+=("$name")
}

say "glasstorch GPU check, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
[ "${GPU_CHECK_FAKE:-0}" = 1 ] && say "DRY RUN on the double of CuPy (GPU_CHECK_FAKE=1): no GPU, numbers mean nothing"

# Fashion-MNIST where the benchmark and `glasstorch train` look for it
fashion=""
for d in "${FASHION_MNIST:-}" /usr/share/datasets/fashion-mnist "$repo/.data/fashion-mnist"; do
  if [ -n "$d" ] && [ -f "$d/train-images-idx3-ubyte.gz" ]; then fashion="$d"; break; fi
done
if [ -n "$fashion" ]; then
  export GLASSTORCH_BENCH_FASHION="$fashion"
  if [ "$fashion" != /usr/share/datasets/fashion-mnist ]; then
    raw="$HOME/.glasstorch/data/FashionMNIST/raw"
    mkdir -p "$raw" && ln -sf "$fashion"/*-ubyte.gz "$raw/"
  fi
  say "Fashion-MNIST: $fashion"
else
  say "Fashion-MNIST: not found (the train CLI and benchmark parts skip or fail)"
fi

stage "machine" 15 "$python" - <<'PY'
import subprocess
import sys

print("python", sys.version.split()[0])
try:
    print(subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version",
                          "--format=csv,noheader"], capture_output=True, text=True).stdout.strip())
except OSError as e:
    print("nvidia-smi:", e)
import numpy
print("numpy", numpy.__version__)
try:
    import cupy
    print("cupy", cupy.__version__, "CUDA runtime", cupy.cuda.runtime.runtimeGetVersion())
except Exception as e:  # noqa: BLE001
    print("cupy: not usable:", e)
try:
    import torch
    print("torch", torch.__version__, "cuda", torch.cuda.is_available(),
          torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
except ImportError:
    print("torch: not installed (stage 3 and the torch side of stage 5 skip)")
import glasstorch
print("glasstorch.cuda.is_available()", glasstorch.cuda.is_available(),
      glasstorch.cuda.device_count())
if not glasstorch.cuda.is_available():
    sys.exit("glasstorch sees no GPU: nothing below can run on cuda")
print(glasstorch.ones(3, device="cuda") * 2)
PY
if [ ${#failed[@]} -ne 0 ]; then
  say "== no usable GPU: the other stages were not run"
  if [ -n "${OUT:-}" ] && [ -d "${OUT}" ]; then cp "$log" "$OUT/"; fi
  exit 1
fi

pytest=("$python" -m pytest -q -p no:cacheprovider -W ignore::pytest.PytestAssertRewriteWarning
        -o addopts="" -rf)
if "$python" -c "import xdist" 2>/dev/null; then pytest+=(-n 8); fi
# one line per failure: the log stays readable while many ops still fail
stage "device suite on CuPy (pytest tests/devices)" "${GPU_CHECK_SUITE:-70}" \
  "${pytest[@]}" --tb=line tests/devices \
  --ignore tests/devices/test_cuda_vs_torch_cuda.py --ignore tests/devices/test_cuda_programs.py
stage "op catalogue: glasstorch cuda vs torch cuda" "${GPU_CHECK_ORACLE:-35}" \
  "${pytest[@]}" --tb=line tests/devices/test_cuda_vs_torch_cuda.py
stage "d2l chapter 6 on cuda (glasstorch run, glasstorch train --device cuda)" \
  "${GPU_CHECK_PROGRAMS:-60}" "${pytest[@]}" --tb=short tests/devices/test_cuda_programs.py \
  tests/test_d2l_programs.py::test_lenet_train_ch6_program
stage "GPU benchmark (benchmarks/run.py --device cuda)" "${GPU_CHECK_BENCH:-80}" \
  "$python" benchmarks/run.py --device cuda --rounds "${GPU_CHECK_ROUNDS:-2}" --timeout 40 \
  --steps "${GPU_CHECK_STEPS:-200}"
stage "per-op overhead (benchmarks/op_overhead.py --device cuda)" 40 \
  "$python" benchmarks/op_overhead.py --device cuda --repeat 3

say ""
if [ ${#failed[@]} -eq 0 ]; then
  say "== all stages passed"
else
  say "== stages that did not pass: $(IFS=';'; echo "${failed[*]}")"
fi
if [ -n "${OUT:-}" ] && [ -d "${OUT}" ]; then cp "$log" "$OUT/"; fi
[ ${#failed[@]} -eq 0 ]
