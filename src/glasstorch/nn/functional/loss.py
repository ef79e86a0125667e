"""Regression and binary losses of ``torch.nn.functional``, each one fused node.

Every loss compares ``input`` with ``target`` elementwise and then reduces:
``reduction='none'`` keeps the per-element losses (the broadcast shape), ``'mean'`` (the default)
averages them, ``'sum'`` adds them. The legacy ``size_average``/``reduce`` flags still work and
warn, as in torch.

The forward runs on the raw arrays; the backward node (a ``_LossNode``) multiplies the incoming
gradient by the elementwise derivative, written with glasstorch ops so that ``create_graph=True``
can differentiate it again (``mse_loss``, on every regression step, also has a NumPy fast path).
Targets get gradients too, as in torch.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ... import _array, _dtype, ops
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node, attach
from ...ops._broadcast import unbroadcast
from ...ops._promote import operands
from ._elementwise import nd, need_float, softplus_np
from .activation_smooth import logsigmoid


def _legacy_reduction(size_average, reduce, stacklevel: int = 4) -> str:
    """What the deprecated ``size_average``/``reduce`` flags mean as a ``reduction`` string."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
        "instead.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return reduction


def _reduction(reduction: str, size_average=None, reduce=None) -> str:
    """Validate ``reduction`` (torch's ValueError for anything but 'none', 'mean', 'sum')."""
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _broadcast_pair(input: Tensor, target: Tensor, stacklevel: int = 3):
    """The two arrays in their common dtype and the broadcast shape; warn (as torch does) when the
    shapes differ, and raise torch's RuntimeError when they cannot broadcast.

    torch broadcasts the pair to one shape *before* promoting, so a 0-d operand counts as much as
    the other: ``mse_loss(float64 0-d, float32 (3,))`` is float64 (``x - t`` would be float32).
    """
    x, t = operands(input, target)
    xs, ts = np.shape(x), np.shape(t)
    if xs == ts:
        return x, t, xs
    dt = _pair_dtype(input, target)
    if dt is not None:
        x, t = x.astype(dt.np, copy=False), t.astype(dt.np, copy=False)
    warnings.warn(
        f"Using a target size (torch.Size({list(ts)})) that is different to the input size "
        f"(torch.Size({list(xs)})). This will likely lead to incorrect results due to "
        "broadcasting. Please ensure they have the same size.",
        UserWarning,
        stacklevel=stacklevel,
    )
    try:
        shape = np.broadcast_shapes(xs, ts)
    except ValueError:
        n = max(len(xs), len(ts))
        a, b = (1,) * (n - len(xs)) + xs, (1,) * (n - len(ts)) + ts
        d = max(i for i in range(n) if a[i] != b[i] and 1 not in (a[i], b[i]))
        raise RuntimeError(
            f"The size of tensor a ({a[d]}) must match the size of tensor b ({b[d]}) at "
            f"non-singleton dimension {d}"
        ) from None
    return x, t, shape


def _pair_dtype(input: Tensor, target: Tensor):
    """The dtype of a pair of tensors of different shapes and dtypes once broadcast to one shape
    (plain promotion, no 0-d rule), or None when they share shape or dtype."""
    a, b = input._data, target._data
    if a.dtype == b.dtype or a.shape == b.shape:
        return None
    return _dtype.promote_types(_dtype.of(input), _dtype.of(target))


def _reduce(elem: np.ndarray, reduction: str, dtype) -> np.ndarray:
    if reduction == "none":
        return elem
    if not _array.on_host(elem):  # a device array: its reductions give 0-d arrays already
        if reduction == "mean":
            return (elem.mean() if elem.size else elem.sum() * np.nan).astype(dtype, copy=False)
        return elem.sum().astype(dtype, copy=False)
    if reduction == "sum":
        return np.asarray(elem.sum(), dtype=dtype)
    return np.asarray(elem.mean() if elem.size else np.nan, dtype=dtype)


def _scale(grad: Tensor, reduction: str, n: int) -> Tensor:
    """The incoming gradient per element: itself ('none' / 'sum') or divided by n ('mean')."""
    if reduction == "mean":
        if not n:
            return grad * float("nan")
        # multiplied by the reciprocal: a 0-d gradient may hold a NumPy scalar, which div rejects
        return grad * (1.0 / n)
    return grad


