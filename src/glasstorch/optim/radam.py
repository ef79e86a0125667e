"""RAdam: Adam that waits until its variance estimate is trustworthy before adapting steps."""

from __future__ import annotations

import math

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


class RAdam(Optimizer):
    r"""RAdam (``torch.optim.RAdam``): "rectified" Adam.

    For a parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), step
    :math:`t = 1, 2, \dots`, learning rate :math:`\gamma`, betas :math:`(\beta_1, \beta_2)`,
    :math:`\epsilon` and weight decay :math:`\lambda`::

        g ← g + λ θ         or, decoupled,  θ ← θ (1 − γ λ)     (if weight_decay ≠ 0)
        m ← β₁ m + (1 − β₁) g                 running mean of the gradient
        v ← β₂ v + (1 − β₂) g²                running mean of its square
        m̂ ← m / (1 − β₁ᵗ)
        ρ∞ ← 2 / (1 − β₂) − 1
        ρₜ ← ρ∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)          how many gradients v effectively averages
        if ρₜ > 5:
            r ← √((ρₜ − 4)(ρₜ − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρₜ))
            θ ← θ − γ m̂ · r · √(1 − β₂ᵗ) / (√v + ε)      Adam's step, scaled by r ≤ 1
        else:
            θ ← θ − γ m̂                                    plain momentum SGD

    In the first few steps ``v`` is an average of very few squared gradients, so Adam's
    per-coordinate scale :math:`1/\sqrt{v}` is noisy and its early steps can be huge (why Adam
    is often given a learning-rate warm-up). RAdam takes un-scaled momentum steps until
    :math:`\rho_t > 5` (step 6 with the default betas), then scales Adam's step by the factor
    ``r``, which rises towards 1 as the estimate firms up: a built-in warm-up.
    State per parameter: ``step`` (0-d), ``exp_avg`` (m) and ``exp_avg_sq`` (v).

    Args: ``params``; ``lr`` (1e-3); ``betas`` ((0.9, 0.999)); ``eps`` (1e-8);
    ``weight_decay`` (0); ``decoupled_weight_decay`` (False; True shrinks θ directly, as AdamW
    does); ``foreach`` (None; recorded, changes nothing); ``maximize`` (False). ``capturable``
    and ``differentiable`` must stay False.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonneg(eps, "epsilon")
        betas = _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay")
        _check_capturable(capturable)
        _check_differentiable(differentiable)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["exp_avg"] = _wrap(np.zeros_like(p._data))
            state["exp_avg_sq"] = _wrap(np.zeros_like(p._data))
        lr = _number(group["lr"])
        beta1, beta2 = (_number(b) for b in group["betas"])
        weight_decay = group["weight_decay"]
        param = _real(p._data)
        one = param.dtype.type
        g = _real(grad)
        if group["maximize"]:
            g = np.negative(g)

        step_t = state["step"]
        step_t._data += 1
        step_t._vc[0] += 1
        step = float(step_t._data)
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:  # its own in-place write, as in torch
                param *= one(1 - lr * weight_decay)
                p._vc[0] += 1
            else:
                g = g + param * one(weight_decay)

        exp_avg = _real(state["exp_avg"]._data)
        exp_avg_sq = _real(state["exp_avg_sq"]._data)
        _lerp_(exp_avg, g, 1 - beta1)
        exp_avg_sq *= one(beta2)
        exp_avg_sq += g * one(1 - beta2) * g

        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        m_hat = exp_avg / one(bias_correction1)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            adaptive = np.sqrt(exp_avg_sq)
            adaptive += one(group["eps"])
            adaptive = one(math.sqrt(bias_correction2)) / adaptive
            m_hat *= one(lr)
            m_hat *= adaptive
            m_hat *= one(rect)
            param -= m_hat
        else:
            m_hat *= one(lr)
            param -= m_hat
