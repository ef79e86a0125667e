"""Contractions over named dimensions: ``tensordot``, ``einsum`` and ``trace``; and two products
built from the same pieces: ``kron`` (every element of one tensor times the whole other) and
``cdist`` (the distance between every row of one batch of points and every row of another).

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

from .. import _array, _dtype
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node, attach
from ._broadcast import unbroadcast
from .linalg import _out, _unsafe_view, bmm, matmul


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
    # a summed letter of size 1 in an operand is no contraction: torch drops it there (squeeze)
    # and sums the other operand over it alone, so that a product with only such letters is a
    # plain (promoting) multiplication
    ones = [c for c in summed if 1 in (x._data.shape[xs.index(c)], y._data.shape[ys.index(c)])]
    if ones:
        x, xs = _drop_letters(x, xs, ones)
        y, ys = _drop_letters(y, ys, ones)
        shared = [c for c in shared if c not in ones]
        summed = [c for c in summed if c not in ones]
    if not summed:  # a product: line both up in the order `needed` gives, size 1 where absent
        order = [c for c in needed if c in xs or c in ys]
        return _line_up(x, xs, order) * _line_up(y, ys, order), "".join(order)
    batch = [c for c in shared if c in needed]
    left = [c for c in xs if c not in ys]
    right = [c for c in ys if c not in xs]
    size = {c: _broadcast_size(x._data.shape[xs.index(c)], y._data.shape[ys.index(c)])
            for c in shared}
    size.update({c: x._data.shape[xs.index(c)] for c in left})
    size.update({c: y._data.shape[ys.index(c)] for c in right})

    def matrices(t, ts, rows, cols):  # (batch, rows, cols) as one batch of matrices
        t = t.permute([ts.index(c) for c in batch + rows + cols])
        t = t.expand([size[c] for c in batch + rows + cols])
        return t.reshape([_prod(size, batch), _prod(size, rows), _prod(size, cols)])

    out = bmm(matrices(x, xs, left, summed), matrices(y, ys, summed, right))
    return out.reshape([size[c] for c in batch + left + right]), "".join(batch + left + right)


def _broadcast_size(m: int, n: int) -> int:
    """The size two sizes of one letter broadcast to: a 1 takes the other (even 0)."""
    return n if m == 1 else m


def _drop_letters(t: Tensor, s: str, letters: list) -> tuple:
    """``t`` without the dimensions named by ``letters``: squeezed where of size 1, summed
    (keeping the dtype) elsewhere; and its remaining subscripts."""
    shape = t._data.shape
    ones = tuple(i for i, c in enumerate(s) if c in letters and shape[i] == 1)
    if ones:
        t = t.squeeze(ones)
        s = "".join(c for i, c in enumerate(s) if i not in ones)
    return _sum_unneeded(t, s, "".join(c for c in s if c not in letters))


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
        own: dict = {}
        for c, n in zip(s, a.shape):
            if own.setdefault(c, n) != n:  # a diagonal ("ii") needs equal sizes, no broadcast
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't "
                    f"match, {n} != {own[c]}"
                )
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
    return attach(_wrap(np.trace(x, dtype=acc)), TraceBackward0, input)


class TraceBackward0(Node):
    """Each diagonal element contributed once: the gradient is ``grad`` on the diagonal."""

    def __init__(self, x):
        super().__init__(x)
        self.shape = x._data.shape

    def backward(self, grad):
        return grad * _wrap(_array.namespace(grad._data).eye(*self.shape, dtype=grad._data.dtype))


# ---- kron ----------------------------------------------------------------------------------------
def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The Kronecker product: each element of ``input`` times the whole of ``other``, laid out
    block by block. ``(2, 3)`` ⊗ ``(4, 5)`` → ``(8, 15)``; the tensor with fewer dimensions gets
    leading size-1 ones first, so ``(2, 3)`` ⊗ ``(4,)`` → ``(2, 12)``. Dtypes promote as ``*``.

    Built as torch builds it: both reshaped so their dimensions interleave (``(a0, 1, a1, 1)``
    and ``(1, b0, 1, b1)``), one broadcast multiplication, then a view to ``(a0*b0, a1*b1)``."""
    a, b = input._data, other._data
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + a.shape
    sb = (1,) * (nd - b.ndim) + b.shape
    left = input.reshape([n for d in sa for n in (d, 1)])
    right = other.reshape([n for d in sb for n in (1, d)])
    res = _unsafe_view(left * right, tuple(x * y for x, y in zip(sa, sb)))
    return _out(res, out)


