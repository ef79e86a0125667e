"""Per-op overhead: microseconds per call of the small ops the learners' loops are made of.

    .venv/bin/python benchmarks/op_overhead.py            # both sides, side by side

Each statement runs on tiny tensors (shapes of workload (a): batch 10, 2 features), so the time is
almost all Python and dispatch, not arithmetic. The script re-runs itself as a child on each side
(`python -m glasstorch run` and plain `python`) and prints the best of 5 repeats per op, in µs.
"""

import json
import os
import subprocess
import sys
import timeit

SETUP = """
import torch
X = torch.randn(1000, 2)
idx = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3])
a = torch.randn(10, 1)
b = torch.randn(10, 1)
w = torch.randn(2, 1, requires_grad=True)
bias = torch.zeros(1, requires_grad=True)
x10 = X[idx]
lin = torch.nn.Linear(784, 256)
xb = torch.randn(256, 784)
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
    ("a.reshape(10, 1)", "a.reshape(10, 1)"),
    ("a.mean()", "a.mean()"),
    ("matmul 10×2 @ 2×1", "torch.matmul(x10, w.detach())"),
    ("matmul with grad", "torch.matmul(x10, w)"),
    ("float(a.mean())", "float(a.mean())"),
    ("with no_grad(): pass", "with torch.no_grad(): pass"),
    ("one SGD step of (a)", "step()"),
    ("Linear(784,256) fwd, 256 rows", "lin(xb)"),
]


def measure() -> None:
    ns: dict = {}
    exec(SETUP, ns)
    results = {}
    for name, stmt in OPS:
        timer = timeit.Timer(stmt, globals=ns)
        number, _ = timer.autorange()
        best = min(timer.repeat(5, number)) / number
        results[name] = best * 1e6
    print("OPS " + json.dumps({"lib": ns["torch"].__name__, "us": results}))


def main() -> int:
    env = dict(os.environ)
    rows = {}
    for side, cmd in (("glasstorch", [sys.executable, "-m", "glasstorch", "run", __file__]),
                      ("torch", [sys.executable, __file__])):
        proc = subprocess.run(cmd + ["--child"], env=env, capture_output=True, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("OPS ")]
        if not lines:
            print(f"{side}: failed: {proc.stderr.strip()[-300:]}")
            continue
        rows[side] = json.loads(lines[-1][4:])["us"]
    print("| op | glasstorch µs | torch µs | ratio |\n|---|---|---|---|")
    for name, _ in OPS:
        gt, th = rows.get("glasstorch", {}).get(name), rows.get("torch", {}).get(name)
        ratio = f"{gt / th:.2f}" if gt and th else "–"
        print(f"| {name} | {gt or float('nan'):.1f} | {th or float('nan'):.1f} | {ratio} |")
    return 0


if __name__ == "__main__":
    if "--child" in sys.argv:
        measure()
    else:
        sys.exit(main())
