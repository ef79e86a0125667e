"""Adagrad: each coordinate's step shrinks with the sum of its squared gradients so far."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (
    Optimizer,
    _check_differentiable,
    _check_lr,
    _check_nonneg,
    _number,
    _real,
    _step_tensor,
)


class Adagrad(Optimizer):
    r"""Adagrad (``torch.optim.Adagrad``).

    For a parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), step
    :math:`t = 1, 2, \dots`, learning rate :math:`\gamma`, learning-rate decay :math:`\eta`,
    weight decay :math:`\lambda` and :math:`\epsilon`::

        g ← g + λ θ                          (if weight_decay ≠ 0)
        γₜ ← γ / (1 + (t − 1) η)
        S ← S + g²                           S starts at initial_accumulator_value
        θ ← θ − γₜ g / (√S + ε)

    Rarely-updated coordinates keep large steps; often-updated ones slow down for good.
    Unlike the other optimizers, the state (``step``, ``sum`` = S) is created for every parameter
    when the optimizer is built.

    Args: ``params``; ``lr`` (1e-2); ``lr_decay`` (0); ``weight_decay`` (0);
    ``initial_accumulator_value`` (0); ``eps`` (1e-10); ``maximize`` (False). ``foreach`` and
    ``fused`` are recorded but change nothing here.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_lr(lr)
        _check_nonneg(lr_decay, "lr_decay")
        _check_nonneg(weight_decay, "weight_decay")
        _check_nonneg(initial_accumulator_value, "initial_accumulator_value")
        _check_nonneg(eps, "epsilon")
        _check_differentiable(differentiable)
        defaults = dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, foreach=foreach,
            maximize=maximize, differentiable=differentiable, fused=fused,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Tensor) -> None:
        state = self.state[p]
        state["step"] = _step_tensor()
        init = self.defaults["initial_accumulator_value"]
        if p._data.dtype.kind == "c":
            init = complex(init, init)
        state["sum"] = _wrap(np.full_like(p._data, init))

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        state = self.state[p]
        if len(state) == 0:
            self._init_state(p)
        param = _real(p._data)
        one = param.dtype.type
        g = _real(grad)
        step_t = state["step"]
        step_t._data += 1
        step_t._vc[0] += 1
        step = float(step_t._data)
        if group["maximize"]:
            g = np.negative(g)
        if group["weight_decay"] != 0:
            g = g + param * one(group["weight_decay"])
        clr = _number(group["lr"]) / (1 + (step - 1) * group["lr_decay"])

        state_sum = _real(state["sum"]._data)
        sq = g * g
        state_sum += sq
        std = np.sqrt(state_sum)
        std += one(group["eps"])
        update = g * one(-clr)
        update /= std
        param += update