class _LossNode(Node):
    """Base of the elementwise loss nodes, inputs (input, target).

    The node keeps both (``save``), any per-element weights given as keywords (arrays or None:
    ``weights()`` gives them back as tensors) and the reduction; ``shape`` is the broadcast shape
    of input and target (its size is the 'mean' divisor). A subclass gives ``d_input(x, t)``, the
    derivative of one element's loss with respect to the input, written with glasstorch ops; the
    target's gradient is ``-d_input`` times the incoming gradient unless it defines
    ``d_target(x, t, dx, g)``. Each gradient is summed back to its tensor's shape and dtype.
    """

    def __init__(self, input, target, *, reduction: str, shape: tuple, **weights):
        super().__init__(input, target)
        self.save(input, target, *weights.values())
        self.reduction, self.numel = reduction, math.prod(shape)
        self.dtype = _pair_dtype(input, target)  # None, or the dtype the forward computed in

    def weights(self) -> list:
        """The weight arrays kept at construction, as tensors (None where not given)."""
        return [_wrap(w) if w is not None else None for w in self.saved_tensors[2:]]

    def backward(self, grad):
        gi, gt = self.needs_input_grad
        x, t = self.saved_tensors[:2]
        x0, t0 = x, t
        if self.dtype is not None:
            x, t = x.to(self.dtype), t.to(self.dtype)
        g = _scale(grad, self.reduction, self.numel)
        needs_dx = gi or type(self).d_target is _LossNode.d_target  # the default is -dx
        dx = self.d_input(x, t) * g if needs_dx else None
        gx = _sum_to(dx, x0) if gi else None
        gt = _sum_to(self.d_target(x, t, dx, g), t0) if gt else None
        return gx, gt

    def d_target(self, x, t, dx, g):
        return -dx


def _sum_to(grad: Tensor, like: Tensor) -> Tensor:
    """``grad`` summed over the dimensions ``like`` was broadcast along, in ``like``'s dtype."""
    grad = unbroadcast(grad, like._data.shape)
    return grad if grad._data.dtype == like._data.dtype else grad.to(like.dtype)


def _need_tensors(op: str, input, target) -> None:
    """torch's AttributeError for a ``None`` operand, and the usual cause: a ``forward`` that
    computes its result but forgets to ``return`` it (the model's output is then ``None``)."""
    for name, value in (("input", input), ("target", target)):
        if value is None:
            hint = " (does the model's forward() forget to `return` its result?)"
            raise AttributeError(f"'NoneType' object has no attribute 'size': {op}() got None as "
                                 f"its {name}, not a Tensor{hint if name == 'input' else ''}")


def _elementwise_loss(input, target, reduction, elem_fn, node_cls, **settings):
    x, t, shape = _broadcast_pair(input, target, stacklevel=4)
    elem = elem_fn(x - t, *settings.values())
    out = _wrap(_reduce(nd(elem), reduction, np.result_type(x.dtype, t.dtype)))
    return attach(out, node_cls, input, target, reduction=reduction, shape=shape, **settings)


