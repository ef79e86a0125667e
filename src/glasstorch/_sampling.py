"""Random tensors: factories (``rand``, ``randn``, ``randint``, ``randperm``, ``normal``,
``bernoulli``, ``multinomial``, ``poisson``, the ``*_like`` forms) and in-place fillers
(``t.normal_()``, ``t.uniform_()``, ``t.bernoulli_()``, ``t.random_()``, ``t.exponential_()``, …).

Every draw comes from a ``Generator`` (``generator=``, else the default one that ``manual_seed``
resets), so seeded runs repeat exactly. The streams are NumPy's PCG64, not torch's: the same seed
gives different numbers than torch, with the same distributions, shapes and dtypes.

On a GPU the draws come from the same CPU generator, on the host, and are then copied to the
device (see ``glasstorch.cuda``): a seeded run gives the same numbers on either device.

Sampling is not differentiable: ``normal(mean, std)`` with a ``mean`` that requires grad records a
node (``NormalBackward1``) whose gradient is zero, as torch's does. For a reparameterised sample
use ``mean + std * randn(...)`` (``distributions.Normal.rsample``).
"""

from __future__ import annotations

import numpy as np

from . import _array, _dtype
from ._device import _default
from ._errors import not_implemented_for
from ._factory import _into_out, _result, _result_like, _shape_arg
from ._tensor import Tensor, _wrap
from .autograd.graph import Node, attach
from .ops._promote import same_device
from .random import numpy_rng

_F32 = np.dtype(np.float32)


def _float_np(dtype, op: str, kernel: str) -> np.dtype:
    """The floating dtype a sampler makes; torch's NotImplementedError for integer dtypes."""
    if dtype is None:
        return _dtype._default.float.np
    d = _dtype.to_dtype(dtype)
    if not d.is_floating_point:
        raise not_implemented_for(kernel, d)
    return d.np


def _shape(sizes, size, op: str) -> tuple:
    return _shape_arg(sizes if size is None else (size,), op)


def _finish(arr: np.ndarray, requires_grad: bool, device, out) -> Tensor:
    if device is None and out is None and not requires_grad and _default[0] is None:
        return _wrap(arr)
    return _result(arr, requires_grad, device, out)


def _uniform(rng, shape, npd: np.dtype) -> np.ndarray:
    if npd == _F32 or npd.itemsize == 8:
        return rng.random(shape, dtype=npd)
    return rng.random(shape, dtype=np.float32).astype(npd)


def _standard_normal(rng, shape, npd: np.dtype) -> np.ndarray:
    if npd == _F32 or npd.itemsize == 8:
        return rng.standard_normal(shape, dtype=npd)
    return rng.standard_normal(shape, dtype=np.float32).astype(npd)


