"""What one catalogue entry says about an op.

``fn(lib, *inputs)`` is written once and called with ``lib`` = glasstorch and ``lib`` = torch, on
inputs built from the same NumPy arrays, so the same line of PyTorch code is the test for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class OpSpec:
    """One op (or one way of calling it) to test against torch.

    name:     unique id shown by pytest (e.g. ``"add/broadcast"``).
    fn:       ``fn(lib, *inputs)`` → a tensor, or a tuple of tensors/values.
    shapes:   the shape of each tensor input (``()`` for 0-d).
    dtype:    dtype name of floating inputs (``"float32"``); ``"int64"``/``"bool"`` for others.
    domain:   ``(low, high)`` of the uniform values drawn (e.g. ``(0.1, 2)`` for log).
    grad:     True if differentiable: then gradients vs torch and a float64 gradcheck run.
    grad_inputs: indices of the inputs that require grad (default: all, when ``grad``).
    values:   optional fixed inputs (list of nested lists / ndarrays) instead of random ones.
    rtol/atol: tolerances, only when torch's defaults cannot hold (say why in ``note``).
    """

    name: str
    fn: Callable
    shapes: list = field(default_factory=lambda: [(3, 4)])
    dtype: str = "float32"
    domain: tuple = (-2.0, 2.0)
    grad: bool = True
    grad_inputs: tuple | None = None
    values: list | None = None
    rtol: float | None = None
    atol: float | None = None
    gradcheck: bool = True
    dtypes: tuple | None = None  # per-input dtypes overriding ``dtype``
    note: str = ""


@dataclass
class ErrorSpec:
    """A call that must fail as it fails in torch: same exception type, and a message that
    contains each of ``contains`` (the op's name, the shapes, the fix)."""

    name: str
    fn: Callable
    shapes: list = field(default_factory=lambda: [(3, 4)])
    dtype: str = "float32"
    exc: type = RuntimeError
    contains: tuple = ()
    values: list | None = None
    dtypes: tuple | None = None  # per-input dtypes overriding ``dtype``
    domain: tuple = (-2.0, 2.0)