# ---- mse, smooth l1, huber, l1 -----------------------------------------------------------------
def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight=None) -> Tensor:
    """Squared error ``(input - target)²``, reduced. Same shapes (broadcasting warns)."""
    _need_tensors("mse_loss", input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if input._data.dtype.kind not in "fc" and target._data.dtype.kind not in "fc":
        need_float(input, "mse_cpu")
    if weight is not None:
        elem = mse_loss(input, target, reduction="none")
        return _weighted(elem, input, weight, reduction, mean_by_weight=True)
    return _elementwise_loss(input, target, reduction, lambda d: d * d, MseLossBackward0)


class MseLossBackward0(_LossNode):
    """d/dx (x - t)² = 2 (x - t)."""

    def backward(self, grad):
        if grad_mode.state.enabled:  # create_graph: the glasstorch-ops backward of _LossNode
            return super().backward(grad)
        # fast path: both gradients from one NumPy difference, no intermediate tensors
        gi, gt = self.needs_input_grad
        x, t = self.saved_tensors
        xa, ta = operands(x, t)
        if self.dtype is not None:
            xa, ta = xa.astype(self.dtype.np, copy=False), ta.astype(self.dtype.np, copy=False)
        g = grad._data
        if self.reduction == "mean":
            g = g / self.numel if self.numel else g * float("nan")
        dx = (xa - ta) * 2 * g
        gx = unbroadcast(_wrap(_cast(dx, x)), x._data.shape) if gi else None
        gt = unbroadcast(_wrap(_cast(-dx, t)), t._data.shape) if gt else None
        return gx, gt

    def d_input(self, x, t):
        return (x - t) * 2


def _cast(arr, like: Tensor) -> np.ndarray:
    arr = nd(arr)
    return arr if arr.dtype == like._data.dtype else arr.astype(like._data.dtype)


def _smooth_l1(d, beta):
    a = np.abs(d)
    if beta == 0:
        return a
    return np.where(a < beta, (0.5 / beta) * d * d, a - 0.5 * beta)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Quadratic ``0.5 d²/beta`` for ``|d| < beta``, linear ``|d| - beta/2`` beyond (d = x - t)."""
    _need_tensors("smooth_l1_loss", input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _elementwise_loss(input, target, reduction, _smooth_l1, SmoothL1LossBackward0,
                             beta=beta)


class SmoothL1LossBackward0(_LossNode):
    """d/dx = d/beta inside the quadratic zone, sign(d) outside."""

    def __init__(self, input, target, *, beta: float, **common):
        super().__init__(input, target, **common)
        self.beta = beta

    def d_input(self, x, t):
        d, beta = x - t, self.beta
        return ops.where(d.abs() < beta, d / beta, d.sign()) if beta else d.sign()


def _huber(d, delta):
    a = np.abs(d)
    return np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight=None) -> Tensor:
    """``0.5 d²`` for ``|d| < delta``, ``delta (|d| - delta/2)`` beyond: smooth_l1 times delta."""
    _need_tensors("huber_loss", input, target)
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        elem = huber_loss(input, target, "none", delta)
        return _weighted(elem, input, weight, reduction, mean_by_weight=False)
    if input._data.dtype != target._data.dtype:  # torch's huber computes in the input's dtype
        target = target.to(input.dtype)
    return _elementwise_loss(input, target, reduction, _huber, HuberLossBackward0, delta=delta)


class HuberLossBackward0(_LossNode):
    """d/dx = d inside, ``delta * sign(d)`` outside."""

    def __init__(self, input, target, *, delta: float, **common):
        super().__init__(input, target, **common)
        self.delta = delta

    def d_input(self, x, t):
        d = x - t
        return ops.where(d.abs() < self.delta, d, d.sign() * self.delta)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight=None) -> Tensor:
    """Absolute error ``|input - target|``, reduced. Composed of tensor ops, as torch does."""
    _need_tensors("l1_loss", input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if input._data.shape != target._data.shape:
        _broadcast_pair(input, target)  # torch's warning, or its error
    if input._data.dtype != target._data.dtype:
        # torch broadcasts the pair first, so a 0-d operand promotes like any other (plain
        # promote_types); converting each here also brings each gradient back in its own dtype
        dt = _dtype.promote_types(_dtype.of(input), _dtype.of(target))
        input, target = input.to(dt), target.to(dt)
    elem = (input - target).abs()
    if weight is not None:
        return _weighted(elem, input, weight, reduction, mean_by_weight=True)
    return elem if reduction == "none" else elem.sum() if reduction == "sum" else elem.mean()


def _weighted(elem: Tensor, input: Tensor, weight: Tensor, reduction: str,
              mean_by_weight: bool) -> Tensor:
    """Per-element ``weight`` (same size as ``input``) on an unreduced loss; 'mean' divides by the
    total weight (mse, l1) or by the element count (huber), as torch does."""
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    elem = elem * weight
    if reduction == "none":
        return elem
    if reduction == "sum" or mean_by_weight:
        total = elem.sum()
        return total / weight.sum() if reduction == "mean" else total
    return elem.mean()


# ---- binary cross-entropy ----------------------------------------------------------------------
def _size_check(input, target, message):
    if input._data.shape != target._data.shape:
        raise ValueError(message.format(t=list(target._data.shape), x=list(input._data.shape)))


def _weight_array(weight, shape, arg_index: int = 1):
    if weight is None:
        return None
    w = weight._data
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise RuntimeError(
            f"Attempting to broadcast a dimension of length {w.shape[-1]} at -1! Mismatching "
            f"argument at index {arg_index} had torch.Size({list(w.shape)}); but expected shape "
            f"should be broadcastable to {list(shape)}"
        ) from None
    return w


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``-w (t log x + (1-t) log(1-x))`` for probabilities ``x`` in [0, 1] (after a sigmoid).

    Each log is clamped at -100, as torch does, so ``x = 0`` or ``1`` gives a finite loss.
    Prefer ``binary_cross_entropy_with_logits`` on raw scores: it is stable.
    """
    _need_tensors("binary_cross_entropy", input, target)
    reduction = _reduction(reduction, size_average, reduce)
    _size_check(input, target, "Using a target size (torch.Size({t})) that is different to the "
                "input size (torch.Size({x})) is deprecated. Please ensure they have the same "
                "size.")
    x, t = operands(input, target)
    w = _weight_array(weight, x.shape)
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if ((t < 0) | (t > 1)).any():
        raise RuntimeError("all elements of target should be between 0 and 1")
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log1p(-x), -100)
    elem = -(t * log_x + (1 - t) * log_1mx)
    if w is not None:
        elem = elem * w
    out = _wrap(_reduce(elem.astype(x.dtype, copy=False), reduction, x.dtype))
    return attach(out, BinaryCrossEntropyBackward0, input, target, reduction=reduction,
                  shape=x.shape, weight=w)


