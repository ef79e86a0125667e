"""Adam and AdamW: per-coordinate steps from running means of the gradient and its square."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._options import _check_betas
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


class Adam(Optimizer):
    r"""Adam (``torch.optim.Adam``): momentum plus a per-coordinate scale.

    For a parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), step
    :math:`t = 1, 2, \dots`, learning rate :math:`\gamma`, betas :math:`(\beta_1, \beta_2)`,
    :math:`\epsilon` and weight decay :math:`\lambda`::

        g ← g + λ θ                      (L2 penalty, if weight_decay ≠ 0; AdamW differs here)
        m ← β₁ m + (1 − β₁) g            first moment: a running mean of the gradient
        v ← β₂ v + (1 − β₂) g²           second moment: a running mean of its square
        v̂ ← max(v̂, v)                    (amsgrad only: never let the scale shrink)
        θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)

    ``m`` and ``v`` start at zero, so early averages are too small: dividing by
    :math:`1-\beta_1^t` and :math:`1-\beta_2^t` (the bias corrections) undoes that. Note where
    :math:`\epsilon` goes: added to :math:`\sqrt{v}/\sqrt{1-\beta_2^t}`, after the correction.
    State per parameter: ``step`` (a 0-d float tensor), ``exp_avg`` (m), ``exp_avg_sq`` (v) and,
    with amsgrad, ``max_exp_avg_sq`` (v̂).

    Args: ``params``; ``lr`` (1e-3); ``betas`` ((0.9, 0.999)); ``eps`` (1e-8);
    ``weight_decay`` (0); ``amsgrad`` (False); ``maximize`` (False);
    ``decoupled_weight_decay`` (False; True makes this AdamW). ``foreach``, ``capturable`` and
    ``fused`` are recorded but change nothing here.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonneg(eps, "epsilon")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay")
        if not (
            all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        _check_differentiable(differentiable)
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["exp_avg"] = _wrap(np.zeros_like(p._data))
            state["exp_avg_sq"] = _wrap(np.zeros_like(p._data))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = _wrap(np.zeros_like(p._data))
        lr = _number(group["lr"])
        beta1, beta2 = (_number(b) for b in group["betas"])
        weight_decay = group["weight_decay"]
        param = _real(p._data)
        g = _real(grad)
        one = param.dtype.type
        if group["maximize"]:
            g = np.negative(g)

        step_t = state["step"]
        step_t._data += 1
        step_t._vc[0] += 1
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:  # its own in-place write, as in torch: the
                param *= one(1 - lr * weight_decay)  # step moves the version by 2, not 1
                p._vc[0] += 1
            else:
                g = g + param * one(weight_decay)

        exp_avg = _real(state["exp_avg"]._data)
        exp_avg_sq = _real(state["exp_avg_sq"]._data)
        _lerp_(exp_avg, g, 1 - beta1)
        exp_avg_sq *= one(beta2)
        sq = g * one(1 - beta2)
        sq *= g
        exp_avg_sq += sq

        step = float(step_t._data)
        bias_correction1 = 1 - beta1**step
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        step_size = lr / bias_correction1
        if group["amsgrad"]:
            v = _real(state["max_exp_avg_sq"]._data)
            np.maximum(v, exp_avg_sq, out=v)
        else:
            v = exp_avg_sq
        denom = np.sqrt(v)
        denom /= one(bias_correction2_sqrt)
        denom += one(group["eps"])
        update = exp_avg * one(-step_size)
        update /= denom
        param += update


class AdamW(Adam):
    r"""AdamW (``torch.optim.AdamW``): Adam with weight decay decoupled from the gradient.

    Instead of adding :math:`\lambda\theta` to the gradient (where Adam's scaling would shrink it
    for coordinates with large gradients), each step first shrinks the weights directly::

        θ ← θ (1 − γ λ)
        then the Adam update of θ with the raw gradient g (see ``Adam``).

    Same arguments as ``Adam``, but ``weight_decay`` defaults to 1e-2; ``decoupled_weight_decay``
    is always True.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
            capturable=capturable, differentiable=differentiable, fused=fused,
            decoupled_weight_decay=True,
        )

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
