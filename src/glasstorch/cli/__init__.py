"""The ``glasstorch`` command (also ``python -m glasstorch``).

glasstorch run SCRIPT [ARGS...]   run a PyTorch script unchanged, with torch → glasstorch
glasstorch demo [--epochs N]      train linear regression from scratch (d2l 3.2) and report
glasstorch train MODEL [OPTIONS]  train a d2l model (linreg, softmax, mlp, ...) and save the run
glasstorch compare SCRIPT [ARGS]  run a script under PyTorch and glasstorch, compare the numbers
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "run":
        from .run import run_script

        if len(argv) < 2:
            print("usage: glasstorch run SCRIPT [ARGS...]", file=sys.stderr)
            return 2
        return run_script(argv[1], argv[2:])
    if argv and argv[0] == "train":
        from .train import main as train_main

        return train_main(argv[1:])
    if argv and argv[0] == "compare":
        from .compare import main as compare_main

        return compare_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="glasstorch", description="PyTorch's API on NumPy, small enough to read."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run a PyTorch script unchanged (torch resolves to glasstorch)")
    sub.add_parser("train", help="train one of d2l's models on real data and save the run")
    sub.add_parser("compare", help="run a script under PyTorch and glasstorch, compare numbers")
    demo = sub.add_parser("demo", help="train linear regression from scratch and report the fit")
    demo.add_argument("--epochs", type=int, default=3)
    demo.add_argument("--lr", type=float, default=0.03)
    demo.add_argument("--batch-size", type=int, default=10)
    demo.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import linear_regression_demo

        return linear_regression_demo(args.epochs, args.lr, args.batch_size, args.seed)
    return 2
