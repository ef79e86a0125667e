"""What the ``glasstorch`` subcommands share: bad input becomes one line on stderr, and a
training run's ``run.json`` is replaced whole or not at all (``write_run_json``).

``UsageError`` is the user's mistake (exit status 2); ``OneLineParser`` turns argparse's errors
into it; ``run_command`` parses, runs, and prints any such error as ``PROG: message``.
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
