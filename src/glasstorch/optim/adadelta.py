"""Adadelta: steps whose size comes from past steps, so there is (almost) no learning rate."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._options import _check_capturable
from .optimizer import (
    Optimizer,
    _check_differentiable,
    _check_lr,
    _check_nonneg,
    _number,
    _real,
    _step_tensor,
)


class Adadelta(Optimizer):
    r"""Adadelta (``torch.optim.Adadelta``).

    For a parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), decay
    :math:`\rho`, :math:`\epsilon`, weight decay :math:`\lambda` and learning rate :math:`\gamma`::

        g ← g + λ θ                          (if weight_decay ≠ 0)
        v ← ρ v + (1 − ρ) g²                 running mean of squared gradients
        Δ ← √(u + ε) / √(v + ε) · g          the step, in the units of θ
        u ← ρ u + (1 − ρ) Δ²                 running mean of squared steps
        θ ← θ − γ Δ

    Dividing by :math:`\sqrt{v}` alone (RMSprop) gives a step in "units of 1"; multiplying by the
    root mean square of past steps :math:`\sqrt{u}` gives it the units of :math:`\theta`, which is
    why the default ``lr`` is 1.0: :math:`\gamma` only rescales. ``u`` starts at zero, so the
    first steps are of size about :math:`\sqrt{\epsilon}` and grow from there.
    State per parameter (each shaped like it): ``step`` (0-d), ``square_avg`` (v), ``acc_delta``
    (u).

    Args: ``params``; ``lr`` (1.0); ``rho`` (0.9); ``eps`` (1e-6); ``weight_decay`` (0);
    ``foreach`` (None; recorded, changes nothing); ``maximize`` (False). ``capturable`` and
    ``differentiable`` must stay False.

    Example::

        opt = glasstorch.optim.Adadelta(model.parameters())
    """

    def __init__(
        self,
        params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonneg(eps, "epsilon")
        _check_nonneg(weight_decay, "weight_decay")
        _check_capturable(capturable)
        _check_differentiable(differentiable)
        defaults = dict(
            lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
            capturable=capturable, foreach=foreach, differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["square_avg"] = _wrap(np.zeros_like(p._data))
            state["acc_delta"] = _wrap(np.zeros_like(p._data))
        lr = _number(group["lr"])
        rho, eps = group["rho"], group["eps"]
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
        acc_delta = _real(state["acc_delta"]._data)
        square_avg *= one(rho)
        square_avg += g * one(1 - rho) * g
        std = np.sqrt(square_avg + one(eps))
        delta = np.sqrt(acc_delta + one(eps))
        delta /= std
        delta *= g
        acc_delta *= one(rho)
        acc_delta += delta * one(1 - rho) * delta
        param += delta * one(-lr)
