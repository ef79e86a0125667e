"""Contractions over named dimensions (``tensordot``, ``einsum``, ``trace``), and the top-level
names of ``torch.linalg`` functions (``torch.norm``, ``inverse``, ``det``, ``slogdet``,
``matrix_power``, ``cross``).

``einsum("ij,jk->ik", A, B)`` names every dimension of every operand with a letter; letters shared
between operands are multiplied together, and letters missing from the output (after ``->``) are
summed over. So ``"ij,jk->ik"`` is a matrix product, ``"i,i->"`` a dot product, ``"ii->i"`` a
diagonal, ``"bij,bjk->bik"`` a batched product. Without ``->`` the output is every letter used
exactly once, in alphabetical order. ``...`` stands for the leading dimensions (broadcasting).

The gradient of an einsum is another einsum: for operand ``X`` with letters ``s``,
``dL/dX = einsum(out, others... -> s)(dL/dout, others...)``. A letter repeated in ``s`` (a
diagonal) gets an identity matrix as an extra operand; a letter only ``X`` has (summed away)
gets a vector of ones, which spreads the gradient along it.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node
from .linalg import _out, _word, matmul


# ---- tensordot ----------------------------------------------------------------------------------
def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Contract dimensions of ``a`` with dimensions of ``b``: ``dims=n`` pairs the last ``n`` of
    ``a`` with the first ``n`` of ``b``; ``dims=([1, 0], [0, 1])`` names them. Built as
    permute → reshape to matrices → matmul → reshape, so autograd flows through those ops.

    ``(2, 3, 4)`` ⋅ ``(3, 4, 5)`` with ``dims=2`` → ``(2, 5)``.
    """
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a._data.ndim or dims > b._data.ndim:
            raise RuntimeError(
                f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}"
            )
        da = list(range(-dims, 0))
        db = list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    da_given, db_given = list(da), list(db)
    da = [d % a._data.ndim for d in da]
    db = [d % b._data.ndim for d in db]
    for x, y, x_given, y_given in zip(da, db, da_given, db_given):
        na, nb = a._data.shape[x], b._data.shape[y]
        if na != nb:  # a size-1 dimension is stretched to match, as torch allows
            if na == 1:
                a = a.expand(*(nb if i == x else n for i, n in enumerate(a._data.shape)))
            elif nb == 1:
                b = b.expand(*(na if i == y else n for i, n in enumerate(b._data.shape)))
            else:
                raise RuntimeError(
                    f"contracted dimensions need to match, but first has size {na} in dim "
                    f"{x_given} and second has size {nb} in dim {y_given}"
                )
    free_a = [d for d in range(a._data.ndim) if d not in da]
    free_b = [d for d in range(b._data.ndim) if d not in db]
    k = int(np.prod([a._data.shape[d] for d in da]))
    m = int(np.prod([a._data.shape[d] for d in free_a]))
    n = int(np.prod([b._data.shape[d] for d in free_b]))
    left = a.permute(*free_a, *da).reshape(m, k)
    right = b.permute(*db, *free_b).reshape(k, n)
    shape = [a._data.shape[d] for d in free_a] + [b._data.shape[d] for d in free_b]
    return _out(matmul(left, right).reshape(shape), out)


