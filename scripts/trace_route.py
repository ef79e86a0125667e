"""Which glasstorch functions run, file by file, in the forward and the backward of a small MLP.

    .venv/bin/python scripts/trace_route.py            # the route, in the order things first run
    .venv/bin/python scripts/trace_route.py --files    # only the files each phase touches

The model is the one `docs/ARCHITECTURE.md` walks: `nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
nn.Linear(8, 3))` with `nn.CrossEntropyLoss()` on a batch of 5. One warm-up step runs first (so
lazy imports and first-use set-up do not show), then one traced forward and one traced backward.
Every Python function of glasstorch that is called is listed once, at its first call, as
`file:function`.
"""

from __future__ import annotations

import argparse
import os
import sys

import glasstorch as torch
from glasstorch import nn

PACKAGE = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep


def trace(fn) -> list[tuple[str, str]]:
    """The (file, function) pairs of glasstorch that run during ``fn()``, in first-call order."""
    seen: dict = {}

    def profile(frame, event, arg):
        if event == "call":
            path = frame.f_code.co_filename
            if path.startswith(PACKAGE):
                key = (path[len(PACKAGE):], frame.f_code.co_name)
                seen.setdefault(key, None)

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return list(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", action="store_true", help="list only the files of each phase")
    args = parser.parse_args()

    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    loss_fn = nn.CrossEntropyLoss()
    X, y = torch.randn(5, 4), torch.tensor([0, 2, 1, 1, 0])
    loss_fn(net(X), y).backward()  # warm-up
    net.zero_grad()

    box = {}
    forward = trace(lambda: box.setdefault("loss", loss_fn(net(X), y)))
    backward = trace(lambda: box["loss"].backward())
    for name, route in (("forward", forward), ("backward", backward)):
        files = list(dict.fromkeys(f for f, _ in route))
        print(f"{name}: {len(route)} functions in {len(files)} files")
        if args.files:
            for f in files:
                print(f"  {f}")
        else:
            for f, function in route:
                print(f"  {f}:{function}")


if __name__ == "__main__":
    main()
