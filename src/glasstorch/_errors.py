"""Builders of torch's error messages that many op families share.

Each returns the exception (the caller raises it, ``raise not_tensor(...) from None``), so that the
traceback ends at the op that refused the input. Shapes print as torch prints them (``[2, 3]``);
dtypes by torch's scalar name (``Float``, ``Long``: ``_dtype.scalar_name``).
"""

from __future__ import annotations

from ._dtype import scalar_name


def not_tensor(op: str, value, name: str = "input", pos: int = 1) -> TypeError:
    """torch's TypeError for a non-tensor where a tensor is required:
    ``mul(): argument 'input' (position 1) must be Tensor, not list``."""
    return TypeError(
        f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {type(value).__name__}"
    )


def not_implemented_for(kernel: str, dtype) -> NotImplementedError:
    """torch's error for a kernel that has no version for a dtype:
    ``"sigmoid_cpu" not implemented for 'Long'``."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_name(dtype)}'")
