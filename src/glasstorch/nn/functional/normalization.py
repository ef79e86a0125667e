"""Normalisation as functions: ``batch_norm``, ``layer_norm``, ``group_norm`` and friends.

Each one standardises groups of values to mean 0 and variance 1, then (optionally) applies a
learned affine map ``y = x̂ * weight + bias``. They differ only in *which* values form a group:

- ``batch_norm``: per channel, over the batch and the spatial positions: (N, C, *) → stats (C,);
- ``layer_norm``: per sample, over the trailing ``normalized_shape`` dimensions;
- ``group_norm``: per sample and group of C/G channels: (N, C, *) → stats (N, G).

So one kernel serves all three. The input is reshaped to a *stats layout* in which the values of a
group lie along the reduced ``axes`` (BatchNorm (N, C, S) over axes (0, 2); LayerNorm (M, K) over
axis 1; GroupNorm (N, G, K) over axis 2), and with ``n`` values per group::

    mean = x.mean(axes)      var = ((x - mean) ** 2).mean(axes)      (biased)
    x̂ = (x - mean) * rstd    rstd = 1 / sqrt(var + eps)

The backward of the standardisation, for an incoming gradient ``gx̂`` of x̂, is the closed form::

    dL/dx = rstd * (gx̂ - mean(gx̂) - x̂ * mean(gx̂ * x̂))

(the two subtracted terms are what flows back through ``mean`` and through ``var``). Each function
records ONE node, named as torch names it (``NativeBatchNormBackward0``, ...); its backward is
written with glasstorch ops, so that higher derivatives work. ``batch_norm``, on the hot path of
a CNN, also has a NumPy fast path for a backward without ``create_graph``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ... import _array, _parallel
from ..._errors import not_implemented_for, not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node, attach
from ._elementwise import contiguous


# ---- checks shared by the family -----------------------------------------------------------------
def _float_data(input, fn: str, kernel: str) -> np.ndarray:
    """The input's array; torch's errors for a non-tensor or a non-floating input."""
    if not isinstance(input, Tensor):
        raise not_tensor(fn, input)
    x = input._data
    if x.dtype.kind != "f":
        raise not_implemented_for(kernel, x.dtype)
    return x


def _check_dtypes(x: np.ndarray, *others) -> None:
    """Every parameter and statistic must have the input's dtype (torch's CPU kernels)."""
    for t in others:
        if t is not None and t._data.dtype != x.dtype:
            if x.dtype == np.float32:
                raise RuntimeError(
                    "mixed dtype (CPU): expect parameter to have scalar type of Float"
                )
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _check_numel(name: str, t, expected: int) -> None:
    if t is not None and t._data.size != expected:
        raise RuntimeError(f"{name} should contain {expected} elements not {t._data.size}")


def _verify_batch_size(shape: tuple, shown: str) -> None:
    """Training statistics need at least two values per channel."""
    values = shape[0]
    for size in shape[2:]:
        values *= size
    if values == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {shown}"
        )


def _size(shape: tuple) -> str:
    return f"torch.Size({list(shape)})"


# ---- the shared kernel ---------------------------------------------------------------------------
# Large NumPy temporaries cost more than the arithmetic (fresh pages), so the kernels reuse their
# buffers: batch_norm keeps only (mean, rstd) and the input, and its backward's fast path rebuilds
# x̂ in the buffer that becomes dL/dx.
def _standardize(x: np.ndarray, axes: tuple, eps: float):
    """``(x̂, mean, rstd, var)`` for ``x`` in a stats layout: mean 0, variance 1 along ``axes``
    (the last axis: layer and group norm; batch norm has its own kernel). x̂ is a new array."""
    with np.errstate(invalid="ignore", divide="ignore"):  # empty groups give nan, as in torch
        mean = x.mean(axis=axes, keepdims=True)
        xhat = x - mean
        var = np.einsum("...k,...k->...", xhat, xhat)[..., None] / x.shape[-1]
        rstd = 1 / np.sqrt(var + eps)
    xhat *= rstd
    return xhat, mean, rstd, var


def _affine_(xhat: np.ndarray, weight, bias, wview: tuple) -> np.ndarray:
    """``x̂ * weight + bias``, in place in ``xhat`` (viewed with the affine layout)."""
    if weight is not None:
        xhat *= weight._data.reshape(wview)
    if bias is not None:
        xhat += bias._data.reshape(wview)
    return xhat


class _Layout(NamedTuple):
    """How a normalisation sees its input (see the module docstring): ``in_shape``, the input's
    shape; ``stat_shape`` and its reduced ``axes``, the stats layout; ``aff_shape``, the layout
    in which the weight broadcasts (viewed as ``wview``) and ``w_axes``, the axes its gradient
    sums over; ``bias_shape``, the bias's own shape (None without a bias)."""

    in_shape: tuple
    stat_shape: tuple
    aff_shape: tuple
    axes: tuple
    w_axes: tuple
    wview: tuple
    bias_shape: tuple | None


