"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

import numpy as np

from .. import _array
from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _check_differentiable, _check_lr, _number, _real


class SGD(Optimizer):
    r"""Stochastic gradient descent (``torch.optim.SGD``).

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), one step
    with learning rate :math:`\gamma`, weight decay :math:`\lambda`, momentum :math:`\mu` and
    dampening :math:`\tau` is::

        g ← g + λ θ                          (if weight_decay ≠ 0)
        b ← g                                (first step: the buffer starts as the gradient)
        b ← μ b + (1 − τ) g                  (later steps, if momentum ≠ 0)
        g ← g + μ b   (nesterov)   or   g ← b
        θ ← θ − γ g

    With ``momentum=0`` this is the plain update :math:`\theta \leftarrow \theta - \gamma g`. The
    momentum buffer ``b`` is kept in ``state[p]['momentum_buffer']``.

    Args: ``params``; ``lr`` (default 1e-3); ``momentum`` (0); ``dampening`` (0);
    ``weight_decay`` (0, an L2 penalty); ``nesterov`` (False; needs momentum > 0 and dampening 0);
    ``maximize`` (False: ascend instead). ``foreach`` and ``fused`` are accepted and recorded; there
    is one implementation here, so they do not change the results.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_differentiable(differentiable)
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
            fused=fused,
        )
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        lr = _number(group["lr"])
        weight_decay = _number(group["weight_decay"])
        momentum = group["momentum"]
        param = _real(p._data)
        g = _real(grad)
        if group["maximize"]:
            g = np.negative(g)
        if weight_decay != 0:
            g = g + param * param.dtype.type(weight_decay)
        if momentum != 0:
            state = self.state[p]
            buf_t = state.get("momentum_buffer")
            if buf_t is None:
                # a copy, and a 0-d array (not a NumPy scalar) for 0-d params
                buf = np.array(g) if _array.on_host(g) else g.copy()
                state["momentum_buffer"] = _wrap(_unreal(buf, p._data.dtype))
            else:
                buf = _real(buf_t._data)
                buf *= buf.dtype.type(momentum)
                buf += g * buf.dtype.type(1 - group["dampening"])
            if group["nesterov"]:
                g = g + buf * buf.dtype.type(momentum)
            else:
                g = buf
        param += g * param.dtype.type(-lr)


def _unreal(arr: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Undo ``_real``: the real view of a complex array seen as complex again."""
    return arr.view(dtype) if dtype.kind == "c" else arr
