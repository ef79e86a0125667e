"""Grad mode: whether ops record the graph. Thread-local, as in torch.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` work as context managers
and as decorators. Every op asks ``state.enabled`` (after checking that an input requires
grad at all). ``anomaly`` holds the anomaly-mode switch (process-wide, as in torch).
"""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True


state = _State()


class _Anomaly:
    """Anomaly mode (``autograd.detect_anomaly``): unlike grad mode, one switch for the whole
    process, as in torch."""

    enabled = False
    check_nan = True


anomaly = _Anomaly()


def is_grad_enabled() -> bool:
    """True when ops record a graph for autograd (the default)."""
    return state.enabled


class _GradModeContext:
    """Base of the grad-mode context managers; each sets ``state.enabled`` to ``self._mode``."""

    _mode = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._mode
        return None

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__._clone(self):
                return fn(*args, **kwargs)

        return wrapper

    def _clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Turn graph recording off: results of ops do not require grad (``with torch.no_grad():``)."""

    _mode = False


class enable_grad(_GradModeContext):
    """Turn graph recording back on inside a ``no_grad`` block."""

    _mode = True


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (glasstorch has no separate inference tensors); ``mode=False``: no-op."""

    def __init__(self, mode: bool = True):
        self._flag = mode
        self._mode = not mode if mode else None

    def __enter__(self):
        self._prev = state.enabled
        if self._flag:
            state.enabled = False

    def _clone(self):
        return inference_mode(self._flag)


class set_grad_enabled(_GradModeContext):
    """Set grad mode on or off at once; as a context manager, restore it on exit."""

    def __init__(self, mode: bool):
        self._prev = state.enabled
        self._mode = bool(mode)
        state.enabled = self._mode

    def __enter__(self):
        return None

    def __call__(self, fn):
        state.enabled = self._prev  # used as a decorator: only the decorated calls change the mode
        return super().__call__(fn)

    def _clone(self):
        return _SetGradScoped(self._mode)


class _SetGradScoped(_GradModeContext):
    def __init__(self, mode: bool):
        self._mode = mode
