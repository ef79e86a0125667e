"""What the ``glasstorch`` subcommands share: bad input becomes one line on stderr, and a
training run's ``run.json`` is replaced whole or not at all (``write_run_json``).

``UsageError`` is the user's mistake (exit status 2); ``OneLineParser`` turns argparse's errors
into it; ``run_command`` parses, runs, and prints any such error as ``PROG: message``.
``add_device_option``/``resolve_device``: the ``--device`` option every training command has.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def run_command(prog: str, parser: argparse.ArgumentParser, argv: list[str], body,
                errors: dict | None = None) -> int:
    """``body(args)``'s exit status; ``--help`` exits 0; a ``UsageError`` (or an exception type
    in ``errors``, mapped to its exit status) is printed as one line."""
    caught = {UsageError: 2, **(errors or {})}
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # --help
            return e.code if isinstance(e.code, int) else 0
        return body(args)
    except tuple(caught) as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return next(code for kind, code in caught.items() if isinstance(e, kind))


def positive(kind):
    """An argparse ``type=`` for ``kind`` (int or float) that takes only finite values > 0, so
    ``--epochs 0`` or ``--lr nan`` is a usage error naming the option."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0 or value != value or value == float("inf"):
            name = "integer" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"must be a positive {name}, got {text!r}")
        return value
    parse.__name__ = kind.__name__
    return parse


def write_run_json(out: str, run: dict) -> None:
    """``out/run.json`` from ``run``: written beside it and renamed over it, so an interrupted
    write never leaves a half file that ``--resume`` would read."""
    tmp = os.path.join(out, ".run.json.tmp")
    with open(tmp, "w") as fh:
        json.dump(run, fh, indent=1)
    os.replace(tmp, os.path.join(out, "run.json"))


def add_device_option(parser: argparse.ArgumentParser) -> None:
    """``--device cpu|cuda|cuda:N`` (default cpu): where the model and each batch go."""
    parser.add_argument("--device", default="cpu", metavar="DEVICE",
                        help="cpu (default), cuda or cuda:N: train on that device; cuda needs "
                             "CuPy and an NVIDIA GPU (pip install 'glasstorch[cuda]')")


def resolve_device(text: str):
    """The ``torch.device`` that ``--device text`` names; a ``UsageError`` (one line, exit 2)
    for a name torch does not know, a device other than cpu/cuda, or a GPU that is not there."""
    import glasstorch as torch

    try:
        dev = torch.device(text)
    except (RuntimeError, ValueError, TypeError):
        raise UsageError(f"--device {text!r} is not a device; use cpu, cuda or cuda:N") from None
    if dev.type == "cpu":
        return dev
    if dev.type != "cuda":
        raise UsageError(f"--device {text!r}: glasstorch trains on cpu or cuda, not {dev.type}")
    if not torch.cuda.is_available():
        raise UsageError(f"--device {text}: no CUDA GPU is available (it needs an NVIDIA GPU and "
                         "CuPy: pip install 'glasstorch[cuda]'); use --device cpu")
    count = torch.cuda.device_count()
    if dev.index is not None and dev.index >= count:
        raise UsageError(f"--device {text}: there is no GPU {dev.index} ({count} visible: "
                         f"cuda:0{f' to cuda:{count - 1}' if count > 1 else ''})")
    return dev
