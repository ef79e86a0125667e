"""Smoke test of the benchmark harness (benchmarks/run.py): it runs, and its output parses.

One tiny workload in --quick mode, glasstorch only, one thread setting. No timing is asserted: the
benchmark's numbers belong in BENCHMARKS.md, not in the test suite.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, "benchmarks", "run.py")


def test_harness_runs_linreg_quick_for_glasstorch(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, RUN, "--quick", "--only", "linreg", "imports", "--sides", "glasstorch",
         "--threads", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "| linreg |" in proc.stdout
    assert "import time (median): glasstorch" in proc.stdout
    record = json.loads(out.read_text())
    (run,) = record["settings"]["1"]["linreg"]["glasstorch"]
    assert "error" not in run, run
    assert run["lib"] == "glasstorch"
    assert run["seconds"] > 0 and run["max_rss_mb"] > 0
    # the workload really trained: the loss reaches the noise floor of its data (0.01² / 2)
    assert run["metrics"]["loss"] < 1e-3


def test_bench_line_parser():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        from run import parse_bench
    finally:
        sys.path.pop(0)
    line = {"seconds": 1.5, "lib": "torch", "max_rss_mb": 10.0, "metrics": {"loss": 0.25}}
    stdout = "epoch 1\nBENCH " + json.dumps(line) + "\ndone\n"
    assert parse_bench(stdout) == line


def test_lenet_workload_quick_for_glasstorch(tmp_path):
    if not os.path.isdir("/usr/share/datasets/fashion-mnist"):
        pytest.skip("Fashion-MNIST (dataset-fashion-mnist) not installed")
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, RUN, "--quick", "--only", "lenet", "--sides", "glasstorch",
         "--threads", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "| lenet |" in proc.stdout
    (run,) = json.loads(out.read_text())["settings"]["1"]["lenet"]["glasstorch"]
    assert "error" not in run, run
    assert run["lib"] == "glasstorch"
    # 4 batches of 256 at lr 0.9 do not learn much yet; the figures must be sane, not good
    assert 0 < run["metrics"]["train_loss"] < 10 and 0 <= run["metrics"]["test_acc"] <= 1


def test_resnet18_workload_quick_for_glasstorch(tmp_path):
    if not os.path.isdir("/usr/share/datasets/fashion-mnist"):
        pytest.skip("Fashion-MNIST (dataset-fashion-mnist) not installed")
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, RUN, "--quick", "--only", "resnet18", "--sides", "glasstorch",
         "--threads", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "| resnet18 |" in proc.stdout
    (run,) = json.loads(out.read_text())["settings"]["1"]["resnet18"]["glasstorch"]
    assert "error" not in run, run
    assert run["lib"] == "glasstorch"
    # two steps from Xavier init: a finite loss around log(10) or above, nothing more
    assert 0 < run["metrics"]["train_loss"] < 100
