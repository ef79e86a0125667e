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
    # torch's order: every output's gradient is made (the scalar and dtype checks apply only to an
    # output that requires grad), and only then is an output without a history an error
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out.requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._data.dtype.kind != "f":
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
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                f"output[{i}] has a shape of {out.shape}."
            )
        grads.append(g)
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into ``.grad`` of the leaves the gradient of ``tensors`` (see Tensor.backward)."""
    outputs = _tensors(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _root_grads(outputs, grad_tensors, create_graph)
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
    if not inputs_t:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
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


_ANOMALY_WARNING = (
    "Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
    "enabled for debugging."
)


class detect_anomaly:
    """Context manager (and decorator) for debugging a backward that fails or makes NaN.

    Inside it, every node created by a forward op records the Python stack of that call (nothing
    is recorded when anomaly mode is off). Then, in backward:

    - a node whose backward returns NaN raises ``RuntimeError: Function 'SqrtBackward0' returned
      nan values in its 0th output.`` (only with ``check_nan=True``, the default);
    - whatever error a node's backward raises (NaN, a tensor modified in place, ...), a
      ``UserWarning`` first shows "Error detected in SqrtBackward0. Traceback of forward call that
      caused the error:" and the stack of the forward line that created that node.

    Entering it warns that the mode is slow, as torch does.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._prev = (False, True)
        import warnings

        warnings.warn(_ANOMALY_WARNING, UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        self._prev = (grad_mode.anomaly.enabled, grad_mode.anomaly.check_nan)
        grad_mode.anomaly.enabled = True
        grad_mode.anomaly.check_nan = self.check_nan

    def __exit__(self, *exc) -> bool:
        grad_mode.anomaly.enabled, grad_mode.anomaly.check_nan = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Turn anomaly mode (see ``detect_anomaly``) on or off now; used with ``with``, the previous
    mode comes back at the end of the block. One switch for the whole process, as in torch."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (grad_mode.anomaly.enabled, grad_mode.anomaly.check_nan)
        grad_mode.anomaly.enabled = bool(mode)
        grad_mode.anomaly.check_nan = bool(check_nan)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> bool:
        grad_mode.anomaly.enabled, grad_mode.anomaly.check_nan = self._prev
        return False


# torch has these two at the top level (``torch.is_anomaly_enabled()``)
def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on."""
    return grad_mode.anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly mode checks backward results for NaN."""
    return grad_mode.anomaly.check_nan


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
