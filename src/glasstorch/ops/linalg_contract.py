"""Contractions over named dimensions: ``tensordot``, ``einsum`` and ``trace``.

``einsum("ij,jk->ik", A, B)`` names every dimension of every operand with a letter; letters shared
between operands are multiplied together, and letters missing from the output (after ``->``) are
summed over. So ``"ij,jk->ik"`` is a matrix product, ``"i,i->"`` a dot product, ``"ii->i"`` a
diagonal, ``"bij,bjk->bik"`` a batched product. Without ``->`` the output is every letter used
exactly once, in alphabetical order. ``...`` stands for the leading dimensions (broadcasting).

An einsum is computed as torch computes it, with ops that each have their own backward: a
repeated letter in one operand is a ``diagonal``; letters no later operand or the output needs are
``sum``-med away; two operands sharing no letter to sum are multiplied (``*``, broadcasting, after
``permute``/``unsqueeze`` line their letters up); two operands with letters to sum are
``permute``-d and ``reshape``-d into a batch of matrices for one ``bmm``. The graph (and the
gradient) is that of those ops.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd.graph import Node, attach
from .linalg import _out, bmm, matmul


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
    as one list. Dtypes follow the steps, as in torch: a step that only multiplies promotes
    (``"ij,i->ij"`` of float64 and int64 is float64); a step that sums a shared letter runs
    ``bmm``, which wants one dtype (unless there is nothing to add up).
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    in_subs, out_subs, ell = _parse(equation, operands)
    arrays = [t._data for t in operands]
    _letter_sizes(in_subs, arrays, ell)  # torch's message where two sizes of a letter disagree
    summed = set("".join(in_subs)) - set(out_subs)
    terms = [_diagonals(t, s) for t, s in zip(operands, in_subs)]
    if len(terms) == 1:  # one operand: reorder its letters, then sum those not in the output
        t, s = terms[0]
        gone = [c for c in s if c not in out_subs]
        t = t.permute([s.index(c) for c in out_subs + "".join(gone)])
        return t.sum(tuple(range(len(out_subs), len(s)))) if gone else t
    t, s = terms[0]
    for i, (u, su) in enumerate(terms[1:], 2):
        needed = "".join(dict.fromkeys(out_subs + "".join(x for _, x in terms[i:])))
        t, s = _pair(t, s, u, su, needed)
    if s != out_subs:
        t = t.permute([s.index(c) for c in out_subs])
    # torch's einsum ends a product that summed anything with a view of the result
    return t.reshape(t._data.shape) if summed else t


def _diagonals(t: Tensor, s: str) -> tuple:
    """``t`` with each letter repeated in its subscripts ``s`` replaced by that diagonal
    (``"ii"`` → ``"i"``), and its new subscripts (a diagonal goes last, as ``diagonal`` puts it)."""
    for c in s:
        if s.count(c) > 1:
            i = s.index(c)
            j = s.index(c, i + 1)
            return _diagonals(t.diagonal(0, i, j), s[:i] + s[i + 1:j] + s[j + 1:] + c)
    return t, s


def _sum_unneeded(t: Tensor, s: str, needed) -> tuple:
    """Sum away the letters of ``t`` that nothing later uses (keeping ``t``'s dtype, except that
    bools are counted, as int64)."""
    gone = [i for i, c in enumerate(s) if c not in needed]
    if not gone:
        return t, s
    keep = None if t._data.dtype == np.bool_ else t.dtype  # bool sums count, as int64
    return t.sum(tuple(gone), dtype=keep), "".join(c for c in s if c in needed)


def _pair(x: Tensor, xs: str, y: Tensor, ys: str, needed: str) -> tuple:
    """Contract ``x`` (subscripts ``xs``) with ``y``: the letters in ``needed`` stay, the others
    are summed. Returns the result and its subscripts."""
    x, xs = _sum_unneeded(x, xs, needed + ys)
    y, ys = _sum_unneeded(y, ys, needed + xs)
    shared = [c for c in xs if c in ys]
    summed = [c for c in shared if c not in needed]
    if not summed:  # a product: line both up in the order `needed` gives, size 1 where absent
        order = [c for c in needed if c in xs or c in ys]
        return _line_up(x, xs, order) * _line_up(y, ys, order), "".join(order)
    batch = [c for c in shared if c in needed]
    left = [c for c in xs if c not in ys]
    right = [c for c in ys if c not in xs]
    size = {c: max(x._data.shape[xs.index(c)], y._data.shape[ys.index(c)]) for c in shared}
    size.update({c: x._data.shape[xs.index(c)] for c in left})
    size.update({c: y._data.shape[ys.index(c)] for c in right})

    def matrices(t, ts, rows, cols):  # (batch, rows, cols) as one batch of matrices
        t = t.permute([ts.index(c) for c in batch + rows + cols])
        t = t.expand([size[c] for c in batch + rows + cols])
        return t.reshape([_prod(size, batch), _prod(size, rows), _prod(size, cols)])

    out = bmm(matrices(x, xs, left, summed), matrices(y, ys, summed, right))
    return out.reshape([size[c] for c in batch + left + right]), "".join(batch + left + right)


def _line_up(t: Tensor, s: str, order: list) -> Tensor:
    """``t`` with its letters in ``order`` and a size-1 dimension for each letter it lacks."""
    t = t.permute([s.index(c) for c in order if c in s])
    for i, c in enumerate(order):
        if c not in s:
            t = t.unsqueeze(i)
    return t


def _prod(size: dict, letters: list) -> int:
    return int(np.prod([size[c] for c in letters]))


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


# ---- trace ---------------------------------------------------------------------------------------
def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a 2-D tensor: ``x[0, 0] + x[1, 1] + ...`` (any rectangle).
    Integer and bool inputs sum to int64."""
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    acc = np.int64 if x.dtype.kind in "biu" else None
    return attach(_wrap(np.asarray(np.trace(x, dtype=acc))), TraceBackward0, input)


class TraceBackward0(Node):
    """Each diagonal element contributed once: the gradient is ``grad`` on the diagonal."""

    def __init__(self, x):
        super().__init__(x)
        self.shape = x._data.shape

    def backward(self, grad):
        return grad * _wrap(np.eye(*self.shape, dtype=grad._data.dtype))


Tensor.trace = trace

__all__ = ["tensordot", "einsum", "trace"]
