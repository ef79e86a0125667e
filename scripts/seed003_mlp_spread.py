"""How often seed003_mlp's two models miss d2l's checks, on glasstorch and on PyTorch.

    .venv/bin/python scripts/seed003_mlp_spread.py --runs 20            # both libraries
    .venv/bin/python scripts/seed003_mlp_spread.py --runs 20 --only glasstorch

The seed program trains an MLP from scratch and a concise ``nn.Sequential`` MLP on Fashion-MNIST
(10 epochs each, SGD lr 0.1, weight decay 0.01, batch 256) and ends with d2l's checks: final
training loss < 0.5 and test accuracy > 0.78. This script trains the same two models with
``manual_seed(0), manual_seed(1), ...`` (each seed is one fresh set of initial weights and batch
orders) in a child process per library — ``python -m glasstorch run`` for glasstorch, plain
``python`` for PyTorch — and prints, per library and model, the mean and spread of the final loss
and test accuracy and how many runs missed the checks. The random streams of the two libraries
differ, so the comparison is between distributions, not run by run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys

DATA = "/usr/share/datasets/fashion-mnist/"


def _idx(name: str):
    import numpy as np

    raw = gzip.open(os.path.join(DATA, name)).read()
    if "images" in name:
        return np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return np.frombuffer(raw, np.uint8, offset=8)


def child(first: int, count: int) -> None:
    """Train both models for seeds first..first+count-1; print one JSON line per seed."""
    import numpy as np
    import torch
    from torch import nn
    from torch.utils import data

    torch.set_num_threads(1)
    Xtr = torch.from_numpy(_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255)
    ytr = torch.from_numpy(_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    Xte = torch.from_numpy(_idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255)
    yte = torch.from_numpy(_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))

    def correct(y_hat, y):
        return float((y_hat.argmax(axis=1) == y).sum())

    def train(net, params):
        loader = data.DataLoader(data.TensorDataset(Xtr, ytr), 256, shuffle=True)
        loss = nn.CrossEntropyLoss(reduction="none")
        opt = torch.optim.SGD(params, lr=0.1, weight_decay=0.01)
        for _epoch in range(10):
            total = hits = n = 0.0
            for X, y in loader:
                y_hat = net(X)
                l = loss(y_hat, y)
                opt.zero_grad()
                l.mean().backward()
                opt.step()
                total += l.sum().item()
                hits += correct(y_hat, y)
                n += y.numel()
        with torch.no_grad():
            test = sum(correct(net(Xte[i:i + 256]), yte[i:i + 256]) for i in range(0, 10000, 256))
        return {"loss": total / n, "train_acc": hits / n, "test_acc": test / 10000}

    for seed in range(first, first + count):
        torch.manual_seed(seed)
        W1 = nn.Parameter(torch.randn(784, 256, requires_grad=True) * 0.01)
        b1 = nn.Parameter(torch.zeros(256, requires_grad=True))
        W2 = nn.Parameter(torch.randn(256, 10, requires_grad=True) * 0.01)
        b2 = nn.Parameter(torch.zeros(10), requires_grad=True)

        def scratch(X, W1=W1, b1=b1, W2=W2, b2=b2):
            H = torch.max(X.reshape((-1, 784)) @ W1 + b1, torch.zeros(1))
            return H @ W2 + b2

        concise = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        for m in concise:
            if type(m) is nn.Linear:
                nn.init.normal_(m.weight, std=0.01)
        row = {"seed": seed, "scratch": train(scratch, [W1, b1, W2, b2]),
               "concise": train(concise, list(concise.parameters()))}
        print(json.dumps(row), flush=True)


def missed(result: dict) -> bool:
    """d2l's checks as seed003_mlp applies them (train_ch3's, then the program's own)."""
    return not (result["loss"] < 0.5 and result["train_acc"] > 0.7
                and result["test_acc"] > 0.78)


def summarize(name: str, rows: list[dict]) -> None:
    for model in ("scratch", "concise"):
        loss = [r[model]["loss"] for r in rows]
        acc = [r[model]["test_acc"] for r in rows]
        print(f"| {name} | {model} | {len(rows)} | {statistics.mean(loss):.4f} ± "
              f"{statistics.stdev(loss):.4f} | {statistics.mean(acc):.4f} ± "
              f"{statistics.stdev(acc):.4f} | {sum(missed(r[model]) for r in rows)} |")
    failed = sum(missed(r["scratch"]) or missed(r["concise"]) for r in rows)
    print(f"| {name} | whole program | {len(rows)} | | | {failed} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--only", choices=["glasstorch", "torch"])
    ap.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    me = os.path.abspath(__file__)
    sides = {"glasstorch": [sys.executable, "-m", "glasstorch", "run", me],
             "torch": [sys.executable, me]}
    print("| library | model | runs | final train loss | test accuracy | missed the checks |")
    print("|---|---|---|---|---|---|")
    for name, cmd in sides.items():
        if args.only and name != args.only:
            continue
        out = subprocess.run(cmd + ["--child", str(args.first_seed), str(args.runs)],
                             capture_output=True, text=True)
        if out.returncode:
            print(f"| {name} | failed: {out.stderr.strip().splitlines()[-1]} |")
            continue
        summarize(name, [json.loads(line) for line in out.stdout.splitlines()])


if __name__ == "__main__":
    main()