class BinaryCrossEntropyBackward0(_LossNode):
    """d/dx = w (x - t) / max(x (1 - x), 1e-12); d/dt = w (log(1-x) - log x) (logs >= -100)."""

    def d_input(self, x, t):
        (w,) = self.weights()
        d = (x - t) / ((1 - x) * x).clamp(min=1e-12)
        return d * w if w is not None else d

    def d_target(self, x, t, dx, g):
        (w,) = self.weights()
        d = (-x).log1p().clamp(min=-100) - x.log().clamp(min=-100)
        return (d * w if w is not None else d) * g


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid and binary cross-entropy in one stable step, on raw scores ``x``:

    ``-w (pw t log σ(x) + (1-t) log(1 - σ(x)))`` with ``log σ(x) = -softplus(-x)``, finite even at
    x = ±1e4. ``pos_weight`` (e.g. shape (C,), broadcast on the last dim) weighs the positives.
    """
    _need_tensors("binary_cross_entropy_with_logits", input, target)
    reduction = _reduction(reduction, size_average, reduce)
    _size_check(input, target, "Target size (torch.Size({t})) must be the same as input size "
                "(torch.Size({x}))")
    x, t = operands(input, target)
    w = _weight_array(weight, x.shape)
    pw = _weight_array(pos_weight, x.shape) if pos_weight is not None else None
    log_sig = -softplus_np(-x)
    log_sig_neg = log_sig - x
    pos = t * log_sig if pw is None else (pw * t) * log_sig
    elem = -(pos + (1 - t) * log_sig_neg)
    if w is not None:
        elem = elem * w
    out = _wrap(_reduce(elem.astype(x.dtype, copy=False), reduction, x.dtype))
    return attach(out, BinaryCrossEntropyWithLogitsBackward0, input, target, reduction=reduction,
                  shape=x.shape, weight=w, pos_weight=pw)


class BinaryCrossEntropyWithLogitsBackward0(_LossNode):
    """d/dx = w ((pw t + 1 - t) σ(x) - pw t)  (= w (σ(x) - t) without pos_weight);
    d/dt = -w (pw log σ(x) - log σ(-x))."""

    def d_input(self, x, t):
        w, pw = self.weights()
        s = x.sigmoid()
        d = s - t if pw is None else (pw * t + 1 - t) * s - pw * t
        return d * w if w is not None else d

    def d_target(self, x, t, dx, g):
        w, pw = self.weights()
        ls = logsigmoid(x)
        d = logsigmoid(-x) - (ls * pw if pw is not None else ls)
        return (d * w if w is not None else d) * g


# ---- KL divergence -------------------------------------------------------------------------------
def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL(target ‖ exp(input)) per element: ``t (log t - x)`` (0 where t = 0), ``input`` being
    log-probabilities. 'batchmean' divides the sum by the batch size (the true KL); 'mean'
    divides by the element count and warns, as torch does. Composed of tensor ops."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, stacklevel=3)
    elif reduction not in ("mean", "sum", "none", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    if log_target:
        elem = target.exp() * (target - input)
    else:
        elem = target.xlogy(target) - target * input
    if reduction == "none":
        return elem
    if reduction == "batchmean":
        return elem.sum() / input.shape[0] if input.dim() else elem.sum()
    return elem.sum() if reduction == "sum" else elem.mean()


__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div",
]
