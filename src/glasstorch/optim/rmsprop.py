"""RMSprop: divide each coordinate's step by a running root-mean-square of its gradients."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (
    Optimizer,
    _check_differentiable,
    _check_lr,
    _check_nonneg,
    _lerp_,
    _number,
    _real,
    _step_tensor,
)


class RMSprop(Optimizer):
    r"""RMSprop (``torch.optim.RMSprop``).

    For a parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), learning
    rate :math:`\gamma`, smoothing constant :math:`\alpha`, :math:`\epsilon`, weight decay
    :math:`\lambda` and momentum :math:`\mu`::

        g ← g + λ θ                          (if weight_decay ≠ 0)
        v ← α v + (1 − α) g²                 running mean of the squared gradient
        ḡ ← α ḡ + (1 − α) g                  (centered only: running mean of the gradient)
        s ← √v + ε       or, centered,   s ← √(v − ḡ²) + ε
        b ← μ b + g / s,  θ ← θ − γ b        (if momentum > 0)
        θ ← θ − γ g / s                      (otherwise)

    Coordinates whose gradients are consistently large take smaller steps. ``centered`` divides
    by an estimate of the gradient's standard deviation instead of its root mean square.
    State per parameter: ``step``, ``square_avg`` (v), ``momentum_buffer`` (b, if momentum > 0),
    ``grad_avg`` (ḡ, if centered).

    Args: ``params``; ``lr`` (1e-2); ``alpha`` (0.99); ``eps`` (1e-8); ``weight_decay`` (0);
    ``momentum`` (0); ``centered`` (False); ``maximize`` (False). ``capturable`` and ``foreach``
    are recorded but change nothing here.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonneg(eps, "epsilon")
        _check_nonneg(momentum, "momentum")
        _check_nonneg(weight_decay, "weight_decay")
        _check_nonneg(alpha, "alpha")
        _check_differentiable(differentiable)
        defaults = dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
            weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        state = self.state[p]
        momentum = group["momentum"]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["square_avg"] = _wrap(np.zeros_like(p._data))
            if momentum > 0:
                state["momentum_buffer"] = _wrap(np.zeros_like(p._data))
            if group["centered"]:
                state["grad_avg"] = _wrap(np.zeros_like(p._data))
        lr = _number(group["lr"])
        alpha = group["alpha"]
        param = _real(p._data)
        one = param.dtype.type
        g = _real(grad)
        if group["maximize"]:
            g = np.negative(g)
        state["step"]._data += 1
        state["step"]._vc[0] += 1
        if group["weight_decay"] != 0:
            g = g + param * one(group["weight_decay"])

        square_avg = _real(state["square_avg"]._data)
        square_avg *= one(alpha)
        avg = g * one(1 - alpha)
        avg *= g
        square_avg += avg
        if group["centered"]:
            grad_avg = _real(state["grad_avg"]._data)
            _lerp_(grad_avg, g, 1 - alpha)
            avg = grad_avg * one(-1)
            avg *= grad_avg
            avg += square_avg
            avg = np.sqrt(avg)
        else:
            avg = np.sqrt(square_avg)
        avg += one(group["eps"])

        if momentum > 0:
            buf = _real(state["momentum_buffer"]._data)
            buf *= one(momentum)
            buf += g / avg
            param += buf * one(-lr)
        else:
            update = g * one(-lr)
            update /= avg
            param += update
