"""What a fuzz program is, and how it prints as a script that runs on PyTorch alone.

A program is a list of statements, each one line of PyTorch code (``v3 = v1 + v2``), plus the
NumPy arrays its tensors are made from (``a0``, ``a1``...). The *same* code runs in both
libraries: the interpreter executes it once with ``torch`` bound to PyTorch and once with
``torch`` bound to glasstorch (``F`` is ``torch.nn.functional`` in each). Keeping programs as
source text makes shrinking (drop a line) and reporting (print the lines) trivial.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

# Values in inputs that are "edge" values: a mismatch only in programs holding one of them is
# reported apart from the others (the bar is "no mismatch outside edge-value programs").
EDGE_ABS = 1e29  # |x| at least this is "huge"
TINY_ABS = 1e-29  # 0 < |x| at most this is "tiny"


@dataclass(frozen=True)
class Statement:
    """One line of a program.

    Attributes:
        op: the label mismatches are grouped by (``"torch.fmod"``, ``"setitem[mask]"``...).
        code: the line of Python, written against ``torch`` / ``F`` / the ``a*`` arrays.
    """

    op: str
    code: str


@dataclass
class Program:
    """A seeded program: arrays (the same NumPy data for both libraries) and statements."""

    seed: int
    area: str
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    statements: list[Statement] = field(default_factory=list)

    def with_statements(self, statements: list[Statement]) -> Program:
        return replace(self, statements=list(statements))

    def with_arrays(self, arrays: dict[str, np.ndarray]) -> Program:
        return replace(self, arrays=dict(arrays))

    def has_edge_values(self) -> bool:
        """True when an input array (that a statement uses) holds nan, inf, a huge or tiny value."""
        used = " ".join(s.code for s in self.statements)
        for name, a in self.arrays.items():
            if name not in used or a.dtype.kind != "f" or a.size == 0:
                continue
            finite = np.isfinite(a)
            mag = np.abs(np.where(finite, a, 0))
            if not finite.all() or (mag >= EDGE_ABS).any() or ((mag > 0) & (mag <= TINY_ABS)).any():
                return True
        return False

    def source(self, header: bool = True) -> str:
        """The program as a runnable PyTorch script (print it, paste it, run it)."""
        used = " ".join(s.code for s in self.statements)
        lines = []
        if header:
            lines += [
                f"# glasstorch differential fuzz: seed {self.seed}, area {self.area}",
                "import numpy as np",
                "import torch",
                "import torch.nn.functional as F",
                "",
                "inf, nan = float('inf'), float('nan')",
            ]
        for name, a in self.arrays.items():
            if name in used:
                lines.append(f"{name} = {array_literal(a)}")
        lines += [s.code for s in self.statements]
        return "\n".join(lines) + "\n"


def array_literal(a: np.ndarray) -> str:
    """Python source that rebuilds ``a`` exactly (dtype, shape, -0.0, inf and nan included)."""
    values = a.reshape(-1).tolist()
    text = repr(values).replace("inf", "inf").replace("nan", "nan")
    shape = tuple(a.shape)
    dtype = "bool_" if a.dtype == np.bool_ else str(a.dtype)
    return f"np.array({text}, dtype=np.{dtype}).reshape({shape})"