# ---- cdist ---------------------------------------------------------------------------------------
_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                "donot_use_mm_for_euclid_dist")


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The ``p``-norm distance between each row of ``x1`` and each row of ``x2``: ``x1``
    ``(..., P, M)`` and ``x2`` ``(..., R, M)`` give ``(..., P, R)`` (batch dimensions broadcast).
    ``p=0`` counts the differing coordinates, ``p=inf`` takes the largest difference.

    For ``p=2`` torch may compute through one matrix product, ``|x|² + |y|² - 2 x·y`` (then
    clamped at 1e-30 and square-rooted): always with ``compute_mode="use_mm_for_euclid_dist"``,
    and by default when ``P`` or ``R`` exceeds 25. That is faster and slightly less exact, and
    its graph is that of those ops; otherwise the distances come straight from the differences.
    """
    a, b = x1._data, x2._data
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, arr in (("X1", a), ("X2", b)):
        if arr.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {arr.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}"
        )
    for name, arr in (("X1", a), ("X2", b)):
        if arr.dtype.kind != "f":
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: "
                f"{_dtype.scalar_name(arr.dtype)}"
            )
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.scalar_name(a.dtype)} but found "
                           f"{_dtype.scalar_name(b.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2])) if a.ndim > 2 or b.ndim > 2 \
        else ()
    if p == 2 and a.shape[-1] and (compute_mode == _CDIST_MODES[1] or (
            compute_mode == _CDIST_MODES[0] and (a.shape[-2] > 25 or b.shape[-2] > 25))):
        return _euclid_by_matmul(x1.expand(batch + a.shape[-2:]), x2.expand(batch + b.shape[-2:]))
    diff = np.abs(a[..., :, None, :] - b[..., None, :, :])  # (..., P, R, M)
    res = _wrap(_p_norm(diff, float(p)).astype(a.dtype, copy=False))
    return attach(res, CdistBackward0, x1, x2, p=float(p))


def _p_norm(diff: np.ndarray, p: float) -> np.ndarray:
    """The ``p``-norm over the last axis of non-negative differences (``p`` may be 0 or inf)."""
    if diff.shape[-1] == 0:
        return _array.namespace(diff).zeros(diff.shape[:-1], diff.dtype)
    if p == 0:
        return np.count_nonzero(diff, axis=-1).astype(diff.dtype)
    if p == 1:
        return diff.sum(-1)
    if p == 2:
        return np.sqrt((diff * diff).sum(-1))
    if p == np.inf:
        return diff.max(-1)
    return (diff ** p).sum(-1) ** (1 / p)


def _euclid_by_matmul(x1: Tensor, x2: Tensor) -> Tensor:
    """``sqrt(clamp(|x|² + |y|² - 2 x·y, 1e-30))`` for every pair: one matrix product does the
    cross terms. ``x1`` ``(..., P, M)`` and ``x2`` ``(..., R, M)`` with the same batch."""
    sq1 = (x1 * x1).sum(-1, keepdim=True)                  # (..., P, 1)
    sq2 = (x2 * x2).sum(-1, keepdim=True).transpose(-2, -1)  # (..., 1, R)
    cross = matmul(x1, x2.transpose(-2, -1))               # (..., P, R)
    dist = (sq1 + sq2 - cross * 2).clamp_min(1e-30).sqrt()
    return dist.view(dist.shape)  # torch's graph ends with a view here


class CdistBackward0(Node):
    """Gradient of each distance ``d = |x - y|_p`` with respect to the points, per coordinate
    difference ``u = x_m - y_m``::

        p = 1:    sign(u)            p = 2:  u / d
        p = inf:  sign(u) where |u| == d (every coordinate that reaches the maximum), else 0
        other p:  sign(u) |u|^(p-1) / d^(p-1)        p = 0: 0 (a count is piecewise constant)

    0 where ``d == 0`` (and, for ``p < 1``, where ``u == 0``), as torch; ``y`` gets the
    negative, both summed over the other set of points."""

    keeps_output = True

    def __init__(self, x1, x2, *, p):
        super().__init__(x1, x2)
        self.save(x1, x2)
        self.p = p

    def backward(self, grad):
        x1, x2 = self.saved_tensors
        g1, g2 = self.needs_input_grad
        p = self.p
        u = x1.unsqueeze(-2) - x2.unsqueeze(-3)            # (..., P, R, M)
        d = self.saved_output.unsqueeze(-1)                # (..., P, R, 1)
        at_zero = _wrap(np.broadcast_to(d._data == 0, u._data.shape))
        if p == 0:
            per = u * 0
        elif p == 1:
            per = u.sign()
        elif p == 2:
            per = (u / d).masked_fill(at_zero, 0)
        elif p == np.inf:
            per = u.sign() * (u.abs() == d).to(u.dtype)
        else:
            per = (u.sign() * u.abs().pow(p - 1) / d.pow(p - 1)).masked_fill(at_zero, 0)
            if p < 1:
                per = per.masked_fill(_wrap(u._data == 0), 0)
        per = per * grad.unsqueeze(-1)
        return (
            unbroadcast(per.sum(-2), x1._data.shape) if g1 else None,
            unbroadcast(-per.sum(-3), x2._data.shape) if g2 else None,
        )


Tensor.trace = trace
Tensor.kron = kron

__all__ = ["tensordot", "einsum", "trace", "kron", "cdist"]
