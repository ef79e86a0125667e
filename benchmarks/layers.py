"""Per-layer timings of the convolutional workloads, and their speed-up from 1 thread to all cores.

    .venv/bin/python benchmarks/layers.py [--model lenet|resnet|all] [--threads sweep|N]
                                          [--repeat 7] [--batch N] [--torch] [--only TEXT]

Every heavy layer of d2l's LeNet (6.6, batch 256, 28×28) and ResNet-18 (7.6, batch 128, 96×96)
runs alone on a random input of its real shape: forward (with autograd recording, as in training)
and backward (the output's gradient given). Each time is the median of ``--repeat`` runs.

``--threads sweep`` times every layer at 1 thread and at all usable cores, alternating the two
settings run by run (A/B/A/B...) so that a burst of load from other processes lands on both, and
prints the speed-up ``t(1) / t(all)`` and the parallel efficiency ``speed-up / cores``. A number
(``--threads 2``) times at that setting only. ``--torch`` adds PyTorch's time for the same layer
(at the same thread count) when it is installed.

This script imports glasstorch itself (``torch`` means PyTorch here only with ``--torch``): run it
with the glasstorch sources on ``PYTHONPATH``, e.g. ``PYTHONPATH=src``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np


def _cases(model: str, batch: int | None):
    """``(label, build(lib) -> module, input shape, input needs a gradient)`` for each heavy
    layer of ``model``."""
    cases = []
    if model in ("lenet", "all"):
        n = batch or 256

        def conv(ci, co, k, pad=0, stride=1):
            return lambda lib: lib.nn.Conv2d(ci, co, k, stride=stride, padding=pad)

        cases += [
            ("lenet conv1 1→6 5×5 p2", conv(1, 6, 5, 2), (n, 1, 28, 28), False),
            ("lenet sigmoid (6,28,28)", lambda lib: lib.nn.Sigmoid(), (n, 6, 28, 28)),
            ("lenet avgpool2 (6,28,28)", lambda lib: lib.nn.AvgPool2d(2, 2), (n, 6, 28, 28)),
            ("lenet conv2 6→16 5×5", conv(6, 16, 5), (n, 6, 14, 14)),
            ("lenet sigmoid (16,10,10)", lambda lib: lib.nn.Sigmoid(), (n, 16, 10, 10)),
            ("lenet avgpool2 (16,10,10)", lambda lib: lib.nn.AvgPool2d(2, 2), (n, 16, 10, 10)),
            ("lenet linear 400→120", lambda lib: lib.nn.Linear(400, 120), (n, 400)),
        ]
    if model in ("resnet", "all"):
        n = batch or 128

        def conv(ci, co, k, pad=0, stride=1):
            return lambda lib: lib.nn.Conv2d(ci, co, k, stride=stride, padding=pad)

        cases += [
            ("resnet conv 1→64 7×7 s2", conv(1, 64, 7, 3, 2), (n, 1, 96, 96), False),
            ("resnet batchnorm 64@48", lambda lib: lib.nn.BatchNorm2d(64), (n, 64, 48, 48)),
            ("resnet relu 64@48", lambda lib: lib.nn.ReLU(), (n, 64, 48, 48)),
            ("resnet maxpool 3 s2 64@48", lambda lib: lib.nn.MaxPool2d(3, 2, 1), (n, 64, 48, 48)),
            ("resnet conv 64→64 3×3 @24", conv(64, 64, 3, 1), (n, 64, 24, 24)),
            ("resnet batchnorm 64@24", lambda lib: lib.nn.BatchNorm2d(64), (n, 64, 24, 24)),
            ("resnet conv 64→128 3×3 s2", conv(64, 128, 3, 1, 2), (n, 64, 24, 24)),
            ("resnet conv 64→128 1×1 s2", conv(64, 128, 1, 0, 2), (n, 64, 24, 24)),
            ("resnet conv 128→128 3×3 @12", conv(128, 128, 3, 1), (n, 128, 12, 12)),
            ("resnet conv 256→256 3×3 @6", conv(256, 256, 3, 1), (n, 256, 6, 6)),
            ("resnet conv 512→512 3×3 @3", conv(512, 512, 3, 1), (n, 512, 3, 3)),
            ("resnet global avgpool 512@3",
             lambda lib: lib.nn.AdaptiveAvgPool2d((1, 1)), (n, 512, 3, 3)),
        ]
    # the first layer of a network gets no input gradient (the images do not require one)
    return [c if len(c) == 4 else c + (True,) for c in cases]


CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = time.perf_counter


def _timer(lib, build, shape, input_grad: bool):
    """A function that runs the layer once (forward + backward) and returns the two times."""
    lib.manual_seed(0)
    layer = build(lib)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(shape, dtype=np.float32), requires_grad=input_grad)
    with lib.no_grad():
        g = lib.ones_like(layer(x))

    def once():
        t0 = _clock()
        y = layer(x)
        t1 = _clock()
        y.backward(g)
        t2 = _clock()
        x.grad = None
        for p in layer.parameters():
            p.grad = None
        return t1 - t0, t2 - t1

    once()  # warm-up: first-call costs (imports, allocations) are not the layer's
    return once


def _median_ms(samples):
    fwd = statistics.median(s[0] for s in samples) * 1e3
    bwd = statistics.median(s[1] for s in samples) * 1e3
    return fwd, bwd


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="all", choices=["lenet", "resnet", "all"])
    parser.add_argument("--threads", default="sweep",
                        help="'sweep' (1 thread against all cores) or a number of threads")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--batch", type=int, default=None, help="override the batch size")
    parser.add_argument("--torch", action="store_true", help="also time PyTorch's layer")
    parser.add_argument("--only", default=None, help="only layers whose label contains this")
    parser.add_argument("--clock", default="wall", choices=sorted(CLOCK),
                        help="'cpu': the process's CPU time (at 1 thread, a busy machine's "
                             "waits left out; with threads it adds the threads' times up)")
    args = parser.parse_args(argv)
    global _clock
    _clock = CLOCK[args.clock]

    import glasstorch

    libs = [glasstorch]
    if args.torch:
        try:
            import torch
            libs.append(torch)
        except ImportError:
            print("PyTorch is not installed: timing glasstorch alone.")
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    settings = [1, cores] if args.threads == "sweep" else [int(args.threads)]
    print(f"# per-layer {args.clock} times (ms, median of {args.repeat}), usable cores {cores}, "
          f"load average {'/'.join(f'{v:.1f}' for v in os.getloadavg())}")
    head = ["layer", "input"]
    for lib in libs:
        for t in settings:
            head += [f"{lib.__name__[:5]} fwd@{t}", f"{lib.__name__[:5]} bwd@{t}"]
        if len(settings) == 2:
            head += [f"{lib.__name__[:5]} speed-up", "efficiency"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for label, build, shape, input_grad in _cases(args.model, args.batch):
        if args.only and args.only not in label:
            continue
        row = [label, "×".join(map(str, shape))]
        for lib in libs:
            samples = {t: [] for t in settings}
            runners = {}
            for t in settings:
                lib.set_num_threads(t)
                runners[t] = _timer(lib, build, shape, input_grad)
            for _ in range(args.repeat):
                for t in settings:  # alternate the settings run by run
                    lib.set_num_threads(t)
                    samples[t].append(runners[t]())
            totals = {}
            for t in settings:
                fwd, bwd = _median_ms(samples[t])
                row += [f"{fwd:.2f}", f"{bwd:.2f}"]
                totals[t] = fwd + bwd
            if len(settings) == 2:
                speed = totals[settings[0]] / totals[settings[1]]
                row += [f"{speed:.2f}×", f"{speed / settings[1]:.0%}"]
            lib.set_num_threads(cores)
        print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