# ---- factories --------------------------------------------------------------------------------
def rand(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """Uniform samples in ``[0, 1)``, shape ``size`` (varargs or a tuple), default float."""
    npd = _float_np(dtype, "rand", "check_uniform_bounds")
    arr = _uniform(numpy_rng(generator), _shape(sizes, size, "rand"), npd)
    return _finish(arr, requires_grad, device, out)


def randn(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False) -> Tensor:
    """Standard normal samples (mean 0, variance 1), shape ``size``, default float."""
    npd = _float_np(dtype, "randn", "normal_kernel_cpu")
    arr = _standard_normal(numpy_rng(generator), _shape(sizes, size, "randn"), npd)
    return _finish(arr, requires_grad, device, out)


def _integers(rng, low: int, high: int, shape: tuple) -> np.ndarray:
    """int64 values uniform on ``[low, high)``. Small ranges scale one uniform double per value
    (a bias below 2**-29, far faster than NumPy's ``integers``); large ranges use ``integers``."""
    span = high - low
    if span <= 1 << 24:
        arr = (rng.random(shape) * span).astype(np.int64)
        return arr + low if low else arr
    return rng.integers(low, high, shape, dtype=np.int64)


def _check_from_to(low, high, op: str = "random_") -> None:
    if low >= high:
        raise RuntimeError(
            f"{op} expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )


def randint(*args, low=None, high=None, size=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """Integers drawn uniformly from ``[low, high)``: ``randint(high, size)`` or
    ``randint(low, high, size)`` (``low`` defaults to 0). int64 unless ``dtype=`` says otherwise.

    >>> torch.randint(1, 7, (2, 3))      # six dice rolls, shape (2, 3)
    """
    given = list(args)
    if size is None and given and isinstance(given[-1], (tuple, list)):
        size = given.pop()
    if high is None and given:
        high = given.pop()
    if low is None and given:
        low = given.pop()
    if given or high is None or size is None:
        if size is None and len(args) == 2 and isinstance(args[1], int):
            raise TypeError(
                "randint(): argument 'size' (position 2) must be tuple of ints, not int"
            )
        raise TypeError(
            "randint() received an invalid combination of arguments: expected (int high, tuple "
            "of ints size) or (int low, int high, tuple of ints size), e.g. randint(0, 10, (3,))"
        )
    low = 0 if low is None else int(low)
    high = int(high)
    _check_from_to(low, high)
    npd = _dtype.int64.np if dtype is None else _dtype.to_dtype(dtype).np
    arr = _integers(numpy_rng(generator), low, high, _shape((size,), None, "randint"))
    return _finish(arr.astype(npd, copy=False), requires_grad, device, out)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    """A random permutation of ``0 … n-1`` (int64 by default)."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    npd = _dtype.int64.np if dtype is None else _dtype.to_dtype(dtype).np
    arr = numpy_rng(generator).permutation(int(n)).astype(npd, copy=False)
    return _finish(arr, requires_grad, device, out)


def _like_np(input, op: str, dtype):
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    return input._data.shape, _dtype._from_np[input._data.dtype] if dtype is None else dtype


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None) -> Tensor:
    """Uniform ``[0, 1)`` samples with the shape and dtype of ``input``."""
    shape, d = _like_np(input, "rand_like", dtype)
    return rand(shape, generator=generator, dtype=d,
                device=input.device if device is None else device, requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None) -> Tensor:
    """Standard normal samples with the shape and dtype of ``input``."""
    shape, d = _like_np(input, "randn_like", dtype)
    return randn(shape, generator=generator, dtype=d,
                device=input.device if device is None else device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None) -> Tensor:
    """Integers from ``[low, high)`` with the shape and dtype of ``input``;
    ``randint_like(x, high)`` or ``randint_like(x, low, high)``."""
    if high is None:
        low, high = 0, low
    shape, d = _like_np(input, "randint_like", dtype)
    return randint(low, high, shape, generator=generator, dtype=d,
                   device=input.device if device is None else device, requires_grad=requires_grad)


# ---- normal -----------------------------------------------------------------------------------
def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """Normal samples: ``normal(mean, std, size)`` with numbers, or with a tensor ``mean`` and/or
    ``std`` (broadcast together; one sample per element, shape of the broadcast).

    >>> torch.normal(0, 0.01, size=(2, 3))            # (2, 3), default float
    >>> torch.normal(torch.zeros(4), torch.ones(4))   # (4,), one draw per (mean, std) pair
    """
    rng = numpy_rng(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError(
                f"normal() received an invalid combination of arguments - got "
                f"({type(mean).__name__}, {type(std).__name__}): with number mean and std, "
                "give the shape too, e.g. normal(0, 1, size=(2, 3)), or pass a tensor mean/std"
            )
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        npd = _float_np(dtype, "normal", "normal_kernel_cpu")
        arr = _standard_normal(rng, _shape((size,), None, "normal"), npd)
        arr = arr * npd.type(std) + npd.type(mean) if (mean, std) != (0, 1) else arr
        if out is None:  # (torch's default device does not reach normal(number, number, size))
            return _result_like(arr, requires_grad, device)
        return _result(arr, requires_grad, device, out)
    ref = mean if mt else std
    if ref._data.dtype.kind != "f":
        raise not_implemented_for("normal_kernel_cpu", ref)
    if st:
        if (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    m = mean._data if mt else mean
    s = std._data if st else std
    if mt and st:
        m, s = same_device(m, s)
    try:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    except ValueError:
        raise RuntimeError(_mismatch(np.shape(m), np.shape(s))) from None
    npd = np.result_type(*(t._data.dtype for t in (mean, std) if isinstance(t, Tensor)))
    z = _array.like(ref._data, _standard_normal(rng, shape, npd))
    arr = (z * s + m).astype(npd, copy=False)
    res = _wrap(arr)
    node = NormalBackward3 if mt and st else NormalBackward1 if mt else NormalBackward2
    attach(res, node, *(t for t in (mean, std) if isinstance(t, Tensor)))
    if out is not None:
        return _into_out(arr, out, "normal")
    return res


def _mismatch(a: tuple, b: tuple) -> str:
    """torch's broadcast error for shapes ``a`` and ``b``, naming the first clashing dimension."""
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and 1 not in (pa[i], pb[i]):
            return (f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                    f"at non-singleton dimension {i}")
    return f"shapes {list(a)} and {list(b)} cannot be broadcast"


class _NoGrad(Node):
    """A sampling node: its output does not depend smoothly on its inputs, so every input's
    gradient is zero (torch records the node so that graphs stay connected)."""

    def __init__(self, *inputs):
        super().__init__(*inputs)
        self.shapes = [t._data.shape for t in inputs]
        self.dtypes = [t._data.dtype for t in inputs]

    def backward(self, grad):
        xp = _array.namespace(grad._data)
        return tuple(
            _wrap(xp.zeros(s, d)) if need else None
            for s, d, need in zip(self.shapes, self.dtypes, self.needs_input_grad)
        )


class NormalBackward1(_NoGrad):
    """``normal(tensor mean, number std)``."""


class NormalBackward2(_NoGrad):
    """``normal(number mean, tensor std)``."""


class NormalBackward3(_NoGrad):
    """``normal(tensor mean, tensor std)``."""


# ---- bernoulli, multinomial, poisson ----------------------------------------------------------
def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples: 1 with probability ``input[i]`` (or with the number ``p`` for every element).
    The result has ``input``'s shape and dtype."""
    if input._data.dtype.kind != "f":
        raise not_implemented_for("bernoulli_tensor_cpu_p_", input)
    probs = input._data if p is None else p
    if p is None:
        if ((probs < 0) | (probs > 1)).any():
            raise RuntimeError(
                "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (bernoulli: every "
                "probability in the input must lie in [0, 1])"
            )
    elif not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    draws = _array.like(probs if p is None else input._data,
                        _uniform(numpy_rng(generator), input._data.shape, input._data.dtype))
    res = _wrap((draws < probs).astype(input._data.dtype))
    attach(res, BernoulliBackward0, input)
    if out is not None:
        return _into_out(res._data, out, "bernoulli")
    return res


class BernoulliBackward0(_NoGrad):
    """``bernoulli(probs)``: no gradient flows to the probabilities."""


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None,
                out=None) -> Tensor:
    """Category indices drawn with weights ``input`` (shape ``(k,)`` or ``(rows, k)``, need not
    sum to 1). Result int64 of shape ``(num_samples,)`` or ``(rows, num_samples)``. Without
    ``replacement`` each category is drawn at most once per row."""
    w = input._data
    if w.dtype.kind != "f":
        raise RuntimeError(
            "multinomial only supports floating-point dtypes for input, got: "
            f"{input.dtype.scalar_name}"
        )
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = w.shape[-1]
    if not replacement and num_samples > k:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    rows = w.reshape(-1, k).astype(np.float64)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = rows.sum(axis=1, keepdims=True)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = numpy_rng(generator)
    xp = _array.namespace(w)
    if replacement:
        cdf = np.cumsum(rows / totals, axis=1)
        last_positive = k - 1 - np.argmax(rows[:, ::-1] > 0, axis=1)
        cdf[xp.arange(k) >= last_positive[:, None]] = 1.0  # rounding never reaches a 0 at the end
        u = _array.like(w, rng.random((rows.shape[0], num_samples)))
        # Inverse CDF for all rows at once: shift row r's cdf and draws into [r, r + 1] and search
        # the flattened cdf. A zero-weight category sits where the cdf is flat: never chosen.
        shift = xp.arange(rows.shape[0], dtype=np.float64)[:, None]
        flat = np.searchsorted((cdf + shift).ravel(), (u + shift).ravel(), side="right")
        idx = flat.reshape(u.shape) - (shift * k).astype(np.int64)
    else:
        if ((rows > 0).sum(axis=1) < num_samples).any():
            raise RuntimeError(
                "invalid multinomial distribution (with replacement=False, not enough non-negative "
                "category to sample)"
            )
        with np.errstate(divide="ignore"):
            keys = _array.like(w, rng.standard_exponential(rows.shape)) / rows  # smallest wins
        idx = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    idx = idx.astype(np.int64).reshape(w.shape[:-1] + (num_samples,))
    if out is not None:
        return _into_out(idx, out, "multinomial")
    return _wrap(idx)


def poisson(input, generator=None) -> Tensor:
    """Poisson counts with rate ``input[i]`` per element, in ``input``'s dtype."""
    lam = input._data
    if (lam < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    # the CPU generator draws on the host, given the rates there (a GPU tensor's go and come back)
    counts = numpy_rng(generator).poisson(_array.to_host(lam)).astype(lam.dtype)
    res = _wrap(_array.like(lam, counts))
    return attach(res, PoissonBackward0, input)


class PoissonBackward0(_NoGrad):
    """``poisson(rates)``: no gradient flows to the rates."""


__all__ = [
    "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like", "normal",
    "bernoulli", "multinomial", "poisson",
]
