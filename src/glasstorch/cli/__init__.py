"""The ``glasstorch`` command (also ``python -m glasstorch``).

glasstorch --version               print glasstorch's version

glasstorch run SCRIPT [ARGS...]   run a PyTorch script unchanged, with torch → glasstorch
glasstorch demo [--epochs N]      train linear regression from scratch (d2l 3.2) and report
glasstorch train MODEL [OPTIONS]  train a d2l model (linreg, softmax, mlp, ...) and save the run
glasstorch compare SCRIPT [ARGS]  run a script under PyTorch and glasstorch, compare the numbers
"""

from __future__ import annotations

import argparse
import sys

from ._usage import OneLineParser, run_command


def _demo_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="glasstorch demo",
                      description="Train linear regression from scratch (d2l 3.2) and report.")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.03)
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    return p


def _demo(args: argparse.Namespace) -> int:
    from .demo import linear_regression_demo

    return linear_regression_demo(args.epochs, args.lr, args.batch_size, args.seed)


_RUN_HELP = """\
usage: glasstorch run [-h] SCRIPT [ARGS ...]

Run a PyTorch script unchanged on glasstorch: `import torch` (and torchvision, `from d2l import
torch as d2l`) resolve to glasstorch, then SCRIPT runs as `python SCRIPT ARGS` would run it.

positional arguments:
  SCRIPT      the Python file to run (or a folder with a __main__.py)
  ARGS        passed to the script as sys.argv[1:] (flags after SCRIPT are the script's own)

options:
  -h, --help  show this help message and exit

Figures left open, or shown with IPython.display without IPython installed, are saved as PNGs in
$GLASSTORCH_FIGURES (default: glasstorch-figures in the temporary folder).
"""


def _run(argv: list[str]) -> int:
    """``glasstorch run``: ``-h``/``--help`` before SCRIPT is ours; what follows is the script's."""
    if argv and argv[0] in ("-h", "--help"):
        print(_RUN_HELP, end="")
        return 0
    if not argv:
        print("glasstorch run: the SCRIPT to run is missing (see `glasstorch run --help`)",
              file=sys.stderr)
        return 2
    from .run import run_script

    return run_script(argv[0], argv[1:])


def _top_parser() -> argparse.ArgumentParser:
    """The command list (for ``--help``, a missing or unknown command); each command parses its
    own flags, so its mistakes point at its own ``--help``."""
    parser = OneLineParser(
        prog="glasstorch", description="PyTorch's API on NumPy, small enough to read."
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"glasstorch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run a PyTorch script unchanged (torch resolves to glasstorch)")
    sub.add_parser("train", help="train one of d2l's models on real data and save the run")
    sub.add_parser("compare", help="run a script under PyTorch and glasstorch, compare numbers")
    sub.add_parser("demo", help="train linear regression from scratch and report the fit")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = argv[0] if argv else None
    if command == "run":
        return _run(argv[1:])
    if command == "train":
        from .train import main as train_main

        return train_main(argv[1:])
    if command == "compare":
        from .compare import main as compare_main

        return compare_main(argv[1:])
    if command == "demo":
        return run_command("glasstorch demo", _demo_parser(), argv[1:], _demo)
    # no command, an unknown one, or --help: the parser reports it (one line, or the help)
    return run_command("glasstorch", _top_parser(), argv, lambda args: 2)
