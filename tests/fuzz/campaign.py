"""Running many programs and grouping their mismatches into classes.

A mismatch's *class* is what makes two failures "the same bug" (:func:`class_key`):
the op label and kind of the shrunk program's failing statement; for a statement that only
*uses* the graph (``backward``, ``autograd.grad``, an optimizer's ``step``), also the ops left in
the shrunk program, since the culprit is one of them; and ``edge`` when values or gradients differ
only in a program whose inputs hold inf, nan, 1e30 or 1e-30.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from dataclasses import dataclass, field

from .generate import AREAS, area_for, generate
from .interpret import Mismatch, run_program
from .program import Program
from .shrink import shrink

GRAPH_USERS = ("backward", "autograd.grad", "zero_grad", "loss")


def class_key(program: Program, m: Mismatch) -> str:
    """The class of a (shrunk) failing program: ``op | kind`` plus context (see module doc)."""
    op = m.op
    if op.startswith(GRAPH_USERS) or op.endswith(".step"):
        ctx = sorted({s.op for s in program.statements[: m.index]} - {"input", op})
        op = f"{op}<-{'+'.join(ctx)}" if ctx else op
    key = f"{op} | {m.kind}"
    if m.kind == "raises.type":
        key += f" ({m.raised})"
    if m.kind.split(".")[-1] in ("value", "grad") and program.has_edge_values():
        key += " | edge"
    return key


@dataclass
class Found:
    """One mismatch class: how often, where first, and its minimal reproduction."""

    key: str
    count: int = 0
    edge: int = 0
    seeds: list[int] = field(default_factory=list)
    detail: str = ""
    repro: str = ""


def run_seed(seed: int, area: str = "all", do_shrink: bool = True):
    """Generate, run and (on a mismatch) shrink one program.

    Returns ``(program, mismatch, shrunk_program, key)``; the last three are None when the two
    libraries agree.
    """
    program = generate(seed, area)
    m = run_program(program)
    if m is None:
        return program, None, None, None
    small, sm = shrink(program, m) if do_shrink else (program, m)
    return program, sm, small, class_key(small, sm)


@dataclass
class Campaign:
    """Counts and classes over a range of seeds."""

    programs: Counter = field(default_factory=Counter)  # by area
    failing: Counter = field(default_factory=Counter)  # by area
    classes: dict[str, Found] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)  # the fuzzer's own errors
    seconds: float = 0.0

    def run(self, seeds, area: str = "all", deadline: float | None = None, log=None) -> None:
        start = time.monotonic()
        for seed in seeds:
            if deadline is not None and time.monotonic() > deadline:
                break
            a = area_for(seed, area)
            self.programs[a] += 1
            try:
                program, m, small, key = run_seed(seed, area)
            except Exception:  # noqa: BLE001 - a fuzzer bug must not stop the campaign
                self.crashes.append(f"seed {seed} ({a}): {traceback.format_exc(limit=3)}")
                continue
            if m is None:
                continue
            self.failing[a] += 1
            found = self.classes.get(key)
            if found is None:
                found = self.classes[key] = Found(key, detail=m.detail[:300],
                                                  repro=small.source(header=False))
                if log:
                    log(f"new class after {sum(self.programs.values())} programs: {key}  "
                        f"(seed {seed}, area {a})")
            found.count += 1
            found.edge += small.has_edge_values()
            if len(found.seeds) < 5:
                found.seeds.append(seed)
        self.seconds += time.monotonic() - start

    def summary(self) -> str:
        """A plain-text report: programs per area, then classes, most frequent first."""
        lines = [f"{sum(self.programs.values())} programs in {self.seconds:.0f} s, "
                 f"{sum(self.failing.values())} with a mismatch, {len(self.classes)} classes"]
        for a in AREAS:
            if self.programs[a]:
                lines.append(f"  {a:13s} {self.programs[a]:7d} programs {self.failing[a]:6d} "
                             f"mismatching")
        for f in sorted(self.classes.values(), key=lambda f: -f.count):
            lines.append(f"\n## {f.key}   x{f.count} ({f.edge} with edge values) seeds {f.seeds}")
            lines.append(f"   {f.detail}")
            lines.extend("   " + s for s in f.repro.rstrip().splitlines())
        for c in self.crashes[:20]:
            lines.append("\nFUZZER CRASH " + c)
        return "\n".join(lines)
