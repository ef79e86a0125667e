"""A learner's chapter 6 and 7 programs and ``glasstorch train --device cuda`` on the CUDA device,
each run twice, on ``cuda`` and on ``cpu`` with the same seed: the losses must agree.

Each run is a process of its own (as a learner runs it): ``glasstorch run PROGRAM DEVICE`` for
the d2l 6.6 program below (LeNet, a few batches of random images, the book's loop and then
``d2l.train_ch6``), and ``glasstorch train MODEL --device DEVICE --limit N`` for the CLI. The
processes inherit this one's environment, so with ``GLASSTORCH_CUDA_ARRAYS=fake_cupy`` they run
on the double of CuPy, and on a machine with a GPU on real CuPy (``scripts/gpu_check.sh``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

import glasstorch

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(os.path.abspath(glasstorch.__file__)))
# where `glasstorch train` finds Fashion-MNIST without a download (scripts/gpu_check.sh links the
# files into the second folder on a machine without Debian's dataset-fashion-mnist)
FASHION = any(os.path.isdir(os.path.expanduser(p)) for p in (
    "/usr/share/datasets/fashion-mnist", "~/.glasstorch/data/FashionMNIST/raw"))
# The double computes with NumPy, as the CPU does: only the order of a few sums may differ. A
# real GPU sums in other orders (cuBLAS, CuPy's reductions): float32 rounding, grown by training.
FAKE = bool(os.environ.get("GLASSTORCH_CUDA_ARRAYS"))
RTOL, ATOL = (1e-4, 1e-5) if FAKE else (2e-3, 1e-4)
PRINTED = 1.5e-3 if FAKE else 1e-2  # a figure printed with 3 decimals, after 12 steps
FLIPS = 1 if FAKE else 2  # predictions that may change class (of 128)

# d2l 6.6 as a learner writes it: the book's LeNet, ``device = d2l.try_gpu()``, the network and
# each batch moved with ``.to(device)``; the losses of the first steps, then ``train_ch6``.
LENET_PROGRAM = '''
import sys

import torch
from d2l import torch as d2l
from torch import nn

device = d2l.try_gpu() if sys.argv[1] == "cuda" else d2l.cpu()
print("device", device, "gpus", d2l.num_gpus() > 0)
torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
    nn.Linear(120, 84), nn.Sigmoid(),
    nn.Linear(84, 10))
X = torch.rand(6 * 32, 1, 28, 28)
y = torch.randint(0, 10, (6 * 32,))
batches = [(X[i:i + 32], y[i:i + 32]) for i in range(0, 6 * 32, 32)]
train, test = batches[:4], batches[4:]

net.to(device)
print("parameters on", next(net.parameters()).device)
optimizer = torch.optim.SGD(net.parameters(), lr=0.9)
loss = nn.CrossEntropyLoss()
for X_b, y_b in train:
    X_b, y_b = X_b.to(device), y_b.to(device)
    optimizer.zero_grad()
    l = loss(net(X_b), y_b)
    l.backward()
    optimizer.step()
    print(f"step loss {l.item():.6f}")
print(f"accuracy {d2l.evaluate_accuracy_gpu(net, test):.6f}")
d2l.train_ch6(net, train, test, 2, 0.9, device)
print("after train_ch6 on", next(net.parameters()).device)
'''

# d2l 7.5 and 7.6 as a learner writes them: LeNet with batch normalization, and ResNet (the book's
# stem and four stages of d2l.Residual, with fewer channels) on 28×28 images, a few SGD steps
# each on DEVICE, then evaluation mode (the running statistics) for the accuracy.
CH7_PROGRAM = '''
import sys

import torch
from d2l import torch as d2l
from torch import nn

device = d2l.try_gpu() if sys.argv[1] == "cuda" else d2l.cpu()
torch.manual_seed(0)
lenet_bn = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
    nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
    nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
    nn.Linear(84, 10))


def stage(c_in, c_out, first=False):
    return nn.Sequential(
        d2l.Residual(c_in, c_out, use_1x1conv=not first, strides=1 if first else 2),
        d2l.Residual(c_out, c_out))


resnet = nn.Sequential(
    nn.Sequential(nn.Conv2d(1, 16, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(16),
                  nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
    stage(16, 16, first=True), stage(16, 32), stage(32, 64), stage(64, 128),
    nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(128, 10))
X = torch.rand(5 * 16, 1, 28, 28)
y = torch.randint(0, 10, (5 * 16,))
for name, net, lr in (("lenet_bn", lenet_bn, 0.1), ("resnet", resnet, 0.05)):
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    net.train()
    for i in range(4):
        X_b, y_b = X[i * 16:(i + 1) * 16].to(device), y[i * 16:(i + 1) * 16].to(device)
        optimizer.zero_grad()
        l = loss(net(X_b), y_b)
        l.backward()
        optimizer.step()
        print(f"{name} step loss {l.item():.6f}")
    test = [(X[64:], y[64:])]
    print(f"{name} accuracy {d2l.evaluate_accuracy_gpu(net, test):.6f}")
    with torch.no_grad():
        print(f"{name} eval mean {net(X[64:].to(device)).mean().item():.6f}")
'''


def _env(tmp_path) -> dict:
    return dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg",
                GLASSTORCH_FIGURES=str(tmp_path),
                PYTHONPATH=os.pathsep.join([SRC, HERE, os.environ.get("PYTHONPATH", "")]))


def _run(cmd, tmp_path) -> str:
    proc = subprocess.run([sys.executable, "-m", "glasstorch", *cmd], capture_output=True,
                          text=True, cwd=tmp_path, env=_env(tmp_path), timeout=600)
    assert proc.returncode == 0, f"glasstorch {' '.join(cmd)}:\n{proc.stderr[-4000:]}"
    return proc.stdout


def _numbers(line: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.\d+", line)]


def test_lenet_program_on_cuda_matches_the_cpu(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    program = tmp_path / "lenet_d2l.py"
    program.write_text(textwrap.dedent(LENET_PROGRAM))
    cuda = _run(["run", str(program), "cuda"], tmp_path).splitlines()
    cpu = _run(["run", str(program), "cpu"], tmp_path).splitlines()
    assert cuda[0] == "device cuda:0 gpus True" and cpu[0] == "device cpu gpus True"
    assert cuda[1] == "parameters on cuda:0" and cpu[1] == "parameters on cpu"
    steps = [i for i, line in enumerate(cpu) if line.startswith("step loss")]
    assert len(steps) == 4
    for i in [*steps, steps[-1] + 1]:  # the losses of the book's loop, then the accuracy
        assert cuda[i].split()[:-1] == cpu[i].split()[:-1]
        assert _numbers(cuda[i]) == pytest.approx(_numbers(cpu[i]), rel=RTOL, abs=ATOL), i
    # train_ch6: "training on DEVICE", "loss L, train acc A, test acc T", "N examples/sec on D"
    at = cpu.index("training on cpu")
    assert cuda[at] == "training on cuda:0"
    # printed with 3 decimals: equal up to the last digit's rounding (and the GPU's)
    assert _numbers(cuda[at + 1]) == pytest.approx(_numbers(cpu[at + 1]), abs=PRINTED)
    assert cuda[at + 2].endswith("examples/sec on cuda:0")
    assert cuda[at + 3] == "after train_ch6 on cuda:0"


def test_chapter7_batch_norm_and_resnet_on_cuda_match_the_cpu(tmp_path):
    program = tmp_path / "ch7_d2l.py"
    program.write_text(textwrap.dedent(CH7_PROGRAM))
    cuda = _run(["run", str(program), "cuda"], tmp_path).splitlines()
    cpu = _run(["run", str(program), "cpu"], tmp_path).splitlines()
    assert len(cuda) == len(cpu) == 12
    for ours, theirs in zip(cuda, cpu):
        assert ours.split()[:-1] == theirs.split()[:-1]
        assert _numbers(ours) == pytest.approx(_numbers(theirs), rel=RTOL, abs=ATOL), ours


@pytest.mark.skipif(not FASHION, reason="Fashion-MNIST not found (dataset-fashion-mnist)")
@pytest.mark.parametrize("model", ["mlp", "lenet"])
def test_train_cli_on_cuda_matches_the_cpu(tmp_path, model):
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    pytest.importorskip("safetensors")
    runs = {}
    for device in ("cuda", "cpu"):
        out = tmp_path / device
        stdout = _run(["train", model, "--device", device, "--limit", "128", "--batch-size",
                       "32", "--epochs", "2", "--out", str(out)], tmp_path)
        assert (", on cuda" in stdout.splitlines()[0]) == (device == "cuda")
        with open(out / "run.json") as fh:
            runs[device] = json.load(fh)["history"]["model"]
    for cuda, cpu in zip(runs["cuda"], runs["cpu"], strict=True):
        assert cuda["train_loss"] == pytest.approx(cpu["train_loss"], rel=RTOL, abs=ATOL)
        assert cuda["train_acc"] == pytest.approx(cpu["train_acc"], abs=FLIPS / 128 + 1e-9)
        assert cuda["test_acc"] == pytest.approx(cpu["test_acc"], abs=FLIPS / 128 + 1e-9)
    # the saved weights load on the CPU, whichever device trained them
    weights = glasstorch.load(str(tmp_path / "cuda" / "model.safetensors"))
    assert all(t.device.type == "cpu" for t in weights.values())


BENCH_FASHION = os.environ.get("GLASSTORCH_BENCH_FASHION", "/usr/share/datasets/fashion-mnist")


@pytest.mark.skipif(not os.path.isdir(BENCH_FASHION), reason="Fashion-MNIST not found")
def test_gpu_benchmark_harness_runs_quick(tmp_path):
    """``benchmarks/run.py --device cuda --quick``: the MLP epoch trains on the device (a check
    that the harness and the workload run, not a measurement)."""
    root = os.path.dirname(os.path.dirname(HERE))
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, os.path.join(root, "benchmarks", "run.py"), "--device", "cuda",
         "--quick", "--only", "mlp", "--sides", "glasstorch", "--json", str(out)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env=_env(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| mlp |" in proc.stdout
    (run,) = json.loads(out.read_text())["settings"]["default"]["mlp"]["glasstorch"]
    assert "error" not in run, run
    assert run["device"] == "cuda" and run["metrics"]["train_loss"] > 0


def test_train_cli_names_a_gpu_that_is_not_there(tmp_path, capsys):
    from glasstorch.cli import main

    count = glasstorch.cuda.device_count()
    code = main(["train", "mlp", "--device", f"cuda:{count}", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"glasstorch train: --device cuda:{count}: there is no GPU {count} "
                          f"({count} visible: cuda:0")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("model, args, key", [
    ("rnn", ["--max-tokens", "3000", "--hiddens", "64"], "perplexity"),
    ("transformer", ["--examples", "128"], "loss"),
])
def test_train_sequences_on_cuda_match_the_cpu(tmp_path, model, args, key):
    pytest.importorskip("matplotlib")
    pytest.importorskip("safetensors")
    history = {}
    for device in ("cuda", "cpu"):
        out = tmp_path / device
        stdout = _run(["train", model, "--device", device, "--epochs", "2", *args, "--out",
                       str(out)], tmp_path)
        assert (", on cuda" in stdout.splitlines()[0]) == (device == "cuda")
        with open(out / "run.json") as fh:
            history[device] = [row[key] for row in json.load(fh)["history"]]
    assert history["cuda"] == pytest.approx(history["cpu"], rel=RTOL, abs=ATOL)
