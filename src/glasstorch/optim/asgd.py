"""ASGD: stochastic gradient descent that also keeps a running average of the iterates."""

from __future__ import annotations

import numpy as np

from .. import _array, _dtype
from .._tensor import Tensor, _wrap
from ._options import _check_capturable
from .optimizer import (
    Optimizer,
    _check_differentiable,
    _check_lr,
    _check_nonneg,
    _number,
    _real,
    _scalar_dtype,
    _step_tensor,
)


class ASGD(Optimizer):
    r"""Averaged SGD (``torch.optim.ASGD``, Polyak & Juditsky 1992).

    Plain SGD with a learning rate that decays with the step count, plus an average ``ax`` of the
    parameter values seen since step ``t0``. The parameters follow SGD; ``ax`` is the averaged
    iterate the method is named for (it converges faster in theory: copy it into the model for
    evaluation, e.g. ``p.copy_(opt.state[p]['ax'])``). For a parameter :math:`\theta` with
    gradient :math:`g` (negated when ``maximize``), step :math:`t = 1, 2, \dots`::

        g ← g + λ_wd θ                          (if weight_decay ≠ 0)
        θ ← θ (1 − λ η)                          shrink by the decay term lambd
        θ ← θ − η g                              the SGD step with the current η
        ax ← ax + μ (θ − ax)                     average of the iterates (ax = θ while μ = 1)
        η ← lr / (1 + λ lr t)^α                  the next step's learning rate
        μ ← 1 / max(1, t − t0)                   averaging starts after step t0

    State per parameter: ``step``, ``eta`` and ``mu`` (0-d) and ``ax`` (shaped like it).

    Args: ``params``; ``lr`` (1e-2); ``lambd`` (1e-4, the decay term); ``alpha`` (0.75, the
    power of the η schedule); ``t0`` (1e6, the step averaging starts at); ``weight_decay`` (0);
    ``foreach`` (None; recorded, changes nothing); ``maximize`` (False). ``capturable`` and
    ``differentiable`` must stay False.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonneg(weight_decay, "weight_decay")
        _check_capturable(capturable)
        _check_differentiable(differentiable)
        defaults = dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        state = self.state[p]
        lr = _number(group["lr"])
        if len(state) == 0:
            # unlike the other optimizers' step counters, torch keeps these on the param's device
            state["step"] = _wrap(_array.like(p._data, _step_tensor()._data))
            state["eta"] = _wrap(_array.like(p._data, np.array(lr, dtype=_scalar_dtype())))
            state["mu"] = _wrap(_array.like(p._data, np.ones((), dtype=_scalar_dtype())))
            state["ax"] = _wrap(np.zeros_like(p._data))
        lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
        param = _real(p._data)
        one = param.dtype.type
        g = _real(grad)
        if group["maximize"]:
            g = np.negative(g)
        step_t, eta_t, mu_t = state["step"], state["eta"], state["mu"]
        step_t._data += 1
        step_t._vc[0] += 1
        if group["weight_decay"] != 0:
            g = g + param * one(group["weight_decay"])

        eta = float(eta_t._data)
        param *= one(1 - lambd * eta)
        param += g * one(-eta)
        p._vc[0] += 1  # torch writes the parameter twice (decay, then step); the base adds one
        ax = _real(state["ax"]._data)
        mu = mu_t._data[()]
        if mu != 1:
            ax += (param - ax) * mu
        else:
            ax[...] = param
        state["ax"]._vc[0] += 1

        # torch makes each new value a tensor of the default dtype before storing it, so both
        # are rounded to float32 even where the state holds float64 (after load_state_dict)
        step = float(step_t._data)
        rounded = _dtype.get_default_dtype().np.type
        eta_t._data[...] = rounded(lr / ((1 + lambd * lr * step) ** alpha))
        mu_t._data[...] = rounded(1 / max(1, step - t0))
