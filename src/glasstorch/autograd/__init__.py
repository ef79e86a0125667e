"""torch.autograd: ``backward``, ``grad``, grad modes, ``Function``, ``gradcheck``, anomaly mode.

The public face only; where each part lives:

- ``graph.py``: ``Node`` (one op's backward step), ``AccumulateGrad``, and ``attach``, the one
  place where an op's result joins the graph;
- ``engine.py``: ``backward`` and ``grad``, and ``run_backward``, which runs the nodes;
- ``views.py``: tensors sharing memory, and in-place writes through them;
- ``grad_mode.py``: ``no_grad`` and friends; ``anomaly_mode.py``: ``detect_anomaly``;
- ``function.py``: ``autograd.Function``; ``gradcheck.py``: numerical gradient checks.
"""

from __future__ import annotations

from . import functional, grad_mode
from .anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .engine import backward, grad
from .function import Function, FunctionCtx
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "detect_anomaly",
    "set_detect_anomaly",
]

__all__ += ["Function", "FunctionCtx", "gradcheck", "gradgradcheck", "GradcheckError"]
