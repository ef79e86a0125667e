"""``glasstorch compare SCRIPT [ARGS]``: a script run under PyTorch and glasstorch, side by side.

Each run is its own subprocess with this Python: ``python SCRIPT ARGS`` (the real PyTorch, when
``import torch`` finds it; with ``glasstorch run``'s ``IPython.display`` stand-in when IPython is
not installed) and ``python -m glasstorch run SCRIPT ARGS``. Their standard outputs are
then lined up — lines that differ only in their numbers are paired, as ``difflib`` pairs lines of
text — and printed in two columns with a mark in the gutter:

====  ======================================================================
mark  meaning
====  ======================================================================
``=``   the same text and numbers
``≈``   the same text; numbers differ by less than ``--rtol`` (relative)
``≠``   numbers differ by ``--rtol`` or more (the largest relative difference
        is shown, then the numbers themselves) or the text differs
``<``   a line only PyTorch printed
``>``   a line only glasstorch printed
====  ======================================================================

The relative difference of two numbers ``a``, ``b`` is ``|a - b| / max(|a|, |b|)``. Wall times
include starting Python and importing the library. The exit status is 0 when both runs exited
with 0, else 1 (2 for bad usage). ``--no-torch`` runs only glasstorch, as if PyTorch were not
installed.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

from ._usage import OneLineParser, UsageError, run_command

PROG = "glasstorch compare"
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])"
                    r"|(?<![\w.])[-+]?(?:nan|inf)(?![\w])")


# How the PyTorch side runs: ``python SCRIPT ARGS``, except that without IPython installed the
# same ``IPython.display`` stand-in as ``glasstorch run`` is provided (loaded from its file, so
# glasstorch itself is not imported into the PyTorch run).
_TORCH_BOOT = """\
import os, runpy, sys
shim, script = sys.argv[1], sys.argv[2]
try:
    import IPython
except ImportError:
    import importlib.util
    spec = importlib.util.spec_from_file_location("_glasstorch_ipython_shim", shim)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.install()
sys.argv = sys.argv[2:]
sys.path[0] = os.path.dirname(os.path.abspath(script))
runpy.run_path(script, run_name="__main__")
"""
SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ipython_shim.py")


@dataclass
class Run:
    name: str
    code: int | None          # exit status; None when it timed out
    seconds: float
    stdout: str
    stderr: str


def make_parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog=PROG,
        description="Run SCRIPT under PyTorch and under glasstorch; show the numbers each "
        "printed side by side, and how long each took.",
    )
    p.add_argument("script", metavar="SCRIPT")
    p.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                   help="passed to the script unchanged")
    p.add_argument("--rtol", type=float, default=1e-4,
                   help="relative difference shown as ≈ rather than ≠ (default 1e-4)")
    p.add_argument("--timeout", type=float, default=None, help="seconds allowed for each run")
    p.add_argument("--no-torch", action="store_true",
                   help="run only glasstorch, as if PyTorch were not installed")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    return p


def main(argv: list[str]) -> int:
    """``glasstorch compare ...``: returns the exit status; bad input is one line on stderr."""
    def body(args) -> int:
        if not os.path.isfile(args.script):
            raise UsageError(f"can't open file {args.script!r}: no such file")
        return compare(args)

    return run_command(PROG, make_parser(), argv, body)


def torch_available() -> bool:
    """Whether this Python can import the real PyTorch (without importing it: that is slow)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # noqa: BLE001 - a version is only decoration
        return "?"


def run_one(name: str, command: list[str], timeout: float | None) -> Run:
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")   # no windows from either run
    env["PYTHONUNBUFFERED"] = "1"
    start = time.perf_counter()
    try:
        res = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env,
                             errors="replace")
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        return Run(name, None, time.perf_counter() - start, out or "", err or "")
    return Run(name, res.returncode, time.perf_counter() - start, res.stdout, res.stderr)


# ---- lining up the outputs ---------------------------------------------------------------------
def numbers(line: str) -> list[float]:
    return [float(m) for m in NUMBER.findall(line)]


def template(line: str) -> str:
    """The line with each number replaced by ``#``: lines that match here differ only in numbers."""
    return NUMBER.sub("#", line.rstrip())


def relative_difference(a: float, b: float) -> float:
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b))


def judge(left: str | None, right: str | None, rtol: float) -> tuple[str, float | None, list]:
    """The gutter mark for a pair of lines, the largest relative difference, differing pairs."""
    if right is None:
        return "<", None, []
    if left is None:
        return ">", None, []
    if template(left) != template(right):
        return "≠", None, []
    pairs = [(a, b, relative_difference(a, b)) for a, b in zip(numbers(left), numbers(right))]
    worst = max((r for _, _, r in pairs), default=0.0)
    if worst == 0.0:
        return "=", 0.0, []
    return ("≈" if worst < rtol else "≠"), worst, [(a, b) for a, b, r in pairs if r >= rtol]