# ---- einsum --------------------------------------------------------------------------------------
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def einsum(equation: str, *operands) -> Tensor:
    """Sum of products over named dimensions (see the module docstring).

    ``einsum("bij,bjk->bik", (2, 3, 4), (2, 4, 5))`` → ``(2, 3, 5)``. Operands may also be given
    as one list. All operands must share one dtype, as in torch.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    in_subs, out_subs, ell = _parse(equation, operands)
    arrays = [t._data for t in operands]
    sizes = _letter_sizes(in_subs, arrays, ell)
    for t in arrays[1:]:
        if t.dtype != arrays[0].dtype:
            raise RuntimeError(
                f"expected scalar type {_word(arrays[0])} but found {_word(t)}"
            )
    spec = ",".join(in_subs) + "->" + out_subs
    summed = set("".join(in_subs)) - set(out_subs)
    kind = arrays[0].dtype.kind
    if len(arrays) == 1 and summed and kind in "biu":  # a plain sum: integers widen to int64
        arrays = [arrays[0].astype(np.int64)]
    elif kind == "b" and summed and len(arrays) > 1:
        _bool_contraction(spec, arrays)
    res = _wrap(np.asarray(np.einsum(spec, *arrays, optimize=len(arrays) > 2)))
    if grad_mode.state.enabled and any(t._rg for t in operands):
        single = len(operands) == 1
        if single:
            cls = PermuteBackward0 if len(out_subs) == len(in_subs[0]) else SumBackward1
        else:
            shared = set(in_subs[0]).intersection(*in_subs[1:])
            cls = MulBackward0 if not shared - set(out_subs) and len(out_subs) == sum(
                len(s) for s in in_subs) else ViewBackward0
        node = cls(*operands).save(*operands)
        node.in_subs, node.out_subs, node.sizes = in_subs, out_subs, sizes
        res._rg = True
        res._grad_fn = node
    return res


def _bool_contraction(spec: str, arrays) -> None:
    """torch has no bool kernel for a product that sums (it runs ``bmm``), unless it is empty."""
    if np.einsum(spec, *arrays).size and all(a.size for a in arrays):
        raise NotImplementedError('"bmm" not implemented for \'Bool\'')


def _parse(equation: str, operands) -> tuple[list[str], str, str]:
    """Explicit subscripts for each operand and the output, with ``...`` replaced by letters
    (also returned: the letters standing for the ellipsis dimensions)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    in_subs = lhs.split(",")
    if len(in_subs) > len(operands):
        raise RuntimeError(
            "einsum(): fewer operands were provided than specified in the equation"
        )
    if len(in_subs) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    spare = [c for c in _LETTERS if c not in eq]
    n_ell = 0
    for i, (s, t) in enumerate(zip(in_subs, operands)):
        named = len(s.replace("...", ""))
        nd = t._data.ndim
        if "..." in s:
            if named > nd:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({named}) is more than "
                    f"the number of dimensions ({nd}) for operand {i}"
                )
            n_ell = max(n_ell, nd - named)
        elif named != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) does not match the "
                f"number of dimensions ({nd}) for operand {i} and no ellipsis was given"
            )
    ell = "".join(spare[:n_ell])
    in_subs = [s.replace("...", ell[n_ell - (t._data.ndim - len(s) + 3):] if "..." in s else "")
               for s, t in zip(in_subs, operands)]
    if arrow:
        out_subs = rhs.replace("...", ell)
        for c in out_subs:
            if not any(c in s for s in in_subs):
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any input "
                    "operand"
                )
    else:
        counts = {}
        for c in "".join(in_subs):
            counts[c] = counts.get(c, 0) + 1
        out_subs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return in_subs, out_subs, ell


def _letter_sizes(in_subs, arrays, ell: str) -> dict:
    """Each letter's size; size-1 dimensions broadcast, any other disagreement is an error."""
    sizes: dict = {}
    for i, (s, a) in enumerate(zip(in_subs, arrays)):
        own_ell = [c for c in s if c in ell]
        for c, n in zip(s, a.shape):
            seen = sizes.get(c)
            if seen is None or seen == 1:
                sizes[c] = n
            elif n != seen and n != 1:
                if c in ell:
                    raise RuntimeError(
                        f"einsum(): dimension {own_ell.index(c)} covered by ellipsis in operand "
                        f"{i}has size {n} which does not broadcast with previously seen ellipsis "
                        f"with size {seen} for the respective dimension"
                    )
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                    f"broadcast with previously seen size {seen}"
                )
    return sizes


class _EinsumBackward(Node):
    """The gradient of each operand, as one einsum (see the module docstring)."""

    def backward(self, grad):
        operands = self.saved_tensors
        needs = self.needs_input_grad
        return tuple(
            self._grad_for(i, grad, operands) if needs[i] else None for i in range(len(operands))
        )

    def _grad_for(self, i, grad, operands):
        subs, sizes = self.in_subs[i], self.sizes
        shape = operands[i]._data.shape
        others = [s for j, s in enumerate(self.in_subs) if j != i]
        available = set(self.out_subs).union(*others) if others else set(self.out_subs)
        target, extra_subs, extras, seen = "", [], [], set()
        spare = iter(c for c in _LETTERS if c not in "".join(self.in_subs) + self.out_subs)
        dtype = grad._data.dtype
        for c in subs:
            if c in seen:  # a repeated letter (diagonal): a fresh letter tied by an identity
                fresh = next(spare)
                extra_subs.append(c + fresh)
                extras.append(_wrap(np.eye(sizes[c], dtype=dtype)))
                target += fresh
                continue
            seen.add(c)
            target += c
            if c not in available:  # summed away: spread the gradient with ones
                extra_subs.append(c)
                extras.append(_wrap(np.ones(sizes[c], dtype=dtype)))
        inputs = [grad] + [t for j, t in enumerate(operands) if j != i] + extras
        spec = ",".join([self.out_subs] + others + extra_subs) + "->" + target
        if grad_mode.state.enabled:
            g = einsum(spec, *inputs)
        else:
            g = _wrap(np.asarray(np.einsum(spec, *[t._data for t in inputs],
                                           optimize=len(inputs) > 2)))
        stretched = tuple(k for k, n in enumerate(shape) if n == 1 and g._data.shape[k] != 1)
        return g.sum(stretched, keepdim=True) if stretched else g


