"""The ``torch.*`` names of linear-algebra functions (``torch.norm``, ``torch.inverse``,
``torch.det``, ``torch.slogdet``, ``torch.matrix_power``, ``torch.cross``) and the matching
``Tensor`` methods. Each is a thin front for its ``torch.linalg`` function, with torch's older
defaults: ``torch.norm(x)`` is the 2-norm of all elements, ``torch.cross`` picks the first
dimension of size 3.
"""

from __future__ import annotations

import numpy as np

from .._dtype import scalar_name
from .._tensor import Tensor
from .norms import matrix_norm, vector_norm
from .solve import cross as linalg_cross
from .solve import det as linalg_det
from .solve import inv
from .solve import matrix_power as linalg_matrix_power
from .solve import slogdet as linalg_slogdet


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The norm of ``input`` (``torch.norm``): ``p`` = 'fro' or a number is a vector norm of the
    elements over ``dim`` (all by default); 'nuc' is the matrix nuclear norm over two dims.
    See ``glasstorch.linalg.vector_norm``/``matrix_norm``."""
    if isinstance(dim, int):
        dim = (dim,)
    if p == "nuc":
        return matrix_norm(input, "nuc", dim if dim is not None else (-2, -1), keepdim,
                           dtype=dtype)
    if p == "fro" or p is None:
        if dim is not None and len(dim) > 2:
            if input._data.dtype.kind not in "fc":
                raise RuntimeError(
                    "linalg.matrix_norm: Expected a floating point or complex tensor as input. "
                    f"Got {scalar_name(input._data.dtype)}"
                )
            listed = " ".join(str(d) for d in dim)
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {listed}")
        p = 2
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def inverse(input: Tensor, *, out=None) -> Tensor:
    """The inverse of each square matrix (``torch.inverse``; see ``glasstorch.linalg.inv``)."""
    return inv(input, out=out)


def det(input: Tensor) -> Tensor:
    """The determinant of each square matrix (``torch.det``; see ``glasstorch.linalg.det``)."""
    return linalg_det(input)


def slogdet(input: Tensor):
    """``(sign, logabsdet)`` of each square matrix (``torch.slogdet``; see ``linalg.slogdet``)."""
    return linalg_slogdet(input, _name="slogdet")


def matrix_power(input: Tensor, n: int) -> Tensor:
    """``input`` multiplied by itself ``n`` times (``torch.matrix_power``)."""
    return linalg_matrix_power(input, n)


def cross(input: Tensor, other: Tensor, dim=None, *, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (default: the first dimension of size 3, as
    ``torch.cross``; prefer ``linalg.cross``, whose default is the last dimension)."""
    if dim is None:
        sizes = np.broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((i for i, n in enumerate(sizes) if n == 3), -1)
    return linalg_cross(input, other, dim=dim, out=out)


Tensor.norm, Tensor.inverse, Tensor.det = norm, inverse, det
Tensor.slogdet, Tensor.matrix_power, Tensor.cross = slogdet, matrix_power, cross

__all__ = ["norm", "inverse", "det", "slogdet", "matrix_power", "cross"]
