"""torch.autograd: ``backward``, ``grad``, grad modes, ``Function``, ``gradcheck``, anomaly mode."""

from __future__ import annotations

from . import grad_mode
from .engine import run_backward
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled


def _tensors(x) -> tuple:
    from .._tensor import Tensor

    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_grads(outputs, grad_outputs, create_graph):
    import numpy as np

    from .._tensor import Tensor, _wrap

    grads = []
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    for out, g in zip(outputs, grad_outputs):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind not in "fc":
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{out.dtype}"
                )
            g = _wrap(np.ones_like(out._data))
        elif not isinstance(g, Tensor):
            from .._creation import tensor

            g = tensor(g, dtype=out.dtype)
        elif g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {tuple(g._data.shape)} and "
                f"output[0] has a shape of {tuple(out._data.shape)}."
            )
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into ``.grad`` of the leaves the gradient of ``tensors`` (see Tensor.backward)."""
    outputs = _tensors(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(outputs, grad_tensors, create_graph)
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` untouched)."""
    import numpy as np

    from .._tensor import _wrap

    outputs = _tensors(outputs)
    inputs_t = _tensors(inputs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _root_grads(outputs, grad_outputs, create_graph)
    res = run_backward(
        outputs, grads, retain_graph, create_graph, inputs=inputs_t, accumulate=False
    )
    out = []
    for t, g in zip(inputs_t, res):
        if g is None:
            if materialize_grads:
                g = _wrap(np.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
        elif g._data.shape != t._data.shape:
            g = g.expand(t._data.shape) if g._data.ndim <= t._data.ndim else g
        out.append(g)
    return tuple(out)


class detect_anomaly:
    """Context manager: backward raises naming the op whose gradient became NaN, and warns with
    the traceback of the forward call that created that op."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = grad_mode.state.anomaly
        grad_mode.state.anomaly = self.check_nan
        return self

    def __exit__(self, *exc):
        grad_mode.state.anomaly = self._prev
        return False


def set_detect_anomaly(mode: bool, check_nan: bool = True):
    """Turn anomaly detection on or off (see ``detect_anomaly``)."""
    grad_mode.state.anomaly = bool(mode) and check_nan
    return None


def is_anomaly_enabled() -> bool:
    return grad_mode.state.anomaly


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

from .function import Function, FunctionCtx  # noqa: E402
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: E402

__all__ += ["Function", "FunctionCtx", "gradcheck", "gradgradcheck", "GradcheckError"]
