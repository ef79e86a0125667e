"""Classification losses: ``cross_entropy`` and ``nll_loss``, each one fused node.

Cross-entropy over class scores ``x`` (logits) with target class ``y``::

    loss_i = -w[y_i] * log_softmax(x_i)[y_i] = w[y_i] * (logsumexp(x_i) - x_i[y_i])

computed stably (the row max is subtracted before ``exp``). Its gradient with respect to the
logits is the famous one-step formula ``(softmax(x_i) - onehot(y_i)) * w[y_i] * scale``: one
multiplication of the saved softmax by a per-row coefficient, then a fancy-index subtraction at
the target columns. No per-class loop, no one-hot matrix.

Shapes: ``input`` (N, C) with ``target`` (N,) of class indices; or (N, C, d1, d2, ...) with
target (N, d1, d2, ...) (a class per pixel); or unbatched (C,) with a 0-d target. A floating
``target`` of the same shape as ``input`` holds class *probabilities* instead.

torch records two nodes for ``cross_entropy`` (NllLossBackward0 on top of LogSoftmaxBackward0);
glasstorch records a single node, ``CrossEntropyLossBackward0``, that does both steps at once.
``nll_loss`` (input already log-probabilities) records ``NllLossBackward0`` as torch does. Both keep
a NumPy fast path for the ordinary ``loss.backward()`` (they are on every training step) next to
the backward written with glasstorch ops that ``create_graph=True`` runs.
"""

from __future__ import annotations

import numpy as np

from ... import _array
from ..._dtype import scalar_name
from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node, attach
from ._elementwise import contiguous, nd, need_float
from .loss import _reduction
from .softmax import SoftmaxBackward0, log_softmax, softmax


def _check_tensors(fn: str, input, target) -> None:
    if not isinstance(input, Tensor):
        raise not_tensor(fn, input)
    if not isinstance(target, Tensor):
        raise not_tensor(fn, target, "target", 2)


def _class_dim(x: np.ndarray) -> int:
    return _class_dim_of(x.shape)


def _class_dim_of(shape: tuple) -> int:
    """Where the classes are: dim 0 of an unbatched (C,) input, else dim 1."""
    return 0 if len(shape) == 1 else 1


def _check_weight(weight, x: np.ndarray, n_classes: int):
    """The class weights as an array of ``x``'s dtype (shape (C,)), or None."""
    if weight is None:
        return None
    w = weight._data
    if w.shape != (n_classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes but "
            f"got weight tensor of shape: {list(w.shape)}"
        )
    if w.dtype != x.dtype:
        raise RuntimeError(
            f"expected scalar type {scalar_name(x)} but found {scalar_name(w)}"
        )
    return w


def _check_target_dtype(t: np.ndarray, bad: bool) -> None:
    if bad:
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {scalar_name(t)}"
        )


def _rows(input: Tensor, target: Tensor, weight, ignore_index: int):
    """Flatten the class-index problem to rows. Returns ``x2`` (M, C); the targets ``t`` (M,)
    with ignored entries replaced by 0; ``valid`` (M,), False where ignored; the per-row weights
    ``wt`` (M,), 0 where ignored; the class weights ``w`` (C,) or None; the output shape of
    reduction='none'; and whether any target is ignored."""
    x, t = input._data, target._data
    if x.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    bad_dtype = t.dtype != np.int64 and t.dtype != np.uint8
    if x.ndim == 1:
        _check_target_dtype(t, bad_dtype)
        if t.ndim > 1 or (t.ndim == 1 and t.shape[0] != 1):
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}"
            )
        out_shape, x2 = t.shape, x.reshape(1, -1)
    else:
        tb = t.shape[0] if t.ndim else 0
        if tb != x.shape[0]:
            raise ValueError(
                f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({tb})."
            )
        if x.ndim == 2:
            if t.ndim != 1:
                raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
            x2 = x
        else:
            want = (x.shape[0],) + x.shape[2:]
            if t.shape != want:
                raise RuntimeError(f"Expected target size {list(want)}, got {list(t.shape)}")
            x2 = np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])
        out_shape = t.shape
        _check_target_dtype(t, bad_dtype)
    n_classes = x2.shape[1]
    w = _check_weight(weight, x, n_classes)
    t = t.reshape(-1).astype(np.int64, copy=False)
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[int(np.argmax(bad))])} is out of bounds.")
    ignored = not valid.all()
    if ignored:
        t = np.where(valid, t, 0)
    wt = (w[t] * valid) if w is not None else valid.astype(x.dtype)
    return x2, t, valid, wt, w, out_shape, ignored