class _NormBackward(Node):
    """Backward of ``y = standardize(x) * w + b``, with glasstorch ops: the statistics are
    recomputed from the saved input, so that ``create_graph=True`` differentiates them too.
    ``stats``: arrays kept beside the input and weight (batch_norm's mean and rstd)."""

    def __init__(self, input, weight, bias, *, layout: _Layout, eps: float, stats: tuple = ()):
        super().__init__(input, weight, bias)
        self.save(input, weight, *stats)
        self.layout, self.eps = layout, eps

    def backward(self, grad):
        input, weight = self.saved_tensors[:2]
        lay, needs = self.layout, self.needs_input_grad
        axes = lay.axes
        x = input.reshape(lay.stat_shape)
        centered = x - x.mean(axes, keepdim=True)
        rstd = ((centered * centered).mean(axes, keepdim=True) + self.eps).rsqrt()
        xhat = centered * rstd
        g = grad.reshape(lay.aff_shape)
        gw = (g * xhat.reshape(lay.aff_shape)).sum(lay.w_axes).reshape(weight.shape) \
            if needs[1] else None
        gb = g.sum(lay.w_axes).reshape(lay.bias_shape) if needs[2] else None
        gx = None
        if needs[0]:
            gxh = (g * weight.reshape(lay.wview) if weight is not None else g)
            gxh = gxh.reshape(lay.stat_shape)
            gx = rstd * (gxh - gxh.mean(axes, keepdim=True)
                         - xhat * (gxh * xhat).mean(axes, keepdim=True))
            gx = gx.reshape(lay.in_shape)
        return gx, gw, gb


