"""Rprop: a step size per coordinate that grows while the gradient keeps its sign."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._options import _check_capturable
from .optimizer import Optimizer, _check_differentiable, _number, _real, _step_tensor


class Rprop(Optimizer):
    r"""Resilient backpropagation (``torch.optim.Rprop``): only the sign of each gradient
    coordinate is used; how far to step is learnt per coordinate.

    For a parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), the previous
    step's gradient :math:`g_{prev}` (0 at first), step sizes :math:`s` (``lr`` at first) and
    ``etas`` :math:`(\eta^-, \eta^+)`, ``step_sizes`` :math:`(s_{min}, s_{max})`::

        d ← sign(g · g_prev)                  +1: same sign again, −1: the sign flipped
        s ← clamp(s · (η⁺ where d > 0, η⁻ where d < 0, 1 where d = 0), s_min, s_max)
        g ← 0 where d < 0                     after a flip, wait one step (and forget g)
        θ ← θ − sign(g) · s
        g_prev ← g

    A coordinate that keeps going downhill speeds up by η⁺ per step; one that overshot (its
    gradient flipped) slows down by η⁻. Meant for full-batch training: minibatch noise flips
    signs at random. State per parameter: ``step`` (0-d), ``prev`` and ``step_size``, each shaped
    like it.

    Args: ``params``; ``lr`` (1e-2, the first step size); ``etas`` ((0.5, 1.2)); ``step_sizes``
    ((1e-6, 50)); ``foreach`` (None; recorded, changes nothing); ``maximize`` (False).
    ``capturable`` and ``differentiable`` must stay False.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_capturable(capturable)
        _check_differentiable(differentiable)
        defaults = dict(
            lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
            differentiable=differentiable, capturable=capturable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad, group: dict) -> None:
        state = self.state[p]
        if len(state) == 0:
            lr = _number(group["lr"])
            state["step"] = _step_tensor()
            state["prev"] = _wrap(np.zeros_like(p._data))
            first = complex(lr, lr) if p._data.dtype.kind == "c" else lr
            state["step_size"] = _wrap(np.full_like(p._data, first))
        eta_minus, eta_plus = group["etas"]
        smallest, largest = group["step_sizes"]
        param = _real(p._data)
        one = param.dtype.type
        g = _real(grad).copy()  # changed below; the copy becomes ``prev``
        if group["maximize"]:
            np.negative(g, out=g)
        step_t = state["step"]
        step_t._data += 1
        step_t._vc[0] += 1

        prev = _real(state["prev"]._data)
        step_size = _real(state["step_size"]._data)
        factor = np.multiply(g, prev, out=np.empty_like(prev))  # out=: an array also when 0-d
        np.sign(factor, out=factor)
        factor[factor > 0] = one(eta_plus)  # in this order, as torch: a NaN stays NaN
        factor[factor < 0] = one(eta_minus)
        factor[factor == 0] = 1
        step_size *= factor
        np.clip(step_size, smallest, largest, out=step_size)
        g[factor == one(eta_minus)] = 0
        param -= np.sign(g) * step_size
        prev[...] = g
