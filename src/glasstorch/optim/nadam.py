"""NAdam: Adam with Nesterov momentum, looking one step ahead along the running mean."""

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
    _scalar_dtype,
    _step_tensor,
)


class NAdam(Optimizer):
    r"""NAdam (``torch.optim.NAdam``): Adam whose momentum is applied Nesterov-style.

    For a parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), step
    :math:`t = 1, 2, \dots`, learning rate :math:`\gamma`, betas :math:`(\beta_1, \beta_2)`,
    momentum decay :math:`\psi`, :math:`\epsilon` and weight decay :math:`\lambda`::

        g ← g + λ θ         or, decoupled,  θ ← θ (1 − γ λ)     (if weight_decay ≠ 0)
        μₜ ← β₁ (1 − ½ · 0.96^(t ψ))          the momentum of this step; μₜ₊₁ the next one's
        Π ← Π · μₜ                           product of all the μ so far (Π starts at 1)
        m ← β₁ m + (1 − β₁) g                 running mean of the gradient
        v ← β₂ v + (1 − β₂) g²                running mean of its square
        d ← √(v / (1 − β₂ᵗ)) + ε
        θ ← θ − γ (1 − μₜ) / (1 − Π) · g / d  −  γ μₜ₊₁ / (1 − Π μₜ₊₁) · m / d

    Nesterov's idea: rather than stepping along the momentum ``m`` built so far, step along where
    the *next* momentum will point, a blend of the fresh gradient ``g`` and ``m``. The schedule
    :math:`\mu_t` warms the momentum up from :math:`\beta_1/2` towards :math:`\beta_1`.
    State per parameter: ``step`` and ``mu_product`` (Π), both 0-d float tensors of the default
    scalar dtype (float32 unless the default dtype is float64, even for float64 parameters, as
    in torch), ``exp_avg`` (m) and ``exp_avg_sq`` (v), shaped like the parameter.

    Args: ``params``; ``lr`` (2e-3); ``betas`` ((0.9, 0.999)); ``eps`` (1e-8);
    ``weight_decay`` (0); ``momentum_decay`` (4e-3); ``decoupled_weight_decay`` (False; True
    shrinks θ directly, as AdamW does); ``foreach`` (None; recorded, changes nothing);
    ``maximize`` (False). ``capturable`` and ``differentiable`` must stay False.
    """

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        _check_nonneg(momentum_decay, "momentum_decay")
        _check_capturable(capturable)
        _check_differentiable(differentiable)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
            capturable=capturable, differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["mu_product"] = _wrap(np.ones((), dtype=_scalar_dtype()))
            state["exp_avg"] = _wrap(np.zeros_like(p._data))
            state["exp_avg_sq"] = _wrap(np.zeros_like(p._data))
        lr = _number(group["lr"])
        beta1, beta2 = (_number(b) for b in group["betas"])
        weight_decay, psi = group["weight_decay"], group["momentum_decay"]
        param = _real(p._data)
        one = param.dtype.type
        g = _real(grad)
        if group["maximize"]:
            g = np.negative(g)

        step_t, mu_product = state["step"], state["mu_product"]
        step_t._data += 1
        step_t._vc[0] += 1
        step = float(step_t._data)
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:  # its own in-place write, as in torch
                param *= one(1 - lr * weight_decay)
                p._vc[0] += 1
            else:
                g = g + param * one(weight_decay)

        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        # Π is kept in the scalar dtype: with float32 it rounds each step, as torch's does
        mu_product._data *= mu_product._data.dtype.type(mu)
        mu_product._vc[0] += 1
        prod = float(mu_product._data)

        exp_avg = _real(state["exp_avg"]._data)
        exp_avg_sq = _real(state["exp_avg_sq"]._data)
        _lerp_(exp_avg, g, 1 - beta1)
        exp_avg_sq *= one(beta2)
        exp_avg_sq += g * one(1 - beta2) * g
        denom = np.sqrt(exp_avg_sq / one(1 - beta2**step))
        denom += one(group["eps"])

        # two in-place writes, as in torch: the gradient part, then the momentum part
        param += g * one(-lr * (1 - mu) / (1 - prod)) / denom
        param += exp_avg * one(-lr * mu_next / (1 - prod * mu_next)) / denom
        p._vc[0] += 1