# ---- batch_norm ----------------------------------------------------------------------------------
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel over the batch (and spatial positions), then scale and shift.

    In training (``training=True``) the batch's own mean and biased variance are used, and the
    running statistics (if given) are updated in place with the *unbiased* variance::

        running = (1 - momentum) * running + momentum * batch_statistic

    In evaluation the running statistics are used instead, so the output of one sample does not
    depend on the rest of the batch.

    Args:
        input (Tensor): ``(N, C)`` or ``(N, C, *)`` (e.g. (N, C, L), (N, C, H, W), (N, C, D, H, W)).
        running_mean (Tensor or None): ``(C,)`` running means (may be ``None`` in training).
        running_var (Tensor or None): ``(C,)`` running variances; ``None`` iff running_mean is.
        weight (Tensor, optional): ``(C,)`` scale γ. bias (Tensor, optional): ``(C,)`` shift β.
        training (bool): use batch statistics (and update the running ones).
        momentum (float): weight of the new batch in the running statistics (default 0.1).
        eps (float): added to the variance for stability (default 1e-5).

    Shape:
        - Input: ``(N, C, *)``. Output: same shape as input.

    Example::

        >>> x = torch.randn(8, 3, 4, 4)
        >>> y = F.batch_norm(x, None, None, training=True)
        >>> y.mean(dim=(0, 2, 3)).abs().max() < 1e-6
        tensor(True)
    """
    x = _float_data(input, "batch_norm", "batch_norm")
    if training:
        _verify_batch_size(x.shape, _size(x.shape))
    if (running_mean is None) != (running_var is None):
        raise ValueError(
            "running_mean and running_var must either both be None or neither be None"
        )
    if momentum is None or not isinstance(momentum, (int, float)):
        raise TypeError(
            "batch_norm(): argument 'momentum' (position 7) must be float, not "
            f"{type(momentum).__name__}"
        )
    channels = x.shape[1] if x.ndim > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_numel(name, t, channels)
    if not training and running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    _check_dtypes(x, weight, bias, running_mean, running_var)
    if x.ndim == 1:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    x3 = x.reshape(x.shape[0], channels, math.prod(x.shape[2:]))
    wview = (1, channels, 1)
    layout = _Layout(x.shape, x3.shape, x3.shape, (0, 2), (0, 2), wview,
                     None if bias is None else bias._data.shape)
    if training:
        out, mean, rstd, var = _batch_norm_train(x3, weight, bias, eps)
        n = x3.shape[0] * x3.shape[2]
        if running_mean is not None and n > 0:
            _update_running(running_mean, mean, momentum)
            _update_running(running_var, var * (n / (n - 1)), momentum)  # n > 1: checked above
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            rstd = (1 / np.sqrt(running_var._data + eps)).reshape(wview)
        mean = running_mean._data.reshape(wview).copy()  # the buffer may change before backward
        scale = rstd * weight._data.reshape(wview) if weight is not None else rstd
        shift = -mean * scale
        if bias is not None:
            shift = shift + bias._data.reshape(wview)
        out = x3 * scale.astype(x.dtype, copy=False)
        out += shift.astype(x.dtype, copy=False)
    return attach(_wrap(out.reshape(x.shape)), NativeBatchNormBackward0, input, weight, bias,
                  layout=layout, eps=eps, training=training, mean=mean, rstd=rstd)


def _channel_sums(x3: np.ndarray, each, width: int = 1) -> np.ndarray:
    """The sum over blocks ``[a, b)`` of the batch of ``each(a, b)``, ``width`` values per channel
    (a (width * C,) float64 array), block by block on the kernel pool (``_parallel.run_sum``)."""
    n, c, s = x3.shape
    block = _parallel.block_items(3 * c * s * x3.itemsize)

    def body(a, b, acc):
        acc += each(a, b)

    return _parallel.run_sum(body, n, x3.size, block, (width * c,), np.float64, like=x3)


def _batch_norm_train(x3: np.ndarray, weight, bias, eps: float):
    """Training batch norm of ``x3`` (N, C, S): ``(out, mean, rstd, var)``, the statistics as
    (1, C, 1) arrays of the input's dtype.

    Three passes over the input, block by block over the batch on the kernel pool: the channel
    sums (the mean), the sums of squared deviations (the biased variance), then the output as one
    multiply-add per element, ``y = x * alpha + beta`` with ``alpha = rstd * weight`` and
    ``beta = bias - mean * alpha`` per channel."""
    n, c, s = x3.shape
    count = n * s
    dt = x3.dtype
    with np.errstate(invalid="ignore", divide="ignore"):  # empty channels give nan, as in torch
        mean = (_channel_sums(x3, lambda a, b: x3[a:b].sum(0).sum(-1)) / count).astype(dt)
        m3 = mean.reshape(1, c, 1)

        def squares(a, b):
            d = x3[a:b] - m3
            return np.einsum("ncs,ncs->c", d, d)

        var = (_channel_sums(x3, squares) / count).astype(dt).reshape(1, c, 1)
        rstd = (1 / np.sqrt(var + eps)).astype(dt)
    alpha = rstd * weight._data.reshape(1, c, 1) if weight is not None else rstd
    beta = -m3 * alpha
    if bias is not None:
        beta = beta + bias._data.reshape(1, c, 1)
    out = _array.namespace(x3).empty(x3.shape, dt)

    def affine(a, b):
        np.multiply(x3[a:b], alpha, out=out[a:b])
        out[a:b] += beta

    _parallel.run(affine, n, 2 * x3.size, _parallel.block_items(2 * c * s * x3.itemsize),
                  like=x3)
    return out, m3, rstd, var


def _batch_norm_train_backward(g: np.ndarray, x3: np.ndarray, weight, mean, rstd, needs,
                               in_shape: tuple):
    """``(dL/dx, dL/dw, dL/db)`` of training batch norm on (N, C, S) arrays, from the per-channel
    sums ``S = sum(g)`` and ``T = sum(g * x̂)`` (one blocked pass over ``g`` and ``x``) and, for
    ``dL/dx``, one more: ``dx = w * rstd * (g - S/n - x̂ T/n)``, written per channel as
    ``g * a + x * b + c`` (three NumPy passes per block)."""
    n, c, s = x3.shape
    count = n * s
    m3 = mean.reshape(1, c, 1)

    def both(a, b):
        ga = g[a:b]
        return np.concatenate([ga.sum(0).sum(-1), np.einsum("ncs,ncs->c", ga, x3[a:b] - m3)])

    sums = _channel_sums(x3, both, 2)
    s_, t_ = sums[:c], sums[c:] * rstd.reshape(c)
    gx = None
    if needs[0]:
        dt = g.dtype
        r = rstd.reshape(c).astype(np.float64)
        scale = r * (weight._data.reshape(c) if weight is not None else 1.0)
        k = t_ / count
        ga_ = scale.astype(dt).reshape(1, c, 1)
        gb_ = (-scale * r * k).astype(dt).reshape(1, c, 1)
        gc_ = (scale * (r * k * m3.reshape(c) - s_ / count)).astype(dt).reshape(1, c, 1)
        gx = _array.namespace(g).empty(in_shape, dt)  # its own array (no view): autograd keeps it
        gx3 = gx.reshape(x3.shape)

        def dx(a, b):
            out = gx3[a:b]
            np.multiply(g[a:b], ga_, out=out)
            out += x3[a:b] * gb_
            out += gc_

        _parallel.run(dx, n, 3 * x3.size, _parallel.block_items(3 * c * s * x3.itemsize),
                      like=x3)
    return gx, t_.astype(g.dtype), s_.astype(g.dtype)


def _update_running(running: Tensor, batch: np.ndarray, momentum: float) -> None:
    """In place, without bumping the version counter (torch's kernel does not either)."""
    r = running._data
    r *= 1 - momentum
    r += (momentum * batch).reshape(r.shape).astype(r.dtype, copy=False)


class NativeBatchNormBackward0(_NormBackward):
    """Backward of ``batch_norm``.

    Training: with per-channel sums ``S = sum(g)`` and ``T = sum(g * x̂)`` over the n values of a
    channel, the general formula simplifies (the weight is constant along the reduced axes)::

        dL/dx = w * rstd * (g - S / n - x̂ * T / n),   dL/dw = T,   dL/db = S

    Evaluation: the map is affine, ``y = x * (w * rstd) + const``, so ``dL/dx = g * w * rstd`` and
    ``dL/dw = sum(g * (x - running_mean) * rstd)``.

    ``mean`` and ``rstd`` are the statistics the forward used, (1, C, 1) arrays: the batch's in
    training, the running ones in evaluation.
    """

    def __init__(self, input, weight, bias, *, layout: _Layout, eps: float, training: bool,
                 mean: np.ndarray, rstd: np.ndarray):
        super().__init__(input, weight, bias, layout=layout, eps=eps, stats=(mean, rstd))
        self.training = training

    def backward(self, grad):
        if not self.training:
            return self._eval_backward(grad)
        if grad_mode.state.enabled:
            return super().backward(grad)
        # fast path: without create_graph, the closed form on the arrays with the statistics
        # kept from the forward, block by block (``_batch_norm_train_backward``)
        input, weight, mean, rstd = self.saved_tensors
        lay, needs = self.layout, self.needs_input_grad
        g = contiguous(grad._data).reshape(lay.stat_shape)
        dx, t, s = _batch_norm_train_backward(g, input._data.reshape(lay.stat_shape), weight,
                                              mean, rstd, needs, lay.in_shape)
        gx = _wrap(dx) if needs[0] else None
        gw = _wrap(t.reshape(weight.shape)) if needs[1] else None
        gb = _wrap(s.reshape(lay.bias_shape)) if needs[2] else None
        return gx, gw, gb

    def _eval_backward(self, grad):
        input, weight, mean, rstd = self.saved_tensors
        lay, needs = self.layout, self.needs_input_grad
        if grad_mode.state.enabled:
            g = grad.reshape(lay.stat_shape)
            c_rstd, c_mean = _wrap(rstd), _wrap(mean)
            gx = (g * (c_rstd * weight.reshape(lay.wview) if weight is not None else c_rstd)
                  ).reshape(lay.in_shape) if needs[0] else None
            gw = (g * ((input.reshape(lay.stat_shape) - c_mean) * c_rstd)).sum((0, 2)) \
                .reshape(weight.shape) if needs[1] else None
            gb = g.sum((0, 2)).reshape(lay.bias_shape) if needs[2] else None
            return gx, gw, gb
        # fast path: without create_graph, the same products on the arrays (no graph tensors)
        g = grad._data.reshape(lay.stat_shape)
        gx = gw = gb = None
        if needs[0]:
            scale = rstd * weight._data.reshape(lay.wview) if weight is not None else rstd
            gx = _wrap((g * scale.astype(g.dtype, copy=False)).reshape(lay.in_shape))
        if needs[1]:
            xhat = (input._data.reshape(lay.stat_shape) - mean) * rstd
            gw = _wrap(np.einsum("ncs,ncs->c", g, xhat.astype(g.dtype, copy=False))
                       .reshape(weight.shape))
        if needs[2]:
            gb = _wrap(g.sum(0).sum(-1).reshape(lay.bias_shape))
        return gx, gw, gb


# ---- layer_norm ----------------------------------------------------------------------------------
def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last ``len(normalized_shape)`` dimensions.

    Unlike ``batch_norm`` the statistics are per sample, so training and evaluation behave the
    same and there are no running statistics (the Transformer's normalisation).

    Args:
        input (Tensor): ``(*, *normalized_shape)``.
        normalized_shape (tuple of ints): the trailing shape to normalise over, e.g. ``(10,)``.
        weight (Tensor, optional): scale γ of shape ``normalized_shape``.
        bias (Tensor, optional): shift β of shape ``normalized_shape``.
        eps (float): added to the variance (default 1e-5).

    Shape:
        - Input: ``(*, *normalized_shape)``. Output: same shape as input.

    Example::

        >>> y = F.layer_norm(torch.randn(2, 5, 10), (10,))
        >>> y.mean(-1).abs().max() < 1e-6
        tensor(True)
    """
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(
            "layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
            f"{type(normalized_shape).__name__}"
        )
    x = _float_data(input, "layer_norm", "LayerNormKernelImpl")
    shape = [int(s) for s in normalized_shape]
    k = len(shape)
    if k == 0:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and list(t._data.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t._data.shape)} and normalized_shape = {shape}"
            )
    if x.ndim < k or list(x.shape[x.ndim - k:]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={shape}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(x.shape)}"
        )
    _check_dtypes(x, weight, bias)
    features = math.prod(shape)
    x2 = x.reshape(-1, features) if features else x.reshape(math.prod(x.shape[:x.ndim - k]), 0)
    xhat = _standardize(x2, (1,), eps)[0]
    out = _affine_(xhat, weight, bias, (1, features))
    layout = _Layout(x.shape, x2.shape, x2.shape, (1,), (0,), (1, features),
                     None if bias is None else bias._data.shape)
    return attach(_wrap(out.reshape(x.shape)), NativeLayerNormBackward0, input, weight, bias,
                  layout=layout, eps=eps)


class NativeLayerNormBackward0(_NormBackward):
    """Backward of ``layer_norm``: the closed form per row (module docstring); the weight and bias
    gradients sum ``g * x̂`` and ``g`` over the leading (batch) dimensions."""


# ---- group_norm ----------------------------------------------------------------------------------
def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Split the channels into ``num_groups`` groups; normalise each sample's group, then apply a
    per-channel scale and shift.

    With one group it is a layer norm over (C, *); with C groups an instance norm. The statistics
    are per sample, so it works with any batch size.

    Args:
        input (Tensor): ``(N, C, *)``; C must be divisible by ``num_groups``.
        num_groups (int): number of channel groups.
        weight (Tensor, optional): ``(C,)`` scale. bias (Tensor, optional): ``(C,)`` shift.
        eps (float): added to the variance (default 1e-5).

    Shape:
        - Input: ``(N, C, *)``. Output: same shape as input.

    Example::

        >>> F.group_norm(torch.randn(4, 6, 5, 5), 3).shape
        torch.Size([4, 6, 5, 5])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("group_norm", input)
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {x.ndim}"
        )
    n, c = x.shape[0], x.shape[1]
    _verify_batch_size((n * c // num_groups, num_groups) + x.shape[2:], str(list(
        (n * c // num_groups, num_groups) + x.shape[2:])))
    x = _float_data(input, "group_norm", "GroupNormKernelImpl")
    if c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(x.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.shape[0] != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t._data.shape)} and input of shape "
                f"{list(x.shape)}"
            )
    _check_dtypes(x, weight, bias)
    x3 = x.reshape(n, num_groups, -1) if x.size else x.reshape(n, num_groups, 0)
    xhat = _standardize(x3, (2,), eps)[0]
    aff_shape = (n, c, x3.size // (n * c) if n * c else 0)
    out = _affine_(xhat.reshape(aff_shape), weight, bias, (1, c, 1))
    layout = _Layout(x.shape, x3.shape, aff_shape, (2,), (0, 2), (1, c, 1),
                     None if bias is None else bias._data.shape)
    return attach(_wrap(out.reshape(x.shape)), NativeGroupNormBackward0, input, weight, bias,
                  layout=layout, eps=eps)


class NativeGroupNormBackward0(_NormBackward):
    """Backward of ``group_norm``: the closed form per (sample, group); the per-channel weight
    multiplies the incoming gradient before it is regrouped."""


__all__ = ["batch_norm", "layer_norm", "group_norm"]