def _zero_ignored(per_row: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """An ignored row's loss is exactly +0.0, as torch makes it: multiplying it by its zero
    weight would give ``nan`` for a row holding ``-inf`` (``inf * 0``) and ``-0.0`` for a
    negative one."""
    return np.where(valid, per_row, per_row.dtype.type(0))


def _reduce(per_row: np.ndarray, wt: np.ndarray, reduction: str, out_shape):
    """Apply the reduction; 'mean' divides by the total weight of the non-ignored targets."""
    if reduction == "none":
        return per_row.reshape(out_shape), None
    total = per_row.sum()
    if reduction == "sum":
        return nd(total), None
    denom = wt.sum()
    if denom:
        return nd(total / denom).astype(per_row.dtype, copy=False), denom
    with np.errstate(invalid="ignore", divide="ignore"):  # every target ignored: nan, as torch
        return nd(total / denom).astype(per_row.dtype, copy=False), denom


def _to_layout(rows: np.ndarray, shape: tuple) -> np.ndarray:
    """(M, C) rows back to the input's layout: (C,), (N, C) or (N, C, d1, ...)."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    n, c = shape[0], shape[1]
    return np.moveaxis(rows.reshape((n,) + shape[2:] + (c,)), -1, 1)


def _row_grad(grad, reduction: str, denom, m: int) -> np.ndarray:
    """The incoming gradient as one scale per row (M,) (or a scalar for 'mean'/'sum')."""
    g = grad._data
    if reduction == "none":
        return g.reshape(m)
    if reduction != "mean":
        return g
    return g / denom if denom else g * 0  # every target ignored: zero gradient, as torch


def _graph_grad(grad, reduction: str, denom, shape: tuple, class_dim: int):
    """The incoming gradient as a tensor broadcastable against the input (create_graph path)."""
    if reduction == "none":
        lead = list(shape)
        lead[class_dim] = 1
        return grad.reshape(tuple(lead))
    # (multiplying by the reciprocal: 0-d gradients may hold NumPy scalars, which div rejects)
    if reduction != "mean":
        return grad
    return grad * (1.0 / float(denom) if denom else 0.0)


# ---- cross_entropy -------------------------------------------------------------------------------
def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between logits ``input`` and ``target`` (class indices or probabilities).

    ``weight`` (C,) rescales each class; targets equal to ``ignore_index`` contribute nothing (and
    do not count in the 'mean'); ``label_smoothing`` ε mixes the target with the uniform
    distribution: ``(1-ε) onehot + ε/C``. Returns a scalar for 'mean'/'sum', else shape (N, ...).
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_tensors("cross_entropy_loss", input, target)
    x = need_float(input, "log_softmax_lastdim_kernel_impl")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if x.shape == target._data.shape:
        if target._data.dtype.kind != "f":
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                f"{scalar_name(target)}"
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    x2, t, valid, wt, w, out_shape, ignored = _rows(input, target, weight, ignore_index)
    m, n_classes = x2.shape
    z = x2 - x2.max(axis=1, keepdims=True) if x2.size else x2
    if ignored:  # an ignored row may be all -inf: keep its nan out of exp and the row sums
        z = np.where(valid[:, None], z, z.dtype.type(0))
    e = np.exp(z)
    s = e.sum(axis=1)
    nll = (np.log(s) - z[_array.namespace(z).arange(m), t]) * wt
    eps = label_smoothing
    if eps > 0:
        logp = z - np.log(s)[:, None]
        smooth = -(logp @ w if w is not None else logp.sum(axis=1)) * valid
        per_row = (1 - eps) * nll + (eps / n_classes) * smooth
    else:
        per_row = nll
    if ignored:
        per_row = _zero_ignored(per_row, valid)
    out, denom = _reduce(per_row.astype(x.dtype, copy=False), wt, reduction, out_shape)
    return attach(_wrap(out), CrossEntropyLossBackward0, input, exp=e, exp_sums=s, t=t,
                  valid=valid, wt=wt, w=w, eps=eps, reduction=reduction, denom=denom,
                  shape=x.shape)


class CrossEntropyLossBackward0(Node):
    """The gradient of cross-entropy with respect to the logits, in one step.

    For a row with softmax ``p``, target ``y`` and coefficient ``a`` (the incoming gradient times
    the class weight, over the 'mean' denominator): ``grad = a * (p - onehot(y))``. With label
    smoothing ε the target is ``(1-ε) onehot(y) + ε w / C``, and ``grad = p * sum(target) - target``
    scaled the same way. (torch records this as NllLossBackward0 over LogSoftmaxBackward0: one
    node here, named for what it differentiates.)

    The node keeps the softmax, not the logits (so, as in torch, the logits may be changed in place
    before backward): made here from the forward's ``exp`` (M, C) of the shifted logits and their
    row sums, as (M, C) ``rows`` and as ``probs``, the output of a softmax op in the input's layout
    with its own ``SoftmaxBackward0`` (off the route of an ordinary backward: ``create_graph=True``
    differentiates through it). Also the targets ``t`` (M,), ``valid`` (M,) (False where ignored),
    the per-row weights ``wt`` (M,) and the class weights ``w`` (C,) or None.
    """

    def __init__(self, input, *, exp, exp_sums, t, valid, wt, w, eps, reduction, denom, shape):
        super().__init__(input)
        rows = exp / exp_sums[:, None]
        probs = attach(_wrap(_to_layout(rows, shape)), SoftmaxBackward0, input,
                       dim=_class_dim_of(shape))
        self.save(probs, rows, t, valid, wt, w)
        self.eps, self.reduction, self.denom, self.shape = eps, reduction, denom, shape

    def backward(self, grad):
        probs, p, t, valid, wt, w = self.saved_tensors
        m, n_classes = p.shape
        if not grad_mode.state.enabled:  # fast path: (M, C) in two NumPy passes, no tensors
            g = _row_grad(grad, self.reduction, self.denom, m)
            a = (g * wt).astype(p.dtype, copy=False)
            rows = _array.namespace(p).arange(m)
            if self.eps == 0:
                out = p * a[:, None]
                out[rows, t] -= a
                return _wrap(_to_layout(out, self.shape))
            eps = self.eps
            a1 = a * (1 - eps)
            b = (g * valid * (eps / n_classes)).astype(p.dtype, copy=False)
            total_w = w.sum() if w is not None else n_classes
            out = p * (a1 + b * total_w)[:, None]
            out[rows, t] -= a1
            out -= b[:, None] * w if w is not None else b[:, None]
            return _wrap(_to_layout(out, self.shape))
        # (softmax(x) * rowsum(A) - A) * g, A the constant target mixture: differentiable in x
        # (through probs) and in g
        xp = _array.namespace(p)
        mix = xp.zeros((m, n_classes), p.dtype)
        mix[xp.arange(m), t] = wt * (1 - self.eps)
        if self.eps:
            per_class = w if w is not None else xp.ones(n_classes, mix.dtype)
            mix += np.outer(valid * (self.eps / n_classes), per_class)
        rowsum = np.repeat(mix.sum(1, keepdims=True), n_classes, 1)
        rowsum = _wrap(contiguous(_to_layout(rowsum, self.shape)))
        mix = _wrap(contiguous(_to_layout(mix, self.shape)))
        g = _graph_grad(grad, self.reduction, self.denom, self.shape, _class_dim_of(self.shape))
        return (probs * rowsum - mix) * g


def _cross_entropy_probs(input, target, weight, reduction, eps):
    """Cross-entropy against class probabilities: ``-sum_c w_c q_c log p_c`` per sample, with
    q = ``target`` (smoothed toward uniform by ε). 'mean' divides by the number of samples."""
    x, cd = input._data, _class_dim(input._data)
    n_classes = x.shape[cd]
    w = _check_weight(weight, x, n_classes)
    wshape = [1] * x.ndim
    wshape[cd] = n_classes
    wb = w.reshape(wshape) if w is not None else None
    q = target._data
    if eps:
        q = q * (1 - eps) + eps / n_classes
    logp = log_softmax(input.detach(), cd)._data
    qw = q * wb if wb is not None else q
    per = -(logp * qw).sum(axis=cd)
    n = x.size // n_classes if n_classes else 0
    if reduction == "none":
        out = per
    elif reduction == "sum":
        out = nd(per.sum())
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            out = nd(per.sum() / n).astype(per.dtype, copy=False)
    return attach(_wrap(out.astype(x.dtype, copy=False)), CrossEntropyLossBackward1, input,
                  target, class_weights=wb, eps=eps, reduction=reduction, n=n)


class CrossEntropyLossBackward1(Node):
    """Probability targets: d/dx = p * sum_c(a_c) - a with a = q w g; d/dq = -(1-ε) w log p g.

    Keeps the logits and the target (``save``: both version-checked) and the class weights laid
    out to broadcast along the class dimension (or None)."""

    def __init__(self, input, target, *, class_weights, eps, reduction, n):
        super().__init__(input, target)
        self.save(input, target, class_weights)
        self.eps, self.reduction, self.n = eps, reduction, n

    def backward(self, grad):
        x, t, wb = self.saved_tensors
        gx_need, gt_need = self.needs_input_grad
        cd, eps = _class_dim_of(x.shape), self.eps
        g = _graph_grad(grad, self.reduction, self.n, tuple(x.shape), cd)
        w = _wrap(wb) if wb is not None else 1.0
        gx = gt = None
        if gx_need:
            qw = (t * (1 - eps) + eps / x.shape[cd] if eps else t) * w
            gx = (softmax(x, cd) * qw.sum(cd, keepdim=True) - qw) * g
        if gt_need:
            gt = log_softmax(x, cd) * w * (-(1 - eps)) * g
        return gx, gt


# ---- nll_loss ------------------------------------------------------------------------------------
def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: ``-w[y_i] * input[i, y_i]`` for log-probabilities ``input``.

    Same shapes as ``cross_entropy`` with class indices; pair it with ``log_softmax`` (that pair
    is exactly ``cross_entropy``). 'mean' divides by the total weight of the counted targets.
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_tensors("nll_loss_nd", input, target)
    x2, t, valid, wt, w, out_shape, ignored = _rows(input, target, weight, ignore_index)
    m = x2.shape[0]
    per_row = -x2[_array.namespace(x2).arange(m), t] * wt
    if ignored:
        per_row = _zero_ignored(per_row, valid)
    out, denom = _reduce(per_row, wt, reduction, out_shape)
    return attach(_wrap(out), NllLossBackward0, input, target=target, t=t, wt=wt,
                  reduction=reduction, denom=denom, shape=input._data.shape,
                  n_classes=x2.shape[1])


class NllLossBackward0(Node):
    """d/dinput is ``-w[y_i] * g`` at each target entry and 0 elsewhere (linear in g only).

    Keeps the target tensor (version-checked, as torch does), its rows ``t`` (M,) and the per-row
    weights ``wt`` (M,), 0 where ignored."""

    def __init__(self, input, *, target, t, wt, reduction, denom, shape, n_classes):
        super().__init__(input)
        self.save(target, t, wt)
        self.reduction, self.denom, self.shape, self.n_classes = reduction, denom, shape, n_classes

    def backward(self, grad):
        _, t, wt = self.saved_tensors
        m = t.shape[0]
        xp = _array.namespace(wt)
        unit = xp.zeros((m, self.n_classes), wt.dtype)
        rows = xp.arange(m)
        if not grad_mode.state.enabled:  # fast path: one NumPy write, no tensor product
            # (0 - a, not -a: an ignored row's gradient is +0.0, as torch's)
            unit[rows, t] = 0 - wt * _row_grad(grad, self.reduction, self.denom, m)
            return _wrap(_to_layout(unit, self.shape))
        unit[rows, t] = 0 - wt
        g = _graph_grad(grad, self.reduction, self.denom, self.shape, _class_dim_of(self.shape))
        return _wrap(contiguous(_to_layout(unit, self.shape))) * g


__all__ = ["cross_entropy", "nll_loss"]
