"""Per-op overhead: microseconds per call of the small ops the learners' loops are made of.

    .venv/bin/python benchmarks/op_overhead.py            # both sides, side by side
    .venv/bin/python benchmarks/op_overhead.py --device cuda   # on the GPU: CuPy vs torch CUDA

Each statement runs on tiny tensors (shapes of workload (a): batch 10, 2 features), so the time is
almost all Python and dispatch, not arithmetic. The script re-runs itself as a child on each side
(`python -m glasstorch run` and plain `python`) and prints the best of 5 repeats per op, in µs
(`--repeat N` for another number).

With `--device cuda` every tensor is made on the GPU (`device=`, `Linear(...).to(device)`) and
the GPU is synchronised when the clock is read, at both ends of each repeat: an op's time is its
launch cost plus its share of the GPU's work, as a training loop that waits for a loss sees it.
"""

import json
import os
import subprocess
import sys
import time
import timeit

SETUP = """
import torch
X = torch.randn(1000, 2, device=DEV)
idx = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], device=DEV)
a = torch.randn(10, 1, device=DEV)
b = torch.randn(10, 1, device=DEV)
w = torch.randn(2, 1, requires_grad=True, device=DEV)
bias = torch.zeros(1, requires_grad=True, device=DEV)
x10 = X[idx]
lin = torch.nn.Linear(784, 256).to(DEV)
xb = torch.randn(256, 784, device=DEV)
wb = torch.randn(784, 256, device=DEV)
def step():
    loss = ((torch.matmul(x10, w) + bias - a) ** 2 / 2).mean()
    loss.backward()
    with torch.no_grad():
        for p in (w, bias):
            p -= p.grad * 0.03
            p.grad.zero_()
"""

OPS = [
    ("torch.tensor(list of 10 ints)", "torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3])"),
    ("X[idx] (index 10 rows)", "X[idx]"),
    ("a + b", "a + b"),
    ("a * 2.0", "a * 2.0"),
    ("a ** 2", "a ** 2"),
    ("a.exp()", "a.exp()"),
    ("a.sum()", "a.sum()"),
    ("a.reshape(10, 1)", "a.reshape(10, 1)"),
    ("a.mean()", "a.mean()"),
    ("matmul 10×2 @ 2×1", "torch.matmul(x10, w.detach())"),
    ("matmul with grad", "torch.matmul(x10, w)"),
    ("float(a.mean())", "float(a.mean())"),
    ("with no_grad(): pass", "with torch.no_grad(): pass"),
    ("one SGD step of (a)", "step()"),
    ("Linear(784,256) fwd, 256 rows", "lin(xb)"),
    ("matmul 256×784 @ 784×256", "torch.matmul(xb, wb)"),
    ("torch.tensor(list, device=)", "torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], device=DEV)"),
]


def measure(device: str, repeat: int) -> None:
    ns: dict = {"DEV": device}
    exec(SETUP, ns)
    torch = ns["torch"]
    if device == "cpu":
        clock = time.perf_counter
    else:
        def clock():  # the work queued on the GPU is part of the time
            torch.cuda.synchronize()
            return time.perf_counter()
    results = {}
    for name, stmt in OPS:
        timer = timeit.Timer(stmt, globals=ns, timer=clock)
        try:
            number, _ = timer.autorange()
            best = min(timer.repeat(repeat, number)) / number
        except Exception as e:  # one op that fails (on a new device) leaves the others' rows
            print(f"{name}: {type(e).__name__}: {e}", file=sys.stderr)
            results[name] = None
            continue
        results[name] = best * 1e6
    print("OPS " + json.dumps({"lib": ns["torch"].__name__, "us": results}))


def main(device: str, repeat: int) -> int:
    env = dict(os.environ)
    rows = {}
    for side, cmd in (("glasstorch", [sys.executable, "-m", "glasstorch", "run", __file__]),
                      ("torch", [sys.executable, __file__])):
        proc = subprocess.run(cmd + ["--child", "--device", device, "--repeat", str(repeat)],
                              env=env, capture_output=True, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("OPS ")]
        if not lines:
            print(f"{side}: failed: {proc.stderr.strip()[-300:]}")
            continue
        for line in proc.stderr.strip().splitlines():  # the ops that failed, if any
            print(f"{side}: {line[:300]}")
        rows[side] = json.loads(lines[-1][4:])["us"]
    print(f"device: {device}\n")
    print("| op | glasstorch µs | torch µs | ratio |\n|---|---|---|---|")
    for name, _ in OPS:
        gt, th = rows.get("glasstorch", {}).get(name), rows.get("torch", {}).get(name)
        ratio = f"{gt / th:.2f}" if gt and th else "–"
        print(f"| {name} | {gt or float('nan'):.1f} | {th or float('nan'):.1f} | {ratio} |")
    return 0


if __name__ == "__main__":
    dev = sys.argv[sys.argv.index("--device") + 1] if "--device" in sys.argv else "cpu"
    if dev not in ("cpu", "cuda"):
        sys.exit(f"op_overhead.py: --device cpu or cuda, not {dev!r}")
    repeats = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5
    if "--child" in sys.argv:
        measure(dev, repeats)
    else:
        sys.exit(main(dev, repeats))