class ViewBackward0(_EinsumBackward):
    """An einsum contracting several operands (torch reshapes a batched matmul: a view)."""


class MulBackward0(_EinsumBackward):
    """An einsum that only multiplies (an outer product), as torch records it."""


class PermuteBackward0(_EinsumBackward):
    """A one-operand einsum keeping every dimension (a transpose or a diagonal)."""


class SumBackward1(_EinsumBackward):
    """A one-operand einsum that sums some dimensions away."""


# ---- trace ---------------------------------------------------------------------------------------
def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a 2-D tensor: ``x[0, 0] + x[1, 1] + ...`` (any rectangle).
    Integer and bool inputs sum to int64."""
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    acc = np.int64 if x.dtype.kind in "biu" else None
    res = _wrap(np.asarray(np.trace(x, dtype=acc)))
    if input._rg and grad_mode.state.enabled:
        node = TraceBackward0(input)
        node.shape = x.shape
        res._rg = True
        res._grad_fn = node
    return res


class TraceBackward0(Node):
    """Each diagonal element contributed once: the gradient is ``grad`` on the diagonal."""

    def backward(self, grad):
        return grad * _wrap(np.eye(*self.shape, dtype=grad._data.dtype))


# ---- torch.norm and the top-level names of torch.linalg functions -------------------------------
def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The norm of ``input`` (``torch.norm``): ``p`` = 'fro' or a number is a vector norm of the
    elements over ``dim`` (all by default); 'nuc' is the matrix nuclear norm over two dims.
    See ``glasstorch.linalg.vector_norm``/``matrix_norm``."""
    from .. import linalg

    if isinstance(dim, int):
        dim = (dim,)
    if p == "nuc":
        return linalg.matrix_norm(input, "nuc", dim if dim is not None else (-2, -1), keepdim,
                                  dtype=dtype)
    if p == "fro" or p is None:
        if dim is not None and len(dim) > 2:
            if input._data.dtype.kind not in "fc":
                raise RuntimeError(
                    "linalg.matrix_norm: Expected a floating point or complex tensor as input. "
                    f"Got {_word(input._data)}"
                )
            listed = " ".join(str(d) for d in dim)
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {listed}")
        p = 2
    return linalg.vector_norm(input, p, dim, keepdim, dtype=dtype)


def inverse(input: Tensor, *, out=None) -> Tensor:
    """The inverse of each square matrix (``torch.inverse``; see ``glasstorch.linalg.inv``)."""
    from .. import linalg

    return linalg.inv(input, out=out)


def det(input: Tensor) -> Tensor:
    """The determinant of each square matrix (``torch.det``; see ``glasstorch.linalg.det``)."""
    from .. import linalg

    return linalg.det(input)


def slogdet(input: Tensor):
    """``(sign, logabsdet)`` of each square matrix (``torch.slogdet``; see ``linalg.slogdet``)."""
    from .._linalg_solve import slogdet as linalg_slogdet

    return linalg_slogdet(input, _name="slogdet")


def matrix_power(input: Tensor, n: int) -> Tensor:
    """``input`` multiplied by itself ``n`` times (``torch.matrix_power``)."""
    from .. import linalg

    return linalg.matrix_power(input, n)


def cross(input: Tensor, other: Tensor, dim=None, *, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (default: the first dimension of size 3, as
    ``torch.cross``; prefer ``linalg.cross``, whose default is the last dimension)."""
    from .. import linalg

    if dim is None:
        sizes = np.broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((i for i, n in enumerate(sizes) if n == 3), -1)
    return linalg.cross(input, other, dim=dim, out=out)


Tensor.trace, Tensor.norm, Tensor.inverse, Tensor.det = trace, norm, inverse, det
Tensor.slogdet, Tensor.matrix_power, Tensor.cross = slogdet, matrix_power, cross

__all__ = [
    "tensordot", "einsum", "trace", "norm", "inverse", "det", "slogdet", "matrix_power", "cross",
]
