"""Differential fuzzing of glasstorch against PyTorch (see docs/FIDELITY.md).

Replay one program (prints it, the first mismatch, and the shrunk program as PyTorch code)::

    python scripts/fuzz.py --seed 1234               # the area of seed 1234 under --area all
    python scripts/fuzz.py --seed 1234 --area views

A long run, with a summary of mismatch classes (deduplicated by op + kind of mismatch)::

    python scripts/fuzz.py --count 100000 --area all --out fuzz-summary.txt
    python scripts/fuzz.py --count 100000 --minutes 2      # stop after two minutes

Needs PyTorch (the oracle) and glasstorch importable (``PYTHONPATH=src``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

from fuzz import AREAS, Campaign, generate, run_program, shrink  # noqa: E402
from fuzz.campaign import class_key  # noqa: E402
from fuzz.known import classify  # noqa: E402


def replay(seed: int, area: str) -> int:
    program = generate(seed, area)
    print(program.source())
    m = run_program(program)
    if m is None:
        print("# glasstorch and torch agree on every statement")
        return 0
    print(f"# MISMATCH after statement {m.index} ({m.op}): {m.kind} {m.variable}\n#   {m.detail}")
    small, sm = shrink(program, m)
    key = class_key(small, sm)
    known = classify(key, sm.detail)
    print(f"\n# class: {key}" + (f"  (known, {known[0]}: {known[1]})" if known else "  (NEW)"))
    print("# shrunk:\n" + small.source())
    return 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, help="replay this one seed")
    ap.add_argument("--area", default="all", choices=("all",) + AREAS)
    ap.add_argument("--count", type=int, default=1000, help="programs in a run")
    ap.add_argument("--start", type=int, default=0, help="first seed of a run")
    ap.add_argument("--minutes", type=float, help="stop a run after this long")
    ap.add_argument("--out", help="write the summary here too")
    args = ap.parse_args(argv)
    if args.seed is not None:
        return replay(args.seed, args.area)
    camp = Campaign()
    deadline = time.monotonic() + 60 * args.minutes if args.minutes else None
    camp.run(range(args.start, args.start + args.count), args.area, deadline,
             log=lambda s: print(s, flush=True))
    text = camp.summary()
    new = [k for k, f in camp.classes.items() if classify(k, f.detail) is None]
    text += f"\n\n{len(new)} classes not in tests/fuzz/known.py:\n" + "\n".join(new)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
