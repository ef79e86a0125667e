"""Anomaly mode: finding the forward line behind a backward that fails or makes NaN.

``detect_anomaly`` / ``set_detect_anomaly`` turn it on (one switch for the whole process, kept in
``grad_mode.anomaly``, as in torch). While it is on, every node records the stack of the forward
call that created it (``forward_trace``, called by ``Node.__init__``), and the engine runs each
backward through ``checked_backward``, which reports NaN results and, before any error, warns with
that recorded stack.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings

import numpy as np

from . import grad_mode

# The glasstorch package folder: frames inside it are trimmed from the end of a forward trace, so
# the last line an anomaly report shows is the user's own call.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

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


def forward_trace() -> list[str]:
    """The stack of the forward call creating a node (anomaly mode), formatted as traceback lines,
    without the frames inside glasstorch itself: it ends at the user's line that ran the op."""
    frames = traceback.extract_stack(sys._getframe(1))
    while frames and frames[-1].filename.startswith(_PACKAGE_DIR):
        frames.pop()
    return traceback.format_list(frames)



def checked_backward(node, grad) -> tuple:
    """``node.backward(grad)`` in anomaly mode: NaN results are an error (unless check_nan=False)
    and any error first warns with the forward stack recorded when the node was created."""
    try:
        grads = node.backward(grad)
        if type(grads) is not tuple:
            grads = (grads,)
        if grad_mode.anomaly.check_nan:
            for i, g in enumerate(grads):
                if g is not None and g._data.dtype.kind in "fc" and np.isnan(g._data).any():
                    raise RuntimeError(
                        f"Function '{node.name()}' returned nan values in its {i}th output."
                    )
    except Exception:
        trace = node._trace or getattr(getattr(node, "inner", None), "_trace", None)
        if trace:
            warnings.warn(
                f"Error detected in {node.name()}. Traceback of forward call that caused the "
                "error:\n" + "".join(trace),
                UserWarning,
                stacklevel=4,
            )
        raise
    return grads
