"""Shared helpers of the benchmark workloads: NumPy only, so every side can import them.

Each workload script is plain PyTorch-API code. `python SCRIPT` runs it on PyTorch and
`python -m glasstorch run SCRIPT` on glasstorch. It ends by calling `report(...)`, which prints one
machine-readable line that `benchmarks/run.py` parses:

    BENCH {"seconds": 0.41, "lib": "glasstorch", "max_rss_mb": 151.2, "metrics": {"loss": 0.52}}

`seconds` is the workload's own timing of its measured region (setup such as reading the data
files is outside it); `lib` is the module `torch` resolved to, so a run can be checked for having
used the library it claims; `max_rss_mb` is the process's peak resident memory.

`GLASSTORCH_BENCH_DEVICE=cuda` (set by `run.py --device cuda`) makes the workloads that support
it train on the GPU as d2l's chapter 6 code does: the network moved with `net.to(device)`, each
batch with `X.to(device)`; `synchronize()` waits for the GPU before a clock is read.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import sys

import numpy as np

FASHION_DIR = os.environ.get("GLASSTORCH_BENCH_FASHION", "/usr/share/datasets/fashion-mnist")


def device() -> str:
    """Where the workload trains: 'cpu' (default) or 'cuda' (`run.py --device cuda`)."""
    return os.environ.get("GLASSTORCH_BENCH_DEVICE", "cpu")


def synchronize() -> None:
    """Wait for the GPU's queued work (CUDA calls return before it is done); nothing on the CPU."""
    torch = sys.modules.get("torch")
    if device() != "cpu" and torch is not None:
        torch.cuda.synchronize()


def quick() -> bool:
    """True when the harness asked for a tiny run (smoke tests): workloads shrink their data."""
    return os.environ.get("GLASSTORCH_BENCH_QUICK") == "1"


def fashion_mnist(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST from the IDX .gz files: images (N, 784) float32 in [0, 1], labels (N,) int64.

    Read with plain NumPy so every side gets byte-identical data. In quick mode only the first
    1,024 samples are returned.
    """
    kind = "train" if train else "t10k"
    with gzip.open(os.path.join(FASHION_DIR, f"{kind}-images-idx3-ubyte.gz"), "rb") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(FASHION_DIR, f"{kind}-labels-idx1-ubyte.gz"), "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    if quick():
        images, labels = images[:1024], labels[:1024]
    # Straight into one float32 array: no float64 or extra copies inflating the peak RSS that
    # the harness compares (the data is the same on every side, so it only dilutes the ratio).
    scaled = np.empty(images.shape, dtype=np.float32)
    np.divide(images, np.float32(255), out=scaled)
    return scaled, labels.astype(np.int64)


def report(seconds: float, **metrics: float) -> None:
    """Print the BENCH line: the measured time, the final metrics, the library and peak RSS."""
    torch = sys.modules.get("torch")
    lib = getattr(torch, "__name__", "numpy") if torch is not None else "numpy"
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    line = {"seconds": seconds, "lib": lib, "max_rss_mb": round(max_rss_mb, 1), "metrics": metrics,
            "device": device()}
    print("BENCH " + json.dumps(line), flush=True)
