"""Adamax: Adam with the root-mean-square scale replaced by a decaying maximum (the ∞-norm)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._options import _check_betas, _check_capturable
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


class Adamax(Optimizer):
    r"""Adamax (``torch.optim.Adamax``), the infinity-norm variant of Adam.

    For a parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), step
    :math:`t = 1, 2, \dots`, learning rate :math:`\gamma`, betas :math:`(\beta_1, \beta_2)`,
    :math:`\epsilon` and weight decay :math:`\lambda`::

        g ← g + λ θ                          (if weight_decay ≠ 0)
        m ← β₁ m + (1 − β₁) g                running mean of the gradient (as in Adam)
        u ← max(β₂ u, |g| + ε)               a decaying maximum of |g|, coordinate by coordinate
        θ ← θ − γ / (1 − β₁ᵗ) · m / u

    Where Adam divides by :math:`\sqrt{v}`, an average of :math:`g^2` (the 2-norm of past
    gradients), Adamax divides by their max (the ∞-norm), which needs no bias correction and
    cannot be zero: :math:`\epsilon` sits inside the max. Only ``m`` is bias-corrected.
    State per parameter: ``step`` (0-d), ``exp_avg`` (m) and ``exp_inf`` (u), each shaped like it.

    Args: ``params``; ``lr`` (2e-3); ``betas`` ((0.9, 0.999)); ``eps`` (1e-8);
    ``weight_decay`` (0); ``foreach`` (None; recorded, changes nothing); ``maximize`` (False).
    ``capturable`` and ``differentiable`` must stay False.
    """

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonneg(eps, "epsilon")
        betas = _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay")
        _check_capturable(capturable)
        _check_differentiable(differentiable)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["exp_avg"] = _wrap(np.zeros_like(p._data))
            state["exp_inf"] = _wrap(np.zeros_like(p._data))
        lr = _number(group["lr"])
        beta1, beta2 = (_number(b) for b in group["betas"])
        param = _real(p._data)
        one = param.dtype.type
        g = _real(grad)
        if group["maximize"]:
            g = np.negative(g)
        step_t = state["step"]
        step_t._data += 1
        step_t._vc[0] += 1
        if group["weight_decay"] != 0:
            g = g + param * one(group["weight_decay"])

        exp_avg = _real(state["exp_avg"]._data)
        exp_inf = _real(state["exp_inf"]._data)
        _lerp_(exp_avg, g, 1 - beta1)
        exp_inf *= one(beta2)
        np.maximum(exp_inf, np.abs(g) + one(group["eps"]), out=exp_inf)

        step_size = lr / (1 - beta1 ** float(step_t._data))
        update = exp_avg * one(-step_size)
        update /= exp_inf
        param += update
