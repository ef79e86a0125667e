"""In-place random fillers: ``t.normal_()``, ``t.uniform_(a, b)``, ``t.bernoulli_(p)``,
``t.random_(low, high)``, ``t.exponential_()``, ``t.geometric_(p)``, ``t.cauchy_()``,
``t.log_normal_()``.

Each draws from the generator (``generator=`` or the default), writes into the tensor's own array
(same object, version bumped) and returns the tensor. Used on a leaf that requires grad outside
``no_grad`` they raise torch's in-place error; inside a recorded graph the tensor takes a node
(``NormalBackward0``, …) through which no gradient flows to the overwritten values.
"""

from __future__ import annotations

import numpy as np

from . import _array, _dtype
from ._errors import not_implemented_for
from ._factory import writable
from ._sampling import (
    _check_from_to,
    _integers,
    _NoGrad,
    _standard_normal,
    _uniform,
    bernoulli,
    multinomial,
)
from ._tensor import Tensor
from .autograd.graph import set_history
from .ops import _inplace
from .ops._promote import same_device
from .random import numpy_rng


def _fill_random(self: Tensor, values: np.ndarray, node_cls) -> Tensor:
    """Write freshly drawn ``values`` into ``self`` (same object), bumping its version; when the
    graph is being recorded ``self`` takes a zero-gradient node (``NormalBackward0``, …)."""
    if 0 in self._data.strides:  # an expanded tensor: torch refuses to draw into shared memory
        _inplace.check_internal_overlap(self._data)
    if _inplace.recording(self):
        set_history(self, node_cls(_inplace.old_value(self)))
    writable(self)[...] = _array.like(self._data, values)  # (drawn on the host: see _sampling)
    self._vc[0] += 1
    return self


def _float_kernel(self: Tensor, kernel: str) -> np.dtype:
    npd = self._data.dtype
    if npd.kind != "f":
        raise not_implemented_for(kernel, npd)
    return npd


def _affine(draws: np.ndarray, scale: float, shift: float) -> np.ndarray:
    """``draws * scale + shift`` in place, in the draws' own dtype (skipping 1 and 0)."""
    if scale != 1:
        draws *= scale
    if shift != 0:
        draws += shift
    return draws


def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples of N(mean, std²), in place."""
    npd = _float_kernel(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    z = _standard_normal(numpy_rng(generator), self._data.shape, npd)
    return _fill_random(self, _affine(z, std, mean), NormalBackward0)


def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator=None, **kwargs) -> Tensor:
    """Fill with samples uniform in ``[from, to)``, in place."""
    from_ = kwargs.pop("from", from_)
    npd = _float_kernel(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_:g} > to={to:g}"
        )
    u = _uniform(numpy_rng(generator), self._data.shape, npd)
    return _fill_random(self, _affine(u, to - from_, from_), UniformBackward0)


def exponential_(self, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples of the exponential distribution of rate ``lambd``, in place."""
    if self._data.dtype.kind != "f":
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {self.dtype.scalar_name}"
        )
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    e = numpy_rng(generator).standard_exponential(self._data.shape) / lambd
    return _fill_random(self, e, ExponentialBackward0)


def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 samples: 1 with probability ``p`` (a number or a broadcastable tensor)."""
    if isinstance(p, Tensor):
        probs = p._data
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
        probs = p
    u = _array.like(self._data, numpy_rng(generator).random(self._data.shape))
    if isinstance(p, Tensor):
        u, probs = same_device(u, probs)
    node = BernoulliBackward2 if not isinstance(p, Tensor) else BernoulliBackward1
    return _fill_random(self, u < probs, node)


def geometric_(self, p: float, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to and including the first success."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    return _fill_random(self, numpy_rng(generator).geometric(p, self._data.shape),
                        GeometricBackward0)


def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples of the Cauchy distribution, in place."""
    _float_kernel(self, "cauchy_cpu")
    c = numpy_rng(generator).standard_cauchy(self._data.shape)
    return _fill_random(self, median + sigma * c, CauchyBackward0)


def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """Fill with ``exp(N(mean, std²))`` samples, in place."""
    _float_kernel(self, "log_normal_cpu")
    z = numpy_rng(generator).standard_normal(self._data.shape)
    return _fill_random(self, np.exp(mean + std * z), LogNormalBackward0)


def random_(self, *bounds, generator=None, **kwargs) -> Tensor:
    """Fill with integers: ``random_(to)`` from ``[0, to)``, ``random_(from, to)`` from
    ``[from, to)``, or with no bounds every integer the dtype holds exactly (``[0, 2**24]`` for
    float32, ``[0, 2**63 - 1]`` for int64)."""
    if "from" in kwargs or "to" in kwargs:
        bounds = (kwargs.pop("from", 0), kwargs.pop("to"))
    if kwargs or len(bounds) > 2:
        raise TypeError(
            "random_() received an invalid combination of arguments: expected random_(), "
            "random_(to) or random_(from, to)"
        )
    npd = self._data.dtype
    if len(bounds) == 2:
        (low, high), node = bounds, RandomBackward0
    elif bounds:
        (low, high), node = (0, bounds[0]), RandomBackward1
    else:
        low, node = 0, RandomBackward2
        if npd.kind == "b":
            high = 2
        elif npd.kind == "f":
            high = (1 << (np.finfo(npd).nmant + 1)) + 1
        else:
            high = int(np.iinfo(npd).max) + 1
    low, high = int(low), int(high)
    _check_from_to(low, high)
    if npd.kind in "iu":
        info = np.iinfo(npd)
        if low < info.min:
            raise RuntimeError(f"from is out of bounds for {_dtype.c_name(npd)}")
        if high - 1 > info.max:
            raise RuntimeError(f"to - 1 is out of bounds for {_dtype.c_name(npd)}")
    vals = _integers(numpy_rng(generator), low, high, self._data.shape)
    return _fill_random(self, vals, node)


class NormalBackward0(_NoGrad):
    pass


class UniformBackward0(_NoGrad):
    pass


class ExponentialBackward0(_NoGrad):
    pass


class BernoulliBackward1(_NoGrad):
    pass


class BernoulliBackward2(_NoGrad):
    pass


class GeometricBackward0(_NoGrad):
    pass


class CauchyBackward0(_NoGrad):
    pass


class LogNormalBackward0(_NoGrad):
    pass


class RandomBackward0(_NoGrad):
    pass


class RandomBackward1(_NoGrad):
    pass


class RandomBackward2(_NoGrad):
    pass


def _bind() -> None:
    Tensor.normal_, Tensor.uniform_, Tensor.exponential_ = normal_, uniform_, exponential_
    Tensor.bernoulli_, Tensor.geometric_, Tensor.cauchy_ = bernoulli_, geometric_, cauchy_
    Tensor.log_normal_, Tensor.random_ = log_normal_, random_
    Tensor.bernoulli, Tensor.multinomial = bernoulli, multinomial
    Tensor.bernoulli, Tensor.multinomial = bernoulli, multinomial


_bind()


__all__: list = []
