"""Shrinking: make a failing program as small as possible while it still fails the same way.

"The same way" means the same op label and kind of mismatch (:func:`signature`). Two passes,
repeated until neither changes anything (delta debugging in its simplest form):

1. drop statements, one at a time, last first (everything after the failing one goes at once);
2. simplify inputs: edge values (inf, nan, 1e30, 1e-30) to 0.5, then all-ones, then round numbers.

A dropped statement may leave later ones referring to an unbound name: both libraries then raise
NameError, which counts as agreement, so such a drop is kept only if the mismatch survives it.
"""

from __future__ import annotations

import numpy as np

from .interpret import Mismatch, run_program
from .program import EDGE_ABS, TINY_ABS, Program


def signature(m: Mismatch | None) -> tuple[str, str, str] | None:
    """What must stay the same while shrinking: op, kind and (for errors) the exception types."""
    return None if m is None else (m.op, m.kind, m.raised)


def simpler_arrays(a: np.ndarray) -> list[np.ndarray]:
    """Plainer versions of one input array, plainest last."""
    if a.dtype.kind != "f" or a.size == 0:
        return []
    out = []
    mag = np.abs(np.where(np.isfinite(a), a, 0))
    edge = ~np.isfinite(a) | (mag >= EDGE_ABS) | ((mag > 0) & (mag <= TINY_ABS))
    if edge.any():
        out.append(np.where(edge, 0.5, a).astype(a.dtype))
    out.append(np.round(np.where(edge, 0.5, a)).astype(a.dtype))
    out.append(np.ones_like(a))
    return out


def shrink(program: Program, mismatch: Mismatch, budget: int = 120) -> tuple[Program, Mismatch]:
    """The smallest program found (within ``budget`` reruns) failing like ``mismatch``."""
    want = signature(mismatch)
    best, best_m = program.with_statements(program.statements[: mismatch.index + 1]), mismatch
    runs = 0
    changed = True
    while changed and runs < budget:
        changed = False
        i = len(best.statements) - 2  # the failing statement is the last one: keep it
        while i >= 0 and runs < budget:
            cand = best.with_statements(best.statements[:i] + best.statements[i + 1:])
            runs += 1
            m = run_program(cand)
            if signature(m) == want:
                best = cand.with_statements(cand.statements[: m.index + 1])
                best_m, changed = m, True
            i -= 1
        for name, a in list(best.arrays.items()):
            for simpler in simpler_arrays(a):
                if runs >= budget:
                    break
                if simpler.shape == a.shape and np.array_equal(simpler, a, equal_nan=True) \
                        and np.array_equal(np.signbit(simpler), np.signbit(a)):
                    continue
                cand = best.with_arrays({**best.arrays, name: simpler})
                runs += 1
                m = run_program(cand)
                if signature(m) == want:
                    best, best_m, changed = cand, m, True
                    a = simpler
    return best, best_m