def align(left: list[str], right: list[str]) -> list[tuple[str | None, str | None]]:
    """Pairs of lines (``None`` where one side has no counterpart), in output order."""
    matcher = difflib.SequenceMatcher(None, [template(x) for x in left],
                                      [template(x) for x in right], autojunk=False)
    rows: list[tuple[str | None, str | None]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += list(zip(left[i1:i2], right[j1:j2]))
        else:  # replace/delete/insert: pair what can be paired, the rest stands alone
            n = min(i2 - i1, j2 - j1)
            rows += list(zip(left[i1:i1 + n], right[j1:j1 + n]))
            rows += [(x, None) for x in left[i1 + n:i2]]
            rows += [(None, y) for y in right[j1 + n:j2]]
    return rows


# ---- printing ------------------------------------------------------------------------------------
COLORS = {"=": "", "≈": "\033[33m", "≠": "\033[31m", "<": "\033[36m", ">": "\033[36m"}
RESET = "\033[0m"


def _fit(text: str, width: int) -> str:
    text = text.rstrip().expandtabs()
    return text if len(text) <= width else text[: width - 1] + "…"


def _number(x: float) -> str:
    return f"{x:.10g}"


def side_by_side(left: Run, right: Run, rtol: float, color: bool, width: int) -> dict:
    """Print the aligned outputs; returns counts of marks and the largest relative difference."""
    col = max(20, (width - 16) // 2)
    paint = (lambda mark, s: f"{COLORS[mark]}{s}{RESET}" if COLORS[mark] else s) if color else (
        lambda mark, s: s)
    head_l = f"{left.name} ({left.seconds:.2f} s)"
    head_r = f"{right.name} ({right.seconds:.2f} s)"
    print(f"  {_fit(head_l, col):<{col}} │ {_fit(head_r, col)}")
    print(f"  {'─' * col}─┼─{'─' * col}")
    counts = {m: 0 for m in COLORS}
    worst = 0.0
    for a, b in align(left.stdout.splitlines(), right.stdout.splitlines()):
        mark, rel, differing = judge(a, b, rtol)
        counts[mark] += 1
        if rel is not None and rel > worst:
            worst = rel
        note = f"  rel {rel:.1e}" if rel else ""
        line = f"{mark} {_fit(a or '', col):<{col}} │ {_fit(b or '', col)}"
        print(paint(mark, line + note))
        if mark == "≠" and differing:
            shown = ", ".join(f"{_number(x)} vs {_number(y)}" for x, y in differing[:4])
            more = f" (+{len(differing) - 4} more)" if len(differing) > 4 else ""
            print(paint(mark, f"  {'':<{col}} │ ↳ {shown}{more}"))
    return {"counts": counts, "worst": worst}


def _status(run: Run) -> str:
    if run.code is None:
        return "timed out"
    return "exit 0" if run.code == 0 else f"FAILED (exit {run.code})"


def _tail(run: Run, lines: int = 12) -> None:
    err = run.stderr.strip().splitlines()
    if err:
        print(f"\n{run.name} stderr (last {min(lines, len(err))} lines):")
        for line in err[-lines:]:
            print(f"  {line}")


def compare(args) -> int:
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty()
                                       and "NO_COLOR" not in os.environ)
    width = shutil.get_terminal_size((120, 24)).columns
    script = [args.script, *args.args]
    ours = ["glasstorch " + _version("glasstorch"),
            [sys.executable, "-m", "glasstorch", "run", *script]]
    with_torch = not args.no_torch and torch_available()
    if not with_torch:
        why = "--no-torch" if args.no_torch else "PyTorch is not installed here (no `torch` module)"
        print(f"{PROG}: {why}: running {args.script} under glasstorch only"
              + ("" if args.no_torch else "; `pip install torch` to compare"))
        run = run_one(ours[0], ours[1], args.timeout)
        print(f"\n{run.name} ({run.seconds:.2f} s):")
        for line in run.stdout.splitlines():
            print(f"  {line}")
        print(f"\n{run.name}: {_status(run)}, {run.seconds:.2f} s wall")
        if run.code != 0:
            _tail(run)
        return 0 if run.code == 0 else 1
    theirs = run_one("PyTorch " + _version("torch"),
                     [sys.executable, "-c", _TORCH_BOOT, SHIM, *script], args.timeout)
    mine = run_one(*ours, args.timeout)
    stats = side_by_side(theirs, mine, args.rtol, color, width)
    c = stats["counts"]
    print()
    compared = c["="] + c["≈"] + c["≠"]
    print(f"lines: {compared} paired ({c['=']} equal, {c['≈']} within rtol {args.rtol:g}, "
          f"{c['≠']} different), {c['<']} only in {theirs.name}, {c['>']} only in {mine.name}"
          + (f"; largest relative difference {stats['worst']:.2e}" if stats["worst"] else ""))
    for run in (theirs, mine):
        print(f"{run.name:<20} {_status(run)}, {run.seconds:.2f} s wall")
    if theirs.seconds > 0 and mine.code == 0 and theirs.code == 0:
        print(f"glasstorch took {mine.seconds / theirs.seconds:.2f}× PyTorch's wall time "
              "(including start-up and import)")
    failed = [r for r in (theirs, mine) if r.code != 0]
    for run in failed:
        _tail(run)
    missing = re.findall(r"No module named '(d2l|torchvision)", theirs.stderr)
    if theirs.code != 0 and missing:
        print(f"(the PyTorch run needs `pip install {missing[0]}`; under glasstorch it resolves "
              f"to {'glasstorch.d2l' if missing[0] == 'd2l' else 'glasstorch.vision'})")
    return 1 if failed else 0
